"""Class weights for imbalanced data: ``none``, ``balanced`` or given per label."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from sklearn.utils.class_weight import compute_class_weight

from lstm_sentiment.config import parse_class_weights
from lstm_sentiment.errors import ConfigError


def class_weights(spec: str, labels: Sequence[str], y: np.ndarray) -> np.ndarray | None:
    """Loss weight per class id, or ``None`` for equal weights.

    Args:
        spec: ``train.class_weights``: ``none``, ``balanced`` (``n / (classes × count)``,
            scikit-learn's rule) or ``label=weight,...`` (labels matched ignoring case;
            unlisted labels weigh 1).
        labels: Label names in id order.
        y: Training label ids.

    Raises:
        ConfigError: A given label is not one of the training labels.
    """
    parsed = parse_class_weights(spec)
    if parsed == "none":
        return None
    if parsed == "balanced":
        present = np.unique(y)
        weights = np.ones(len(labels))
        weights[present] = compute_class_weight("balanced", classes=present, y=y)
        return weights
    assert isinstance(parsed, dict)
    by_name = {label.casefold(): i for i, label in enumerate(labels)}
    weights = np.ones(len(labels))
    for label, weight in parsed.items():
        index = by_name.get(label.casefold())
        if index is None:
            raise ConfigError(
                f"train.class_weights names {label!r}, which is not a training label; "
                f"labels: {', '.join(labels)}"
            )
        weights[index] = weight
    return weights


def as_tensor(weights: np.ndarray | None) -> torch.Tensor | None:
    """The weights as the float tensor ``nn.CrossEntropyLoss`` takes."""
    return None if weights is None else torch.tensor(weights, dtype=torch.float32)
