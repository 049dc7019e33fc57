"""Read JSON Lines files of labelled text (one object per line), streaming them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lstm_sentiment.data.columns import Columns, confidence_index, group_index
from lstm_sentiment.data.encoding import DEFAULT_ENCODING_ERRORS, LineDecoder
from lstm_sentiment.data.example import Example
from lstm_sentiment.data.report import DataReport
from lstm_sentiment.data.soft_labels import (
    JSONL_KEY,
    Distribution,
    parse_distribution,
    soft_label_columns,
)
from lstm_sentiment.data.table_rows import RowTracker, confident, keep_row, run_reported
from lstm_sentiment.errors import DataError


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
    soft_labels: bool = False,
    report: DataReport | None = None,
) -> Iterator[Example]:
    """Stream a JSON Lines file: one object per line, blank lines ignored.

    Columns are detected from the keys of the first object, as in :func:`.tables.read_table`,
    and the other arguments mean the same. Non-string labels are converted (``1`` and ``1.0``
    both become ``"1"``). With ``soft_labels`` a record's label distribution is its
    ``probabilities`` object (``{label: p}``) or its ``p_<label>`` keys.

    Raises:
        DataError: A line is not a JSON object, a column is missing or ambiguous, or the file
            has an invalid byte under ``strict``.
    """
    return run_reported(
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
        soft_labels=soft_labels,
    )


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
    soft_labels: bool,
) -> Iterator[Example]:
    path = decoder.path
    tracker = RowTracker(decoder, report)
    columns: Columns | None = None
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
            columns = Columns.resolve(names, text_column, label_column, path)
            conf_at = confidence_index(names, columns, confidence_column, min_confidence, path)
            conf_key = names[conf_at] if conf_at is not None else None
            group_at = group_index(names, group_column, path)
            group_key = names[group_at] if group_at is not None else None
            report.columns = {"text": columns.text, "label": columns.label, "confidence": conf_key}
            if group_key is not None:
                report.columns["group"] = group_key
        text = _to_str(record.get(columns.text))
        label = None if columns.label is None else _to_str(record.get(columns.label)).strip()
        tracker.row(number, text)
        confidence = None if conf_key is None else _to_str(record.get(conf_key))
        if keep_row(text, label, columns.label is not None, report) and confident(
            confidence, min_confidence, report
        ):
            group = None if group_key is None else _to_str(record.get(group_key)).strip()
            where = f"line {number} of {path}"
            distribution = _distribution(record, where) if soft_labels else None
            yield Example(text, label, group or None, distribution)
    tracker.finish(warn)


def _distribution(record: dict[str, Any], where: str) -> Distribution | None:
    """A record's label distribution: its ``probabilities`` object, else its ``p_<label>``
    keys; ``None`` when it has neither."""
    given = record.get(JSONL_KEY)
    if isinstance(given, dict):
        return parse_distribution({str(k): v for k, v in given.items()}, where)
    columns = soft_label_columns(list(record))
    if not columns:
        return None
    names = list(record)
    return parse_distribution({lb: record[names[at]] for lb, at in columns.items()}, where)


def _to_str(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if isinstance(value, str) else str(value)
