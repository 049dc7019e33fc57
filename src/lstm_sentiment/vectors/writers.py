"""Write GloVe text, word2vec text and word2vec binary files, atomically, gzip by name."""

from __future__ import annotations

import contextlib
import gzip
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import numpy as np

from lstm_sentiment.errors import VectorsError
from lstm_sentiment.vectors.formats import ENCODING, FLOAT32_LE, GZIP_SUFFIX, PathLike
from lstm_sentiment.vectors.word_vectors import WordVectors

_WRITE_CHUNK_ROWS = 1 << 12
_WRITTEN_FILE_MODE = 0o644


@contextlib.contextmanager
def _atomic_output(path: PathLike) -> Iterator[BinaryIO]:
    """Yield a byte stream whose content replaces ``path`` only once fully written.

    The stream is gzip-compressed when the name ends in ``.gz``.
    """
    target = Path(path).expanduser()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        os.chmod(temp_name, _WRITTEN_FILE_MODE)
        with os.fdopen(fd, "wb") as raw:
            if target.name.endswith(GZIP_SUFFIX):
                with gzip.GzipFile(filename=target.name, mode="wb", fileobj=raw, mtime=0) as gz:
                    yield gz  # type: ignore[misc]
            else:
                yield raw
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise


def _check_words(vectors: WordVectors, forbidden: str, fmt: str) -> None:
    for word in vectors.words:
        bad = [char for char in forbidden if char in word]
        if bad:
            raise VectorsError(
                f"cannot write the word {word!r} as {fmt}: it contains {bad[0]!r}; "
                "remove or rename it first"
            )


def _text_blocks(vectors: WordVectors) -> Iterator[bytes]:
    """Yield ``word v1 .. vdim`` lines in encoded blocks (shortest round-trip float32 text)."""
    for start in range(0, len(vectors), _WRITE_CHUNK_ROWS):
        stop = start + _WRITE_CHUNK_ROWS
        values = np.asarray(vectors.matrix[start:stop], dtype=np.float32).astype(str).tolist()
        lines = (
            f"{word} {' '.join(row)}\n"
            for word, row in zip(vectors.words[start:stop], values, strict=True)
        )
        yield "".join(lines).encode(ENCODING)


def write_word2vec_text(vectors: WordVectors, path: PathLike) -> Path:
    """Write ``vectors`` as word2vec text (gzip-compressed when ``path`` ends in ``.gz``).

    Returns:
        The written path.

    Raises:
        VectorsError: A word contains a newline.
    """
    _check_words(vectors, "\n", "word2vec text")
    with _atomic_output(path) as out:
        out.write(f"{len(vectors)} {vectors.dim}\n".encode(ENCODING))
        for block in _text_blocks(vectors):
            out.write(block)
    return Path(path)


def write_glove_text(vectors: WordVectors, path: PathLike) -> Path:
    """Write ``vectors`` as GloVe text (gzip-compressed when ``path`` ends in ``.gz``).

    Returns:
        The written path.

    Raises:
        VectorsError: There are no vectors (GloVe text cannot say its dimension then), a word
            contains a newline, or the first word contains a space.
    """
    if not len(vectors):
        raise VectorsError("cannot write 0 vectors as GloVe text: the format needs one line")
    _check_words(vectors, "\n", "GloVe text")
    if " " in vectors.words[0]:
        raise VectorsError(
            f"cannot write {vectors.words[0]!r} first in GloVe text: the first line decides "
            "the dimension, so its word must not contain a space; reorder the words"
        )
    with _atomic_output(path) as out:
        for block in _text_blocks(vectors):
            out.write(block)
    return Path(path)


def write_word2vec_binary(vectors: WordVectors, path: PathLike) -> Path:
    """Write ``vectors`` as word2vec binary (gzip-compressed when ``path`` ends in ``.gz``).

    Returns:
        The written path.

    Raises:
        VectorsError: A word contains a space or a newline (the format cannot hold those).
    """
    _check_words(vectors, " \n", "word2vec binary")
    with _atomic_output(path) as out:
        out.write(f"{len(vectors)} {vectors.dim}\n".encode(ENCODING))
        for start in range(0, len(vectors), _WRITE_CHUNK_ROWS):
            stop = start + _WRITE_CHUNK_ROWS
            block = np.asarray(vectors.matrix[start:stop], dtype=FLOAT32_LE)
            out.write(
                b"".join(
                    word.encode(ENCODING) + b" " + row.tobytes() + b"\n"
                    for word, row in zip(vectors.words[start:stop], block, strict=True)
                )
            )
    return Path(path)
