"""The bag-of-embeddings baseline: no encoder, the classifier pools the word embeddings."""

from __future__ import annotations

import torch
from torch import nn


class EmbeddingEncoder(nn.Module):
    """No encoder at all: the classifier pools the word embeddings (the course's baseline)."""

    def __init__(self, input_size: int) -> None:
        super().__init__()
        self.output_size = input_size
        self.bidirectional = False

    def forward(
        self, inputs: torch.Tensor, lengths: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        return inputs, lengths
