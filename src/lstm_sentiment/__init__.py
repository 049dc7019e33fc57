"""lstm-sentiment: raw text to sentiment predictions with LSTM-family classifiers.

Importing the package loads no data or model; heavy modules are imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["LSTMSentimentClassifier", "Prediction", "RunConfig", "SentimentModel", "train"]

if TYPE_CHECKING:
    from lstm_sentiment.config import RunConfig
    from lstm_sentiment.estimator import LSTMSentimentClassifier
    from lstm_sentiment.pipeline import train
    from lstm_sentiment.predict import Prediction, SentimentModel

_LAZY = {
    "RunConfig": "lstm_sentiment.config",
    "train": "lstm_sentiment.pipeline",
    "SentimentModel": "lstm_sentiment.predict",
    "Prediction": "lstm_sentiment.predict",
    "LSTMSentimentClassifier": "lstm_sentiment.estimator",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'lstm_sentiment' has no attribute {name!r}")
