"""Nearest neighbours and analogies by cosine similarity: what a set of vectors has learned."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np

from lstm_sentiment.errors import VectorsError
from lstm_sentiment.vectors.word_vectors import WordVectors

DEFAULT_K = 10
_BLOCK_ROWS = 1 << 16
"""Rows normalised at a time: no full-size temporary beside the normalised copy."""


@dataclass(frozen=True)
class Neighbor:
    """A word and its cosine similarity to the query."""

    word: str
    similarity: float


class NeighborIndex:
    """Cosine similarity search over a set of word vectors.

    The rows are normalised to unit length once (zero vectors stay zero and are never close to
    anything), so a query is one matrix-vector product. The normalised copy is float32, the
    size of the vectors' own matrix: load big files restricted or use a smaller set.

    Args:
        vectors: The vectors to search.
    """

    def __init__(self, vectors: WordVectors) -> None:
        self.vectors = vectors
        unit = np.empty(vectors.matrix.shape, dtype=np.float32)
        for start in range(0, len(vectors), _BLOCK_ROWS):
            block = np.asarray(vectors.matrix[start : start + _BLOCK_ROWS], dtype=np.float32)
            norms = np.linalg.norm(block, axis=1, keepdims=True)
            np.divide(block, norms, out=unit[start : start + len(block)], where=norms > 0)
            unit[start : start + len(block)][norms[:, 0] == 0] = 0.0
        self.unit = unit

    def resolve(self, word: str) -> str:
        """The word as the vectors spell it: ``word`` itself, else its lowercase form.

        Raises:
            VectorsError: Neither form has a vector.
        """
        index = self.vectors.index
        for candidate in (word, word.lower()):
            if candidate in index:
                return candidate
        raise VectorsError(
            f"{word!r} has no vector in {self.vectors.name} ({len(self.vectors):,} words); "
            "check the spelling or use other vectors"
        )

    def unit_vector(self, word: str) -> np.ndarray:
        """The unit-length vector of ``word`` (see :meth:`resolve`)."""
        return self.unit[self.vectors.index[self.resolve(word)]]

    def nearest(
        self, query: np.ndarray, k: int = DEFAULT_K, exclude: Collection[str] = ()
    ) -> list[Neighbor]:
        """The ``k`` words most cosine-similar to ``query``, most similar first.

        Args:
            query: A vector of the vectors' dimension (need not be unit length).
            k: How many neighbours to return.
            exclude: Words left out of the result (e.g. the query words).

        Raises:
            VectorsError: ``k`` is below 1 or ``query`` has the wrong shape.
        """
        if k < 1:
            raise VectorsError(f"k must be >= 1, got {k}")
        query = np.asarray(query, dtype=np.float32)
        if query.shape != (self.vectors.dim,):
            raise VectorsError(f"the query has shape {query.shape}; expected ({self.vectors.dim},)")
        norm = float(np.linalg.norm(query))
        scores = self.unit @ (query / norm if norm > 0 else query)
        excluded = [self.vectors.index[w] for w in set(exclude) if w in self.vectors.index]
        scores[excluded] = -np.inf
        wanted = min(k, len(scores) - len(excluded))
        if wanted <= 0:
            return []
        # A stable sort breaks ties by row: the more frequent word first in sorted files.
        top = np.argsort(-scores, kind="stable")[:wanted]
        return [Neighbor(self.vectors.words[i], float(scores[i])) for i in top]

    def neighbors(self, word: str, k: int = DEFAULT_K) -> list[Neighbor]:
        """The ``k`` nearest words to ``word`` (itself excluded)."""
        found = self.resolve(word)
        return self.nearest(self.unit_vector(found), k, exclude={found})

    def analogy(self, a: str, b: str, c: str, k: int = DEFAULT_K) -> list[Neighbor]:
        """Words ``d`` with ``a : b = c : d``, ranked by cosine to ``b - a + c`` (3CosAdd).

        ``analogy("man", "king", "woman")`` ranks ``queen`` high in good vectors. The three
        query words are excluded from the answer, as is usual.
        """
        words = [self.resolve(w) for w in (a, b, c)]
        vec_a, vec_b, vec_c = (self.unit_vector(w) for w in words)
        return self.nearest(vec_b - vec_a + vec_c, k, exclude=set(words))

    def similarity(self, first: str, second: str) -> float:
        """Cosine similarity of two words."""
        return float(self.unit_vector(first) @ self.unit_vector(second))
