"""Named model presets: the architectures the tutorials walk through, by short name.

A preset is a set of ``[model]`` overrides on top of a base configuration, so every preset
shares the base's text, vectors and training settings (``compare`` relies on that).
"""

from __future__ import annotations

from typing import Any

from lstm_sentiment.errors import ConfigError

PRESETS: dict[str, dict[str, Any]] = {
    "lstm": {"architecture": "lstm", "bidirectional": False, "num_layers": 1},
    "stacked_lstm": {"architecture": "lstm", "bidirectional": False, "num_layers": 2},
    "bilstm": {"architecture": "lstm", "bidirectional": True, "num_layers": 1},
    # The course's Bidirectional(LSTM(64, return_sequences=True)) → Bidirectional(LSTM(32)).
    "stacked_bilstm": {"architecture": "lstm", "bidirectional": True, "hidden_sizes": [64, 32]},
    "gru": {"architecture": "gru", "bidirectional": False, "num_layers": 1},
    "bigru": {"architecture": "gru", "bidirectional": True, "num_layers": 1},
    "cnn": {"architecture": "cnn", "pooling": ["max"], "conv_kernel_sizes": [3, 5]},
    # The Keras tutorial: Conv1D(64, 5) → MaxPooling1D(4) → LSTM(70).
    "cnn_lstm": {
        "architecture": "cnn_lstm",
        "bidirectional": False,
        "conv_filters": 64,
        "conv_kernel_sizes": [5],
        "conv_pool_size": 4,
        "hidden_size": 70,
    },
    # The course's Embedding → GlobalAveragePooling1D → Dense(24, relu) → output layer
    # (``model.output = "sigmoid"`` gives its one-unit sigmoid on two-class data).
    "embedding_pool": {
        "architecture": "embedding_pool",
        "pooling": ["mean"],
        "dense_size": 24,
        "dense_activation": "relu",
    },
    "bilstm_attention": {
        "architecture": "lstm",
        "bidirectional": True,
        "pooling": ["attention"],
        "attention_heads": 4,
        "attention_penalty": 0.01,
    },
}
"""Preset name → ``[model]`` overrides."""


def preset_overrides(name: str) -> dict[str, Any]:
    """The ``[model]`` overrides of preset ``name``."""
    if name not in PRESETS:
        raise ConfigError(f"unknown model preset {name!r}; valid: {', '.join(PRESETS)}")
    return dict(PRESETS[name])
