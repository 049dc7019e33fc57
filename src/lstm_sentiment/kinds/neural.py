"""The neural kind: torch classifiers of every architecture in :mod:`lstm_sentiment.models.registry`
(the model and its bundle: :mod:`.neural_model`; its training: :mod:`.neural_train`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lstm_sentiment.config import ModelConfig, RunConfig
from lstm_sentiment.kinds.base import FitOptions, Fitted, MemberLoader
from lstm_sentiment.kinds.neural_model import KIND_NEURAL, Bundle, load_neural
from lstm_sentiment.models.registry import describe_neural

if TYPE_CHECKING:
    from lstm_sentiment.preparation import PreparedData


@dataclass(frozen=True)
class NeuralKind:
    """Torch classifiers of every architecture in :mod:`lstm_sentiment.models.registry`."""

    name: str = KIND_NEURAL

    def trains(self, config: ModelConfig) -> bool:
        from lstm_sentiment.models.registry import ARCHITECTURES

        return config.architecture in ARCHITECTURES

    def describe(self, config: ModelConfig) -> str:
        return describe_neural(config)

    def fit(self, config: RunConfig, data: PreparedData, options: FitOptions) -> Fitted:
        from lstm_sentiment.kinds.neural_train import fit_neural

        return fit_neural(config, data, options)

    def load(self, directory: Path, header: dict[str, Any], load_member: MemberLoader) -> Bundle:
        return load_neural(directory, header)
