"""The LSTM two-view objective (``pretrain.objective = "lstm_region"``; Johnson & Zhang 2016):
a forward LSTM's state at each token predicts the ``region_size`` words right after it, and a
backward LSTM's state the words right before it (negative sampling, as the bag-of-words
``region`` objective). Tensor names ``lstm_region.*`` equal the classifier's
:class:`~lstm_sentiment.models.lstm_region.LstmRegionFeatures` buffers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

from lstm_sentiment.models.lstm_region import (
    DIRECTIONS,
    LSTM_WEIGHTS,
    lstm_region_names,
    lstm_region_states,
)
from lstm_sentiment.pretraining.neighbours import NeighbourObjective

PREFIX = "lstm_region"
TRANSFERRED = tuple(lstm_region_names(PREFIX))
"""What a classifier takes from the LSTM region model."""


class LstmRegionModel(NeighbourObjective):
    """Two unidirectional LSTMs over a learned word table; ``forward`` returns the summed
    loss and the number of predicted words (the language model's interface)."""

    def __init__(
        self,
        vocab_size: int,
        units: int,
        region_size: int,
        pad_id: int,
        counts: np.ndarray,
        *,
        dropout: float = 0.0,
        table: np.ndarray | None = None,
        **sampling: Any,
    ) -> None:
        """``table``: the word table to start from (``[vocab_size, units]``; random without);
        ``sampling``: :class:`NeighbourObjective`'s negative-sampling options."""
        super().__init__(vocab_size, units, pad_id, counts, **sampling)
        self.pad_id = pad_id
        self.table = nn.Embedding(vocab_size, units, padding_idx=pad_id)
        if table is not None:
            with torch.no_grad():
                self.table.weight.copy_(torch.from_numpy(np.asarray(table, dtype=np.float32)))
        self.lstms = nn.ModuleList(nn.LSTM(units, units) for _ in DIRECTIONS)
        self.dropout = nn.Dropout(dropout)
        self.offsets = {
            "forward": list(range(1, region_size + 1)),
            "backward": [-step for step in range(1, region_size + 1)],
        }
        """The words each direction predicts, relative to the token its state has just read."""

    def _weights(self, direction: str) -> list[torch.Tensor]:
        lstm = self.lstms[DIRECTIONS.index(direction)]
        return [getattr(lstm, f"{weight}_l0") for weight in LSTM_WEIGHTS]

    def states(self, ids: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Forward and backward states ``[batch, time, units]`` (as a classifier reads them)."""
        words = self.dropout(self.table(ids))
        return lstm_region_states(
            words, lengths, self._weights("forward"), self._weights("backward"), self.training
        )

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, int]:
        """Negative-sampling loss summed over every predicted word inside its text."""
        forward, backward = self.states(ids, lengths)
        views = [
            (self.dropout(forward), self.offsets["forward"]),
            (self.dropout(backward), self.offsets["backward"]),
        ]
        return self.neighbour_loss(views, ids, lengths)

    def transferable_state(self) -> dict[str, torch.Tensor]:
        """The tensors a classifier takes (the padding row zero)."""
        table = self.table.weight.detach().clone()
        table[self.pad_id] = 0.0
        state = {f"{PREFIX}.table": table}
        for direction in DIRECTIONS:
            for weight, value in zip(LSTM_WEIGHTS, self._weights(direction), strict=True):
                state[f"{PREFIX}.{direction}.{weight}"] = value.detach().clone()
        return state
