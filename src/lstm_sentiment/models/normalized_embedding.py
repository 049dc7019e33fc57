"""Word embeddings standardised per dimension, weighted by word frequency (Miyato et al. 2017):
``(e - E[e]) / sqrt(Var[e])`` with the mean and variance over the vocabulary weighted by each
word's training frequency.

Perturbations of a fixed norm (adversarial training, VAT) only mean something if the model cannot
grow its embeddings until they are negligible; standardising them takes that way out.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

VARIANCE_FLOOR = 1e-6
"""Keeps a dimension that every frequent word shares from dividing by zero."""


class EmbeddingStandardizer(nn.Module):
    """Standardises looked-up embeddings with statistics of the whole (changing) table."""

    def __init__(self, vocab_size: int) -> None:
        super().__init__()
        self.register_buffer("frequencies", torch.full((vocab_size,), 1.0 / vocab_size))

    def set_counts(self, counts: Sequence[float]) -> None:
        """Word frequencies (one count per vocabulary id; words without counts weigh 0)."""
        values = torch.as_tensor(counts, dtype=torch.float32)
        if values.shape != self.frequencies.shape or float(values.sum()) <= 0:
            raise ValueError(f"need {self.frequencies.numel()} counts with a positive sum")
        self.frequencies.copy_(values / values.sum())

    def forward(self, table: torch.Tensor, embedded: torch.Tensor) -> torch.Tensor:
        weights = self.frequencies.unsqueeze(1)
        mean = (weights * table).sum(dim=0)
        variance = (weights * (table - mean) ** 2).sum(dim=0)
        return (embedded - mean) / torch.sqrt(variance + VARIANCE_FLOOR)
