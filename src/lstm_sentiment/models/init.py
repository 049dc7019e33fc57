"""Weight initialisation schemes by their Keras names, applied after a model is built."""

from __future__ import annotations

import math

import torch
from torch import nn

from lstm_sentiment.config import INITIALIZERS
from lstm_sentiment.errors import ConfigError

KERAS_UNIFORM_LIMIT = 0.05
"""Keras' ``RandomUniform`` default range (±0.05)."""
KERAS_NORMAL_STD = 0.05
"""Keras' ``RandomNormal`` default standard deviation."""
FORGET_GATE_BIAS = 1.0
"""LSTM forget-gate bias when initialising Keras-style (``unit_forget_bias``)."""


def init_tensor(weight: torch.Tensor, scheme: str) -> None:
    """Initialise one weight matrix in place (fan-in/fan-out as ``nn.init`` computes them)."""
    with torch.no_grad():
        if scheme == "uniform":
            nn.init.uniform_(weight, -KERAS_UNIFORM_LIMIT, KERAS_UNIFORM_LIMIT)
        elif scheme == "normal":
            nn.init.normal_(weight, std=KERAS_NORMAL_STD)
        elif scheme == "zeros":
            nn.init.zeros_(weight)
        elif scheme == "lecun_uniform":
            fan_in = nn.init._calculate_fan_in_and_fan_out(weight)[0]
            limit = math.sqrt(3.0 / fan_in)
            nn.init.uniform_(weight, -limit, limit)
        elif scheme == "glorot_normal":
            nn.init.xavier_normal_(weight)
        elif scheme == "glorot_uniform":
            nn.init.xavier_uniform_(weight)
        elif scheme == "he_normal":
            nn.init.kaiming_normal_(weight, nonlinearity="relu")
        elif scheme == "he_uniform":
            nn.init.kaiming_uniform_(weight, nonlinearity="relu")
        elif scheme == "orthogonal":
            nn.init.orthogonal_(weight)
        else:
            raise ConfigError(f"unknown initialiser {scheme!r}; valid: {', '.join(INITIALIZERS)}")


def initialize(model: nn.Module, scheme: str, recurrent_scheme: str) -> None:
    """Apply ``scheme`` to input, dense and convolution weights and ``recurrent_scheme`` to
    hidden-to-hidden matrices; biases become zero (LSTM forget gates one). ``default`` keeps
    PyTorch's initialisation. Embeddings are never touched (they may be pretrained)."""
    if scheme == "default" and recurrent_scheme == "default":
        return
    for module in model.modules():
        if isinstance(module, nn.Embedding):
            continue
        for name, param in module.named_parameters(recurse=False):
            recurrent = name.startswith("weight_hh")
            chosen = recurrent_scheme if recurrent else scheme
            if chosen == "default":
                continue
            if name.startswith("bias"):
                with torch.no_grad():
                    param.zero_()
                    if isinstance(module, nn.LSTM) and name.startswith("bias_ih"):
                        hidden = param.numel() // 4
                        param[hidden : 2 * hidden] = FORGET_GATE_BIAS  # gate order: i, f, g, o
            elif param.dim() >= 2:
                init_tensor(param, chosen)
