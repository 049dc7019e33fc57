"""Fine-tuning: a run that continues training a saved neural model (``train.init_from``).

The saved model's tokenizer, vocabulary, ``[text]`` and ``[model]`` settings and weights (its
NB tables and lexicon features included) replace the run's, so the network reads text exactly
as it did; the run's ``[data]`` and ``[train]`` settings say what it learns next and how.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Any

from safetensors import SafetensorError
from safetensors.torch import load_file
from torch import nn

from lstm_sentiment.bundle import bundle_path, read_header
from lstm_sentiment.config import RunConfig
from lstm_sentiment.errors import ConfigError, DataError, LstmSentimentError
from lstm_sentiment.kinds.neural_files import KIND_NEURAL, WEIGHTS_FILE, NeuralParts
from lstm_sentiment.kinds.neural_files import read_neural_parts as read_parts
from lstm_sentiment.shipped import DEFAULT_MODEL, default_model_path

logger = logging.getLogger(__name__)


def init_folder(name: str) -> Path:
    """The bundle folder ``train.init_from`` names (``default``: the shipped model)."""
    return default_model_path() if name == DEFAULT_MODEL else Path(name)


def read_init_parts(config: RunConfig) -> NeuralParts:
    """The encoder, labels and settings of the model ``train.init_from`` names, or a one-line
    :class:`ConfigError` saying why it cannot be fine-tuned."""
    folder = init_folder(config.train.init_from)
    try:
        header = read_header(folder)
        kind = header.get("kind", KIND_NEURAL)
        if kind != KIND_NEURAL:
            raise ConfigError(
                f"train.init_from {folder} is a {kind} model: only a neural model can be "
                "fine-tuned (train a new one instead)"
            )
        return read_parts(folder, header)
    except ConfigError:
        raise
    except LstmSentimentError as exc:
        raise ConfigError(f"train.init_from: {exc}") from None


def fine_tuning_config(config: RunConfig) -> RunConfig:
    """``config`` with the ``[text]`` and ``[model]`` settings of the model it starts from (the
    network must be rebuilt exactly as it was saved)."""
    for setting in ("encoder_init", "region_init", "lstm_region_init"):
        if getattr(config.model, setting):
            raise ConfigError(
                f"train.init_from and model.{setting} both initialise the network: set one "
                "(a fine-tune keeps the region embeddings its model has)"
            )
    saved = read_init_parts(config).config
    if saved.model.encoder_init:  # its weights already hold what the language model gave
        saved = dataclasses.replace(saved, model=dataclasses.replace(saved.model, encoder_init=""))
    model = saved.model
    if config.model.nb_length_gate and not model.nb_length_gate:  # added, starting open
        if not model.nb_ngrams:
            raise ConfigError(
                f"model.nb_length_gate scales the NB n-gram path, and train.init_from "
                f"{config.train.init_from} has none: leave the gate out"
            )
        model = dataclasses.replace(model, nb_length_gate=True)
    logger.info("fine-tuning %s (its [text] and [model] settings)", config.train.init_from)
    return dataclasses.replace(config, text=saved.text, model=model)


def check_labels(config: RunConfig, labels: list[str]) -> None:
    """Refuse data whose labels are not the saved model's (its output layer is fixed)."""
    saved = read_init_parts(config).labels
    if list(labels) != list(saved):
        raise DataError(
            f"the data's labels ({', '.join(labels)}) are not those of train.init_from "
            f"({', '.join(saved)}): map them with data.label_map, or train a new model"
        )


ADDED_BY_FINE_TUNE = ("nb.gate_slope", "nb.gate_offset")
"""Tensors a fine-tune may add to the saved network (``model.nb_length_gate``); they keep
their starting values."""


def load_init_weights(model: nn.Module, config: RunConfig) -> list[str]:
    """Copy the saved model's weights into ``model`` (built from :func:`fine_tuning_config`);
    return the names of the tensors set."""
    folder = init_folder(config.train.init_from)
    path = bundle_path(folder, WEIGHTS_FILE)
    try:
        weights: dict[str, Any] = load_file(str(path))
        added = {name for name in ADDED_BY_FINE_TUNE if name not in weights}
        outcome = model.load_state_dict(weights, strict=False)
        if outcome.unexpected_keys or set(outcome.missing_keys) - added:
            model.load_state_dict(weights)  # raises, naming what does not fit
    except (SafetensorError, RuntimeError, OSError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(
            f"train.init_from {folder}: its weights cannot be loaded ({first[:160]})"
        ) from None
    logger.info("%d tensors initialised from %s", len(weights), folder)
    return sorted(weights)
