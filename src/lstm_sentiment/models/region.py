"""Two-view region embeddings as fixed per-token features (``model.region_init``; Johnson &
Zhang 2015, 2016): each token's input gains ``relu(Σ E[w] + b)`` over the words of the region
centred on it, with ``E`` and ``b`` learned on unlabelled text by ``lstm-sentiment pretrain``
(``pretrain.objective = "region"``) and never trained by the classifier. Several embeddings
(say regions of 5 and of 9 words) sit side by side as column blocks of one table."""

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
    """Each token's region embeddings: a ``[vocabulary, Σ dims]`` table and a bias whose column
    blocks are the embeddings of ``dims`` and ``sizes`` in order, zeros until :meth:`set_table`
    fills them at training time or the weights file is loaded (buffers: the optimiser never
    sees them)."""

    def __init__(self, vocab_size: int, dims: list[int], sizes: list[int]) -> None:
        super().__init__()
        if len(dims) != len(sizes) or not dims:
            raise ValueError(f"one region size per width: got widths {dims}, sizes {sizes}")
        self.blocks = list(zip(dims, sizes, strict=True))
        self.register_buffer("table", torch.zeros(vocab_size, sum(dims)))
        self.register_buffer("bias", torch.zeros(sum(dims)))
        self.output_size = sum(dims)

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
        if len(self.blocks) == 1:
            sums = region_sums(words, self.blocks[0][1])
        else:
            parts = torch.split(words, [dim for dim, _ in self.blocks], dim=-1)
            sums = torch.cat(
                [
                    region_sums(part, size)
                    for part, (_, size) in zip(parts, self.blocks, strict=True)
                ],
                dim=-1,
            )
        return torch.relu(sums + self.bias)
