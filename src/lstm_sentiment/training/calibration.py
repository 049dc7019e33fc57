"""Calibrated confidence: temperature scaling and the expected calibration error.

Neural classifiers trained with cross-entropy tend to be over-confident. Temperature scaling
(Guo et al., 2017, "On Calibration of Modern Neural Networks") divides the logits by one scalar
``T`` fitted on the validation split by minimising the negative log-likelihood; it never changes
which class wins, only how sure the model says it is. The expected calibration error (ECE) is
the gap between confidence and accuracy averaged over equal-width confidence bins.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from lstm_sentiment.inference.probabilities import (
    class_logits,
    expected_calibration_error,
    softmax,
)

MIN_TEMPERATURE = 0.05
MAX_TEMPERATURE = 20.0
"""Bounds of the fitted temperature (a degenerate validation set cannot push it further)."""
_LBFGS_STEPS = 50


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
