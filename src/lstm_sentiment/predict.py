"""Prediction: preprocess (encode) → forward → postprocess (softmax, id → label).

The CLI, the Python API and (later) the HTTP service share :class:`SentimentModel`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from lstm_sentiment.bundle import Bundle, load_bundle
from lstm_sentiment.errors import DataError
from lstm_sentiment.training.batching import EncodedDataset
from lstm_sentiment.training.metrics import classification_metrics
from lstm_sentiment.training.trainer import predict_probabilities

DEFAULT_MODEL = "default"


def default_model_path() -> Path:
    """Folder of the English model shipped inside the package."""
    return Path(str(resources.files("lstm_sentiment") / "pretrained" / DEFAULT_MODEL))


@dataclass(frozen=True)
class Prediction:
    """A label and the probability of every class."""

    text: str
    label: str
    probabilities: dict[str, float]

    @property
    def confidence(self) -> float:
        """Probability of the predicted label."""
        return self.probabilities[self.label]

    def to_dict(self) -> dict[str, Any]:
        """The JSON-lines form printed by ``predict --format json``."""
        return {"text": self.text, "label": self.label, "probabilities": self.probabilities}


class SentimentModel:
    """A trained model ready to predict.

    Example:
        >>> model = SentimentModel.load()  # the shipped English model
        >>> model.predict(["what a great film"])[0].label
        'positive'
    """

    def __init__(self, bundle: Bundle, batch_size: int = 256) -> None:
        self.bundle = bundle
        self.batch_size = batch_size

    @classmethod
    def load(cls, path: str | Path | None = None) -> SentimentModel:
        """Load a bundle folder; without ``path`` the shipped default model."""
        return cls(load_bundle(default_model_path() if path is None else path))

    @property
    def labels(self) -> list[str]:
        """Class names in output order."""
        return self.bundle.labels

    def _encode(self, texts: Sequence[str]) -> EncodedDataset:
        if isinstance(texts, str):
            raise TypeError("predict() takes a list of texts, not a single string")
        for position, text in enumerate(texts, start=1):
            if not isinstance(text, str) or not text.strip():
                raise DataError(f"text {position} is empty: give some words to classify")
        encoder = self.bundle.encoder
        return EncodedDataset(encoder.encode_many(texts), None, encoder.vocab.pad_id)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Class probabilities ``[len(texts), num_classes]``."""
        if len(texts) == 0:
            return np.zeros((0, len(self.labels)), dtype=np.float32)
        return predict_probabilities(self.bundle.model, self._encode(texts), self.batch_size)

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        """Label and class probabilities for each text."""
        probabilities = self.predict_proba(texts)
        return [
            Prediction(
                text=text,
                label=self.labels[int(row.argmax())],
                probabilities={label: float(p) for label, p in zip(self.labels, row, strict=True)},
            )
            for text, row in zip(texts, probabilities, strict=True)
        ]

    def evaluate(self, texts: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
        """Metrics on labelled texts; a label the model never saw is an error."""
        known = {label: i for i, label in enumerate(self.labels)}
        unknown = sorted({label for label in labels if label not in known})
        if unknown:
            raise DataError(
                f"labels {', '.join(map(repr, unknown))} were never seen in training; the model "
                f"knows {', '.join(self.labels)} (map them with --label-map or fix the data)"
            )
        y_true = np.array([known[label] for label in labels], dtype=np.int64)
        return classification_metrics(y_true, self.predict_proba(texts), self.labels)
