"""Align pretrained word vectors with a vocabulary to initialise an embedding layer."""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from lstm_sentiment.errors import VectorsError
from lstm_sentiment.vectors.word_vectors import WordVectors

logger = logging.getLogger(__name__)

UNKNOWN_INITS = ("random", "mean", "zeros")
"""How rows of tokens without a pretrained vector can be initialised."""


@dataclass(frozen=True)
class Coverage:
    """How much of a vocabulary the pretrained vectors cover (special tokens excluded).

    Attributes:
        types_covered: Vocabulary types that got a pretrained vector.
        types_total: Vocabulary types considered.
        tokens_covered: Training tokens (types weighted by their counts) that are covered.
        tokens_total: Training tokens considered.
    """

    types_covered: int
    types_total: int
    tokens_covered: int
    tokens_total: int

    @property
    def type_share(self) -> float:
        """The covered fraction of types (0.0 for an empty vocabulary)."""
        return self.types_covered / self.types_total if self.types_total else 0.0

    @property
    def token_share(self) -> float:
        """The covered fraction of tokens (0.0 when there are none)."""
        return self.tokens_covered / self.tokens_total if self.tokens_total else 0.0

    def __str__(self) -> str:
        return (
            f"{self.token_share:.1%} of training tokens covered "
            f"({self.types_covered:,} of {self.types_total:,} vocabulary types)"
        )


def lookup_words(tokens: Iterable[str]) -> set[str]:
    """Return the words :func:`build_embedding_matrix` may look up for ``tokens``.

    Pass this as ``restrict_to`` when loading vectors, so that a restricted load finds every
    vector the full set would (tokens are tried as they are, then lowercased).
    """
    words: set[str] = set()
    for token in tokens:
        words.add(token)
        words.add(token.lower())
    return words


def _find(index: Mapping[str, int], token: str) -> int | None:
    """The row of ``token``'s vector: the same word, else its lowercase form, else None."""
    row = index.get(token)
    return index.get(token.lower()) if row is None else row


def measure_coverage(
    counts: Mapping[str, int], vectors: WordVectors
) -> tuple[Coverage, list[tuple[str, int]]]:
    """How many of the counted tokens (and types) have a vector, matched as in alignment.

    Args:
        counts: Token → number of occurrences, e.g. over a whole corpus.
        vectors: The vectors (load them with ``restrict_to=lookup_words(counts)`` to save memory).

    Returns:
        The coverage, and the uncovered types with their counts, most frequent first.
    """
    index = vectors.index
    missing = [(token, n) for token, n in counts.items() if _find(index, token) is None]
    missing.sort(key=lambda item: (-item[1], item[0]))
    tokens_total = sum(counts.values())
    coverage = Coverage(
        types_covered=len(counts) - len(missing),
        types_total=len(counts),
        tokens_covered=tokens_total - sum(n for _, n in missing),
        tokens_total=tokens_total,
    )
    return coverage, missing


def build_embedding_matrix(
    tokens: Sequence[str],
    vectors: WordVectors,
    *,
    special_ids: Collection[int],
    counts: Mapping[str, int] | None = None,
    unknown_init: str = "random",
    seed: int = 0,
) -> tuple[np.ndarray, Coverage]:
    """Build a float32 embedding matrix whose row ``i`` belongs to vocabulary token ``i``.

    A token takes the vector of the same word, else of its lowercase form. Tokens without one
    are initialised per ``unknown_init``: ``"random"`` draws from a normal distribution with the
    per-dimension mean and standard deviation of the found vectors (so they share the vectors'
    scale), ``"mean"`` uses the mean found vector, ``"zeros"`` leaves them zero. When no token is
    found, the statistics of the whole vector set are used instead. Rows in ``special_ids``
    (e.g. padding and unknown) are zero and left out of the coverage.

    Args:
        tokens: The vocabulary, in id order.
        vectors: The pretrained vectors.
        special_ids: Ids whose rows stay zero.
        counts: Training counts per token, to weight the token coverage; without it each type
            counts once.
        unknown_init: ``"random"``, ``"mean"`` or ``"zeros"``.
        seed: Seed for the ``"random"`` initialisation.

    Returns:
        The ``(len(tokens), vectors.dim)`` matrix and the coverage.

    Raises:
        VectorsError: ``unknown_init`` is not one of the choices.
        ValueError: A special id is outside the vocabulary.
    """
    if unknown_init not in UNKNOWN_INITS:
        raise VectorsError(
            f"unknown unknown-word initialisation {unknown_init!r}: "
            f"choose one of {', '.join(UNKNOWN_INITS)}"
        )
    special = set(special_ids)
    out_of_range = sorted(i for i in special if not 0 <= i < len(tokens))
    if out_of_range:
        raise ValueError(f"special ids {out_of_range} are outside the vocabulary of {len(tokens)}")

    index = vectors.index
    target_rows: list[int] = []
    source_rows: list[int] = []
    missing_rows: list[int] = []
    tokens_covered = tokens_total = types_covered = types_total = 0
    for token_id, token in enumerate(tokens):
        if token_id in special:
            continue
        # Words added from the vectors (``vectors.extra_words``) have no training count: they
        # get their rows but are not part of the training vocabulary's coverage.
        counted = not counts or token in counts
        weight = 1 if counts is None else counts.get(token, 0)
        tokens_total += weight
        types_total += counted
        source = _find(index, token)
        if source is None:
            missing_rows.append(token_id)
            continue
        target_rows.append(token_id)
        source_rows.append(source)
        tokens_covered += weight
        types_covered += counted

    matrix = np.zeros((len(tokens), vectors.dim), dtype=np.float32)
    found = np.asarray(vectors.matrix[source_rows], dtype=np.float32)
    matrix[target_rows] = found
    if missing_rows and unknown_init != "zeros":
        matrix[missing_rows] = _unknown_rows(len(missing_rows), found, vectors, unknown_init, seed)

    coverage = Coverage(
        types_covered=types_covered,
        types_total=types_total,
        tokens_covered=tokens_covered,
        tokens_total=tokens_total,
    )
    logger.info("%s: %s", vectors.name, coverage)
    return matrix, coverage


def _unknown_rows(
    count: int, found: np.ndarray, vectors: WordVectors, unknown_init: str, seed: int
) -> np.ndarray:
    """Return ``count`` rows for tokens without a vector, per ``unknown_init``."""
    reference = found
    if not len(reference):
        logger.warning(
            "no vocabulary token has a vector in %s; unknown rows use the whole set's scale",
            vectors.name,
        )
        reference = np.asarray(vectors.matrix, dtype=np.float32)
    if not len(reference):
        return np.zeros((count, vectors.dim), dtype=np.float32)
    mean = reference.mean(axis=0, dtype=np.float64)
    if unknown_init == "mean":
        return np.broadcast_to(mean, (count, vectors.dim)).astype(np.float32)
    std = reference.std(axis=0, dtype=np.float64)
    rng = np.random.default_rng(seed)
    return rng.normal(mean, std, size=(count, vectors.dim)).astype(np.float32)
