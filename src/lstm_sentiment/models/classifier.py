"""The text classifier: embedding → encoder → pooling → dropout → linear head → logits."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from lstm_sentiment.config import ModelConfig
from lstm_sentiment.models.pooling import pool
from lstm_sentiment.models.recurrent import RecurrentEncoder


class RecurrentClassifier(nn.Module):
    """Recurrent sentiment classifier returning logits (softmax belongs to post-processing).

    Args:
        config: Model hyperparameters.
        vocab_size: Rows of the embedding table.
        embedding_dim: Columns of the embedding table (taken from the pretrained vectors).
        num_classes: Output classes.
        pad_id: Padding id of the vocabulary (its embedding stays zero).
        embeddings: Optional initial embedding matrix ``[vocab_size, embedding_dim]``.
        freeze_embeddings: Keep the embedding table fixed during training.
    """

    def __init__(
        self,
        config: ModelConfig,
        *,
        vocab_size: int,
        embedding_dim: int,
        num_classes: int,
        pad_id: int,
        embeddings: np.ndarray | None = None,
        freeze_embeddings: bool = False,
    ) -> None:
        super().__init__()
        self.config = config
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=pad_id)
        if embeddings is not None:
            with torch.no_grad():
                self.embedding.weight.copy_(torch.from_numpy(np.asarray(embeddings)))
        self.embedding.weight.requires_grad_(not freeze_embeddings)
        self.embedding_dropout = nn.Dropout(config.embedding_dropout)
        self.encoder = RecurrentEncoder(
            config.architecture,
            embedding_dim,
            config.hidden_size,
            num_layers=config.num_layers,
            bidirectional=config.bidirectional,
            dropout=config.dropout,
        )
        self.output_dropout = nn.Dropout(config.dropout)
        features = self.encoder.output_size * len(config.pooling)
        features += embedding_dim * len(config.embedding_pooling)
        self.head = nn.Linear(features, num_classes)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Logits ``[batch, num_classes]`` for right-padded ``ids [batch, time]``."""
        embedded = self.embedding_dropout(self.embedding(ids))
        outputs = self.encoder(embedded, lengths)
        pooled = pool(outputs, lengths, self.config.pooling, self.config.bidirectional)
        if self.config.embedding_pooling:
            lexical = pool(embedded, lengths, self.config.embedding_pooling, bidirectional=False)
            pooled = torch.cat([pooled, lexical], dim=-1)
        return self.head(self.output_dropout(pooled))
