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
from pathlib import Path
from typing import Any

import numpy as np
from safetensors.numpy import save_file
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from lstm_sentiment.config import NbsvmConfig, RunConfig
from lstm_sentiment.io_utils import atomic_write, write_json
from lstm_sentiment.linear.ngrams import NgramFeaturizer
from lstm_sentiment.model_card import card_footer, metric_lines, training_data_lines
from lstm_sentiment.text.tokenize import LearnedTokenizer, Tokenizer

KIND_NBSVM = "nbsvm"
"""``"kind"`` of an NBSVM bundle."""
NGRAMS_FILE = "ngrams.json"
WEIGHTS_FILE = "model.safetensors"
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

    @property
    def featurizer(self) -> NgramFeaturizer:
        """Texts → n-gram indicators over this model's columns."""
        return self._featurizer

    def features(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """Binary n-gram indicators of raw texts."""
        return self._featurizer.transform(texts)

    def logits_of(self, features: sparse.csr_matrix) -> np.ndarray:
        """Logits ``[n, rows]`` of an indicator matrix."""
        return np.asarray(features @ self._weights) + self.intercept

    def logits(self, texts: Sequence[str], batch_size: int = 0) -> np.ndarray:
        """Logits ``[len(texts), rows]`` (``batch_size`` is not needed: one sparse product)."""
        return self.logits_of(self.features(texts))

    @property
    def held_out_validation(self) -> bool:
        """``nbsvm.refit`` trains on the validation split too."""
        return bool(self.info.get("validation_held_out", True))

    def bundle_header(self) -> dict[str, Any]:
        return {
            **self.info,
            "labels": self.labels,
            "tokenizer": self.tokenizer.to_dict(),
            "max_order": self.max_order,
            "n_features": len(self.vocabulary),
            "outputs": "binary" if len(self.labels) == 2 else "one-vs-rest",
            "config": self.config.to_dict(),
            "temperature": self.temperature,
        }

    def write_files(self, directory: Path) -> None:
        arrays = {RATIO_KEY: self.ratios, COEF_KEY: self.coef, INTERCEPT_KEY: self.intercept}
        atomic_write(directory / WEIGHTS_FILE, lambda tmp: save_file(arrays, str(tmp)))
        if isinstance(self.tokenizer, LearnedTokenizer):
            self.tokenizer.save(directory)
        write_json(directory / NGRAMS_FILE, {"ngrams": self.vocabulary})

    def model_card(self, environment: dict[str, str]) -> str:
        """Markdown card of an NBSVM bundle: features, chosen settings, data and measurements."""
        cfg = self.config
        chosen = self.info.get("chosen", {})
        held_out = self.info.get("validation_held_out", True)
        lines = [
            "# lstm-sentiment model (NBSVM)",
            "",
            "NBSVM (Wang & Manning 2012): logistic regression on binary word 1.."
            f"{self.max_order}-grams scaled by their naive Bayes log-count ratio; "
            f"{len(self.vocabulary):,} n-grams (found in ≥ {cfg.nbsvm.min_df} training texts), "
            f"C = {chosen.get('c', '?')}, chosen on validation by {chosen.get('monitor', '?')}"
            + ("" if len(self.labels) == 2 else "; one classifier per class against the rest")
            + ".",
            "",
            f"Labels: {', '.join(self.labels)}.",
            "",
            "## Training data",
            *training_data_lines(cfg),
            f"- text: tokenizer `{cfg.text.tokenizer}`, lowercase {cfg.text.lowercase}, "
            "whole texts",
            "- trained on the training part only: the validation split is held out"
            if held_out
            else "- refitted on train + validation after choosing (validation is not held out; its "
            "numbers below come from the model before the refit)",
            "",
            "## Measured",
            *metric_lines(self.metrics, "validation"),
            *metric_lines(self.metrics, "test"),
            "",
            "## Limits",
            "- A bag of n-grams: word order beyond the longest n-gram and negation scope are not",
            "  modelled; n-grams never seen in training are ignored.",
            "- Trained on one domain: measure on your data with `lstm-sentiment evaluate`.",
        ]
        return card_footer(lines, environment)
