"""Two-view region embeddings as fixed per-token features (``model.region_init``; Johnson &
Zhang 2015, 2016): each token's input gains ``relu(Σ E[w] + b)`` over the words of the region
centred on it, with ``E`` and ``b`` learned on unlabelled text by ``lstm-sentiment pretrain``
(``pretrain.objective = "region"``) and never trained by the classifier."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn


def region_sums(vectors: torch.Tensor, region_size: int) -> torch.Tensor:
    """``[batch, time, dim]`` → the sum of each position's ``region_size`` neighbours (centred;
    the region is cut at the text's edges, and padding vectors must be zero)."""
    half = region_size // 2
    padded = nn.functional.pad(vectors, (0, 0, half + 1, half))
    running = padded.cumsum(dim=1)
    return running[:, region_size:] - running[:, :-region_size]


class RegionFeatures(nn.Module):
    """Each token's region embedding: a ``[vocabulary, dim]`` table and a bias, zeros until
    :meth:`set_table` fills them at training time or the weights file is loaded (buffers: the
    optimiser never sees them)."""

    def __init__(self, vocab_size: int, dim: int, region_size: int) -> None:
        super().__init__()
        self.region_size = region_size
        self.register_buffer("table", torch.zeros(vocab_size, dim))
        self.register_buffer("bias", torch.zeros(dim))
        self.output_size = dim

    def set_table(self, table: np.ndarray, bias: np.ndarray) -> None:
        """Use ``table`` (one row per vocabulary id; padding's row zero) and ``bias``."""
        values = torch.from_numpy(np.asarray(table, dtype=np.float32))
        offsets = torch.from_numpy(np.asarray(bias, dtype=np.float32))
        if values.shape != self.table.shape or offsets.shape != self.bias.shape:
            raise ValueError(
                f"region table {tuple(values.shape)} and bias {tuple(offsets.shape)} do not fit "
                f"{tuple(self.table.shape)}"
            )
        self.table.copy_(values)
        self.bias.copy_(offsets)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        words = nn.functional.embedding(ids, self.table)
        return torch.relu(region_sums(words, self.region_size) + self.bias)
