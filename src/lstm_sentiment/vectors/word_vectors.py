"""An in-memory set of pretrained word vectors."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lstm_sentiment.errors import VectorsError

_MATRIX_NDIM = 2


@dataclass(eq=False)
class WordVectors:
    """Words and their vectors: row ``i`` of ``matrix`` is the vector of ``words[i]``.

    ``matrix`` may be a read-only memory map (the embedded GloVe vectors are); copy rows out
    of it rather than writing into it. When a word occurs twice, :attr:`index` and :meth:`get`
    use its first row.

    Attributes:
        words: The words, one per matrix row.
        matrix: A float32 array of shape ``(len(words), dim)``.
        name: A short label for logs and bundles, e.g. ``"glove-6b-50d"`` or a file name.
    """

    words: list[str]
    matrix: np.ndarray
    name: str
    _index: dict[str, int] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.matrix.ndim != _MATRIX_NDIM:
            raise VectorsError(
                f"vectors {self.name!r} have a {self.matrix.ndim}-d matrix; expected 2-d "
                "(one row per word)"
            )
        if self.matrix.shape[0] != len(self.words):
            raise VectorsError(
                f"vectors {self.name!r} have {len(self.words)} words but "
                f"{self.matrix.shape[0]} matrix rows; the two must match"
            )
        if self.matrix.dtype != np.float32:
            raise VectorsError(
                f"vectors {self.name!r} are {self.matrix.dtype}; convert the matrix to float32"
            )

    @property
    def dim(self) -> int:
        """The vector dimension."""
        return int(self.matrix.shape[1])

    def __len__(self) -> int:
        return len(self.words)

    @property
    def index(self) -> dict[str, int]:
        """A mapping from word to matrix row, built on first use."""
        if self._index is None:
            index: dict[str, int] = {}
            for row, word in enumerate(self.words):
                index.setdefault(word, row)
            self._index = index
        return self._index

    def get(self, word: str) -> np.ndarray | None:
        """Return the vector of ``word`` (exact match), or ``None`` when it is absent."""
        row = self.index.get(word)
        return None if row is None else self.matrix[row]

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and word in self.index
