"""Soft labels: a row's label distribution (``data.soft_labels``), read from the ``p_<label>``
columns that ``predict --format csv`` writes (or a JSONL ``probabilities`` object), so a model
can learn a teacher's uncertainty instead of its rounded verdict."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from lstm_sentiment.data.example import Example
from lstm_sentiment.errors import ConfigError, DataError

COLUMN_PREFIX = "p_"
"""A soft-label column is ``p_<label>``, as ``predict --format csv`` names them."""
JSONL_KEY = "probabilities"
"""A JSON Lines record's ``{label: probability}`` object, as ``predict --format jsonl`` writes."""
SUM_TOLERANCE = 1e-3
"""How far a row's probabilities may sum from 1 (files round them to 6 decimals)."""

Distribution = tuple[tuple[str, float], ...]


def soft_label_columns(names: Sequence[str]) -> dict[str, int]:
    """Label → index of its ``p_<label>`` column (empty when the table has none)."""
    return {
        name[len(COLUMN_PREFIX) :]: index
        for index, name in enumerate(names)
        if name.startswith(COLUMN_PREFIX) and len(name) > len(COLUMN_PREFIX)
    }


def parse_distribution(values: Mapping[str, object], where: str) -> Distribution:
    """The checked distribution of one row (``label → value``, values as read); a value that
    is not a probability, or a row that does not sum to 1, is a :class:`DataError`."""
    parsed: list[tuple[str, float]] = []
    for label, value in values.items():
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            number = math.nan
        if not 0.0 <= number <= 1.0:  # NaN fails too
            raise DataError(
                f"{where}: p_{label} is {value!r}, not a probability in [0, 1]: fix the row or "
                "turn data.soft_labels off"
            )
        parsed.append((label, number))
    total = sum(number for _, number in parsed)
    if abs(total - 1.0) > SUM_TOLERANCE:
        raise DataError(
            f"{where}: the p_<label> values sum to {total:.4f}, not 1: every label needs its "
            "column (as predict --format csv writes them)"
        )
    return tuple(parsed)


def target_matrix(examples: Sequence[Example], labels: Sequence[str]) -> np.ndarray | None:
    """``[len(examples), len(labels)]`` training targets: each example's distribution, or its
    label one-hot when it has none; ``None`` when no example has one."""
    if not any(ex.probabilities is not None for ex in examples):
        return None
    label_ids = {label: i for i, label in enumerate(labels)}
    targets = np.zeros((len(examples), len(labels)), dtype=np.float32)
    for row, example in enumerate(examples):
        if example.probabilities is None:
            targets[row, label_ids[str(example.label)]] = 1.0
            continue
        for label, probability in example.probabilities:
            if label not in label_ids:
                raise DataError(
                    f"soft label column p_{label} names a label the training split does not "
                    f"have; known: {', '.join(labels)}"
                )
            targets[row, label_ids[label]] = probability
    return targets


def require_soft_labels(targets: np.ndarray | None) -> None:
    """Refuse ``data.soft_labels`` when no training source carried a distribution."""
    if targets is None:
        raise ConfigError(
            "data.soft_labels is on but no training row has p_<label> columns (CSV/TSV) or a "
            "'probabilities' object (JSONL): write them with `lstm-sentiment predict --format "
            "csv`, or turn data.soft_labels off"
        )
