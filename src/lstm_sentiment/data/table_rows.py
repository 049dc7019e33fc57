"""Row bookkeeping shared by the table and JSONL readers: skips, invalid bytes, warnings.

Rows with empty text or an empty label, and rows below the minimum confidence, are skipped and
counted in a :class:`~.report.DataReport`; invalid bytes follow the ``encoding_errors`` policy
(see :mod:`.encoding`) and are mapped onto rows.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from lstm_sentiment.data.encoding import REPLACEMENT, InvalidByteError, LineDecoder
from lstm_sentiment.data.example import Example
from lstm_sentiment.data.report import DataReport, InvalidBytes
from lstm_sentiment.errors import DataError

logger = logging.getLogger(__name__)


def run_reported(
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


class RowTracker:
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


def keep_row(text: str, label: str | None, labelled: bool, report: DataReport) -> bool:
    """Whether a row has text and, when the file is labelled, a label; counts the drop if not."""
    if not text.strip():
        report.drop("empty_text")
        return False
    if labelled and not label:
        report.drop("missing_label")
        return False
    return True


def confident(value: str | None, minimum: float, report: DataReport) -> bool:
    """Whether a row passes the ``minimum`` confidence (always when there is no filter)."""
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
