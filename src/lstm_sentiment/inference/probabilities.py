"""Probabilities from logits and how well they are calibrated (the expected calibration error).

The expected calibration error (ECE) is the gap between confidence and accuracy averaged over
equal-width confidence bins. Numpy only: prediction imports this without torch's training parts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULT_BINS = 15
"""Confidence bins of the expected calibration error."""


def class_logits(logits: np.ndarray) -> np.ndarray:
    """One logit per class: a single sigmoid logit ``z`` becomes ``[0, z]`` (same probabilities)."""
    logits = np.asarray(logits)
    if logits.ndim == 2 and logits.shape[1] == 1:
        return np.concatenate([np.zeros_like(logits), logits], axis=1)
    return logits


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Row-wise softmax of ``logits / temperature`` (float32, like the model's own)."""
    scaled = np.asarray(class_logits(logits), dtype=np.float32) / np.float32(temperature)
    shifted = scaled - scaled.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return (exp / exp.sum(axis=-1, keepdims=True)).astype(np.float32)


@dataclass(frozen=True)
class ReliabilityBins:
    """Per confidence bin: mean confidence, accuracy and number of predictions."""

    edges: np.ndarray
    confidence: np.ndarray
    accuracy: np.ndarray
    counts: np.ndarray

    @property
    def ece(self) -> float:
        """Expected calibration error: count-weighted mean of ``|accuracy - confidence|``."""
        total = self.counts.sum()
        if not total:
            return 0.0
        gaps = np.abs(self.accuracy - self.confidence)
        return float((gaps * self.counts).sum() / total)


def reliability_bins(
    probabilities: np.ndarray, labels: np.ndarray, n_bins: int = DEFAULT_BINS
) -> ReliabilityBins:
    """Group predictions into ``n_bins`` equal-width bins of top-class probability."""
    probabilities = np.asarray(probabilities, dtype=np.float64)
    confidence = probabilities.max(axis=1)
    correct = probabilities.argmax(axis=1) == np.asarray(labels)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    # Bins are (lo, hi]; a confidence of exactly 0 joins the first one.
    which = np.clip(np.searchsorted(edges, confidence, side="left") - 1, 0, n_bins - 1)
    counts = np.bincount(which, minlength=n_bins)
    safe = np.maximum(counts, 1)
    mean_conf = np.bincount(which, weights=confidence, minlength=n_bins) / safe
    accuracy = np.bincount(which, weights=correct.astype(np.float64), minlength=n_bins) / safe
    return ReliabilityBins(edges=edges, confidence=mean_conf, accuracy=accuracy, counts=counts)


def expected_calibration_error(
    probabilities: np.ndarray, labels: np.ndarray, n_bins: int = DEFAULT_BINS
) -> float:
    """ECE with ``n_bins`` equal-width confidence bins."""
    return reliability_bins(probabilities, labels, n_bins).ece
