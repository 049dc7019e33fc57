"""What every vectors reader shares: the word restriction, a growing row buffer, the log line.

With ``restrict_to`` a reader keeps only the requested words, so memory stays proportional to
the kept words, not to the file. When a word occurs more than once, the first one is kept.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable

import numpy as np

from lstm_sentiment.vectors.word_vectors import WordVectors

logger = logging.getLogger(__name__)

INITIAL_ROWS = 1 << 12
_MAX_PREALLOCATED_ROWS = 1 << 22
"""Never trust a header count beyond this for preallocation; larger sets grow as they load."""


def restriction(restrict_to: Collection[str] | None) -> Collection[str] | None:
    """Return ``restrict_to`` as a set (for fast membership tests), or None."""
    if restrict_to is None:
        return None
    if isinstance(restrict_to, str):
        raise TypeError("restrict_to must be a collection of words, not a single string")
    if isinstance(restrict_to, set | frozenset):
        return restrict_to
    return frozenset(restrict_to)


class RowBuffer:
    """Collects float32 rows into one array that grows (in place when it can) as rows arrive."""

    def __init__(self, dim: int, capacity: int = INITIAL_ROWS) -> None:
        self._data = np.empty((max(1, min(capacity, _MAX_PREALLOCATED_ROWS)), dim), np.float32)
        self._rows = 0

    def append(self, values: Iterable[str] | np.ndarray) -> None:
        """Add one row; raises ValueError when a value is not a number."""
        if self._rows == self._data.shape[0]:
            self._data.resize((2 * self._rows, self._data.shape[1]), refcheck=False)
        self._data[self._rows] = values
        self._rows += 1

    def finish(self) -> np.ndarray:
        """Return the filled rows (the buffer must not be used afterwards)."""
        self._data.resize((self._rows, self._data.shape[1]), refcheck=False)
        return self._data


def log_loaded(vectors: WordVectors, duplicates: int, restricted: bool) -> None:
    """Log what was loaded, and warn about ignored duplicate words."""
    if duplicates:
        logger.warning(
            "%s: %d duplicate words ignored (the first vector of each word is kept)",
            vectors.name,
            duplicates,
        )
    logger.info(
        "loaded %d%s vectors of dimension %d from %s",
        len(vectors),
        " requested" if restricted else "",
        vectors.dim,
        vectors.name,
    )
