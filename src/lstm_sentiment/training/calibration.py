"""Calibrated confidence: temperature scaling and the expected calibration error.

Neural classifiers trained with cross-entropy tend to be over-confident. Temperature scaling
(Guo et al., 2017, "On Calibration of Modern Neural Networks") divides the logits by one scalar
``T`` fitted on the validation split by minimising the negative log-likelihood; it never changes
which class wins, only how sure the model says it is. The expected calibration error (ECE) is
the gap between confidence and accuracy averaged over equal-width confidence bins.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

DEFAULT_BINS = 15
MIN_TEMPERATURE = 0.05
MAX_TEMPERATURE = 20.0
"""Bounds of the fitted temperature (a degenerate validation set cannot push it further)."""
_LBFGS_STEPS = 50


def class_logits(logits: np.ndarray) -> np.ndarray:
    """One logit per class: a single sigmoid logit ``z`` becomes ``[0, z]`` (same probabilities)."""
    logits = np.asarray(logits)
    if logits.ndim == 2 and logits.shape[1] == 1:
        return np.concatenate([np.zeros_like(logits), logits], axis=1)
    return logits


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """Row-wise softmax of ``logits / temperature`` (float32, like the model's own)."""
    scaled = torch.from_numpy(np.asarray(class_logits(logits), dtype=np.float32)) / temperature
    return torch.softmax(scaled, dim=-1).numpy()


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The temperature minimising the negative log-likelihood of ``labels`` (LBFGS on log T).

    Args:
        logits: ``[n, num_classes]`` validation logits.
        labels: ``[n]`` true class ids.
    """
    x = torch.from_numpy(np.asarray(class_logits(logits), dtype=np.float64))
    y = torch.from_numpy(np.asarray(labels, dtype=np.int64))
    log_t = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.LBFGS(
        [log_t], lr=0.5, max_iter=_LBFGS_STEPS, line_search_fn="strong_wolfe"
    )
    loss_fn = nn.CrossEntropyLoss()

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        loss = loss_fn(x / log_t.exp(), y)
        loss.backward()
        return loss

    optimizer.step(closure)
    temperature = float(log_t.detach().exp())
    if not np.isfinite(temperature):
        return 1.0
    return float(np.clip(temperature, MIN_TEMPERATURE, MAX_TEMPERATURE))


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


def calibration_summary(
    logits: np.ndarray, labels: np.ndarray, temperature: float, n_bins: int
) -> dict[str, float]:
    """ECE and negative log-likelihood before and after dividing ``logits`` by ``temperature``."""
    before = softmax(logits)
    after = softmax(logits, temperature)
    rows = np.arange(len(labels))

    def nll(p: np.ndarray) -> float:
        return float(-np.log(np.clip(p[rows, labels], 1e-12, 1.0)).mean())

    return {
        "ece_before": expected_calibration_error(before, labels, n_bins),
        "ece_after": expected_calibration_error(after, labels, n_bins),
        "nll_before": nll(before),
        "nll_after": nll(after),
    }
