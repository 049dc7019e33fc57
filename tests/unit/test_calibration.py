"""Temperature scaling, the expected calibration error and class weights."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from lstm_sentiment.config import TrainConfig, parse_class_weights
from lstm_sentiment.errors import ConfigError
from lstm_sentiment.inference.probabilities import (
    expected_calibration_error,
    reliability_bins,
    softmax,
)
from lstm_sentiment.training.calibration import calibration_summary, fit_temperature
from lstm_sentiment.training.trainer import Trainer
from lstm_sentiment.training.weights import as_tensor, class_weights


def overconfident(n: int = 4000, classes: int = 3, true_t: float = 3.0, seed: int = 0):
    """Logits whose calibrated probabilities are softmax(logits / true_t)."""
    rng = np.random.default_rng(seed)
    calibrated = rng.normal(0.0, 1.5, size=(n, classes))
    probabilities = softmax(calibrated)
    labels = np.array([rng.choice(classes, p=p / p.sum()) for p in probabilities])
    return (calibrated * true_t).astype(np.float32), labels


def test_temperature_scaling_recovers_t_and_lowers_ece() -> None:
    logits, labels = overconfident()
    temperature = fit_temperature(logits, labels)
    assert temperature == pytest.approx(3.0, rel=0.1)
    summary = calibration_summary(logits, labels, temperature, n_bins=15)
    assert summary["ece_before"] > 0.1
    assert summary["ece_after"] < summary["ece_before"] / 3
    assert summary["nll_after"] < summary["nll_before"]
    # Scaling never changes the predicted class.
    assert (softmax(logits, temperature).argmax(1) == logits.argmax(1)).all()


def test_ece_of_a_perfectly_calibrated_model_is_near_zero() -> None:
    logits, labels = overconfident(n=20_000, true_t=1.0, seed=1)
    assert expected_calibration_error(softmax(logits), labels) < 0.02


def test_reliability_bins_by_hand() -> None:
    probabilities = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.45, 0.55]])
    labels = np.array([0, 1, 1, 0])
    bins = reliability_bins(probabilities, labels, n_bins=2)
    assert bins.counts.tolist() == [0, 4]
    assert bins.accuracy[1] == pytest.approx(0.5)
    assert bins.confidence[1] == pytest.approx((0.9 + 0.8 + 0.7 + 0.55) / 4)
    assert bins.ece == pytest.approx(abs(0.5 - 0.7375))


def test_sigmoid_logits_are_two_classes() -> None:
    z = np.array([[0.0], [2.0]], dtype=np.float32)
    probabilities = softmax(z)
    assert probabilities.shape == (2, 2)
    assert probabilities[1, 1] == pytest.approx(1 / (1 + np.exp(-2.0)), rel=1e-5)
    assert fit_temperature(z, np.array([0, 1])) > 0


def test_class_weight_specs() -> None:
    y = np.array([0, 0, 0, 1])
    labels = ["neg", "pos"]
    assert class_weights("none", labels, y) is None
    assert class_weights("balanced", labels, y).tolist() == pytest.approx([4 / 6, 2.0])
    assert class_weights("POS=3", labels, y).tolist() == [1.0, 3.0]
    with pytest.raises(ConfigError, match=r"'neutral'.*labels: neg, pos"):
        class_weights("neutral=2", labels, y)
    assert parse_class_weights("a=1,b=2.5") == {"a": 1.0, "b": 2.5}
    for bad in ("often", "a=0", "a=-1", "a=x", "=2"):
        with pytest.raises(ConfigError, match=r"train\.class_weights"):
            TrainConfig(class_weights=bad)


def test_class_weights_change_the_loss(tmp_path: Path) -> None:
    model = torch.nn.Linear(2, 2)
    logits = torch.tensor([[2.0, 0.0], [2.0, 0.0], [0.0, 2.0], [2.0, 0.0]])
    labels = torch.tensor([0, 0, 1, 1])  # the last example of class 1 is wrong
    config = TrainConfig(batch_size=4)
    plain = Trainer(model, config, ["a", "b"], tmp_path / "a")
    weighted = Trainer(
        model, config, ["a", "b"], tmp_path / "b", class_weights=as_tensor(np.array([1.0, 5.0]))
    )
    assert weighted.objective.loss_fn(logits, labels) > plain.objective.loss_fn(logits, labels)
