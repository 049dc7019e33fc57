"""What reading a data source kept, changed and dropped, and why: nothing is lost silently.

Readers count what they skip (empty text, missing label, filtered by annotator confidence) and
where the file had bytes invalid in its encoding; :func:`normalise_labels` merges spellings of
the same label (``Positive``, ``positive ``) and :func:`drop_duplicates` removes repeated
training rows. Training prints the report as a table and saves it as ``data_report.json``.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from lstm_sentiment.data.example import Example

logger = logging.getLogger(__name__)

DROP_REASONS = (
    "empty_text",
    "missing_label",
    "low_confidence",
    "missing_confidence",
    "duplicate",
    "over_limit",
)
"""Why a row can be dropped, in the order reports list them (``over_limit``: not in the
``data.limit`` sample)."""


@dataclass
class InvalidBytes:
    """Bytes that are not valid in the file's encoding, and where the first one was."""

    encoding: str
    policy: str
    """``replace`` (each bad byte sequence became U+FFFD) or ``strict`` (reading stopped)."""
    rows: int = 0
    """Rows (records) with at least one invalid byte."""
    text_rows: int = 0
    """Of those, rows whose text column was affected."""
    bytes: int = 0
    first_row: int | None = None
    """1-based data row of the first invalid byte (the header row is not counted)."""
    first_line: int | None = None
    first_offset: int | None = None
    """Byte offset of the first invalid byte from the start of the file."""

    def describe(self) -> str:
        """One sentence for warnings and error messages."""
        row = "the header row" if self.first_row is None else f"row {self.first_row}"
        where = f"{row}, line {self.first_line}, byte {self.first_offset}"
        return (
            f"{self.rows:,} row(s) have bytes that are not valid {self.encoding} "
            f"({self.bytes:,} byte(s); the first at {where})"
        )


@dataclass
class DataReport:
    """Counts for one data source (or one split of it)."""

    source: str
    rows: int = 0
    """Rows (records, files) read, before anything was dropped."""
    kept: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    """Reason (see :data:`DROP_REASONS`) → rows dropped for it."""
    columns: dict[str, str | None] = field(default_factory=dict)
    """Which columns were used (``text``, ``label``, ``confidence``, ``group`` if any) and the
    delimiter."""
    invalid_bytes: InvalidBytes | None = None
    label_spellings: dict[str, list[str]] = field(default_factory=dict)
    """Canonical label → the other spellings merged into it (``Positive`` ← ``positive``)."""
    conflicting_duplicates: int = 0
    """Texts that occur with more than one label (kept: annotators disagreed)."""
    repeated_rows: int = 0
    """Rows repeating an earlier row's text and label (dropped as ``duplicate`` or kept, per
    ``data.drop_duplicates``)."""
    labels: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    """Suspicious things found in the data (kept, but worth a look)."""

    def drop(self, reason: str, count: int = 1) -> None:
        """Record ``count`` rows dropped for ``reason``."""
        self.dropped[reason] = self.dropped.get(reason, 0) + count

    @property
    def total_dropped(self) -> int:
        """Rows dropped for any reason."""
        return sum(self.dropped.values())

    def finish(self, examples: Sequence[Example]) -> DataReport:
        """Fill ``kept`` and the label counts from the examples that survived."""
        counts = Counter("(unlabelled)" if ex.label is None else ex.label for ex in examples)
        self.kept = len(examples)
        self.labels = dict(sorted(counts.items()))
        return self

    def copy(self) -> DataReport:
        """An independent copy (one file read serves several splits)."""
        return DataReport.from_dict(self.to_dict())

    def to_dict(self) -> dict[str, Any]:
        """JSON form saved as ``data_report.json``."""
        out = asdict(self)
        out["dropped"] = {reason: self.dropped.get(reason, 0) for reason in DROP_REASONS}
        return out

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> DataReport:
        """Inverse of :meth:`to_dict`."""
        values = dict(raw)
        invalid = values.pop("invalid_bytes", None)
        dropped = {k: int(v) for k, v in values.pop("dropped", {}).items() if v}
        report = cls(**values, dropped=dropped)
        report.invalid_bytes = InvalidBytes(**invalid) if invalid else None
        return report


def canonical_label(label: str, label_map: Mapping[str, str]) -> str:
    """Apply the label map: an exact key first, else a key equal up to case and spaces."""
    if label in label_map:
        return label_map[label]
    folded = label.strip().casefold()
    for key, value in label_map.items():
        if key.strip().casefold() == folded:
            return value
    return label


def normalise_labels(
    splits: Mapping[str, list[Example]], label_map: Mapping[str, str]
) -> tuple[dict[str, list[Example]], dict[str, list[str]]]:
    """Map labels and merge spellings that differ only in case or surrounding spaces.

    Each group of spellings becomes its most frequent spelling over all splits (ties: the one
    seen first), so ``Positive``/``positive``/``POSITIVE `` is one class in train and test.

    Returns:
        The relabelled splits and, for each canonical label with other spellings, those
        spellings.
    """
    mapped = {
        name: [
            ex if ex.label is None else replace(ex, label=canonical_label(ex.label, label_map))
            for ex in examples
        ]
        for name, examples in splits.items()
    }
    spellings: Counter[str] = Counter(
        ex.label.strip() for examples in mapped.values() for ex in examples if ex.label is not None
    )
    order = {label: i for i, label in enumerate(spellings)}
    groups: dict[str, list[str]] = {}
    for label in spellings:
        groups.setdefault(label.casefold(), []).append(label)
    canonical: dict[str, str] = {}
    merged: dict[str, list[str]] = {}
    for members in groups.values():
        best = max(members, key=lambda s: (spellings[s], -order[s]))
        canonical.update({member: best for member in members})
        if len(members) > 1:
            merged[best] = sorted(m for m in members if m != best)
    if merged:
        logger.info(
            "merged label spellings: %s",
            "; ".join(f"{', '.join(others)} → {best}" for best, others in merged.items()),
        )
    relabelled = {
        name: [
            ex
            if ex.label is None or canonical[ex.label.strip()] == ex.label
            # Labels from readers are already stripped; folder names and mapped labels may not be.
            else replace(ex, label=canonical[ex.label.strip()])
            for ex in examples
        ]
        for name, examples in mapped.items()
    }
    return relabelled, merged


def drop_duplicates(
    examples: list[Example], report: DataReport | None = None, *, drop: bool = True
) -> list[Example]:
    """Keep the first of rows with the same text (ignoring surrounding spaces) and label.

    With ``drop=False`` every row is kept and the repeats are only counted: texts repeated in
    a data set (retweets, copied reviews) are usually repeated in the texts it is tested on,
    and the repetition tells the model what matters most. Texts repeated with different labels
    are all kept and counted in :attr:`DataReport.conflicting_duplicates`.
    """
    seen: set[tuple[str, str | None]] = set()
    labels_of: dict[str, set[str | None]] = {}
    kept: list[Example] = []
    for ex in examples:
        key = (ex.text.strip(), ex.label)
        labels_of.setdefault(key[0], set()).add(ex.label)
        if key in seen:
            continue
        seen.add(key)
        kept.append(ex)
    repeated = len(examples) - len(kept)
    conflicting = sum(1 for labels in labels_of.values() if len(labels) > 1)
    if report is not None:
        if repeated and drop:
            report.drop("duplicate", repeated)
        report.repeated_rows = repeated
        report.conflicting_duplicates = conflicting
    if repeated and drop:
        logger.warning(
            "dropped %d duplicate row(s) (same text and label) from the training data", repeated
        )
    elif repeated:
        logger.info(
            "%d training row(s) repeat an earlier row's text and label (kept; "
            "data.drop_duplicates=true drops them)",
            repeated,
        )
    if conflicting:
        logger.info("%d text(s) occur with more than one label (all kept)", conflicting)
    return kept if drop else list(examples)
