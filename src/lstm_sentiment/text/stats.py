"""Dataset statistics behind ``data-stats``: class counts, token-length percentiles."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

PERCENTILES = (50, 75, 90, 95, 99)
SUGGESTED_PERCENTILE = 95
LENGTH_ROUNDING = 16


def suggest_max_length(lengths: Sequence[int], percentile: float = SUGGESTED_PERCENTILE) -> int:
    """A maximum length that keeps ``percentile``% of texts whole, rounded up to 16."""
    value = float(np.percentile(np.asarray(lengths), percentile))
    return max(LENGTH_ROUNDING, int(math.ceil(value / LENGTH_ROUNDING) * LENGTH_ROUNDING))


def describe(lengths: Sequence[int], labels: Sequence[str | None]) -> dict[str, Any]:
    """Counts per class and length percentiles for a list of tokenized texts."""
    values = np.asarray(lengths)
    counts = Counter(label if label is not None else "(unlabelled)" for label in labels)
    return {
        "n": len(values),
        "classes": dict(sorted(counts.items())),
        "tokens": {
            "mean": float(values.mean()),
            "min": int(values.min()),
            "max": int(values.max()),
            **{f"p{p}": float(np.percentile(values, p)) for p in PERCENTILES},
        },
        "suggested_max_length": suggest_max_length(values),
        "suggested_percentile": SUGGESTED_PERCENTILE,
    }
