"""The vectors file formats: names, the word2vec header, opening files (gzip or not).

Words are decoded as UTF-8 with undecodable bytes replaced; low-level read failures become a
:class:`~lstm_sentiment.errors.VectorsError` naming the file.
"""

from __future__ import annotations

import contextlib
import gzip
import os
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, BinaryIO

import numpy as np

from lstm_sentiment.errors import VectorsError

PathLike = str | os.PathLike[str]

SUPPORTED = "give a GloVe .txt/.txt.gz, word2vec .bin/.txt/.vec, or 'glove-6b-50d'"
ENCODING = "utf-8"
GZIP_SUFFIX = ".gz"
HEADER_RE = re.compile(r"^\s*(\d+)\s+(\d+)\s*$")
"""A word2vec header line: ``count dim``."""
MAX_HEADER_BYTES = 256
FLOAT32_LE = np.dtype("<f4")
"""The value type of word2vec binary vectors."""
_GZIP_MAGIC = b"\x1f\x8b"


def existing_file(path: PathLike) -> Path:
    """``path`` as a :class:`~pathlib.Path`; raises VectorsError unless it is a file."""
    file = Path(path).expanduser()
    if file.is_dir():
        raise VectorsError(f"{file} is a folder, not a vectors file ({SUPPORTED})")
    if not file.is_file():
        raise VectorsError(f"no such vectors file: {file} ({SUPPORTED})")
    return file


def _is_gzip(file: Path) -> bool:
    with file.open("rb") as stream:
        return stream.read(len(_GZIP_MAGIC)) == _GZIP_MAGIC


def open_binary(file: Path) -> BinaryIO:
    """Open ``file`` for reading bytes, decompressing it when it is gzip data."""
    if _is_gzip(file):
        return gzip.open(file, "rb")  # type: ignore[return-value]
    return file.open("rb")


def open_text(file: Path) -> IO[str]:
    """Open ``file`` for reading UTF-8 text (bad bytes replaced), decompressing gzip data."""
    if _is_gzip(file):
        return gzip.open(file, "rt", encoding=ENCODING, errors="replace", newline="\n")
    return file.open(encoding=ENCODING, errors="replace", newline="\n")


@contextlib.contextmanager
def reading(file: Path) -> Iterator[None]:
    """Turn low-level read failures (I/O, bad gzip data) into a VectorsError naming the file."""
    try:
        yield
    except (OSError, EOFError, zlib.error) as exc:
        raise VectorsError(f"cannot read vectors file {file}: {exc}") from exc


def parse_header(line: str, file: Path) -> tuple[int, int]:
    """The ``(count, dim)`` of a word2vec header line; raises VectorsError when malformed."""
    match = HEADER_RE.match(line)
    if match is None:
        shown = line.strip()[:MAX_HEADER_BYTES]
        raise VectorsError(
            f"{file} line 1: expected a word2vec header 'count dim', found {shown!r}"
        )
    count, dim = int(match.group(1)), int(match.group(2))
    if dim < 1:
        raise VectorsError(f"{file} line 1: the header gives dimension {dim}; it must be >= 1")
    return count, dim
