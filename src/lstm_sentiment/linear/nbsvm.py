"""NBSVM (Wang & Manning 2012, "Baselines and Bigrams"): a linear model on binary n-grams
scaled by their naive Bayes log-count ratio.

For two classes, with ``x`` the binary n-gram vector of a text and ``α`` a smoothing count::

    p = α + Σ x over positive texts,  q = α + Σ x over negative texts
    r = log((p / ‖p‖₁) / (q / ‖q‖₁))

and a logistic regression (scikit-learn's liblinear; the paper used an SVM) is trained on
``x ∘ r``. Its logit ``z`` gives ``P(labels[1]) = sigmoid(z)``; like the neural models'
single sigmoid logit it is stored as one output. With more classes each class gets its own
``r`` and its own classifier against the rest (one-vs-rest) and the softmax of the per-class
logits gives the probabilities. Either way a softmax temperature fitted on validation
calibrates them.

The bundle holds no pickle: the n-gram vocabulary (column order) is JSON, ``r``, the weights
and the intercepts are a safetensors file of numpy arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from safetensors import SafetensorError
from safetensors.numpy import load_file, save_file
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from lstm_sentiment.bundle import (
    BUNDLE_FORMAT,
    BUNDLE_VERSION,
    CARD_FILE,
    CONFIG_FILE,
    METRICS_FILE,
    WEIGHTS_FILE,
    environment_info,
    read_header,
    read_json,
)
from lstm_sentiment.config import NbsvmConfig, RunConfig
from lstm_sentiment.errors import BundleError, LstmSentimentError
from lstm_sentiment.io_utils import atomic_write, write_json, write_text
from lstm_sentiment.linear.ngrams import NgramFeaturizer
from lstm_sentiment.scorer import KIND_NBSVM
from lstm_sentiment.text.tokenize import LearnedTokenizer, Tokenizer, tokenizer_from_dict

NGRAMS_FILE = "ngrams.json"
RATIO_KEY = "log_count_ratio"
COEF_KEY = "coef"
INTERCEPT_KEY = "intercept"


def target_rows(num_classes: int) -> list[int]:
    """The class each output row scores: ``labels[1]`` for two classes, else every class."""
    return [1] if num_classes == 2 else list(range(num_classes))


def log_count_ratios(
    features: sparse.csr_matrix, y: np.ndarray, num_classes: int, alpha: float
) -> np.ndarray:
    """NB log-count ratio ``r`` of each output row (class vs the rest), ``[rows, n_features]``."""
    one_hot = sparse.csr_matrix(
        (np.ones(len(y)), (y, np.arange(len(y)))), shape=(num_classes, len(y))
    )
    per_class = np.asarray((one_hot @ features).todense(), dtype=np.float64)
    total = per_class.sum(axis=0)
    ratios = []
    for row in target_rows(num_classes):
        p = per_class[row] + alpha
        q = total - per_class[row] + alpha
        ratios.append(np.log(p / p.sum()) - np.log(q / q.sum()))
    return np.vstack(ratios)


def scale_columns(features: sparse.csr_matrix, scale: np.ndarray) -> sparse.csr_matrix:
    """``features ∘ scale`` (every row multiplied elementwise by ``scale``)."""
    scaled = features.copy()
    scaled.data = scaled.data * scale[scaled.indices].astype(scaled.dtype)
    return scaled


def fit_rows(
    features: sparse.csr_matrix,
    y: np.ndarray,
    ratios: np.ndarray,
    c: float,
    config: NbsvmConfig,
    seed: int,
    sample_weight: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Weights ``[rows, n_features]`` (on ``x ∘ r``) and intercepts ``[rows]`` of each row's
    logistic regression, interpolated by ``config.beta``.

    Args:
        features: Binary n-gram indicators of the training texts.
        y: Their class ids.
        ratios: :func:`log_count_ratios` of the same texts (one row for two classes).
        c: Inverse regularisation strength.
        config: ``beta`` and ``max_iter`` are used.
        seed: Seed of liblinear's coordinate order.
        sample_weight: Per-text loss weight (class weights), or ``None``.
    """
    num_classes = 2 if len(ratios) == 1 else len(ratios)
    coefs, intercepts = [], []
    for ratio, row in zip(ratios, target_rows(num_classes), strict=True):
        # The dual liblinear solver suits many more features than texts.
        classifier = LogisticRegression(
            C=c, solver="liblinear", dual=True, max_iter=config.max_iter, random_state=seed
        )
        classifier.fit(scale_columns(features, ratio), y == row, sample_weight=sample_weight)
        w = classifier.coef_[0]
        if config.beta < 1.0:
            w = (1.0 - config.beta) * np.abs(w).mean() + config.beta * w
        coefs.append(w)
        intercepts.append(classifier.intercept_[0])
    return np.vstack(coefs), np.asarray(intercepts)


@dataclass
class NbsvmModel:
    """A trained NBSVM: tokenizer, n-gram vocabulary, ratios, weights, labels and config."""

    tokenizer: Tokenizer
    vocabulary: list[str]
    """n-grams in column order."""
    max_order: int
    ratios: np.ndarray
    """``r`` per output row, ``[rows, n_features]`` (one row for two classes)."""
    coef: np.ndarray
    """Logistic-regression weights on ``x ∘ r``, ``[rows, n_features]``."""
    intercept: np.ndarray
    labels: list[str]
    config: RunConfig
    temperature: float = 1.0
    metrics: dict[str, Any] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)
    """Extra header fields (chosen settings, whether validation was held out)."""
    kind: str = KIND_NBSVM

    def __post_init__(self) -> None:
        self.ratios = np.ascontiguousarray(self.ratios, dtype=np.float32)
        self.coef = np.ascontiguousarray(self.coef, dtype=np.float32)
        self.intercept = np.ascontiguousarray(self.intercept, dtype=np.float32).reshape(-1)
        rows = len(target_rows(len(self.labels)))
        shape = (rows, len(self.vocabulary))
        if self.ratios.shape != shape or self.coef.shape != shape or len(self.intercept) != rows:
            raise ValueError(
                f"ratios {self.ratios.shape}, coef {self.coef.shape} and intercept "
                f"{self.intercept.shape} do not fit {len(self.labels)} labels and "
                f"{len(self.vocabulary)} n-grams"
            )
        # x·(r∘w) = (x∘r)·w: prediction is one sparse-dense product.
        self._weights = np.ascontiguousarray((self.ratios * self.coef).T)
        self._featurizer = NgramFeaturizer(self.tokenizer, self.vocabulary, self.max_order)

    @property
    def label_map(self) -> dict[str, str]:
        return dict(self.config.data.label_map)

    @property
    def calibration_bins(self) -> int:
        return self.config.train.calibration_bins

    @property
    def description(self) -> str:
        chosen = self.info.get("chosen", {})
        c = f", C={chosen['c']:g}" if "c" in chosen else ""
        return f"nbsvm: 1..{self.max_order}-grams, {len(self.vocabulary):,} features{c}"

    def features(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """Binary n-gram indicators of raw texts."""
        return self._featurizer.transform(texts)

    def logits_of(self, features: sparse.csr_matrix) -> np.ndarray:
        """Logits ``[n, rows]`` of an indicator matrix."""
        return np.asarray(features @ self._weights) + self.intercept

    def logits(self, texts: Sequence[str], batch_size: int = 0) -> np.ndarray:
        """Logits ``[len(texts), rows]`` (``batch_size`` is not needed: one sparse product)."""
        return self.logits_of(self.features(texts))


def save_nbsvm(directory: str | Path, model: NbsvmModel, card: str) -> Path:
    """Write ``model`` as a bundle folder (each file atomically, the header last)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    header = {
        "format": BUNDLE_FORMAT,
        "format_version": BUNDLE_VERSION,
        "kind": KIND_NBSVM,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "environment": environment_info(),
        "labels": model.labels,
        "tokenizer": model.tokenizer.to_dict(),
        "max_order": model.max_order,
        "n_features": len(model.vocabulary),
        "outputs": "binary" if len(model.labels) == 2 else "one-vs-rest",
        "config": model.config.to_dict(),
        **model.info,
        "temperature": model.temperature,
    }
    arrays = {RATIO_KEY: model.ratios, COEF_KEY: model.coef, INTERCEPT_KEY: model.intercept}
    atomic_write(directory / WEIGHTS_FILE, lambda tmp: save_file(arrays, str(tmp)))
    if isinstance(model.tokenizer, LearnedTokenizer):
        model.tokenizer.save(directory)
    write_json(directory / NGRAMS_FILE, {"ngrams": model.vocabulary})
    write_json(directory / METRICS_FILE, model.metrics)
    write_text(directory / CARD_FILE, card)
    write_json(directory / CONFIG_FILE, header)
    return directory


_HEADER_KEYS = {"format", "format_version", "kind", "created", "environment", "labels"}
_HEADER_KEYS |= {"tokenizer", "max_order", "n_features", "outputs", "config", "temperature"}


def load_nbsvm(directory: str | Path) -> NbsvmModel:
    """Load an NBSVM bundle folder, checking its header, files and shapes."""
    directory = Path(directory)
    header = read_header(directory)
    weights_path = directory / WEIGHTS_FILE
    try:
        config = RunConfig.from_dict(header["config"])
        labels = [str(label) for label in header["labels"]]
        tokenizer = tokenizer_from_dict(header["tokenizer"], directory)
        max_order = int(header["max_order"])
        temperature = float(header.get("temperature", 1.0))
        if not temperature > 0:
            raise ValueError(f"temperature must be > 0, got {temperature}")
        vocabulary = read_json(directory / NGRAMS_FILE)["ngrams"]
        if not isinstance(vocabulary, list) or len(vocabulary) != int(header["n_features"]):
            raise ValueError(f"{NGRAMS_FILE} does not hold the header's n_features n-grams")
    except BundleError:
        raise
    except (KeyError, TypeError, ValueError, LstmSentimentError) as exc:
        raise BundleError(f"bundle {directory} has an invalid {CONFIG_FILE} ({exc})") from None
    if not weights_path.is_file():
        raise BundleError(f"model bundle {directory} is missing {WEIGHTS_FILE}; re-train it")
    try:
        arrays = load_file(str(weights_path))
        model = NbsvmModel(
            tokenizer=tokenizer,
            vocabulary=[str(gram) for gram in vocabulary],
            max_order=max_order,
            ratios=arrays[RATIO_KEY],
            coef=arrays[COEF_KEY],
            intercept=arrays[INTERCEPT_KEY],
            labels=labels,
            config=config,
            temperature=temperature,
            info={key: value for key, value in header.items() if key not in _HEADER_KEYS},
        )
    except (SafetensorError, KeyError, ValueError, OSError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise BundleError(
            f"{weights_path} is corrupt or does not match {CONFIG_FILE} ({first[:160]}); "
            "re-save or re-train the model"
        ) from None
    metrics_path = directory / METRICS_FILE
    model.metrics = read_json(metrics_path) if metrics_path.is_file() else {}
    return model
