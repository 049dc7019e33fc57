"""Forward and backward language models sharing the classifier's embedding and first recurrent
layer, with one adaptive softmax over the vocabulary (Grave et al. 2017) so that a CPU can
train them.

The encoder is a one-layer :class:`~lstm_sentiment.models.recurrent.RecurrentEncoder`: its
forward direction predicts each next token, its backward direction (which reads each text
reversed within its length) each previous one. Parameter names equal the classifier's
(``embedding.weight``, ``encoder.forward_layers.0.*``, ``encoder.backward_layers.0.*``), so the
weights transfer as they are.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from lstm_sentiment.models.recurrent import RecurrentEncoder, gather_time, reverse_index

ADAPTIVE_DIV_VALUE = 4.0
"""Each tail cluster of the adaptive softmax projects to 1/4 of the previous one's size."""
TRANSFERRED_PREFIXES = ("embedding.", "encoder.")
"""What a classifier takes from a language model."""


class LanguageModel(nn.Module):
    """Next-token (and, bidirectional, previous-token) prediction over right-padded chunks."""

    def __init__(
        self,
        cell: str,
        vocab_size: int,
        embedding_dim: int,
        hidden_size: int,
        pad_id: int,
        *,
        bidirectional: bool = True,
        dropout: float = 0.0,
        cutoffs: list[int] | None = None,
        embeddings: np.ndarray | None = None,
    ) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=pad_id)
        if embeddings is not None:
            with torch.no_grad():
                self.embedding.weight.copy_(torch.from_numpy(np.asarray(embeddings)))
        self.encoder = RecurrentEncoder(cell, embedding_dim, [hidden_size], bidirectional)
        self.dropout = nn.Dropout(dropout)
        # A tiny vocabulary (tests) keeps one cluster boundary in its middle.
        usable = [c for c in (cutoffs or []) if c < vocab_size - 1] or [max(1, vocab_size // 2)]
        self.softmax = nn.AdaptiveLogSoftmaxWithLoss(
            hidden_size, vocab_size, usable, div_value=ADAPTIVE_DIV_VALUE
        )

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, int]:
        """Summed negative log-likelihood of every predicted token, and how many there were."""
        embedded = self.dropout(self.embedding(ids))
        parts = self.encoder.directions(embedded, lengths)
        targets = [ids]
        if self.encoder.bidirectional:  # its outputs are reversed within each length
            targets.append(
                gather_time(ids.unsqueeze(-1), reverse_index(lengths, ids.size(1)))[..., 0]
            )
        steps = torch.arange(ids.size(1) - 1, device=ids.device).unsqueeze(0)
        predicts = steps < (lengths.to(ids.device) - 1).unsqueeze(1)  # a next token exists
        total = torch.zeros((), device=ids.device)
        count = 0
        for outputs, target in zip(parts, targets, strict=True):
            hidden = self.dropout(outputs[:, :-1][predicts])
            result = self.softmax(hidden, target[:, 1:][predicts])
            total = total - result.output.sum()
            count += int(predicts.sum())
        return total, count

    def transferable_state(self) -> dict[str, torch.Tensor]:
        """The weights a classifier takes: embedding and encoder."""
        return {
            name: tensor
            for name, tensor in self.state_dict().items()
            if name.startswith(TRANSFERRED_PREFIXES)
        }
