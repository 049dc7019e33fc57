"""The two-view objective both region pretrainings share (``pretrain.objective`` ``region`` and
``lstm_region``): from one view of the text at each token (a bag of words around it, or an
LSTM's state), predict the words at given offsets from it — its other view, the neighbourhood.

The prediction is word2vec's negative sampling (Mikolov et al. 2013) instead of a softmax over
the vocabulary, so a CPU trains it in minutes: each neighbouring word is a positive, and
``negatives`` words per positive, drawn from the unigram distribution to the power 3/4 (one
shared draw per batch), are negatives.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

UNIGRAM_POWER = 0.75
"""Negatives are drawn with probability ∝ count^0.75 (word2vec's choice)."""


def shifted(values: torch.Tensor, offset: int) -> torch.Tensor:
    """``values[:, t + offset]`` at each position ``t`` (zeros where that falls outside)."""
    widths = [0, 0] * (values.dim() - 2)
    if offset > 0:
        return nn.functional.pad(values[:, offset:], [*widths, 0, offset])
    return nn.functional.pad(values[:, :offset], [*widths, -offset, 0])


class NeighbourObjective(nn.Module):
    """The context side of the objective: a vector and a bias per predicted word, the noise
    distribution and the words never predicted (``skipped_ids``: never positives or noise)."""

    def __init__(
        self,
        vocab_size: int,
        dim: int,
        pad_id: int,
        counts: np.ndarray,
        *,
        negatives: int = 5,
        negative_draws: int = 1024,
        special_ids: tuple[int, ...] = (),
        skipped_ids: tuple[int, ...] = (),
    ) -> None:
        super().__init__()
        self.negatives = negatives
        self.negative_draws = negative_draws
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
        """1 for the words a view predicts, 0 for ``skipped_ids``."""
        self.register_buffer(
            "noise", torch.from_numpy(weights / weights.sum()).float(), persistent=False
        )

    def neighbour_loss(
        self,
        views: Sequence[tuple[torch.Tensor, Sequence[int]]],
        ids: torch.Tensor,
        lengths: torch.Tensor,
    ) -> tuple[torch.Tensor, int]:
        """Negative-sampling loss summed over every word each view ``[batch, time, dim]``
        predicts at its offsets inside its text, and how many words were predicted."""
        time = ids.size(1)
        positions = torch.arange(time, device=ids.device).unsqueeze(0)
        ends = lengths.to(ids.device).unsqueeze(1)
        inside = positions < ends
        # every word's context vector looked up once, then shifted per offset: one gather (and
        # one scatter of its gradient) instead of one per offset
        context = self.context(ids)
        context_bias = self.context_bias[ids]
        predicted = self.targets[ids] > 0
        draws = torch.multinomial(self.noise, self.negative_draws, replacement=True)
        noise_vectors, noise_bias = self.context(draws).T, self.context_bias[draws]
        total = torch.zeros((), device=ids.device)
        count = 0
        for hidden, offsets in views:
            positives = torch.zeros_like(ids, dtype=hidden.dtype)
            for offset in offsets:
                if abs(offset) >= time:
                    continue
                valid = inside & (positions + offset >= 0) & (positions + offset < ends)
                valid = valid & shifted(predicted, offset)
                scores = (hidden * shifted(context, offset)).sum(-1) + shifted(context_bias, offset)
                total = total - nn.functional.logsigmoid(scores)[valid].sum()
                positives = positives + valid.to(hidden.dtype)
            # scored for the positions inside the texts only (padding would be dropped anyway)
            noise_scores = hidden[inside] @ noise_vectors + noise_bias
            # every positive weighs `negatives` noise words: the mean over the shared draws
            noise_loss = -nn.functional.logsigmoid(-noise_scores).mean(-1)
            total = total + (self.negatives * positives[inside] * noise_loss).sum()
            count += int(positives.sum())
        return total, count
