"""Named architectures: each name maps to a builder of the encoder between embedding and pooling.

Every architecture is wrapped in the same :class:`TextClassifier`, so the bundle format, the
trainer and prediction treat them alike.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from torch import nn

from lstm_sentiment.config import ModelConfig
from lstm_sentiment.errors import ConfigError
from lstm_sentiment.models.bag import EmbeddingEncoder
from lstm_sentiment.models.classifier import TextClassifier, token_features_size
from lstm_sentiment.models.conv import ConvEncoder, ConvRecurrentEncoder
from lstm_sentiment.models.describe import describe_architecture
from lstm_sentiment.models.init import initialize
from lstm_sentiment.models.recurrent import RecurrentEncoder

EncoderBuilder = Callable[[ModelConfig, int], nn.Module]


def _recurrent(cell: str) -> EncoderBuilder:
    def build(config: ModelConfig, input_size: int) -> nn.Module:
        return RecurrentEncoder(
            cell,
            input_size,
            config.layer_sizes,
            bidirectional=config.bidirectional,
            dropout=config.dropout,
            connection=config.layer_connection,
            recurrent_dropout=config.recurrent_dropout,
        )

    return build


def _conv(config: ModelConfig, input_size: int) -> ConvEncoder:
    return ConvEncoder(
        input_size, config.conv_filters, config.conv_kernel_sizes, config.conv_activation
    )


def _conv_recurrent(cell: str) -> EncoderBuilder:
    def build(config: ModelConfig, input_size: int) -> nn.Module:
        conv = _conv(config, input_size)
        return ConvRecurrentEncoder(
            conv, config.conv_pool_size, _recurrent(cell)(config, conv.output_size)
        )

    return build


def _embedding_only(config: ModelConfig, input_size: int) -> nn.Module:
    return EmbeddingEncoder(input_size)


ARCHITECTURES: dict[str, EncoderBuilder] = {
    "lstm": _recurrent("lstm"),
    "gru": _recurrent("gru"),
    "cnn": _conv,
    "cnn_lstm": _conv_recurrent("lstm"),
    "cnn_gru": _conv_recurrent("gru"),
    "embedding_pool": _embedding_only,
}
"""Encoder builders by name. Stacking, direction, pooling and the head are config fields."""

RECURRENT_ARCHITECTURES = ("lstm", "gru", "cnn_lstm", "cnn_gru")


def build_model(
    config: ModelConfig,
    *,
    vocab_size: int,
    embedding_dim: int,
    num_classes: int,
    pad_id: int,
    embeddings: np.ndarray | None = None,
    freeze_embeddings: bool = False,
) -> TextClassifier:
    """Build the architecture named by ``config.architecture`` and initialise its weights."""
    builder = ARCHITECTURES.get(config.architecture)
    if builder is None:
        raise ConfigError(
            f"unknown model.architecture {config.architecture!r}; valid: {', '.join(ARCHITECTURES)}"
        )
    model = TextClassifier(
        config,
        builder(config, token_features_size(config, embedding_dim)),
        vocab_size=vocab_size,
        embedding_dim=embedding_dim,
        num_classes=num_classes,
        pad_id=pad_id,
        embeddings=embeddings,
        freeze_embeddings=freeze_embeddings,
    )
    initialize(model, config.init, config.recurrent_init)
    return model


def count_parameters(model: nn.Module, trainable_only: bool = False) -> int:
    """Number of parameters (optionally only those that train)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def describe_neural(config: ModelConfig) -> str:
    """One-line human description of a neural architecture, e.g. for model cards and tables
    (other kinds describe themselves: :func:`lstm_sentiment.kinds.describe`)."""
    if config.architecture not in ARCHITECTURES:
        raise ConfigError(
            f"{config.architecture!r} is not a neural architecture; "
            f"valid: {', '.join(ARCHITECTURES)}"
        )
    return describe_architecture(config)
