"""The torch-free half of a neural bundle: its file names and the text encoder, labels,
configuration and calibration its header describes.

Both runtimes read a neural bundle through :func:`read_neural_parts`: the torch model
(:mod:`.neural_model`) and the onnxruntime scorer (:mod:`lstm_sentiment.export.runtime`), which
must load without importing torch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lstm_sentiment.bundle import CONFIG_FILE, read_json
from lstm_sentiment.config import RunConfig
from lstm_sentiment.errors import BundleError, LstmSentimentError
from lstm_sentiment.text.encode import TextEncoder
from lstm_sentiment.text.tokenize import tokenizer_from_dict
from lstm_sentiment.text.vocab import Vocabulary

KIND_NEURAL = "neural"
"""``"kind"`` of a torch model bundle (bundles without a kind are neural)."""
WEIGHTS_FILE = "model.safetensors"
VOCAB_FILE = "vocab.json"


@dataclass
class NeuralParts:
    """What a neural bundle's header and vocabulary describe, apart from the network."""

    encoder: TextEncoder
    labels: list[str]
    config: RunConfig
    temperature: float
    vocab_size: int
    embedding_dim: int


def _read(directory: Path, header: dict[str, Any]) -> NeuralParts:
    config = RunConfig.from_dict(header["config"])
    vocab_data = read_json(directory / VOCAB_FILE)
    try:
        vocab = Vocabulary.from_dict(vocab_data)
    except (KeyError, TypeError, ValueError, LstmSentimentError) as exc:
        raise BundleError(f"bundle {directory} has an invalid {VOCAB_FILE} ({exc})") from None
    labels = [str(label) for label in header["labels"]]
    temperature = float(header.get("temperature", 1.0))  # absent before calibration existed
    if not (temperature > 0 and math.isfinite(temperature)):
        raise ValueError(f"temperature must be a positive number, got {temperature}")
    encoder = TextEncoder(
        tokenizer_from_dict(header["tokenizer"], directory),
        vocab,
        int(header["max_length"]),
        str(header["truncation"]),
        config.text.typo_distance,
    )
    return NeuralParts(
        encoder,
        labels,
        config,
        temperature,
        vocab_size=int(header["vocab_size"]),
        embedding_dim=int(header["embedding_dim"]),
    )


def read_neural_parts(directory: Path, header: dict[str, Any]) -> NeuralParts:
    """The encoder, labels, configuration and temperature of a neural bundle whose header is
    read and checked (an invalid header or vocabulary is a :class:`BundleError`)."""
    try:
        return _read(directory, header)
    except BundleError:
        raise
    except (KeyError, TypeError, ValueError, LstmSentimentError) as exc:
        raise BundleError(f"bundle {directory} has an invalid {CONFIG_FILE} ({exc})") from None
