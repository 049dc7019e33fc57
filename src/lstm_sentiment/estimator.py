"""A scikit-learn classifier over :func:`lstm_sentiment.pipeline.train`, as the slides wrap Keras.

``LSTMSentimentClassifier`` follows scikit-learn's estimator contract, so ``GridSearchCV``,
``cross_val_score`` and ``Pipeline`` work on it with raw texts as ``X``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    check_array,
    check_consistent_length,
    check_is_fitted,
    column_or_1d,
)

from lstm_sentiment.config import RunConfig
from lstm_sentiment.data import Example
from lstm_sentiment.errors import DataError

PARAM_KEYS = {
    "architecture": "model.architecture",
    "hidden_size": "model.hidden_size",
    "num_layers": "model.num_layers",
    "bidirectional": "model.bidirectional",
    "dropout": "model.dropout",
    "epochs": "train.epochs",
    "batch_size": "train.batch_size",
    "lr": "train.lr",
    "optimizer": "train.optimizer",
    "patience": "train.patience",
    "max_length": "text.max_length",
    "min_freq": "text.min_freq",
    "vectors": "vectors.source",
    "validation_fraction": "data.validation_fraction",
    "random_state": "train.seed",
    "threads": "train.threads",
}
"""Constructor parameter → config key it sets (``None`` keeps the config's value)."""


class InvalidInputError(DataError, ValueError):
    """Input scikit-learn rejects with a ``ValueError`` (wrong ``X`` or ``y``)."""


class LSTMSentimentClassifier(ClassifierMixin, BaseEstimator):
    """Text classifier trained by the lstm-sentiment pipeline (tokenize → vocabulary → vectors →
    LSTM-family model → calibrated probabilities).

    ``X`` is a sequence of raw texts (list, 1-D array or pandas Series of strings), ``y`` their
    labels (strings or numbers). Each ``fit`` trains a fresh model with :func:`train` in a
    temporary folder (or ``work_dir``), carving its validation split (early stopping and the
    probability temperature) out of ``X`` as ``train`` does.

    Parameters
    ----------
    architecture, hidden_size, num_layers, bidirectional, dropout : optional
        ``model.*`` config keys (``lstm``, ``gru``, ``cnn``, ``cnn_lstm``, ...).
    epochs, batch_size, lr, optimizer, patience : optional
        ``train.*`` config keys.
    max_length, min_freq : optional
        ``text.max_length`` (0 = from the data) and ``text.min_freq``.
    vectors : str, optional
        ``vectors.source``: ``glove-6b-50d``, a GloVe/word2vec file, or ``none``.
    validation_fraction : float, optional
        Share of ``X`` held out for early stopping and calibration.
    random_state : int, optional
        ``train.seed`` (weights, split and batch order).
    threads : int, optional
        Torch CPU threads (0 = all cores).
    config : RunConfig, dict or path, optional
        Base configuration for every other setting; the parameters above override it when
        they are not ``None``.
    work_dir : str, optional
        Keep the run folder (bundle, metrics, plots) here instead of a temporary folder.

    Attributes
    ----------
    classes_ : ndarray
        The labels seen in ``fit``, sorted; ``predict_proba`` columns follow this order.
    model_ : SentimentModel
        The trained model (its ``bundle`` holds the weights, vocabulary and config).
    config_ : RunConfig
        The configuration trained, with data-derived (auto) values resolved.
    history_ : list of EpochRecord
        Per-epoch training and validation loss and accuracy.
    validation_metrics_ : dict
        Accuracy, macro-F1, log loss, ... on the held-out validation split.

    Notes
    -----
    scikit-learn's generic estimator checks feed 2-D numeric arrays, which are not text, so
    :func:`sklearn.utils.estimator_checks.check_estimator` skips this estimator (its tags say
    ``input_tags.two_d_array = False, string = True``). The checks that do not depend on the
    data type pass and run in the tests (cloning, ``get_params``/``set_params``, repr, no
    attributes set in ``__init__``, defaults constructible, mixin order, tags, unfitted
    ``predict`` raising ``NotFittedError``, target validation: regression targets, NaN in
    ``y``, a single class). The data-dependent ones are re-done on texts there: ``fit`` returns
    ``self`` and changes no parameter, ``fit`` twice gives the same model, ``predict`` is
    invariant to sample order and subsets, pickling round-trips, ``classes_`` and
    ``predict_proba`` agree, lists/arrays/Series are accepted.

    Examples
    --------
    >>> from sklearn.model_selection import GridSearchCV
    >>> search = GridSearchCV(
    ...     LSTMSentimentClassifier(vectors="none", hidden_size=16),
    ...     {"batch_size": [10, 20, 40], "epochs": [1, 2, 3]},
    ...     cv=3,
    ... )
    >>> search.fit(texts, labels)  # doctest: +SKIP
    >>> search.best_params_  # doctest: +SKIP
    """

    def __init__(
        self,
        *,
        architecture: str | None = None,
        hidden_size: int | None = None,
        num_layers: int | None = None,
        bidirectional: bool | None = None,
        dropout: float | None = None,
        epochs: int | None = None,
        batch_size: int | None = None,
        lr: float | None = None,
        optimizer: str | None = None,
        patience: int | None = None,
        max_length: int | None = None,
        min_freq: int | None = None,
        vectors: str | None = None,
        validation_fraction: float | None = None,
        random_state: int | None = None,
        threads: int | None = None,
        config: RunConfig | dict[str, Any] | str | Path | None = None,
        work_dir: str | Path | None = None,
    ) -> None:
        self.architecture = architecture
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.epochs = epochs
        self.batch_size = batch_size
        self.lr = lr
        self.optimizer = optimizer
        self.patience = patience
        self.max_length = max_length
        self.min_freq = min_freq
        self.vectors = vectors
        self.validation_fraction = validation_fraction
        self.random_state = random_state
        self.threads = threads
        self.config = config
        self.work_dir = work_dir

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        return tags

    def run_config(self) -> RunConfig:
        """The configuration ``fit`` trains: ``config`` with the non-``None`` parameters set."""
        if self.config is None:
            base = RunConfig()
        elif isinstance(self.config, RunConfig):
            base = self.config
        elif isinstance(self.config, dict):
            base = RunConfig.from_dict(self.config)
        else:
            base = RunConfig.from_file(self.config)
        raw = base.to_dict()
        for param, key in PARAM_KEYS.items():
            value = getattr(self, param)
            if value is not None:
                section, name = key.split(".")
                raw[section][name] = value
        return RunConfig.from_dict(raw)

    def fit(self, X: Sequence[str], y: Sequence[Any]) -> LSTMSentimentClassifier:
        """Train a model on texts ``X`` with labels ``y``; returns ``self``."""
        from lstm_sentiment.pipeline import train
        from lstm_sentiment.predict import SentimentModel

        # y first: scikit-learn expects target errors ("Unknown label type", NaN) whatever X is.
        if y is None:
            raise InvalidInputError(
                f"{type(self).__name__} requires y to be passed, but the target y is None"
            )
        y = column_or_1d(check_array(y, ensure_2d=False, dtype=None, input_name="y"), warn=True)
        check_classification_targets(y)
        classes = np.unique(y)
        if len(classes) < 2:
            raise InvalidInputError(
                f"{type(self).__name__} needs at least two classes in y; got {len(classes)}"
            )
        names = [str(label) for label in classes]
        if len(set(names)) != len(names):
            raise InvalidInputError("labels must stay distinct as strings (e.g. not 1 and '1')")
        texts = _texts(X)
        check_consistent_length(texts, y)
        config = self.run_config()
        examples = [Example(text, str(label)) for text, label in zip(texts, y, strict=True)]
        if self.work_dir is not None:
            result = train(config, self.work_dir, overwrite=True, examples=(examples, []))
            model = SentimentModel.load(result.model_dir)
        else:
            with tempfile.TemporaryDirectory(prefix="lstm-sentiment-") as run_dir:
                result = train(config, run_dir, examples=(examples, []))
                model = SentimentModel.load(result.model_dir)
        self.classes_ = classes
        self.model_ = model
        self.config_ = model.config
        self.history_ = result.fit.history
        self.validation_metrics_ = result.metrics["validation"]
        # predict_proba columns in classes_ order (the bundle sorts labels as strings).
        self._columns = np.array([model.labels.index(name) for name in names])
        return self

    def predict_proba(self, X: Sequence[str]) -> np.ndarray:
        """Calibrated class probabilities, columns in ``classes_`` order."""
        check_is_fitted(self)
        texts = _texts(X, allow_empty=False)
        return self.model_.predict_proba(texts)[:, self._columns]

    def predict(self, X: Sequence[str]) -> np.ndarray:
        """The most probable label of each text (values from ``classes_``)."""
        probabilities = self.predict_proba(X)  # checks that the model is fitted
        return self.classes_[np.argmax(probabilities, axis=1)]


def _texts(X: Any, *, allow_empty: bool = True) -> list[str]:
    """``X`` as a list of strings: a list, tuple, 1-D array, one-column 2-D array or Series."""
    if isinstance(X, str):
        raise InvalidInputError("X must be a sequence of texts, not a single string")
    array = np.asarray(X, dtype=object)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        raise InvalidInputError(
            f"X must be a 1-D sequence of texts (strings); got an array of shape {array.shape}"
        )
    texts = array.tolist()
    for position, text in enumerate(texts):
        if not isinstance(text, str):
            raise InvalidInputError(
                f"X must hold texts (strings); item {position} is {type(text).__name__}"
            )
        if not allow_empty and not text.strip():
            raise InvalidInputError(f"X item {position} is an empty text: nothing to classify")
    return texts
