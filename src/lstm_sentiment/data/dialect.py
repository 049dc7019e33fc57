"""The delimiter and quote character of a CSV/TSV table: given, or sniffed from its first rows.

The candidate that splits most sample rows into the header's number of fields wins.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lstm_sentiment.errors import DataError

DELIMITERS = (",", ";", "\t", "|")
SNIFF_BYTES = 64 * 1024
"""How much of a table the dialect is sniffed from."""


@dataclass(frozen=True)
class Dialect:
    """Field delimiter and quote character of a table."""

    delimiter: str
    quotechar: str = '"'


def take_sample(lines: Iterator[str]) -> list[str]:
    """The first lines of a table, up to the one that reaches :data:`SNIFF_BYTES` characters."""
    sample: list[str] = []
    size = 0
    for line in lines:
        sample.append(line)
        size += len(line)
        if size >= SNIFF_BYTES:
            break
    return sample


def choose_dialect(sample: list[str], delimiter: str | None, path: Path) -> Dialect:
    """The given delimiter (``tab`` or ``\\t`` mean a tab); else a tab for a ``.tsv`` file whose
    header has one; else :func:`sniff_dialect`."""
    if delimiter is not None:
        delimiter = {"\\t": "\t", "tab": "\t"}.get(delimiter, delimiter)
        if len(delimiter) != 1:
            raise DataError(f"the delimiter must be one character, got {delimiter!r}")
        return Dialect(delimiter)
    header = sample[0]
    if path.suffix.lower() == ".tsv" and "\t" in header:
        return Dialect("\t")
    return sniff_dialect("".join(sample))


def sniff_dialect(sample: str) -> Dialect:
    """The delimiter and quote character of a table from its first rows (header first).

    Candidates are the delimiter that splits the header into most fields (with ``"``) and
    :class:`csv.Sniffer`'s guess; the one whose rows most often have the header's field count
    wins, the header's candidate on ties.
    """
    header = sample.splitlines()[0] if sample else ""

    def width(delimiter: str) -> int:
        return len(next(csv.reader([header], delimiter=delimiter), []))

    candidates = [Dialect(max(DELIMITERS, key=width))]  # the first (comma) wins ties
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS))
        if sniffed.quotechar in ("'", '"'):
            candidates.append(Dialect(sniffed.delimiter, sniffed.quotechar))
    except csv.Error:
        pass
    return max(candidates, key=lambda d: _consistency(sample, d))


def _consistency(sample: str, dialect: Dialect) -> tuple[float, int]:
    """Share of sample rows (the last may be cut off) with the header's number of fields."""
    try:
        rows = list(
            csv.reader(
                io.StringIO(sample), delimiter=dialect.delimiter, quotechar=dialect.quotechar
            )
        )
    except csv.Error:
        return (0.0, 0)
    if not rows:
        return (0.0, 0)
    width = len(rows[0])
    body = [row for row in rows[1:-1] if row] or rows[1:]
    if not body:
        return (1.0, width)
    return (sum(len(row) == width for row in body) / len(body), width)
