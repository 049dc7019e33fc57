"""The two-view region-embedding objective (``pretrain.objective = "region"``; Johnson & Zhang,
"Semi-supervised convolutional neural networks for text categorization via region
embedding", 2015, and their LSTM follow-up, 2016): from the bag of words of a region, predict
the words of the regions right before and after it. One view of the text (a region) learns to
predict the other (its neighbourhood), so the region's embedding keeps what the neighbourhood
says about it — much of which is sentiment — without a single label.

The prediction is word2vec's negative sampling (Mikolov et al. 2013) instead of a softmax over
the vocabulary, so a CPU trains it in minutes: each neighbouring word is a positive, and
``negatives`` words per positive, drawn from the unigram distribution to the power 3/4 (one
shared draw per batch), are negatives. Parameter names ``region.table`` and ``region.bias``
equal the classifier's :class:`~lstm_sentiment.models.region.RegionFeatures` buffers.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from lstm_sentiment.models.region import region_sums

UNIGRAM_POWER = 0.75
"""Negatives are drawn with probability ∝ count^0.75 (word2vec's choice)."""
TRANSFERRED = ("region.table", "region.bias")
"""What a classifier takes from the region model."""


def _shifted(values: torch.Tensor, offset: int) -> torch.Tensor:
    """``values[:, t + offset]`` at each position ``t`` (zeros where that falls outside)."""
    widths = [0, 0] * (values.dim() - 2)
    if offset > 0:
        return nn.functional.pad(values[:, offset:], [*widths, 0, offset])
    return nn.functional.pad(values[:, :offset], [*widths, -offset, 0])


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


class RegionModel(nn.Module):
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
        *,
        negatives: int = 5,
        negative_draws: int = 1024,
        special_ids: tuple[int, ...] = (),
        skipped_ids: tuple[int, ...] = (),
    ) -> None:
        super().__init__()
        self.region_size = region_size
        self.negatives = negatives
        self.negative_draws = negative_draws
        self.region = _Region(vocab_size, dim, pad_id)
        self.context = nn.Embedding(vocab_size, dim)
        nn.init.zeros_(self.context.weight)
        self.context_bias = nn.Parameter(torch.zeros(vocab_size))
        weights = np.asarray(counts, dtype=np.float64) ** UNIGRAM_POWER
        weights[[pad_id, *special_ids, *skipped_ids]] = 0.0
        if weights.sum() <= 0:
            raise ValueError("no word to draw negatives from")
        targets = torch.ones(vocab_size)
        targets[list(skipped_ids)] = 0.0
        self.register_buffer("targets", targets, persistent=False)
        """1 for the words a region predicts, 0 for ``skipped_ids`` (never positives or noise)."""
        self.register_buffer(
            "noise", torch.from_numpy(weights / weights.sum()).float(), persistent=False
        )
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
        hidden = self.embed(ids)
        time = ids.size(1)
        positions = torch.arange(time, device=ids.device).unsqueeze(0)
        ends = lengths.to(ids.device).unsqueeze(1)
        inside = positions < ends
        # every word's context vector looked up once, then shifted per offset: one gather (and
        # one scatter of its gradient) instead of one per offset
        context = self.context(ids)
        context_bias = self.context_bias[ids]
        predicted = self.targets[ids] > 0
        total = torch.zeros((), device=ids.device)
        positives = torch.zeros_like(ids, dtype=hidden.dtype)
        for offset in self.offsets:
            if abs(offset) >= time:
                continue
            valid = inside & (positions + offset >= 0) & (positions + offset < ends)
            valid = valid & _shifted(predicted, offset)
            scores = (hidden * _shifted(context, offset)).sum(-1) + _shifted(context_bias, offset)
            total = total - nn.functional.logsigmoid(scores)[valid].sum()
            positives = positives + valid.to(hidden.dtype)
        draws = torch.multinomial(self.noise, self.negative_draws, replacement=True)
        # scored for the positions inside the texts only (padding would be dropped anyway)
        noise_scores = hidden[inside] @ self.context(draws).T + self.context_bias[draws]
        # every positive weighs `negatives` noise words: the mean over the shared draws, scaled
        noise_loss = -nn.functional.logsigmoid(-noise_scores).mean(-1)
        total = total + (self.negatives * positives[inside] * noise_loss).sum()
        return total, int(positives.sum())

    def transferable_state(self) -> dict[str, torch.Tensor]:
        """The tensors a classifier takes (the padding row zeroed)."""
        return {
            "region.table": self.region.table_without_padding().detach(),
            "region.bias": self.region.bias.detach(),
        }
