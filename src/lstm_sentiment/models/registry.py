"""Named architectures: each name maps to a builder taking the model config and data sizes."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from torch import nn

from lstm_sentiment.config import ModelConfig
from lstm_sentiment.errors import ConfigError
from lstm_sentiment.models.classifier import RecurrentClassifier

Builder = Callable[..., nn.Module]

ARCHITECTURES: dict[str, Builder] = {
    "lstm": RecurrentClassifier,
    "gru": RecurrentClassifier,
}


def build_model(
    config: ModelConfig,
    *,
    vocab_size: int,
    embedding_dim: int,
    num_classes: int,
    pad_id: int,
    embeddings: np.ndarray | None = None,
    freeze_embeddings: bool = False,
) -> nn.Module:
    """Build the architecture named by ``config.architecture``."""
    builder = ARCHITECTURES.get(config.architecture)
    if builder is None:
        raise ConfigError(
            f"unknown model.architecture {config.architecture!r}; valid: {', '.join(ARCHITECTURES)}"
        )
    return builder(
        config,
        vocab_size=vocab_size,
        embedding_dim=embedding_dim,
        num_classes=num_classes,
        pad_id=pad_id,
        embeddings=embeddings,
        freeze_embeddings=freeze_embeddings,
    )
