"""CSV/TSV and JSON Lines readers that survive real spreadsheet exports.

* the delimiter and quote character are sniffed (:class:`csv.Sniffer` and the header row, the
  candidate that splits most sample rows into the header's number of fields wins);
* UTF-8 with or without BOM, UTF-16 with BOM, any codec by ``encoding``; invalid bytes follow
  the ``encoding_errors`` policy and are reported (see :mod:`.encoding`);
* text and label columns are detected by name when not given (:data:`TEXT_COLUMNS`,
  :data:`LABEL_COLUMNS`); labels are stripped;
* rows with empty text or an empty label, and rows below ``min_confidence`` in a confidence
  column, are skipped, counted in a :class:`~.report.DataReport` and in a warning.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import logging
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lstm_sentiment.data.encoding import (
    DEFAULT_ENCODING_ERRORS,
    REPLACEMENT,
    InvalidByteError,
    LineDecoder,
)
from lstm_sentiment.data.example import Example
from lstm_sentiment.data.report import DataReport, InvalidBytes
from lstm_sentiment.errors import DataError

logger = logging.getLogger(__name__)

TEXT_COLUMNS = (
    "text",
    "review",
    "sentence",
    "tweet",
    "content",
    "body",
    "tweet_text",
    "review_text",
    "comment",
    "message",
)
LABEL_COLUMNS = (
    "label",
    "sentiment",
    "airline_sentiment",
    "polarity",
    "class",
    "target",
    "labels",
    "sentiment_label",
)
CONFIDENCE_COLUMNS = ("{label}_confidence", "confidence")
"""Confidence columns tried when filtering by confidence without naming one."""
DELIMITERS = (",", ";", "\t", "|")
SNIFF_BYTES = 64 * 1024
"""How much of a table the dialect is sniffed from."""


@dataclass(frozen=True)
class Dialect:
    """Field delimiter and quote character of a table."""

    delimiter: str
    quotechar: str = '"'


def read_table(
    path: Path,
    *,
    text_column: str | None = None,
    label_column: str | None = None,
    group_column: str | None = None,
    delimiter: str | None = None,
    encoding: str = "utf-8",
    encoding_errors: str = DEFAULT_ENCODING_ERRORS,
    confidence_column: str | None = None,
    min_confidence: float = 0.0,
    report: DataReport | None = None,
) -> Iterator[Example]:
    """Stream a CSV/TSV file with a header row; quoted fields may span lines.

    Args:
        path: The table.
        text_column: Header of the text column; detected from :data:`TEXT_COLUMNS` if ``None``.
        label_column: Header of the label column; detected from :data:`LABEL_COLUMNS` if
            ``None``, and labels are ``None`` when there is no such column.
        group_column: Header of a column whose value becomes each example's ``group``
            (empty: ``None``); never detected.
        delimiter: Field separator; ``None`` sniffs it (``, ; TAB |``) and the quote character.
        encoding: File encoding; a UTF-8 byte-order mark is dropped.
        encoding_errors: ``replace`` (default: bad bytes become U+FFFD, with a warning) or
            ``strict`` (stop at the first one).
        confidence_column: Column with a confidence per row; with ``min_confidence`` > 0 and
            no name, ``<label>_confidence`` or ``confidence`` is used.
        min_confidence: Skip rows whose confidence is below this (0 = no filter).
        report: Receives the counts of rows read, skipped and damaged.

    Raises:
        DataError: A column is missing or ambiguous, the file is malformed, or it has an
            invalid byte under ``strict``.
    """
    return _reported(
        _table_rows,
        Path(path),
        encoding,
        encoding_errors,
        report,
        text_column=text_column,
        label_column=label_column,
        group_column=group_column,
        delimiter=delimiter,
        confidence_column=confidence_column,
        min_confidence=min_confidence,
    )


def read_jsonl(
    path: Path,
    *,
    text_column: str | None = None,
    label_column: str | None = None,
    group_column: str | None = None,
    encoding: str = "utf-8",
    encoding_errors: str = DEFAULT_ENCODING_ERRORS,
    confidence_column: str | None = None,
    min_confidence: float = 0.0,
    report: DataReport | None = None,
) -> Iterator[Example]:
    """Stream a JSON Lines file: one object per line, blank lines ignored.

    Columns are detected from the keys of the first object, as in :func:`read_table`, and the
    other arguments mean the same. Non-string labels are converted (``1`` and ``1.0`` both
    become ``"1"``).

    Raises:
        DataError: A line is not a JSON object, a column is missing or ambiguous, or the file
            has an invalid byte under ``strict``.
    """
    return _reported(
        _jsonl_rows,
        Path(path),
        encoding,
        encoding_errors,
        report,
        text_column=text_column,
        label_column=label_column,
        group_column=group_column,
        confidence_column=confidence_column,
        min_confidence=min_confidence,
    )


# --- the readers proper ---------------------------------------------------------------------------


def _reported(
    rows: Callable[..., Iterator[Example]],
    path: Path,
    encoding: str,
    encoding_errors: str,
    report: DataReport | None,
    **options: Any,
) -> Iterator[Example]:
    """Run a row reader; under ``strict``, describe every invalid byte before failing."""
    report = report if report is not None else DataReport(str(path))
    decoder = LineDecoder(path, encoding, encoding_errors)  # checks the arguments early
    try:
        yield from rows(decoder, report, warn=True, **options)
    except InvalidByteError:
        probe = DataReport(str(path))
        replacing = LineDecoder(path, encoding, "replace")
        for _ in rows(replacing, probe, warn=False, **options):
            pass
        assert probe.invalid_bytes is not None
        raise DataError(
            f"{path}: {probe.invalid_bytes.describe()}: pass --encoding with the file's "
            "encoding, e.g. --encoding latin-1, or --encoding-errors replace to read them as "
            "U+FFFD"
        ) from None


def _table_rows(
    decoder: LineDecoder,
    report: DataReport,
    *,
    warn: bool,
    text_column: str | None,
    label_column: str | None,
    group_column: str | None,
    delimiter: str | None,
    confidence_column: str | None,
    min_confidence: float,
) -> Iterator[Example]:
    path = decoder.path
    lines = decoder.lines()
    tracker = _RowTracker(decoder, report)
    reader = None
    try:
        sample = _take_sample(lines)
        if not sample:
            return
        dialect = _dialect(sample, delimiter, path)
        reader = csv.reader(
            itertools.chain(sample, lines), delimiter=dialect.delimiter, quotechar=dialect.quotechar
        )
        names = [name.strip() for name in next(reader)]
        tracker.header(reader.line_num)
        columns = _Columns.resolve(names, text_column, label_column, path)
        conf_at = _confidence_index(names, columns, confidence_column, min_confidence, path)
        group_at = _group_index(names, group_column, path)
        report.columns = {
            "text": columns.text,
            "label": columns.label,
            "confidence": names[conf_at] if conf_at is not None else None,
            "delimiter": dialect.delimiter,
        }
        if group_at is not None:
            report.columns["group"] = names[group_at]
        for row in reader:
            if not row or (len(row) == 1 and not row[0].strip() and len(names) > 1):
                tracker.skip_blank(reader.line_num)
                continue
            text = _field(row, columns.text_at)
            label = None if columns.label_at is None else _field(row, columns.label_at).strip()
            tracker.row(reader.line_num, text)
            confidence = _field(row, conf_at) if conf_at is not None else None
            if _keep(text, label, columns.label_at is not None, report) and _confident(
                confidence, min_confidence, report
            ):
                group = None if group_at is None else _field(row, group_at).strip()
                yield Example(text, label, group or None)
    except csv.Error as err:
        line = f" at line {reader.line_num}" if reader is not None else ""
        raise DataError(f"malformed table {path}{line}: {err}") from None
    tracker.finish(warn)


def _jsonl_rows(
    decoder: LineDecoder,
    report: DataReport,
    *,
    warn: bool,
    text_column: str | None,
    label_column: str | None,
    group_column: str | None,
    confidence_column: str | None,
    min_confidence: float,
) -> Iterator[Example]:
    path = decoder.path
    tracker = _RowTracker(decoder, report)
    columns: _Columns | None = None
    conf_key: str | None = None
    group_key: str | None = None
    for number, line in enumerate(decoder.lines(), start=1):
        if not line.strip():
            tracker.skip_blank(number)
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as err:
            raise DataError(
                f"line {number} of {path} is not valid JSON ({err.msg}, column "
                f"{err.colno}): fix or remove that line"
            ) from None
        if not isinstance(record, dict):
            raise DataError(f"line {number} of {path} is not a JSON object")
        if columns is None:
            names = list(record)
            columns = _Columns.resolve(names, text_column, label_column, path)
            conf_at = _confidence_index(names, columns, confidence_column, min_confidence, path)
            conf_key = names[conf_at] if conf_at is not None else None
            group_at = _group_index(names, group_column, path)
            group_key = names[group_at] if group_at is not None else None
            report.columns = {"text": columns.text, "label": columns.label, "confidence": conf_key}
            if group_key is not None:
                report.columns["group"] = group_key
        text = _to_str(record.get(columns.text))
        label = None if columns.label is None else _to_str(record.get(columns.label)).strip()
        tracker.row(number, text)
        confidence = None if conf_key is None else _to_str(record.get(conf_key))
        if _keep(text, label, columns.label is not None, report) and _confident(
            confidence, min_confidence, report
        ):
            group = None if group_key is None else _to_str(record.get(group_key)).strip()
            yield Example(text, label, group or None)
    tracker.finish(warn)


# --- rows, skips and invalid bytes ---------------------------------------------------------------


class _RowTracker:
    """Counts rows and maps the decoder's damaged lines onto rows."""

    def __init__(self, decoder: LineDecoder, report: DataReport) -> None:
        self.decoder = decoder
        self.report = report
        self.rows = 0
        self.last_line = 0
        self.next_bad = 0
        self.invalid = InvalidBytes(encoding=decoder.codec, policy=decoder.errors)

    def header(self, line: int) -> None:
        self.last_line = line
        self._damaged(line)  # a damaged header is reported by line only

    def skip_blank(self, line: int) -> None:
        self.last_line = line

    def row(self, line: int, text: str) -> None:
        """Record one data row that ended at physical ``line``."""
        self.rows += 1
        self.report.rows += 1
        if self._damaged(line):
            self.invalid.rows += 1
            self.invalid.text_rows += REPLACEMENT in text
            if self.invalid.first_row is None:
                self.invalid.first_row = self.rows
        self.last_line = line

    def _damaged(self, line: int) -> bool:
        bad = self.decoder.bad_lines
        damaged = False
        while self.next_bad < len(bad) and bad[self.next_bad] <= line:
            damaged = damaged or bad[self.next_bad] > self.last_line
            self.next_bad += 1
        return damaged

    def finish(self, warn: bool) -> None:
        report = self.report
        decoder = self.decoder
        if decoder.first_bad is not None:
            self.invalid.encoding = decoder.codec
            self.invalid.bytes = decoder.bad_bytes
            self.invalid.first_line, self.invalid.first_offset = decoder.first_bad
            report.invalid_bytes = self.invalid
        if decoder.first_bad is not None and warn:
            logger.warning(
                "%s: %s; %d of them in the text column. They were replaced with U+FFFD "
                "(--encoding-errors replace): pass --encoding if the file is not "
                "%s, or --encoding-errors strict to stop instead",
                decoder.path,
                self.invalid.describe(),
                self.invalid.text_rows,
                decoder.codec,
            )
        skipped = {reason: n for reason, n in report.dropped.items() if n}
        if skipped and warn:
            logger.warning(
                "skipped %s in %s",
                ", ".join(f"{n} row(s) with {_REASON_TEXT.get(r, r)}" for r, n in skipped.items()),
                decoder.path,
            )


_REASON_TEXT = {
    "empty_text": "empty text",
    "missing_label": "an empty label",
    "low_confidence": "confidence below the minimum",
    "missing_confidence": "no confidence value",
}


def _keep(text: str, label: str | None, labelled: bool, report: DataReport) -> bool:
    if not text.strip():
        report.drop("empty_text")
        return False
    if labelled and not label:
        report.drop("missing_label")
        return False
    return True


def _confident(value: str | None, minimum: float, report: DataReport) -> bool:
    if minimum <= 0 or value is None:
        return True
    try:
        confidence = float(value)
    except ValueError:
        confidence = math.nan
    if math.isnan(confidence):
        report.drop("missing_confidence")
        return False
    if confidence < minimum:
        report.drop("low_confidence")
        return False
    return True


def _field(row: list[str], index: int) -> str:
    return row[index] if index < len(row) else ""


def _to_str(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if isinstance(value, str) else str(value)


# --- dialect -------------------------------------------------------------------------------------


def _take_sample(lines: Iterator[str]) -> list[str]:
    sample: list[str] = []
    size = 0
    for line in lines:
        sample.append(line)
        size += len(line)
        if size >= SNIFF_BYTES:
            break
    return sample


def _dialect(sample: list[str], delimiter: str | None, path: Path) -> Dialect:
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


# --- columns -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Columns:
    text: str
    label: str | None
    text_at: int
    label_at: int | None

    @classmethod
    def resolve(
        cls, names: list[str], text_column: str | None, label_column: str | None, path: Path
    ) -> _Columns:
        text = _pick_column(names, text_column, TEXT_COLUMNS, "text", path, required=True)
        label = _pick_column(names, label_column, LABEL_COLUMNS, "label", path, required=False)
        assert text is not None
        return cls(text, label, names.index(text), None if label is None else names.index(label))


def _confidence_index(
    names: list[str],
    columns: _Columns,
    requested: str | None,
    minimum: float,
    path: Path,
) -> int | None:
    if requested is None and minimum <= 0:
        return None
    if requested is not None:
        name = _pick_column(names, requested, (), "confidence", path, required=True)
        return names.index(str(name))
    label = columns.label or "label"
    folded = {name.casefold(): i for i, name in enumerate(names)}
    for pattern in CONFIDENCE_COLUMNS:
        index = folded.get(pattern.format(label=label).casefold())
        if index is not None:
            return index
    tried = ", ".join(p.format(label=label) for p in CONFIDENCE_COLUMNS)
    raise DataError(
        f"a minimum confidence needs a confidence column: none of {tried} in {path}; "
        f"pass --confidence-column NAME; available: {', '.join(names)}"
    )


def _group_index(names: list[str], requested: str | None, path: Path) -> int | None:
    if requested is None:
        return None
    return names.index(str(_pick_column(names, requested, (), "group", path, required=True)))


def _pick_column(
    names: list[str],
    requested: str | None,
    candidates: tuple[str, ...],
    kind: str,
    path: Path,
    *,
    required: bool,
) -> str | None:
    available = ", ".join(names) or "none"
    if requested is not None:
        if requested in names:
            return requested
        folded = [name for name in names if name.casefold() == requested.strip().casefold()]
        if len(folded) == 1:
            return folded[0]
        raise DataError(f"column '{requested}' not in {path}; available: {available}")
    found = [name for name in names if name.casefold() in candidates]
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise DataError(
            f"several possible {kind} columns in {path} ({', '.join(found)}): pass "
            f"--{kind}-column NAME; available: {available}"
        )
    if required:
        raise DataError(
            f"no {kind} column found in {path} (looked for {', '.join(candidates)}): pass "
            f"--{kind}-column NAME; available: {available}"
        )
    return None
