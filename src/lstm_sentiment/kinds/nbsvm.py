"""The NBSVM kind (``model.architecture = "nbsvm"``): load, describe and train linear NB-weighted
n-gram models (:mod:`lstm_sentiment.linear`)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from safetensors import SafetensorError
from safetensors.numpy import load_file

from lstm_sentiment.bundle import CONFIG_FILE, METRICS_FILE, bundle_path, read_json
from lstm_sentiment.config import NBSVM_ARCHITECTURE, ModelConfig, RunConfig
from lstm_sentiment.errors import BundleError, ConfigError, LstmSentimentError
from lstm_sentiment.kinds.base import FitOptions, Fitted, MemberLoader
from lstm_sentiment.linear.nbsvm import (
    COEF_KEY,
    INTERCEPT_KEY,
    KIND_NBSVM,
    NGRAMS_FILE,
    RATIO_KEY,
    WEIGHTS_FILE,
    NbsvmModel,
)
from lstm_sentiment.text.tokenize import tokenizer_from_dict

if TYPE_CHECKING:
    from lstm_sentiment.preparation import PreparedData


_HEADER_KEYS = {"format", "format_version", "kind", "created", "environment", "labels"}
"""Header fields every save writes afresh (the rest is the model's own ``info``)."""
_HEADER_KEYS |= {"tokenizer", "max_order", "n_features", "outputs", "config", "temperature"}


def load_nbsvm(directory: Path, header: dict[str, Any]) -> NbsvmModel:
    """An NBSVM bundle folder whose header is read and checked (files and shapes checked)."""
    weights_path = bundle_path(directory, WEIGHTS_FILE)
    try:
        config = RunConfig.from_dict(header["config"])
        labels = [str(label) for label in header["labels"]]
        tokenizer = tokenizer_from_dict(header["tokenizer"], directory)
        max_order = int(header["max_order"])
        temperature = float(header.get("temperature", 1.0))
        if not (temperature > 0 and math.isfinite(temperature)):
            raise ValueError(f"temperature must be > 0, got {temperature}")
        vocabulary = read_json(bundle_path(directory, NGRAMS_FILE))["ngrams"]
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
    return _finite(model, weights_path)


def _finite(model: NbsvmModel, path: Path) -> NbsvmModel:
    for name, array in (
        ("ratios", model.ratios),
        ("coef", model.coef),
        ("intercept", model.intercept),
    ):
        if not np.isfinite(array).all():
            raise BundleError(
                f"{path} holds non-finite {name} (NaN or infinity); re-train the model"
            )
    return model


@dataclass(frozen=True)
class NbsvmKind:
    """Linear models on NB-weighted binary n-grams (Wang & Manning 2012)."""

    name: str = KIND_NBSVM

    def trains(self, config: ModelConfig) -> bool:
        return config.architecture == NBSVM_ARCHITECTURE

    def describe(self, config: ModelConfig) -> str:
        return "NBSVM: logistic regression on NB log-count-ratio scaled binary n-grams"

    def fit(self, config: RunConfig, data: PreparedData, options: FitOptions) -> Fitted:
        from lstm_sentiment.linear.train import fit_nbsvm

        if config.data.soft_labels:
            raise ConfigError(
                "data.soft_labels trains neural models: NBSVM learns from labels; turn it off "
                "for this model"
            )
        return fit_nbsvm(config, data)

    def load(
        self, directory: Path, header: dict[str, Any], load_member: MemberLoader
    ) -> NbsvmModel:
        return load_nbsvm(directory, header)
