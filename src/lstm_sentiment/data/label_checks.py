"""Labels that are probably mistakes: missing values spelled as text (``NaN``), one number
written two ways (``1`` and ``1.0``), and a label column that looks like free text."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence

from lstm_sentiment.data.example import Example
from lstm_sentiment.data.report import DataReport
from lstm_sentiment.errors import DataError

logger = logging.getLogger(__name__)

MISSING_LABEL_SPELLINGS = frozenset({"nan", "null", "n/a", "na", "#n/a", "<na>"})
"""How spreadsheets and pandas write a missing value; such a label is no label."""
FREE_TEXT_LABEL_SHARE = 0.1
"""More distinct labels than this share of the rows looks like a text column, not labels."""
FREE_TEXT_MIN_LABELS = 20
"""Below this many distinct labels the free-text warning never fires."""


def drop_missing_labels(examples: list[Example], report: DataReport) -> list[Example]:
    """Drop examples whose label is a missing-value spelling, counted as ``missing_label``."""
    kept = [
        ex
        for ex in examples
        if ex.label is None or str(ex.label).strip().lower() not in MISSING_LABEL_SPELLINGS
    ]
    if dropped := len(examples) - len(kept):
        report.drop("missing_label", dropped)
        logger.warning(
            "dropped %d row(s) whose label is a missing value (NaN, null, N/A, ...)", dropped
        )
    return kept


def _number(label: str) -> float | None:
    try:
        return float(label)
    except ValueError:
        return None


def check_label_spellings(labels: Sequence[str]) -> None:
    """Refuse labels that are one number written two ways (``1`` and ``1.0``)."""
    by_value: dict[float, list[str]] = defaultdict(list)
    for label in labels:
        value = _number(label)
        if value is not None:
            by_value[value].append(label)
    for spellings in by_value.values():
        if len(spellings) > 1:
            first, second = sorted(spellings)[:2]
            raise DataError(
                f"labels {first!r} and {second!r} are the same number written two ways and "
                f"would become two classes: fix the label column or map one onto the other "
                f"with --label-map {second}={first}"
            )


def free_text_warning(labels: Sequence[str], rows: int, report: DataReport) -> None:
    """Warn (and note in the report) when the label column looks like free text."""
    if len(labels) >= FREE_TEXT_MIN_LABELS and len(labels) > FREE_TEXT_LABEL_SHARE * rows:
        message = (
            f"{len(labels)} distinct labels in {rows} rows: the label column looks like free "
            "text; check --label-column (and --text-column)"
        )
        logger.warning(message)
        report.warnings.append(message)
