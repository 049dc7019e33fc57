"""Training NBSVM (``model.architecture = "nbsvm"``): the NBSVM kind's ``fit``, no torch.

The same data, tokenizer and stratified validation split as the neural models; the longest
n-gram and ``C`` are chosen on validation by ``train.monitor``. By default the model keeps only
the training part (validation stays held out, so ensembles can fit their weights on it);
``nbsvm.refit`` retrains the chosen setting on train + validation.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import sparse

from lstm_sentiment.config import RunConfig
from lstm_sentiment.data import Example
from lstm_sentiment.errors import DataError
from lstm_sentiment.inference.metrics import classification_metrics
from lstm_sentiment.inference.probabilities import softmax
from lstm_sentiment.kinds.base import Fitted
from lstm_sentiment.linear.nbsvm import (
    NbsvmModel,
    fit_rows,
    log_count_ratios,
)
from lstm_sentiment.linear.ngrams import fit_ngrams, ngram_orders
from lstm_sentiment.text.tokenize import LearnedTokenizer, build_tokenizer
from lstm_sentiment.training.trainer import FitResult
from lstm_sentiment.training.weights import class_weights

if TYPE_CHECKING:
    from lstm_sentiment.preparation import PreparedData

logger = logging.getLogger(__name__)


@dataclass
class _Fitted:
    """One fitted candidate: its columns of the full n-gram matrix and its parameters."""

    max_order: int
    c: float
    score: tuple[float, float]
    columns: np.ndarray
    ratios: np.ndarray
    coef: np.ndarray
    intercept: np.ndarray
    validation_logits: np.ndarray


def class_ids(examples: list[Example], labels: list[str], split: str) -> np.ndarray:
    """Label ids of ``examples`` (a label unseen in training is a :class:`DataError`)."""
    ids = {label: i for i, label in enumerate(labels)}
    unknown = sorted({str(ex.label) for ex in examples if str(ex.label) not in ids})
    if unknown:
        raise DataError(
            f"{split} labels {', '.join(map(repr, unknown))} do not occur in the training "
            f"split; known: {', '.join(labels)}"
        )
    return np.array([ids[str(ex.label)] for ex in examples], dtype=np.int64)


def select_columns(keep: np.ndarray, document_frequency: np.ndarray, limit: int) -> np.ndarray:
    """Indices of the kept columns; with ``limit`` only the most frequent (order preserved)."""
    columns = np.flatnonzero(keep)
    if limit and len(columns) > limit:
        top = np.argsort(-document_frequency[columns], kind="stable")[:limit]
        columns = np.sort(columns[top])
    return columns


def _score(metrics: dict[str, Any], monitor: str) -> tuple[float, float]:
    """Higher is better: the monitored metric, then (on a tie) the lower log loss."""
    log_loss = -float(metrics["log_loss"])
    return (log_loss if monitor == "loss" else float(metrics[monitor]), log_loss)


def search(
    config: RunConfig,
    fit: tuple[list[list[str]], np.ndarray],
    validation: tuple[list[list[str]], np.ndarray],
    labels: list[str],
) -> tuple[_Fitted, list[str], list[dict[str, Any]]]:
    """Fit every (longest n-gram, C) candidate on ``fit`` and keep the best on ``validation``.

    Returns:
        The best candidate, the full n-gram vocabulary its columns index, and one row per
        candidate (settings, features, validation metrics, seconds).
    """
    nbsvm, monitor = config.nbsvm, config.train.monitor
    fit_tokens, y_fit = fit
    val_tokens, y_val = validation
    vectorizer, x_fit = fit_ngrams(fit_tokens, max(nbsvm.ngram_orders), nbsvm.min_df)
    vocabulary = vectorizer.get_feature_names_out().tolist()
    x_val = vectorizer.transform(val_tokens).tocsr()
    orders = ngram_orders(vocabulary)
    frequency = x_fit.getnnz(axis=0)
    weights = class_weights(config.train.class_weights, labels, y_fit)
    sample_weight = None if weights is None else weights[y_fit]
    best: _Fitted | None = None
    grid = []
    for max_order in sorted(set(nbsvm.ngram_orders)):
        columns = select_columns(orders <= max_order, frequency, nbsvm.max_features)
        features = x_fit[:, columns]
        ratios = log_count_ratios(features, y_fit, len(labels), nbsvm.alpha)
        for c in sorted(set(nbsvm.c_values)):
            started = time.perf_counter()
            coef, intercept = fit_rows(
                features, y_fit, ratios, c, nbsvm, config.train.seed, sample_weight
            )
            logits = np.asarray(x_val[:, columns] @ (ratios * coef).T) + intercept
            metrics = classification_metrics(y_val, softmax(logits), labels)
            score = _score(metrics, monitor)
            row = {
                "max_order": max_order,
                "c": c,
                "features": len(columns),
                **{key: metrics[key] for key in ("accuracy", "macro_f1", "log_loss")},
                "seconds": time.perf_counter() - started,
            }
            grid.append(row)
            logger.info(
                "nbsvm 1..%d-grams (%d features), C=%g: validation accuracy %.4f, log loss %.4f",
                max_order,
                len(columns),
                c,
                metrics["accuracy"],
                metrics["log_loss"],
            )
            if best is None or score > best.score:  # ties keep the simpler (earlier) one
                best = _Fitted(max_order, c, score, columns, ratios, coef, intercept, logits)
    assert best is not None
    return best, vocabulary, grid


def _refit(
    config: RunConfig, tokens: list[list[str]], y: np.ndarray, labels: list[str], chosen: _Fitted
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """The chosen setting trained again on ``tokens`` (train + validation)."""
    nbsvm = config.nbsvm
    vectorizer, features = fit_ngrams(tokens, chosen.max_order, nbsvm.min_df)
    keep = np.ones(features.shape[1], dtype=bool)
    columns = select_columns(keep, features.getnnz(axis=0), nbsvm.max_features)
    features = sparse.csr_matrix(features[:, columns])
    ratios = log_count_ratios(features, y, len(labels), nbsvm.alpha)
    weights = class_weights(config.train.class_weights, labels, y)
    coef, intercept = fit_rows(
        features,
        y,
        ratios,
        chosen.c,
        nbsvm,
        config.train.seed,
        None if weights is None else weights[y],
    )
    vocabulary = vectorizer.get_feature_names_out()[columns].tolist()
    return vocabulary, ratios, coef, intercept


def fit_nbsvm(config: RunConfig, data: PreparedData) -> Fitted:
    """Choose and fit an NBSVM model on prepared data (the NBSVM kind's training).

    The longest n-gram and ``C`` are chosen on the validation split; the returned logits
    (validation from the chosen candidate before any refit, test from the final model) feed the
    shared calibration and evaluation.
    """
    fit_examples, val_examples, test_examples = data.fit, data.validation, data.test
    labels = data.labels
    timings: dict[str, float] = {}
    started = time.perf_counter()
    tokenizer = build_tokenizer(config.text)
    if isinstance(tokenizer, LearnedTokenizer):
        tokenizer.fit([ex.text for ex in fit_examples])
    fit_tokens = [tokenizer.tokenize(ex.text) for ex in fit_examples]
    val_tokens = [tokenizer.tokenize(ex.text) for ex in val_examples]
    y_fit = class_ids(fit_examples, labels, "training")
    y_val = class_ids(val_examples, labels, "validation")
    y_test = class_ids(test_examples, labels, "test")
    timings["encode_seconds"] = time.perf_counter() - started

    started = time.perf_counter()
    best, vocabulary, grid = search(config, (fit_tokens, y_fit), (val_tokens, y_val), labels)
    if config.nbsvm.refit:
        vocabulary, ratios, coef, intercept = _refit(
            config, fit_tokens + val_tokens, np.concatenate([y_fit, y_val]), labels, best
        )
    else:
        vocabulary = [vocabulary[i] for i in best.columns]
        ratios, coef, intercept = best.ratios, best.coef, best.intercept
    timings["train_seconds"] = time.perf_counter() - started
    chosen = {"max_order": best.max_order, "c": best.c, "monitor": config.train.monitor}
    model = NbsvmModel(
        tokenizer=tokenizer,
        vocabulary=vocabulary,
        max_order=best.max_order,
        ratios=ratios,
        coef=coef,
        intercept=intercept,
        labels=labels,
        config=config,
        info={"chosen": chosen, "validation_held_out": not config.nbsvm.refit},
    )
    logits = {"validation": best.validation_logits}
    targets = {"validation": y_val}
    if test_examples:
        logits["test"] = model.logits([ex.text for ex in test_examples])
        targets["test"] = y_test
    fit = FitResult(
        history=[],  # one fit per candidate, no epochs
        best_epoch=0,
        best_score=best.score[0],
        stopped_early=False,
        train_seconds=timings["train_seconds"],
        extra={"grid": grid, "chosen": chosen},
    )
    metrics = {
        "nbsvm": {**chosen, "features": len(vocabulary), "refit": config.nbsvm.refit},
        "grid": grid,
        "train_examples": len(fit_examples) + (len(val_examples) if config.nbsvm.refit else 0),
        "parameters": int(coef.size + intercept.size),
    }
    return Fitted(model, config, logits, targets, fit, metrics=metrics, timings=timings)
