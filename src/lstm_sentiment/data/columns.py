"""Which columns of a table or JSONL file hold the text, label, confidence and group.

Given names are matched exactly, then case-insensitively; text and label columns are otherwise
detected by name (:data:`TEXT_COLUMNS`, :data:`LABEL_COLUMNS`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lstm_sentiment.errors import DataError

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


@dataclass(frozen=True)
class Columns:
    """The text and label columns of a file: their names and positions."""

    text: str
    label: str | None
    text_at: int
    label_at: int | None

    @classmethod
    def resolve(
        cls, names: list[str], text_column: str | None, label_column: str | None, path: Path
    ) -> Columns:
        text = _pick_column(names, text_column, TEXT_COLUMNS, "text", path, required=True)
        label = _pick_column(names, label_column, LABEL_COLUMNS, "label", path, required=False)
        assert text is not None
        return cls(text, label, names.index(text), None if label is None else names.index(label))


def confidence_index(
    names: list[str],
    columns: Columns,
    requested: str | None,
    minimum: float,
    path: Path,
) -> int | None:
    """Index of the confidence column: the requested one, or when filtering ``<label>_confidence``
    or ``confidence``; ``None`` when there is no filter and no request."""
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


def group_index(names: list[str], requested: str | None, path: Path) -> int | None:
    """Index of the requested group column (never detected); ``None`` when none is requested."""
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
