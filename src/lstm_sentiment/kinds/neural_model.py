"""The neural kind: a torch classifier (embedding → encoder → pooling → head) and its encoder.

Its bundle holds ``model.safetensors`` (the weights), ``vocab.json``, the tokenizer's own files
(a SentencePiece model) and the header; the model is rebuilt from the saved configuration, so
loading runs no code from the bundle.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from torch import nn

from lstm_sentiment.bundle import (
    CONFIG_FILE,
    METRICS_FILE,
    bundle_path,
    environment_info,
    read_header,
    read_json,
    write_bundle,
)
from lstm_sentiment.config import RunConfig
from lstm_sentiment.errors import BundleError, LstmSentimentError
from lstm_sentiment.inference import INFERENCE_BATCH_SIZE
from lstm_sentiment.inference.batching import EncodedDataset
from lstm_sentiment.inference.forward import predict_logits
from lstm_sentiment.io_utils import atomic_write, write_json
from lstm_sentiment.kinds.neural_files import (
    KIND_NEURAL,
    VOCAB_FILE,
    WEIGHTS_FILE,
    read_neural_parts,
)
from lstm_sentiment.model_card import card_footer, metric_lines, training_data_lines
from lstm_sentiment.models.registry import build_model, describe_neural
from lstm_sentiment.text.encode import TextEncoder
from lstm_sentiment.text.tokenize import LearnedTokenizer
from lstm_sentiment.text.typos import MIN_TYPO_LENGTH
from lstm_sentiment.text.vocab import Vocabulary

TYPO_NOTE = "; a misspelt word reads as the vocabulary word one edit away (text.typo_distance 1)"
UNKNOWN_WORDS_LIMIT = "- English only; words outside the vocabulary are read as one unknown token"
TYPO_LIMIT = (
    f", except a lower-case word of {MIN_TYPO_LENGTH} letters or more one edit from a vocabulary"
    " word, which"
    ' reads as the most frequent such word (so a rare word can read as a common one: "usless"'
    ' as "unless"); the words of @mentions and web addresses stay unknown'
)


@dataclass
class Bundle:
    """A neural model ready to predict: the network, its encoder, labels, config and metrics."""

    model: nn.Module
    encoder: TextEncoder
    labels: list[str]
    config: RunConfig
    metrics: dict[str, Any] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)
    """Extra header fields this model adds (e.g. what identifies its training data); never the
    loaded header itself, so a re-save writes fresh fields."""
    temperature: float = 1.0
    """Softmax temperature fitted on validation (calibration); 1 leaves the logits as they are."""
    kind: str = KIND_NEURAL
    runtime = "torch"
    """What runs it (the onnxruntime scorer says ``onnx``)."""

    @property
    def label_map(self) -> dict[str, str]:
        return dict(self.config.data.label_map)

    @property
    def calibration_bins(self) -> int:
        return self.config.train.calibration_bins

    @property
    def description(self) -> str:
        return f"{self.config.model.architecture}: {describe_neural(self.config.model)}"

    @property
    def held_out_validation(self) -> bool:
        return True

    def logits(self, texts: Sequence[str], batch_size: int = INFERENCE_BATCH_SIZE) -> np.ndarray:
        data = EncodedDataset(self.encoder.encode_many(texts), None, self.encoder.vocab.pad_id)
        return predict_logits(self.model, data, batch_size)

    def bundle_header(self) -> dict[str, Any]:
        embedding = self.model.embedding  # type: ignore[union-attr]
        return {
            **self.info,
            "labels": self.labels,
            "vocab_size": int(embedding.num_embeddings),
            "embedding_dim": int(embedding.embedding_dim),
            "tokenizer": self.encoder.tokenizer.to_dict(),
            "max_length": self.encoder.max_length,
            "truncation": self.encoder.truncation,
            "config": self.config.to_dict(),
            "temperature": self.temperature,
        }

    def write_files(self, directory: Path) -> None:
        tensors = {k: v.detach().contiguous() for k, v in self.model.state_dict().items()}
        atomic_write(directory / WEIGHTS_FILE, lambda tmp: save_file(tensors, str(tmp)))
        if isinstance(self.encoder.tokenizer, LearnedTokenizer):
            self.encoder.tokenizer.save(directory)  # e.g. the SentencePiece model
        write_json(directory / VOCAB_FILE, self.encoder.vocab.to_dict())

    def model_card(self, environment: dict[str, str]) -> str:
        """The bundle's README: architecture, data, measurements, limits, environment."""
        cfg = self.config
        lines = [
            "# lstm-sentiment model",
            "",
            f"Architecture `{cfg.model.architecture}`: {describe_neural(cfg.model)}; "
            f"{len(self.encoder.vocab):,} vocabulary tokens, {initialisation(cfg)}.",
            "",
            f"Labels: {', '.join(self.labels)}.",
            "",
            "## Training data",
            *training_data_lines(cfg),
            f"- text: tokenizer `{cfg.text.tokenizer}`, lowercase {cfg.text.lowercase}, max "
            f"length {cfg.text.max_length} tokens ({cfg.text.truncation} truncation)"
            + (TYPO_NOTE if cfg.text.typo_distance else ""),
            "",
            "## Measured",
            *metric_lines(self.metrics, "validation"),
            *metric_lines(self.metrics, "test"),
            "",
            "## Limits",
            "- Trained on one domain: accuracy on other kinds of text (tweets, support tickets, "
            "short",
            "  sentences) is lower than the numbers above; measure on your data with",
            "  `lstm-sentiment evaluate`.",
            UNKNOWN_WORDS_LIMIT + (TYPO_LIMIT if cfg.text.typo_distance else "") + ".",
        ]
        return card_footer(lines, environment)


def save_bundle(directory: str | Path, bundle: Bundle, card: str | None = None) -> Path:
    """Write a neural model as a bundle folder (atomically; see :func:`write_bundle`)."""
    return write_bundle(
        directory,
        kind=KIND_NEURAL,
        header=bundle.bundle_header(),
        metrics=bundle.metrics,
        card=bundle.model_card(environment_info()) if card is None else card,
        write_files=bundle.write_files,
    )


def _check_weights(model: nn.Module, path: Path, vocab: Vocabulary) -> None:
    embedding = model.embedding  # type: ignore[union-attr]
    if embedding.num_embeddings != len(vocab):
        raise BundleError(
            f"bundle {path.parent}: {VOCAB_FILE} has {len(vocab):,} tokens but the embedding has "
            f"{embedding.num_embeddings:,} rows; the files do not belong together: re-train it"
        )
    for name, tensor in model.state_dict().items():
        if tensor.is_floating_point() and not bool(torch.isfinite(tensor).all()):
            raise BundleError(
                f"{path} holds non-finite weights ({name} has NaN or infinity); re-train the model"
            )


def _build(directory: Path, header: dict[str, Any]) -> tuple[nn.Module, Bundle]:
    parts = read_neural_parts(directory, header)
    try:
        model = build_model(
            parts.config.model,
            vocab_size=parts.vocab_size,
            embedding_dim=parts.embedding_dim,
            num_classes=len(parts.labels),
            pad_id=parts.encoder.vocab.pad_id,
        )
    except (KeyError, TypeError, ValueError, LstmSentimentError) as exc:
        raise BundleError(f"bundle {directory} has an invalid {CONFIG_FILE} ({exc})") from None
    bundle = Bundle(model, parts.encoder, parts.labels, parts.config, temperature=parts.temperature)
    return model, bundle


def load_neural(directory: Path, header: dict[str, Any]) -> Bundle:
    """A neural bundle folder whose header is read and checked."""
    model, bundle = _build(directory, header)
    weights_path = bundle_path(directory, WEIGHTS_FILE)
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
    _check_weights(model, weights_path, bundle.encoder.vocab)
    model.eval()
    metrics_path = directory / METRICS_FILE
    bundle.metrics = read_json(metrics_path) if metrics_path.is_file() else {}
    return bundle


def load_bundle(directory: str | Path) -> Bundle:
    """Load a neural bundle folder, checking its format, version, manifest and files."""
    directory = Path(directory)
    header = read_header(directory)
    kind = header.get("kind", KIND_NEURAL)
    if kind != KIND_NEURAL:
        raise BundleError(
            f"{directory} holds a {kind} model, not a neural one: load it with "
            "lstm_sentiment.SentimentModel.load"
        )
    return load_neural(directory, header)


def initialisation(cfg: RunConfig) -> str:
    """Where the weights started: the fine-tuned model (and its pull), or the word vectors."""
    if not cfg.train.init_from:
        return f"embeddings initialised from `{Path(cfg.vectors.source).name}`"
    text = f"fine-tuned from `{Path(cfg.train.init_from).name}` for {cfg.train.epochs} epoch(s)"
    if cfg.train.retain_weight > 0:
        text += (
            f", pulled toward its predictions (train.retain_weight {cfg.train.retain_weight:g}"
            f", on the {cfg.train.retain_examples} examples)"
        )
    if cfg.train.refit_nb_ratios:
        counted = sorted({Path(source).name for source in cfg.train.nb_ratio_extra})
        text += ", its NB ratios re-fitted on the training texts" + (
            f" of the main data and {', '.join(f'`{name}`' for name in counted)}" if counted else ""
        )
    return text
