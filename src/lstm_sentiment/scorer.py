"""Model kinds behind :class:`~lstm_sentiment.predict.SentimentModel`: one protocol, one loader.

Every bundle folder has a ``config.json`` header whose ``"kind"`` says what it holds:

* ``neural`` (or no kind: bundles made before kinds existed): a torch classifier
  (:mod:`lstm_sentiment.bundle`);
* ``nbsvm``: the linear NB-weighted n-gram model (:mod:`lstm_sentiment.linear.nbsvm`);
* ``ensemble``: a weighted average of member bundles (:mod:`lstm_sentiment.ensemble.model`).

Each kind implements :class:`Scorer`: raw texts in, logits out, plus the softmax temperature
that calibrates them. :func:`load_model` reads the header and dispatches on the kind.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from lstm_sentiment.bundle import KIND_NEURAL, Bundle, load_bundle, read_header
from lstm_sentiment.config import RunConfig
from lstm_sentiment.errors import BundleError
from lstm_sentiment.models.registry import describe
from lstm_sentiment.training.batching import EncodedDataset
from lstm_sentiment.training.calibration import softmax
from lstm_sentiment.training.trainer import predict_logits

KIND_NBSVM = "nbsvm"
KIND_ENSEMBLE = "ensemble"


class Scorer(Protocol):
    """What prediction needs from a model of any kind."""

    kind: str
    """``neural``, ``nbsvm`` or ``ensemble``."""

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

    def logits(self, texts: Sequence[str], batch_size: int) -> np.ndarray:
        """Uncalibrated logits ``[len(texts), outputs]`` of non-empty texts."""
        ...


def probabilities(
    scorer: Scorer, texts: Sequence[str], batch_size: int, *, calibrated: bool = True
) -> np.ndarray:
    """Class probabilities ``[len(texts), len(scorer.labels)]`` of any kind of model."""
    temperature = scorer.temperature if calibrated else 1.0
    return softmax(scorer.logits(texts, batch_size), temperature)


@dataclass
class NeuralScorer:
    """A torch model bundle: encode → forward (length-sorted batches, no gradients)."""

    bundle: Bundle
    kind: str = KIND_NEURAL

    @property
    def labels(self) -> list[str]:
        return self.bundle.labels

    @property
    def temperature(self) -> float:
        return self.bundle.temperature

    @property
    def config(self) -> RunConfig:
        return self.bundle.config

    @property
    def label_map(self) -> dict[str, str]:
        return dict(self.bundle.config.data.label_map)

    @property
    def calibration_bins(self) -> int:
        return self.bundle.config.train.calibration_bins

    @property
    def metrics(self) -> dict[str, Any]:
        return self.bundle.metrics

    @property
    def description(self) -> str:
        return f"{self.bundle.config.model.architecture}: {describe(self.bundle.config.model)}"

    def logits(self, texts: Sequence[str], batch_size: int) -> np.ndarray:
        encoder = self.bundle.encoder
        data = EncodedDataset(encoder.encode_many(texts), None, encoder.vocab.pad_id)
        return predict_logits(self.bundle.model, data, batch_size)


def _load_neural(directory: Path) -> Scorer:
    return NeuralScorer(load_bundle(directory))


def _load_nbsvm(directory: Path) -> Scorer:
    from lstm_sentiment.linear.nbsvm import load_nbsvm

    return load_nbsvm(directory)


def _load_ensemble(directory: Path) -> Scorer:
    from lstm_sentiment.ensemble.model import load_ensemble

    return load_ensemble(directory)


LOADERS: dict[str, Callable[[Path], Scorer]] = {
    KIND_NEURAL: _load_neural,
    KIND_NBSVM: _load_nbsvm,
    KIND_ENSEMBLE: _load_ensemble,
}
"""Bundle ``"kind"`` → loader of that kind."""


def bundle_kind(directory: str | Path) -> str:
    """The kind of the bundle in ``directory`` (its header checked; no kind means neural)."""
    header = read_header(directory)
    kind = header.get("kind", KIND_NEURAL)
    if kind not in LOADERS:
        raise BundleError(
            f"bundle {directory} holds a model of kind {kind!r}; this version reads "
            f"{', '.join(LOADERS)}: upgrade lstm-sentiment"
        )
    return str(kind)


def load_model(directory: str | Path) -> Scorer:
    """Load a bundle folder of any kind."""
    directory = Path(directory)
    return LOADERS[bundle_kind(directory)](directory)
