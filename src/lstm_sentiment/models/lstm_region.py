"""LSTM region embeddings as fixed per-token features (``model.lstm_region_init``; Johnson &
Zhang, "Supervised and semi-supervised text categorization using LSTM for region embeddings",
2016): a forward LSTM that has read a text up to each token, trained on unlabelled text to
predict the words right after it, and a backward one that has read it from the end, trained to
predict the words right before it (``lstm-sentiment pretrain --set
pretrain.objective=lstm_region``). Unlike a bag-of-words region, the LSTM's region is as long
as it learns to make it, and word order counts. The classifier never trains them: the weights
are buffers, so neither the optimiser nor gradual unfreezing sees them.
"""

from __future__ import annotations

import torch
from torch import nn

from lstm_sentiment.models.recurrent import gather_time, reverse_index

DIRECTIONS = ("forward", "backward")
LSTM_WEIGHTS = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
"""Each direction's tensors, in the order ``torch.lstm`` takes them."""
GATES = 4
"""An LSTM cell's gates (input, forget, cell, output): its weights have 4 × units rows."""


def lstm_region_names(prefix: str) -> list[str]:
    """Every tensor's name: the word table, then each direction's LSTM weights."""
    return [f"{prefix}.table"] + [
        f"{prefix}.{direction}.{weight}" for direction in DIRECTIONS for weight in LSTM_WEIGHTS
    ]


def run_lstm(inputs: torch.Tensor, weights: list[torch.Tensor], training: bool) -> torch.Tensor:
    """One unidirectional LSTM layer over ``inputs [batch, time, dim]`` from a zero state."""
    units = weights[1].size(1)
    zeros = inputs.new_zeros((1, inputs.size(0), units))
    outputs, _, _ = torch.lstm(inputs, (zeros, zeros), weights, True, 1, 0.0, training, False, True)
    return outputs


def lstm_region_states(
    words: torch.Tensor,
    lengths: torch.Tensor,
    forward_weights: list[torch.Tensor],
    backward_weights: list[torch.Tensor],
    training: bool = False,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Forward and backward states ``[batch, time, units]`` of right-padded word vectors: at
    token ``t`` the forward state has read tokens ``≤ t`` and the backward one tokens ``≥ t`` of
    its own text (each row is reversed within its length, so padding is never read first)."""
    forward = run_lstm(words, forward_weights, training)
    index = reverse_index(lengths, words.size(1))
    backward = gather_time(run_lstm(gather_time(words, index), backward_weights, training), index)
    return forward, backward


class LstmRegionFeatures(nn.Module):
    """Each token's LSTM region embedding: the forward and backward states side by side,
    ``2 × units`` wide. Zeros until the weights file is loaded or :meth:`set_weights` fills
    them at training time."""

    def __init__(self, vocab_size: int, embedding_dim: int, units: int, pad_id: int) -> None:
        super().__init__()
        self.pad_id = pad_id
        self.output_size = 2 * units
        self.register_buffer("table", torch.zeros(vocab_size, embedding_dim))
        for direction in DIRECTIONS:
            shapes = {
                "weight_ih": (GATES * units, embedding_dim),
                "weight_hh": (GATES * units, units),
                "bias_ih": (GATES * units,),
                "bias_hh": (GATES * units,),
            }
            for weight in LSTM_WEIGHTS:
                self.register_buffer(f"{direction}_{weight}", torch.zeros(shapes[weight]))

    def _weights(self, direction: str) -> list[torch.Tensor]:
        return [getattr(self, f"{direction}_{weight}") for weight in LSTM_WEIGHTS]

    def set_weights(self, tensors: dict[str, torch.Tensor]) -> None:
        """Take ``table`` and ``<direction>.<weight>`` tensors (the pretrained model's names
        without their prefix); shapes must fit."""
        targets = {"table": self.table}
        for direction in DIRECTIONS:
            for weight in LSTM_WEIGHTS:
                targets[f"{direction}.{weight}"] = getattr(self, f"{direction}_{weight}")
        for name, target in targets.items():
            value = tensors[name]
            if tuple(value.shape) != tuple(target.shape):
                raise ValueError(
                    f"LSTM region tensor {name} {tuple(value.shape)} does not fit "
                    f"{tuple(target.shape)}"
                )
            target.copy_(value)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        lengths = (ids != self.pad_id).sum(dim=1)
        words = nn.functional.embedding(ids, self.table)
        forward, backward = lstm_region_states(
            words, lengths, self._weights("forward"), self._weights("backward")
        )
        return torch.cat([forward, backward], dim=-1)
