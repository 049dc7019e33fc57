"""Model bundle: a folder of ``model.safetensors`` + JSON (config, vocabulary, labels, metrics).

Loading never unpickles: weights are safetensors, everything else is JSON, and the model is
rebuilt from the saved configuration.
"""

from __future__ import annotations

import json
import platform
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from torch import nn

from lstm_sentiment.config import RunConfig
from lstm_sentiment.errors import BundleError, LstmSentimentError
from lstm_sentiment.io_utils import atomic_write, write_json, write_text
from lstm_sentiment.models.registry import build_model
from lstm_sentiment.text.encode import TextEncoder
from lstm_sentiment.text.tokenize import LearnedTokenizer, tokenizer_from_dict
from lstm_sentiment.text.vocab import Vocabulary

BUNDLE_FORMAT = "lstm-sentiment-bundle"
BUNDLE_VERSION = 2
"""Newest bundle format this release reads. Version 2 added model kinds (``"kind"`` in the
header: ``nbsvm`` and ``ensemble`` bundles say 2, so older releases ask for an upgrade)."""
NEURAL_BUNDLE_VERSION = 1
"""What neural bundles write: their layout did not change, older releases still read them."""
KIND_NEURAL = "neural"
"""``"kind"`` of a torch model bundle (bundles without a kind are neural)."""
WEIGHTS_FILE = "model.safetensors"
CONFIG_FILE = "config.json"
VOCAB_FILE = "vocab.json"
METRICS_FILE = "metrics.json"
CARD_FILE = "README.md"


@dataclass
class Bundle:
    """Everything needed to predict: the model, its encoder, labels, config and metrics."""

    model: nn.Module
    encoder: TextEncoder
    labels: list[str]
    config: RunConfig
    metrics: dict[str, Any] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)
    temperature: float = 1.0
    """Softmax temperature fitted on validation (calibration); 1 leaves the logits as they are."""


def package_version() -> str:
    """Installed version of this package."""
    try:
        return metadata.version("lstm-sentiment")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


def environment_info() -> dict[str, str]:
    """Versions and machine recorded with bundles and benchmark results."""
    return {
        "lstm_sentiment": package_version(),
        "torch": torch.__version__,
        "python": platform.python_version(),
        "machine": f"{platform.machine()} {platform.system()}",
    }


def save_bundle(directory: str | Path, bundle: Bundle, card: str) -> Path:
    """Write ``bundle`` to ``directory`` (each file atomically; weights last but one)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    embedding = bundle.model.embedding  # type: ignore[union-attr]
    header = {
        "format": BUNDLE_FORMAT,
        "format_version": NEURAL_BUNDLE_VERSION,
        "kind": KIND_NEURAL,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "environment": environment_info(),
        "labels": bundle.labels,
        "vocab_size": int(embedding.num_embeddings),
        "embedding_dim": int(embedding.embedding_dim),
        "tokenizer": bundle.encoder.tokenizer.to_dict(),
        "max_length": bundle.encoder.max_length,
        "truncation": bundle.encoder.truncation,
        "config": bundle.config.to_dict(),
        **bundle.info,
        "temperature": bundle.temperature,
    }
    tensors = {k: v.detach().contiguous() for k, v in bundle.model.state_dict().items()}
    atomic_write(directory / WEIGHTS_FILE, lambda tmp: save_file(tensors, str(tmp)))
    if isinstance(bundle.encoder.tokenizer, LearnedTokenizer):
        bundle.encoder.tokenizer.save(directory)  # e.g. the SentencePiece model
    write_json(directory / VOCAB_FILE, bundle.encoder.vocab.to_dict())
    write_json(directory / METRICS_FILE, bundle.metrics)
    write_text(directory / CARD_FILE, card)
    write_json(directory / CONFIG_FILE, header)
    return directory


def read_json(path: Path) -> Any:
    """A JSON file of a bundle (a missing or corrupt file is a :class:`BundleError`)."""
    if not path.is_file():
        raise BundleError(
            f"model bundle {path.parent} is missing {path.name}; re-save or re-train it"
        )
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BundleError(f"{path} is corrupt ({exc}); re-save or re-train the model") from None


def read_header(directory: str | Path) -> dict[str, Any]:
    """The checked ``config.json`` of a bundle folder of any kind (format and version)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise BundleError(f"no model bundle at {directory} (expected a folder with {CONFIG_FILE})")
    header = read_json(directory / CONFIG_FILE)
    if not isinstance(header, dict) or header.get("format") != BUNDLE_FORMAT:
        raise BundleError(
            f"{directory} is not an lstm-sentiment model bundle ({CONFIG_FILE} has "
            "no 'format' of this package)"
        )
    version = header.get("format_version")
    if not isinstance(version, int) or version > BUNDLE_VERSION:
        environment = header.get("environment")
        made_by = environment.get("lstm_sentiment", "?") if isinstance(environment, dict) else "?"
        raise BundleError(
            f"bundle {directory} has format version {version} (made by lstm-sentiment {made_by}); "
            f"this version reads up to {BUNDLE_VERSION}: upgrade lstm-sentiment"
        )
    return header


def load_bundle(directory: str | Path) -> Bundle:
    """Load a neural bundle folder, checking its format, version and files."""
    directory = Path(directory)
    header = read_header(directory)
    kind = header.get("kind", KIND_NEURAL)
    if kind != KIND_NEURAL:
        raise BundleError(
            f"{directory} holds a {kind} model, not a neural one: load it with "
            "lstm_sentiment.SentimentModel.load"
        )
    try:
        config = RunConfig.from_dict(header["config"])
        vocab = Vocabulary.from_dict(read_json(directory / VOCAB_FILE))
        labels = [str(label) for label in header["labels"]]
        temperature = float(header.get("temperature", 1.0))  # absent before calibration existed
        if not temperature > 0:
            raise ValueError(f"temperature must be > 0, got {temperature}")
        encoder = TextEncoder(
            tokenizer_from_dict(header["tokenizer"], directory),
            vocab,
            int(header["max_length"]),
            str(header["truncation"]),
        )
        model = build_model(
            config.model,
            vocab_size=int(header["vocab_size"]),
            embedding_dim=int(header["embedding_dim"]),
            num_classes=len(labels),
            pad_id=vocab.pad_id,
        )
    except BundleError:
        raise
    except (KeyError, TypeError, ValueError, LstmSentimentError) as exc:
        raise BundleError(f"bundle {directory} has an invalid {CONFIG_FILE} ({exc})") from None
    weights_path = directory / WEIGHTS_FILE
    if not weights_path.is_file():
        raise BundleError(f"model bundle {directory} is missing {WEIGHTS_FILE}; re-train it")
    try:
        model.load_state_dict(load_file(str(weights_path)))
    except (SafetensorError, RuntimeError, OSError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise BundleError(
            f"{weights_path} is corrupt or does not match {CONFIG_FILE} ({first[:160]}); "
            "re-save or re-train the model"
        ) from None
    model.eval()
    metrics_path = directory / METRICS_FILE
    metrics = read_json(metrics_path) if metrics_path.is_file() else {}
    return Bundle(
        model=model,
        encoder=encoder,
        labels=labels,
        config=config,
        metrics=metrics,
        info=header,
        temperature=temperature,
    )
