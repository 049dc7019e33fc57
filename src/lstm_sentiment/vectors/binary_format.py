"""Read word2vec binary files record by record through a bounded buffer."""

from __future__ import annotations

from collections.abc import Collection
from typing import BinaryIO

import numpy as np

from lstm_sentiment.errors import VectorsError
from lstm_sentiment.vectors.collect import RowBuffer, log_loaded, restriction
from lstm_sentiment.vectors.formats import (
    ENCODING,
    FLOAT32_LE,
    MAX_HEADER_BYTES,
    PathLike,
    existing_file,
    open_binary,
    parse_header,
    reading,
)
from lstm_sentiment.vectors.word_vectors import WordVectors

_MAX_WORD_BYTES = 1 << 16
"""A binary record whose word is longer than this is treated as corrupt."""
_READ_CHUNK_BYTES = 1 << 20
_TEXT_LIKE_BYTES = frozenset(b"0123456789.-+eE \t\r\n")
"""Bytes a text-format vector consists of; a 'binary' vector made only of these is text."""


class _RecordStream:
    """Reads word2vec binary records from a byte stream through a bounded buffer."""

    def __init__(self, stream: BinaryIO, start_offset: int) -> None:
        self._stream = stream
        self._buf = b""
        self._pos = 0
        self._buf_offset = start_offset

    @property
    def offset(self) -> int:
        """The byte offset of the next unread byte in the (decompressed) file."""
        return self._buf_offset + self._pos

    def _refill(self) -> bool:
        chunk = self._stream.read(_READ_CHUNK_BYTES)
        if not chunk:
            return False
        self._buf_offset += self._pos
        self._buf = self._buf[self._pos :] + chunk
        self._pos = 0
        return True

    def read_word(self) -> bytes | None:
        """Return the next word's bytes (leading newlines skipped), or None at the end."""
        while True:
            while self._pos < len(self._buf) and self._buf[self._pos] == ord("\n"):
                self._pos += 1
            if self._pos < len(self._buf):
                break
            if not self._refill():
                return None
        while True:
            end = self._buf.find(b" ", self._pos)
            if end >= 0:
                word = self._buf[self._pos : end]
                self._pos = end + 1
                return word
            if len(self._buf) - self._pos > _MAX_WORD_BYTES:
                raise ValueError(f"no space after a word within {_MAX_WORD_BYTES} bytes")
            if not self._refill():
                raise ValueError("the file ends inside a word")

    def _ensure(self, size: int) -> None:
        while len(self._buf) - self._pos < size:
            if not self._refill():
                raise ValueError("the file ends inside a vector")

    def read(self, size: int) -> bytes:
        """Return exactly ``size`` bytes."""
        self._ensure(size)
        data = self._buf[self._pos : self._pos + size]
        self._pos += size
        return data

    def skip(self, size: int) -> None:
        """Skip exactly ``size`` bytes."""
        self._ensure(size)
        self._pos += size


def read_word2vec_binary(
    path: PathLike, *, restrict_to: Collection[str] | None = None, first: int = 0
) -> WordVectors:
    """Read a word2vec binary file (``.bin``, optionally gzip-compressed).

    Layout: a ``count dim`` header line, then per word its bytes up to a space, ``dim``
    little-endian float32 values and an optional newline. Records are read one at a time through
    a small buffer, so with ``restrict_to`` memory stays bounded by the kept words.

    Args:
        path: The file.
        restrict_to: Keep only these words.
        first: With ``restrict_to``, also keep the first N records.

    Returns:
        The vectors, named after the file.

    Raises:
        VectorsError: The file is missing, truncated or malformed.
    """
    file = existing_file(path)
    keep = restriction(restrict_to)
    with reading(file), open_binary(file) as stream:
        header = stream.readline(MAX_HEADER_BYTES)
        count, dim = parse_header(header.decode(ENCODING, errors="replace"), file)
        vector_bytes = dim * FLOAT32_LE.itemsize
        records = _RecordStream(stream, start_offset=len(header))
        rows = RowBuffer(dim, count if keep is None else min(count, len(keep) + first))
        words: list[str] = []
        seen: set[str] = set()
        duplicates = 0
        for record_no in range(1, count + 1):
            offset = records.offset
            try:
                raw_word = records.read_word()
                if raw_word is None:
                    raise ValueError(f"the header promises {count} vectors but the file ends")
                word = raw_word.decode(ENCODING, errors="replace")
                wanted = keep is None or word in keep or record_no <= first
                if word in seen:
                    duplicates += 1
                    wanted = False
                if not wanted and record_no > 1:
                    records.skip(vector_bytes)
                    continue
                data = records.read(vector_bytes)
            except ValueError as exc:
                raise VectorsError(
                    f"{file} record {record_no} (byte {offset}): {exc}; "
                    "the file is truncated or not word2vec binary"
                ) from exc
            if record_no == 1 and set(data) <= _TEXT_LIKE_BYTES:
                raise VectorsError(
                    f"{file} record 1 holds text, not binary numbers; "
                    "it looks like word2vec text: name it .txt or .vec"
                )
            if not wanted:
                continue
            rows.append(np.frombuffer(data, dtype=FLOAT32_LE))
            seen.add(word)
            words.append(word)
    vectors = WordVectors(words, rows.finish(), file.name)
    log_loaded(vectors, duplicates, keep is not None)
    return vectors
