"""Ensemble weights: equal, given, or fitted on validation to minimise the log loss.

The log loss of a weighted mean of probabilities, ``-mean log(Σ_m w_m p_m[i, y_i])``, is convex
in the weights, so a constrained solver (scipy's SLSQP on the simplex: ``w ≥ 0``, ``Σ w = 1``)
finds its minimum from the equal-weights start. Equal weights are kept when the fit is not
better (a degenerate validation set).
"""

from __future__ import annotations

import logging

import numpy as np
from scipy.optimize import minimize

from lstm_sentiment.errors import ConfigError

logger = logging.getLogger(__name__)

WEIGHT_METHODS = ("equal", "fit")
"""Named ways to choose weights; a comma-separated list of numbers gives them directly."""
_FLOOR = 1e-12
"""Smallest probability inside the log (as in the metrics' log loss)."""
_MAX_ITER = 200


def equal_weights(count: int) -> np.ndarray:
    """``1 / count`` each."""
    return np.full(count, 1.0 / count)


def parse_weights(spec: str, count: int) -> tuple[str, np.ndarray | None]:
    """``equal``, ``fit`` or ``w1,w2,...`` (one non-negative number per member, normalised).

    Returns:
        The method (``equal``, ``fit`` or ``given``) and the given weights (or ``None``).
    """
    text = spec.strip().lower()
    if text in WEIGHT_METHODS:
        return text, None
    try:
        values = np.array([float(item) for item in text.split(",")])
    except ValueError:
        values = np.array([])
    if len(values) != count or not np.all(np.isfinite(values)) or values.min() < 0:
        raise ConfigError(
            f"--weights must be equal, fit or {count} non-negative numbers (one per member, "
            f"e.g. {','.join(['1'] * count)}); got {spec!r}"
        )
    if values.sum() <= 0:
        raise ConfigError(f"--weights must not all be 0; got {spec!r}")
    return "given", values / values.sum()


def true_class_probabilities(member_probabilities: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``[n, members]``: each member's probability of the true class of each text.

    Args:
        member_probabilities: ``[members, n, classes]``.
        y: True class ids ``[n]``.
    """
    rows = np.arange(len(y))
    return member_probabilities[:, rows, y].T.astype(np.float64)


def weighted_log_loss(weights: np.ndarray, true_probabilities: np.ndarray) -> float:
    """Log loss of the weighted mean (``true_probabilities`` from
    :func:`true_class_probabilities`)."""
    mixed = true_probabilities @ weights
    return float(-np.log(np.maximum(mixed, _FLOOR)).mean())


def fit_weights(true_probabilities: np.ndarray) -> np.ndarray:
    """Non-negative weights summing to 1 that minimise the validation log loss."""
    count = true_probabilities.shape[1]
    start = equal_weights(count)
    if count == 1:
        return start

    def loss_and_gradient(weights: np.ndarray) -> tuple[float, np.ndarray]:
        mixed = np.maximum(true_probabilities @ weights, _FLOOR)
        gradient = -(true_probabilities / mixed[:, None]).mean(axis=0)
        return float(-np.log(mixed).mean()), gradient

    result = minimize(
        loss_and_gradient,
        start,
        jac=True,
        method="SLSQP",
        bounds=[(0.0, 1.0)] * count,
        constraints=[
            {"type": "eq", "fun": lambda w: w.sum() - 1.0, "jac": lambda w: np.ones_like(w)}
        ],
        options={"maxiter": _MAX_ITER},
    )
    weights = np.clip(result.x, 0.0, None)
    if not np.all(np.isfinite(weights)) or weights.sum() <= 0:
        return start
    weights = weights / weights.sum()
    if weighted_log_loss(weights, true_probabilities) > weighted_log_loss(
        start, true_probabilities
    ):
        logger.info("fitted weights are no better than equal ones on validation: keeping equal")
        return start
    return weights
