"""Bounded-memory loading: a large word2vec file restricted to a vocabulary is streamed.

The GoogleNews vectors (3M words x 300, 3.6 GB) must load restricted to the training vocabulary
without ever holding the whole matrix. Here a file of the same format, 20,000 x 300 (24 MB of
floats), is loaded restricted to a few hundred words, and tracemalloc (which sees numpy's
allocations) shows that the peak stays far below the full matrix.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from lstm_sentiment.vectors import (
    WordVectors,
    binary_format,
    load_vectors,
    write_word2vec_binary,
    write_word2vec_text,
)

N_WORDS = 20_000
DIM = 300
N_WANTED = 500
TEXT_WORDS = 2000
FULL_BYTES = N_WORDS * DIM * 4


@pytest.fixture(scope="module")
def big() -> WordVectors:
    rng = np.random.default_rng(0)
    words = [f"word{i}" for i in range(N_WORDS)]
    return WordVectors(words, rng.normal(size=(N_WORDS, DIM)).astype(np.float32), "big")


@pytest.fixture(scope="module")
def wanted() -> frozenset[str]:
    rows = np.random.default_rng(1).choice(N_WORDS, N_WANTED, replace=False)
    return frozenset(f"word{i}" for i in rows) | {"not-in-file"}


def peak_bytes(load: Callable[[], WordVectors]) -> tuple[WordVectors, int]:
    tracemalloc.start()
    try:
        vectors = load()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return vectors, peak


@pytest.mark.parametrize("name", ["big.bin", "big.bin.gz"])
def test_restricted_binary_load_streams(
    tmp_path: Path, big: WordVectors, wanted: frozenset[str], name: str
) -> None:
    path = write_word2vec_binary(big, tmp_path / name)
    restricted, peak = peak_bytes(lambda: load_vectors(str(path), restrict_to=wanted))

    kept = N_WANTED * DIM * 4
    # The kept rows, a few read buffers and the word bookkeeping; never the whole matrix.
    assert peak < kept + 6 * binary_format._READ_CHUNK_BYTES
    assert peak < FULL_BYTES / 3

    full, full_peak = peak_bytes(lambda: load_vectors(str(path)))
    assert full_peak >= FULL_BYTES  # the unrestricted load does hold everything
    assert sorted(restricted.words) == sorted(wanted - {"not-in-file"})
    assert restricted.words == [w for w in full.words if w in wanted]  # file order kept
    rows = [full.index[w] for w in restricted.words]
    np.testing.assert_array_equal(restricted.matrix, full.matrix[rows])


def test_restricted_text_load_streams(
    tmp_path: Path, big: WordVectors, wanted: frozenset[str]
) -> None:
    subset = WordVectors(big.words[:TEXT_WORDS], big.matrix[:TEXT_WORDS], "subset")
    path = write_word2vec_text(subset, tmp_path / "big.vec")
    restricted, peak = peak_bytes(lambda: load_vectors(str(path), restrict_to=wanted))
    assert peak < subset.matrix.nbytes / 3
    expected = [w for w in subset.words if w in wanted]
    assert restricted.words == expected
    np.testing.assert_array_equal(
        restricted.matrix, subset.matrix[[subset.index[w] for w in expected]]
    )
