"""Ensembles of saved models: weighted averages of calibrated probabilities, saved as bundles."""

from __future__ import annotations

from lstm_sentiment.ensemble.build import EnsembleResult, ValidationData, build_ensemble
from lstm_sentiment.ensemble.model import EnsembleModel, load_ensemble

__all__ = ["EnsembleModel", "EnsembleResult", "ValidationData", "build_ensemble", "load_ensemble"]
