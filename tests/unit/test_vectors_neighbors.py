"""Tests for cosine neighbours, analogies and corpus coverage, on hand-made vectors."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from lstm_sentiment import cli
from lstm_sentiment.errors import VectorsError
from lstm_sentiment.vectors import (
    Coverage,
    NeighborIndex,
    WordVectors,
    measure_coverage,
    write_glove_text,
)

# 2-d vectors drawn by hand: a gender axis (x) and a royalty axis (y), plus two
# sentiment words on the diagonal and a zero vector.
HAND = {
    "man": (1.0, 0.0),
    "woman": (-1.0, 0.0),
    "king": (1.0, 1.0),
    "queen": (-1.0, 1.0),
    "prince": (0.9, 0.8),
    "good": (0.3, -1.0),
    "great": (0.35, -1.2),
    "void": (0.0, 0.0),
}


@pytest.fixture
def hand() -> WordVectors:
    matrix = np.array(list(HAND.values()), dtype=np.float32)
    return WordVectors(list(HAND), matrix, "hand")


def cosine(a: str, b: str) -> float:
    x, y = np.array(HAND[a]), np.array(HAND[b])
    return float(x @ y / np.linalg.norm(x) / np.linalg.norm(y))


def test_neighbors_ranked_by_cosine(hand: WordVectors) -> None:
    index = NeighborIndex(hand)
    found = index.neighbors("king", k=3)
    assert [n.word for n in found] == ["prince", "man", "queen"]
    for neighbor in found:
        assert neighbor.similarity == pytest.approx(cosine("king", neighbor.word), abs=1e-6)
    assert index.neighbors("good", k=1)[0].word == "great"
    assert index.similarity("good", "great") == pytest.approx(cosine("good", "great"), abs=1e-6)


def test_neighbors_exclude_the_word_and_cap_k(hand: WordVectors) -> None:
    found = NeighborIndex(hand).neighbors("man", k=50)
    assert len(found) == len(HAND) - 1
    assert "man" not in [n.word for n in found]
    similarities = [n.similarity for n in found]
    assert similarities == sorted(similarities, reverse=True)
    assert dict((n.word, n.similarity) for n in found)["void"] == 0.0  # zero vector: cosine 0


def test_analogy_b_minus_a_plus_c(hand: WordVectors) -> None:
    index = NeighborIndex(hand)
    answers = index.analogy("man", "king", "woman", k=2)
    assert answers[0].word == "queen"
    assert {"man", "king", "woman"}.isdisjoint(n.word for n in answers)


def test_lookup_falls_back_to_lowercase_and_explains_misses(hand: WordVectors) -> None:
    index = NeighborIndex(hand)
    assert index.resolve("King") == "king"
    assert index.neighbors("KING", k=1)[0].word == "prince"
    with pytest.raises(VectorsError, match="'castle' has no vector in hand"):
        index.neighbors("castle")
    with pytest.raises(VectorsError, match="k must be"):
        index.neighbors("king", k=0)


def test_index_over_a_read_only_memory_map(hand: WordVectors, tmp_path: Path) -> None:
    np.save(tmp_path / "m.npy", hand.matrix)
    mapped = WordVectors(hand.words, np.load(tmp_path / "m.npy", mmap_mode="r"), "mapped")
    index = NeighborIndex(mapped)
    assert [n.word for n in index.neighbors("king", k=3)] == ["prince", "man", "queen"]
    np.testing.assert_allclose(np.linalg.norm(index.unit[:-1], axis=1), 1.0, rtol=1e-6)


def test_measure_coverage_counts_tokens_and_types(hand: WordVectors) -> None:
    counts = Counter({"king": 5, "Queen": 3, "castle": 2, "moat": 2, "good": 1})
    coverage, missing = measure_coverage(counts, hand)
    assert coverage == Coverage(types_covered=3, types_total=5, tokens_covered=9, tokens_total=13)
    assert missing == [("castle", 2), ("moat", 2)]


@pytest.fixture
def hand_file(hand: WordVectors, tmp_path: Path) -> Path:
    return write_glove_text(hand, tmp_path / "hand.txt")


def run_json(args: list[str], capsys: pytest.CaptureFixture) -> dict:
    assert cli.main(["-q", *args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_cli_neighbors_and_analogy(hand_file: Path, capsys: pytest.CaptureFixture) -> None:
    out = run_json(["vectors", "neighbors", "King", "--vectors", str(hand_file), "-k", "2"], capsys)
    assert out["vectors"] == "hand.txt"
    assert out["word"] == "king"
    assert [n["word"] for n in out["neighbors"]] == ["prince", "man"]
    out = run_json(
        ["vectors", "analogy", "man", "king", "woman", "--vectors", str(hand_file)], capsys
    )
    assert out["query"] == {"a": "man", "b": "king", "c": "woman"}
    assert out["answers"][0]["word"] == "queen"

    assert cli.main(["-q", "vectors", "neighbors", "king", "--vectors", str(hand_file)]) == 0
    table = capsys.readouterr().out
    assert "prince" in table and "cosine" in table


def test_cli_neighbors_errors(hand_file: Path, capsys: pytest.CaptureFixture) -> None:
    assert cli.main(["-q", "vectors", "neighbors", "castle", "--vectors", str(hand_file)]) == 2
    assert "'castle' has no vector" in capsys.readouterr().err
    assert cli.main(["-q", "vectors", "neighbors", "king", "--vectors", "nope.txt"]) == 2
    assert "no such vectors file" in capsys.readouterr().err


def test_cli_neighbors_embedded_glove(capsys: pytest.CaptureFixture) -> None:
    out = run_json(["vectors", "analogy", "man", "king", "woman", "-k", "1"], capsys)
    assert out["vectors"] == "glove-6b-50d"
    assert out["answers"][0]["word"] == "queen"


def test_cli_coverage(tiny_csv: Path, tiny_vectors: Path, capsys: pytest.CaptureFixture) -> None:
    out = run_json(
        ["vectors", "coverage", "--data", str(tiny_csv), "--vectors", str(tiny_vectors)], capsys
    )
    assert out["texts"] == 60
    assert out["token_share"] == 1.0 and out["type_share"] == 1.0

    partial = tiny_vectors.parent / "partial.txt"
    lines = tiny_vectors.read_text(encoding="utf-8").splitlines()
    partial.write_text("\n".join(line for line in lines if not line.startswith("movie ")) + "\n")
    out = run_json(
        ["vectors", "coverage", "--data", str(tiny_csv), "--vectors", str(partial), "--top", "1"],
        capsys,
    )
    assert out["types_total"] - out["types_covered"] == 1
    assert out["top_missing"][0]["word"] == "movie"
    movie_count = out["top_missing"][0]["count"]
    assert out["tokens_total"] - out["tokens_covered"] == movie_count > 0

    assert cli.main(["-q", "vectors", "coverage", "--data", str(tiny_csv)]) == 0
    assert "tokens" in capsys.readouterr().out
