"""Prediction: preprocess (encode) → forward → postprocess (softmax, id → label).

Probabilities are calibrated: the logits are divided by the bundle's temperature (fitted on
the validation split at training time) before the softmax. With ``min_confidence`` the model
abstains (label ``None``, with the reason) when its top probability is below the threshold.

The CLI, the Python API and the HTTP service share :class:`SentimentModel`, which works
for every model kind (neural, NBSVM, ensemble; see :mod:`lstm_sentiment.kinds`). Prediction
imports no training code: the shared inference lives in :mod:`lstm_sentiment.inference`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from lstm_sentiment.config import RunConfig
from lstm_sentiment.errors import ConfigError, DataError
from lstm_sentiment.inference import INFERENCE_BATCH_SIZE
from lstm_sentiment.inference.probabilities import expected_calibration_error, softmax
from lstm_sentiment.kinds import KIND_NEURAL, Scorer
from lstm_sentiment.shipped import default_model_path

if TYPE_CHECKING:
    from lstm_sentiment.explain.result import Explanation
    from lstm_sentiment.kinds.neural import Bundle

PREDICT_BATCH_SIZE = INFERENCE_BATCH_SIZE


ABSTAIN = "abstain"
"""How an abstention is shown in tables."""


@dataclass(frozen=True)
class Prediction:
    """A label (``None`` when the model abstained) and the probability of every class."""

    text: str
    label: str | None
    probabilities: dict[str, float]
    reason: str | None = None
    """Why the model abstained (``None`` when it did not)."""

    @property
    def top_label(self) -> str:
        """The most probable label, even when the model abstained."""
        return max(self.probabilities, key=self.probabilities.__getitem__)

    @property
    def confidence(self) -> float:
        """Probability of the most probable label."""
        return self.probabilities[self.top_label]

    @property
    def abstained(self) -> bool:
        """Whether the confidence was below the requested minimum."""
        return self.label is None

    def to_dict(self) -> dict[str, Any]:
        """The JSON-lines form printed by ``predict --format json`` (``label`` null and a
        ``reason`` when the model abstained)."""
        out: dict[str, Any] = {
            "text": self.text,
            "label": self.label,
            "probabilities": self.probabilities,
        }
        if self.abstained:
            out["abstained"] = True
            out["reason"] = self.reason
        return out


def to_predictions(
    texts: Sequence[str],
    probabilities: np.ndarray,
    labels: Sequence[str],
    min_confidence: float | None = None,
) -> list[Prediction]:
    """Predictions from calibrated probabilities ``[len(texts), len(labels)]``: the top label,
    or an abstention with its reason when the top probability is below ``min_confidence``
    (shared by :meth:`SentimentModel.predict` and the HTTP service's micro-batches)."""
    predictions = []
    # Python floats for the whole batch at once, not a numpy scalar per element
    for text, row in zip(texts, np.asarray(probabilities).tolist(), strict=True):
        by_label = dict(zip(labels, row, strict=True))
        top = labels[max(range(len(row)), key=row.__getitem__)]  # the first best, as argmax
        if min_confidence is not None and by_label[top] < min_confidence:
            reason = (
                f"top probability {by_label[top]:.3f} ({top}) is below the minimum "
                f"confidence {min_confidence:g}"
            )
            predictions.append(Prediction(text, None, by_label, reason))
        else:
            predictions.append(Prediction(text, top, by_label))
    return predictions


class SentimentModel:
    """A trained model ready to predict: a neural bundle, an NBSVM model or an ensemble.

    Example:
        >>> model = SentimentModel.load()  # the shipped English model
        >>> model.predict(["what a great film"])[0].label
        'positive'
    """

    def __init__(self, model: Scorer, batch_size: int = PREDICT_BATCH_SIZE) -> None:
        self.scorer: Scorer = model
        self.batch_size = batch_size

    @classmethod
    def load(
        cls,
        path: str | Path | None = None,
        runtime: str = "auto",
        *,
        precision: str | None = None,
        threads: int | None = None,
    ) -> SentimentModel:
        """Load a bundle folder of any kind; without ``path`` the shipped default model.

        Args:
            path: The bundle folder (``None``: the shipped English model).
            runtime: ``auto`` (onnxruntime when the bundle carries an ONNX model, else torch),
                ``torch`` or ``onnx`` (see :mod:`lstm_sentiment.export.runtime`).
            precision: ONNX file to run, ``fp32`` or ``int8`` (``None``: the bundle's default).
            threads: CPU threads of the runtime (onnxruntime's intra-op threads; torch's
                ``set_num_threads``); ``None``: every core onnxruntime may use, torch's default.
        """
        from lstm_sentiment.export.runtime import load_scorer

        directory = default_model_path() if path is None else path
        return cls(load_scorer(directory, runtime, precision=precision, threads=threads))

    @property
    def runtime(self) -> str:
        """What runs the model: ``onnx``, ``torch`` (neural) or ``numpy`` (NBSVM, ensemble)."""
        if hasattr(self.scorer, "runtime"):
            return str(self.scorer.runtime)
        return "torch" if self.kind == KIND_NEURAL else "numpy"

    @property
    def kind(self) -> str:
        """``neural``, ``nbsvm`` or ``ensemble``."""
        return self.scorer.kind

    @property
    def bundle(self) -> Bundle:
        """The torch model bundle of a neural model."""
        if self.kind != KIND_NEURAL:
            raise ConfigError(f"this is an {self.kind} model: it has no neural bundle")
        if hasattr(self.scorer, "torch_bundle"):  # loaded on onnxruntime: load it on torch
            return self.scorer.torch_bundle()  # type: ignore[no-any-return]
        return self.scorer  # type: ignore[return-value]

    @property
    def config(self) -> RunConfig | None:
        """The configuration the model was trained with (``None`` for an ensemble)."""
        return self.scorer.config

    @property
    def label_map(self) -> dict[str, str]:
        """The label renaming the model was trained with (``neg`` → ``negative``)."""
        return self.scorer.label_map

    @property
    def labels(self) -> list[str]:
        """Class names in output order."""
        return self.scorer.labels

    @staticmethod
    def _check(texts: Sequence[str]) -> None:
        if isinstance(texts, str):
            raise TypeError("predict() takes a list of texts, not a single string")
        for position, text in enumerate(texts, start=1):
            if not isinstance(text, str):
                raise DataError(
                    f"text {position} is a {type(text).__name__}, not a string: pass texts as str "
                    "(decode bytes first)"
                )
            if not text.strip():
                raise DataError(f"text {position} is empty: give some words to classify")

    @property
    def temperature(self) -> float:
        """Softmax temperature of the calibrated probabilities (1 for an ensemble, whose
        probabilities are averages of its members' calibrated ones)."""
        return self.scorer.temperature

    def predict_logits(self, texts: Sequence[str]) -> np.ndarray:
        """Raw logits ``[len(texts), num_outputs]`` (before calibration; an ensemble gives the
        log of its averaged probabilities)."""
        if len(texts) == 0:
            return np.zeros((0, len(self.labels)), dtype=np.float32)
        self._check(texts)
        return self.scorer.logits(texts, self.batch_size)

    def predict_proba(self, texts: Sequence[str], *, calibrated: bool = True) -> np.ndarray:
        """Class probabilities ``[len(texts), num_classes]``, calibrated unless told not to."""
        if len(texts) == 0:
            return np.zeros((0, len(self.labels)), dtype=np.float32)
        temperature = self.temperature if calibrated else 1.0
        return softmax(self.predict_logits(texts), temperature)

    def predict(
        self, texts: Sequence[str], *, min_confidence: float | None = None
    ) -> list[Prediction]:
        """Label and class probabilities for each text.

        Args:
            texts: The texts to classify.
            min_confidence: Abstain (label ``None``, with a ``reason``) when the top
                probability is below this; ``None`` never abstains.
        """
        if min_confidence is not None and not 0.0 <= min_confidence <= 1.0:
            raise ConfigError(f"the minimum confidence must be in [0, 1], got {min_confidence}")
        return to_predictions(texts, self.predict_proba(texts), self.labels, min_confidence)

    def explain(self, texts: Sequence[str], *, steps: int = 32) -> list[Explanation]:
        """Each text's prediction and every token's attribution toward every class, with the
        token's character offsets in the text.

        Neural models are explained by integrated gradients on the embedding layer (``steps``
        integration steps from an all-padding input), NBSVM models by their exact n-gram
        contributions, ensembles by their members' attributions weighted on shared character
        spans. Scores are toward each class's centred calibrated logit
        ``(z_c − mean_k z_k) / T``; see :mod:`lstm_sentiment.explain`.

        Example:
            >>> explanation = SentimentModel.load().explain(["what a GREAT film"])[0]
            >>> great = explanation.tokens[2]
            >>> great.token, great.start, great.end, explanation.text[great.start : great.end]
            ('great', 7, 12, 'GREAT')
        """
        from lstm_sentiment.explain.api import explain_texts

        if len(texts) == 0:
            return []
        self._check(texts)
        return explain_texts(self.scorer, texts, steps=steps)

    def evaluate(self, texts: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
        """Metrics on labelled texts with calibrated probabilities (and the uncalibrated ECE).

        Labels match the model's ignoring case and surrounding spaces (``positive`` is
        ``Positive``); a label the model never saw is an error.
        """
        known = {label: i for i, label in enumerate(self.labels)}
        folded = {label.strip().casefold(): i for i, label in enumerate(self.labels)}

        def class_id(label: str) -> int | None:
            return known.get(label, folded.get(label.strip().casefold()))

        unknown = sorted({label for label in labels if class_id(label) is None})
        if unknown:
            raise DataError(
                f"labels {', '.join(map(repr, unknown))} were never seen in training; the model "
                f"knows {', '.join(self.labels)} (map them with --label-map or fix the data)"
            )
        from lstm_sentiment.inference.metrics import classification_metrics  # scikit-learn

        y_true = np.array([class_id(label) for label in labels], dtype=np.int64)
        n_bins = self.scorer.calibration_bins
        logits = self.predict_logits(texts)
        metrics = classification_metrics(
            y_true, softmax(logits, self.temperature), self.labels, n_bins
        )
        metrics["temperature"] = self.temperature
        metrics["ece_uncalibrated"] = expected_calibration_error(softmax(logits), y_true, n_bins)
        return metrics
