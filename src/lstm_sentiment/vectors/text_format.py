"""Read GloVe text and word2vec text files (``word v1 .. vdim`` lines), streaming them."""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable
from pathlib import Path

import numpy as np

from lstm_sentiment.errors import VectorsError
from lstm_sentiment.vectors.collect import INITIAL_ROWS, RowBuffer, log_loaded, restriction
from lstm_sentiment.vectors.formats import (
    HEADER_RE,
    SUPPORTED,
    PathLike,
    existing_file,
    open_text,
    parse_header,
    reading,
)
from lstm_sentiment.vectors.word_vectors import WordVectors


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
    rows = RowBuffer(dim, capacity)
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
    file = existing_file(path)
    keep = restriction(restrict_to)
    with reading(file), open_text(file) as lines:
        first_line = lines.readline()
        if not first_line.strip():
            raise VectorsError(f"{file} is empty or starts with a blank line; {SUPPORTED}")
        if HEADER_RE.match(first_line):
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
            capacity=INITIAL_ROWS if keep is None else len(keep) + first,
            first=first,
        )
    vectors = WordVectors(words, matrix, file.name)
    log_loaded(vectors, duplicates, keep is not None)
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
    file = existing_file(path)
    keep = restriction(restrict_to)
    with reading(file), open_text(file) as lines:
        count, dim = parse_header(lines.readline(), file)
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
    log_loaded(vectors, duplicates, keep is not None)
    return vectors
