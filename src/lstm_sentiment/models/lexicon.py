"""Fixed per-token lexicon features (``model.lexicon``): a ``[vocabulary, features]`` table
looked up like an embedding but never trained, saved with the weights as a buffer."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from lstm_sentiment.vectors.lexicon import LEXICON_FEATURES


class LexiconFeatures(nn.Module):
    """Each token's lexicon features (valence, negation, intensity); zeros until
    :meth:`set_table` fills them at training time or the weights file is loaded."""

    def __init__(self, vocab_size: int) -> None:
        super().__init__()
        self.register_buffer("table", torch.zeros(vocab_size, LEXICON_FEATURES))
        self.output_size = LEXICON_FEATURES

    def set_table(self, table: np.ndarray) -> None:
        """Use ``table`` (one row per vocabulary id) from now on."""
        values = torch.from_numpy(np.asarray(table, dtype=np.float32))
        if values.shape != self.table.shape:
            raise ValueError(f"lexicon table {tuple(values.shape)} != {tuple(self.table.shape)}")
        self.table.copy_(values)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return nn.functional.embedding(ids, self.table)
