"""The model-kind registry: one place that knows every kind of model.

Every bundle's ``config.json`` says its ``"kind"``; :func:`load_model` reads it and asks that
kind to load the folder. :func:`kind_for` finds the kind that trains a configuration's
``model.architecture``. Nothing below this module imports it: kinds implement
:class:`~lstm_sentiment.kinds.base.ModelKind` and are listed here, so a new kind is one entry.
Kind modules are imported on first use (prediction with an NBSVM model never imports torch).
"""

from __future__ import annotations

import importlib
from pathlib import Path

from lstm_sentiment.bundle import environment_info, read_header, write_bundle
from lstm_sentiment.config import ModelConfig
from lstm_sentiment.errors import BundleError, ConfigError
from lstm_sentiment.kinds.base import ModelKind, Scorer

KIND_NEURAL = "neural"
KIND_NBSVM = "nbsvm"
KIND_ENSEMBLE = "ensemble"
KIND_PRETRAINED = "pretrained"
"""A language model from ``lstm-sentiment pretrain``: it initialises classifiers, never
predicts labels itself."""

_KINDS: dict[str, tuple[str, str]] = {
    KIND_NBSVM: ("lstm_sentiment.kinds.nbsvm", "NbsvmKind"),
    KIND_NEURAL: ("lstm_sentiment.kinds.neural", "NeuralKind"),
    KIND_ENSEMBLE: ("lstm_sentiment.kinds.ensemble", "EnsembleKind"),
}
"""Kind name → (module, class) of its :class:`ModelKind`, in the order :func:`kind_for` asks."""


def kind_names() -> list[str]:
    """Every registered kind."""
    return list(_KINDS)


def get_kind(name: str) -> ModelKind:
    """The kind registered as ``name``."""
    if name == KIND_PRETRAINED:
        raise BundleError(
            "this is a pretrained language model (lstm-sentiment pretrain), not a classifier: "
            "train one from it with --set model.encoder_init=PATH"
        )
    if name not in _KINDS:
        raise BundleError(
            f"model kind {name!r} is not known to this version (it reads "
            f"{', '.join(_KINDS)}): upgrade lstm-sentiment"
        )
    module, attribute = _KINDS[name]
    kind: ModelKind = getattr(importlib.import_module(module), attribute)()
    return kind


def kind_for(config: ModelConfig) -> ModelKind:
    """The kind that trains ``config.architecture``."""
    for name in _KINDS:
        kind = get_kind(name)
        if kind.trains(config):
            return kind
    from lstm_sentiment.models.registry import ARCHITECTURES

    valid = [*ARCHITECTURES, "nbsvm"]
    raise ConfigError(
        f"unknown model.architecture {config.architecture!r}; valid: {', '.join(valid)}"
    )


def describe(config: ModelConfig) -> str:
    """One line describing the architecture ``config`` builds, whatever its kind."""
    return kind_for(config).describe(config)


def bundle_kind(directory: str | Path) -> str:
    """The kind of the bundle in ``directory`` (its header checked; no kind means neural)."""
    kind = str(read_header(directory, verify=False).get("kind", KIND_NEURAL))
    get_kind(kind)
    return kind


def load_model(directory: str | Path) -> Scorer:
    """Load a bundle folder of any kind (format, version, manifest and files checked)."""
    directory = Path(directory)
    header = read_header(directory)
    kind = get_kind(str(header.get("kind", KIND_NEURAL)))
    return kind.load(directory, header, load_model)


def save_model(directory: str | Path, model: Scorer, card: str | None = None) -> Path:
    """Write a model of any kind as a bundle folder (atomically, with its manifest)."""
    return write_bundle(
        directory,
        kind=model.kind,
        header=model.bundle_header(),
        metrics=model.metrics,
        card=model.model_card(environment_info()) if card is None else card,
        write_files=model.write_files,
    )


__all__ = [
    "KIND_ENSEMBLE",
    "KIND_NBSVM",
    "KIND_NEURAL",
    "ModelKind",
    "Scorer",
    "bundle_kind",
    "describe",
    "get_kind",
    "kind_for",
    "kind_names",
    "load_model",
    "save_model",
]
