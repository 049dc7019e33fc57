"""Read CSV/TSV files that survive real spreadsheet exports, streaming them.

The dialect is sniffed (:mod:`.dialect`), columns are detected (:mod:`.columns`), and skipped
rows and invalid bytes are counted (:mod:`.table_rows`); labels are stripped. Encodings: UTF-8
with or without BOM, UTF-16 with BOM, any codec by ``encoding``.
"""

from __future__ import annotations

import csv
import itertools
from collections.abc import Iterator
from pathlib import Path

from lstm_sentiment.data.columns import Columns, confidence_index, group_index
from lstm_sentiment.data.dialect import choose_dialect, take_sample
from lstm_sentiment.data.encoding import DEFAULT_ENCODING_ERRORS, LineDecoder
from lstm_sentiment.data.example import Example
from lstm_sentiment.data.limits import MAX_TEXT_CHARS
from lstm_sentiment.data.report import DataReport
from lstm_sentiment.data.soft_labels import parse_distribution, soft_label_columns
from lstm_sentiment.data.table_rows import RowTracker, confident, keep_row, run_reported
from lstm_sentiment.errors import DataError


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
    soft_labels: bool = False,
    report: DataReport | None = None,
) -> Iterator[Example]:
    """Stream a CSV/TSV file with a header row; quoted fields may span lines.

    Args:
        path: The table.
        text_column: Header of the text column; detected from
            :data:`.columns.TEXT_COLUMNS` if ``None``.
        label_column: Header of the label column; detected from
            :data:`.columns.LABEL_COLUMNS` if ``None``, and labels are ``None`` when there is no
            such column.
        group_column: Header of a column whose value becomes each example's ``group``
            (empty: ``None``); never detected.
        delimiter: Field separator; ``None`` sniffs it (``, ; TAB |``) and the quote character.
        encoding: File encoding; a UTF-8 byte-order mark is dropped.
        encoding_errors: ``replace`` (default: bad bytes become U+FFFD, with a warning) or
            ``strict`` (stop at the first one).
        confidence_column: Column with a confidence per row; with ``min_confidence`` > 0 and
            no name, ``<label>_confidence`` or ``confidence`` is used.
        min_confidence: Skip rows whose confidence is below this (0 = no filter).
        soft_labels: Read each row's label distribution from its ``p_<label>`` columns, when
            the table has them (see :mod:`.soft_labels`).
        report: Receives the counts of rows read, skipped and damaged.

    Raises:
        DataError: A column is missing or ambiguous, the file is malformed, or it has an
            invalid byte under ``strict``.
    """
    return run_reported(
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
        soft_labels=soft_labels,
    )


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
    soft_labels: bool,
) -> Iterator[Example]:
    path = decoder.path
    lines = decoder.lines()
    tracker = RowTracker(decoder, report)
    reader = None
    try:
        sample = take_sample(lines)
        if not sample:
            return
        dialect = choose_dialect(sample, delimiter, path)
        # A long text is legitimate: raise the csv module's (process-wide) 131,072-character
        # field limit to the per-text limit; it is never lowered, so other readers are unharmed.
        csv.field_size_limit(max(csv.field_size_limit(), MAX_TEXT_CHARS))
        reader = csv.reader(
            itertools.chain(sample, lines), delimiter=dialect.delimiter, quotechar=dialect.quotechar
        )
        names = [name.strip() for name in next(reader)]
        tracker.header(reader.line_num)
        columns = Columns.resolve(names, text_column, label_column, path)
        conf_at = confidence_index(names, columns, confidence_column, min_confidence, path)
        group_at = group_index(names, group_column, path)
        soft_at = soft_label_columns(names) if soft_labels else {}
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
            if keep_row(text, label, columns.label_at is not None, report) and confident(
                confidence, min_confidence, report
            ):
                group = None if group_at is None else _field(row, group_at).strip()
                distribution = None
                if soft_at:
                    values = {lb: _field(row, at) for lb, at in soft_at.items()}
                    distribution = parse_distribution(values, f"{path} line {reader.line_num}")
                yield Example(text, label, group or None, distribution)
    except csv.Error as err:
        line = f" at line {reader.line_num}" if reader is not None else ""
        if "field larger than field limit" in str(err):
            raise DataError(
                f"{path}{line}: a field is longer than {MAX_TEXT_CHARS:,} characters (the limit "
                "for one text), or a quote is never closed: check the quoting or split the text"
            ) from None
        raise DataError(f"malformed table {path}{line}: {err}") from None
    tracker.finish(warn)


def _field(row: list[str], index: int) -> str:
    return row[index] if index < len(row) else ""
