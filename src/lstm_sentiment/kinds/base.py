"""The model-kind contract: what every kind of model (neural, NBSVM, ensemble, ...) provides.

A *kind* knows how to train a model from prepared data, load one from a bundle folder and
describe an architecture; a trained or loaded *model* of that kind (a :class:`Scorer`) scores
raw texts and knows how to save itself (its header fields, its files, its model card). The
registry (:mod:`lstm_sentiment.kinds`) maps kind names to kinds; nothing below it imports it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from lstm_sentiment.config import ModelConfig, RunConfig

if TYPE_CHECKING:
    from lstm_sentiment.preparation import PreparedData
    from lstm_sentiment.training.trainer import Callback, FitResult


class Scorer(Protocol):
    """A model of any kind, trained or loaded: what prediction and saving need."""

    kind: str
    """The registry name of its kind (``neural``, ``nbsvm``, ``ensemble``)."""

    @property
    def labels(self) -> list[str]:
        """Class names in output order."""
        ...

    @property
    def temperature(self) -> float:
        """Softmax temperature fitted on validation (1 where calibration does not apply)."""
        ...

    @property
    def config(self) -> RunConfig | None:
        """The configuration the model was trained with (``None`` for an ensemble)."""
        ...

    @property
    def label_map(self) -> dict[str, str]:
        """The label renaming the model was trained with (``neg`` → ``negative``)."""
        ...

    @property
    def calibration_bins(self) -> int:
        """Confidence bins of the expected calibration error."""
        ...

    @property
    def metrics(self) -> dict[str, Any]:
        """What was measured when the model was made (``metrics.json``)."""
        ...

    @property
    def description(self) -> str:
        """One line saying what the model is, for model cards and tables."""
        ...

    @property
    def held_out_validation(self) -> bool:
        """Whether the validation split of its training data was never trained on (so an
        ensemble may fit weights on it)."""
        ...

    def logits(self, texts: Sequence[str], batch_size: int) -> np.ndarray:
        """Uncalibrated logits ``[len(texts), outputs]`` of non-empty texts."""
        ...

    def bundle_header(self) -> dict[str, Any]:
        """The kind's fields of the bundle header (labels, config, temperature, ...)."""
        ...

    def write_files(self, directory: Path) -> None:
        """Write the kind's own files (weights, vocabulary, members) into ``directory``."""
        ...

    def model_card(self, environment: dict[str, str]) -> str:
        """The Markdown model card (``README.md`` of the bundle)."""
        ...


MemberLoader = Callable[[Path], Scorer]
"""Loads a bundle folder of any kind (given to kinds whose bundles hold other bundles)."""


@dataclass
class FitOptions:
    """How a run trains, beyond its configuration."""

    run_dir: Path
    resume: bool = False
    callbacks: Sequence[Callback] = ()


@dataclass
class Fitted:
    """What a kind's training produced: the model (not yet calibrated) and its uncalibrated
    logits on the held-out splits, for the shared evaluation."""

    model: Any
    """A :class:`Scorer` whose ``temperature`` the evaluation sets."""
    config: RunConfig
    """The configuration trained, with the sizes derived from the data filled in."""
    logits: dict[str, np.ndarray]
    """Uncalibrated logits of ``validation`` (required) and ``test`` (when there is one)."""
    targets: dict[str, np.ndarray]
    """True class ids of the same splits."""
    fit: FitResult
    metrics: dict[str, Any] = field(default_factory=dict)
    """Kind-specific measurements merged into ``metrics.json``."""
    timings: dict[str, float] = field(default_factory=dict)
    finish: Callable[[dict[str, Any]], None] | None = None
    """Called with the final metrics once the bundle is saved (e.g. TensorBoard's HPARAMS)."""


class ModelKind(Protocol):
    """A kind of model: trains, loads and describes models of that kind."""

    name: str

    def trains(self, config: ModelConfig) -> bool:
        """Whether this kind trains ``model.architecture``."""
        ...

    def describe(self, config: ModelConfig) -> str:
        """One line describing the architecture ``config`` builds."""
        ...

    def fit(self, config: RunConfig, data: PreparedData, options: FitOptions) -> Fitted:
        """Train a model on prepared data."""
        ...

    def load(self, directory: Path, header: dict[str, Any], load_member: MemberLoader) -> Scorer:
        """Load a bundle folder of this kind (its header already read and checked)."""
        ...
