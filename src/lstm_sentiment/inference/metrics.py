"""Classification metrics from scikit-learn, as plain JSON-friendly dictionaries."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    log_loss,
    precision_recall_fscore_support,
)

from lstm_sentiment.inference.probabilities import DEFAULT_BINS, expected_calibration_error


def classification_metrics(
    y_true: np.ndarray,
    probabilities: np.ndarray,
    labels: Sequence[str],
    n_bins: int = DEFAULT_BINS,
) -> dict[str, Any]:
    """Accuracy, per-class precision/recall/F1, macro-F1, log loss, expected calibration error
    and the confusion matrix.

    Args:
        y_true: Label ids ``[n]``.
        probabilities: Class probabilities ``[n, num_classes]``.
        labels: Label names in id order.
        n_bins: Equal-width confidence bins of the calibration error.
    """
    class_ids = list(range(len(labels)))
    y_pred = probabilities.argmax(axis=1)
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=class_ids, zero_division=0
    )
    return {
        "n": len(y_true),
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(
            f1_score(y_true, y_pred, labels=class_ids, average="macro", zero_division=0)
        ),
        "log_loss": float(log_loss(y_true, np.clip(probabilities, 1e-12, 1.0), labels=class_ids)),
        "ece": expected_calibration_error(probabilities, y_true, n_bins),
        "labels": list(labels),
        "per_class": {
            label: {
                "precision": float(precision[i]),
                "recall": float(recall[i]),
                "f1": float(f1[i]),
                "support": int(support[i]),
            }
            for i, label in enumerate(labels)
        },
        "confusion_matrix": confusion_matrix(y_true, y_pred, labels=class_ids).tolist(),
    }
