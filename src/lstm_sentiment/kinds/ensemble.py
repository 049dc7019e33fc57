"""The ensemble kind: a weighted mean of member bundles of the single-model kinds. Ensembles are
built from trained bundles (``lstm-sentiment ensemble``), not trained from a configuration."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lstm_sentiment.config import ModelConfig, RunConfig
from lstm_sentiment.ensemble.model import KIND_ENSEMBLE, EnsembleModel, load_ensemble
from lstm_sentiment.errors import ConfigError
from lstm_sentiment.kinds.base import FitOptions, Fitted, MemberLoader

if TYPE_CHECKING:
    from lstm_sentiment.preparation import PreparedData


@dataclass(frozen=True)
class EnsembleKind:
    """Weighted means of calibrated member probabilities."""

    name: str = KIND_ENSEMBLE

    def trains(self, config: ModelConfig) -> bool:
        return False

    def describe(self, config: ModelConfig) -> str:
        return "ensemble: weighted mean of its members' calibrated probabilities"

    def fit(self, config: RunConfig, data: PreparedData, options: FitOptions) -> Fitted:
        raise ConfigError(
            "an ensemble is built from trained models: run lstm-sentiment ensemble MODEL MODEL ..."
        )

    def load(
        self, directory: Path, header: dict[str, Any], load_member: MemberLoader
    ) -> EnsembleModel:
        return load_ensemble(directory, header, load_member)
