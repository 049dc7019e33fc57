"""The two-view region-embedding objective (``pretrain.objective = "region"``; Johnson & Zhang,
"Semi-supervised convolutional neural networks for text categorization via region
embedding", 2015, and their LSTM follow-up, 2016): from the bag of words of a region, predict
the words of the regions right before and after it. One view of the text (a region) learns to
predict the other (its neighbourhood), so the region's embedding keeps what the neighbourhood
says about it — much of which is sentiment — without a single label. The prediction is
:class:`~lstm_sentiment.pretraining.neighbours.NeighbourObjective`'s negative sampling.
Parameter names ``region.table`` and ``region.bias`` equal the classifier's
:class:`~lstm_sentiment.models.region.RegionFeatures` buffers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from lstm_sentiment.models.region import region_sums
from lstm_sentiment.pretraining.neighbours import NeighbourObjective

TRANSFERRED = ("region.table", "region.bias")
"""What a classifier takes from the region model."""


class _Region(nn.Module):
    """The learned half a classifier keeps: the word table and the bias."""

    def __init__(self, vocab_size: int, dim: int, pad_id: int) -> None:
        super().__init__()
        self.table = nn.Parameter(torch.randn(vocab_size, dim) * (1.0 / dim) ** 0.5)
        self.bias = nn.Parameter(torch.zeros(dim))
        self.pad_id = pad_id

    def table_without_padding(self) -> torch.Tensor:
        keep = torch.ones(self.table.size(0), 1, device=self.table.device)
        keep[self.pad_id] = 0.0
        return self.table * keep


class RegionModel(NeighbourObjective):
    """Region → its neighbours' words, over right-padded chunks; ``forward`` returns the
    summed loss and the number of predicted words (the language model's interface, so the same
    trainer fits both)."""

    def __init__(
        self,
        vocab_size: int,
        dim: int,
        region_size: int,
        pad_id: int,
        counts: np.ndarray,
        **sampling: Any,
    ) -> None:
        """``sampling``: :class:`NeighbourObjective`'s negative-sampling options."""
        super().__init__(vocab_size, dim, pad_id, counts, **sampling)
        self.region_size = region_size
        self.region = _Region(vocab_size, dim, pad_id)
        half = region_size // 2
        self.offsets = [
            sign * (half + step) for sign in (-1, 1) for step in range(1, region_size + 1)
        ]
        """Where the neighbouring regions' words are, relative to the region's centre."""

    def embed(self, ids: torch.Tensor) -> torch.Tensor:
        """Each position's region embedding ``[batch, time, dim]``."""
        words = nn.functional.embedding(ids, self.region.table_without_padding())
        return torch.relu(region_sums(words, self.region_size) + self.region.bias)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, int]:
        """Negative-sampling loss summed over every neighbouring word inside its text."""
        return self.neighbour_loss([(self.embed(ids), self.offsets)], ids, lengths)

    def transferable_state(self) -> dict[str, torch.Tensor]:
        """The tensors a classifier takes (the padding row zeroed)."""
        return {
            "region.table": self.region.table_without_padding().detach(),
            "region.bias": self.region.bias.detach(),
        }
