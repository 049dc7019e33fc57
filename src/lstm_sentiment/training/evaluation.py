"""After training: calibrate on validation, then measure every split with calibrated probabilities.

The temperature is fitted on the validation split only (the test split is measured, never used
to choose anything). Each split's metrics use the calibrated probabilities (accuracy and F1 do
not change with the temperature; log loss and ECE do); the ECE and log-likelihood before and
after scaling go to ``metrics["calibration"]`` and a reliability diagram per split to the plots.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from torch import nn

from lstm_sentiment.config import TrainConfig
from lstm_sentiment.inference.batching import EncodedDataset
from lstm_sentiment.inference.forward import predict_logits
from lstm_sentiment.inference.metrics import classification_metrics
from lstm_sentiment.inference.probabilities import reliability_bins, softmax
from lstm_sentiment.training.calibration import calibration_summary, fit_temperature
from lstm_sentiment.training.plots import plot_reliability_diagram

logger = logging.getLogger(__name__)


@dataclass
class CalibratedEvaluation:
    """Temperature, metrics per split and the calibration report."""

    temperature: float
    metrics: dict[str, dict[str, Any]] = field(default_factory=dict)
    calibration: dict[str, Any] = field(default_factory=dict)


def evaluate_calibrated(
    model: nn.Module,
    splits: dict[str, EncodedDataset],
    labels: list[str],
    config: TrainConfig,
    plots_dir: Path | None = None,
) -> CalibratedEvaluation:
    """Fit the temperature on ``splits["validation"]`` (if ``config.calibrate``) and measure.

    Args:
        model: The trained model.
        splits: Labelled encoded splits; ``validation`` is required.
        labels: Label names in id order.
        config: ``calibrate`` and ``calibration_bins`` are used.
        plots_dir: Where ``reliability_<split>.png`` go (``None``: no plots).
    """
    logits = {name: predict_logits(model, data) for name, data in splits.items()}
    targets = {}
    for name, data in splits.items():
        assert data.labels is not None
        targets[name] = data.labels
    return evaluate_logits(logits, targets, labels, config, plots_dir)


def evaluate_logits(
    logits: dict[str, np.ndarray],
    targets: dict[str, np.ndarray],
    labels: list[str],
    config: TrainConfig,
    plots_dir: Path | None = None,
) -> CalibratedEvaluation:
    """:func:`evaluate_calibrated` from already computed logits (any model kind).

    Args:
        logits: Uncalibrated logits per split; ``validation`` is required.
        targets: True class ids per split.
        labels: Label names in id order.
        config: ``calibrate`` and ``calibration_bins`` are used.
        plots_dir: Where ``reliability_<split>.png`` go (``None``: no plots).
    """
    y_val = targets["validation"]
    temperature = fit_temperature(logits["validation"], y_val) if config.calibrate else 1.0
    result = CalibratedEvaluation(temperature=temperature)
    result.calibration = {
        "temperature": temperature,
        "fitted_on": "validation" if config.calibrate else None,
        "n_bins": config.calibration_bins,
    }
    for name, y in targets.items():
        probabilities = softmax(logits[name], temperature)
        result.metrics[name] = classification_metrics(
            y, probabilities, labels, config.calibration_bins
        )
        summary = calibration_summary(logits[name], y, temperature, config.calibration_bins)
        result.calibration[name] = summary
        if plots_dir is not None:
            plot_reliability_diagram(
                reliability_bins(softmax(logits[name]), y, config.calibration_bins),
                reliability_bins(probabilities, y, config.calibration_bins),
                plots_dir / f"reliability_{name}.png",
                title=f"{name} (n={len(y)}, temperature {temperature:.2f})",
            )
        logger.info(
            "%s ECE %.4f → %.4f with temperature %.3f",
            name,
            summary["ece_before"],
            summary["ece_after"],
            temperature,
        )
    return result
