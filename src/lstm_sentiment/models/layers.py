"""Small building blocks shared by the architectures: activations by name, highway gates."""

from __future__ import annotations

import torch
from torch import nn

from lstm_sentiment.config import ACTIVATIONS
from lstm_sentiment.errors import ConfigError

_ACTIVATIONS: dict[str, type[nn.Module]] = {
    "relu": nn.ReLU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "softplus": nn.Softplus,
    "softsign": nn.Softsign,
    "hard_sigmoid": nn.Hardsigmoid,
    "linear": nn.Identity,
    "gelu": nn.GELU,
}


def activation(name: str) -> nn.Module:
    """The activation module called ``name`` (Keras names: ``hard_sigmoid``, ``linear``...)."""
    if name not in _ACTIVATIONS:
        raise ConfigError(f"unknown activation {name!r}; valid: {', '.join(ACTIVATIONS)}")
    return _ACTIVATIONS[name]()


class LayerConnection(nn.Module):
    """Joins a stacked layer's input and output: plain, residual or highway (Srivastava 2015).

    A linear projection (no bias) matches sizes when input and output widths differ.
    """

    def __init__(self, kind: str, input_size: int, output_size: int) -> None:
        super().__init__()
        self.kind = kind
        needs_projection = kind != "none" and input_size != output_size
        self.projection = (
            nn.Linear(input_size, output_size, bias=False) if needs_projection else nn.Identity()
        )
        self.gate = nn.Linear(input_size, output_size) if kind == "highway" else None

    def forward(self, inputs: torch.Tensor, outputs: torch.Tensor) -> torch.Tensor:
        if self.kind == "none":
            return outputs
        carried = self.projection(inputs)
        if self.gate is None:
            return outputs + carried
        gate = torch.sigmoid(self.gate(inputs))
        return gate * outputs + (1.0 - gate) * carried
