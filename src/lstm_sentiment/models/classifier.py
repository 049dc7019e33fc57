"""The text classifier: embedding → encoder → pooling → dropout → [dense] → output → logits."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from lstm_sentiment.config import ModelConfig
from lstm_sentiment.errors import ConfigError
from lstm_sentiment.models.layers import activation
from lstm_sentiment.models.lexicon import LexiconFeatures
from lstm_sentiment.models.lstm_region import LstmRegionFeatures
from lstm_sentiment.models.nb_ngrams import NbNgramLogits
from lstm_sentiment.models.normalized_embedding import EmbeddingStandardizer
from lstm_sentiment.models.pooling import Pooler, padding_mask, pool
from lstm_sentiment.models.recurrent import RecurrentEncoder
from lstm_sentiment.models.region import RegionFeatures
from lstm_sentiment.vectors.lexicon import LEXICON_FEATURES

BIGRAM_HASH_MULTIPLIER = 1_000_003
"""A prime larger than any vocabulary: ``(a · p + b) mod buckets`` spreads word pairs."""


class HashedBigrams(nn.Module):
    """Mean of learned vectors of the hashed adjacent word pairs of each text (padding never
    forms a pair), a direct lexical path for short texts."""

    def __init__(self, buckets: int, dim: int) -> None:
        super().__init__()
        self.buckets = buckets
        self.embedding = nn.Embedding(buckets, dim)
        self.output_size = dim

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        if ids.size(1) < 2:
            return ids.new_zeros((ids.size(0), self.output_size), dtype=torch.float32)
        pairs = (ids[:, :-1] * BIGRAM_HASH_MULTIPLIER + ids[:, 1:]) % self.buckets
        valid = padding_mask(lengths - 1, pairs.size(1)).unsqueeze(-1)
        total = self.embedding(pairs).masked_fill(~valid, 0.0).sum(dim=1)
        return total / (lengths - 1).clamp_min(1).unsqueeze(1).to(total.dtype)


def token_features_size(config: ModelConfig, embedding_dim: int) -> int:
    """Width of each token's input to the encoder: the embedding plus lexicon and region
    features."""
    return (
        embedding_dim + (LEXICON_FEATURES if config.lexicon != "none" else 0) + config.region_width
    )


class TextClassifier(nn.Module):
    """Sentiment classifier returning logits (softmax belongs to post-processing).

    A ``sigmoid`` output has one logit ``z``; the model returns ``[0, z]`` so that softmax gives
    ``[1 − σ(z), σ(z)]`` and cross-entropy equals binary cross-entropy: everything downstream
    handles both outputs the same way.

    Args:
        config: Model hyperparameters.
        encoder: Maps ``(embedded, lengths)`` to ``(outputs, lengths)``; has ``output_size``
            and ``bidirectional``.
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
        encoder: nn.Module,
        *,
        vocab_size: int,
        embedding_dim: int,
        num_classes: int,
        pad_id: int,
        embeddings: np.ndarray | None = None,
        freeze_embeddings: bool = False,
    ) -> None:
        super().__init__()
        if config.output == "sigmoid" and num_classes != 2:
            raise ConfigError(
                f"model.output sigmoid needs exactly 2 classes, the data has {num_classes}: "
                "use softmax"
            )
        self.config = config
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=pad_id)
        if embeddings is not None:
            with torch.no_grad():
                self.embedding.weight.copy_(torch.from_numpy(np.asarray(embeddings)))
        self.embedding.weight.requires_grad_(not freeze_embeddings)
        self.embedding_dropout = nn.Dropout(config.embedding_dropout)
        self.standardizer: EmbeddingStandardizer | None = None
        if config.embedding_standardization:
            self.standardizer = EmbeddingStandardizer(vocab_size)
        self.lexicon: LexiconFeatures | None = None
        if config.lexicon != "none":
            self.lexicon = LexiconFeatures(vocab_size)
        self.region: RegionFeatures | None = None
        if config.region_dim:
            self.region = RegionFeatures(vocab_size, config.region_dim, config.region_size)
        self.lstm_region: LstmRegionFeatures | None = None
        if config.lstm_region_dim:
            units = config.lstm_region_dim
            self.lstm_region = LstmRegionFeatures(vocab_size, units, units, pad_id)
        self.encoder = encoder
        self.pooler = Pooler(
            config.pooling,
            encoder.output_size,
            encoder.bidirectional,
            attention_size=config.attention_size,
            attention_heads=config.attention_heads,
        )
        self._pools_directions = (
            isinstance(encoder, RecurrentEncoder)
            and encoder.keeps_directions
            and self.pooler.order_free
        )
        """Pool each direction on its own: a backward direction needs no re-alignment."""
        self.output_dropout = nn.Dropout(config.head_dropout)
        token_size = token_features_size(config, embedding_dim)
        features = self.pooler.output_size + token_size * len(config.embedding_pooling)
        self.bigrams: HashedBigrams | None = None
        if config.ngram_buckets:
            self.bigrams = HashedBigrams(config.ngram_buckets, config.ngram_dim)
            features += config.ngram_dim
        self.dense: nn.Module | None = None
        if config.dense_size:
            self.dense = nn.Sequential(
                nn.Linear(features, config.dense_size),
                activation(config.dense_activation),
                nn.Dropout(config.head_dropout),
            )
            features = config.dense_size
        self.head = nn.Linear(features, 1 if config.output == "sigmoid" else num_classes)
        self.nb: NbNgramLogits | None = None
        if config.nb_ngrams:
            self.nb = NbNgramLogits(
                vocab_size,
                config.nb_buckets,
                config.nb_ngrams,
                self.head.out_features,
                pad_id,
                init=config.nb_init,
                dropout=config.nb_dropout,
                shared_weights=config.nb_weights == "shared",
                length_gate=config.nb_length_gate,
            )

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Logits ``[batch, num_classes]`` for right-padded ``ids [batch, time]``."""
        return self.classify(self.embed(ids), lengths, ids)

    def embed(self, ids: torch.Tensor) -> torch.Tensor:
        """Word embeddings (with embedding dropout while training) and, with a lexicon or region
        embeddings, their features after them: ``[batch, time, token features]``."""
        embedded = self.embedding(ids)
        if self.standardizer is not None:
            embedded = self.standardizer(self.embedding.weight, embedded)
        parts = [self.embedding_dropout(embedded)]
        if self.lexicon is not None:
            parts.append(self.lexicon(ids))
        if self.region is not None:
            parts.append(self.embedding_dropout(self.region(ids)))
        if self.lstm_region is not None:
            parts.append(self.embedding_dropout(self.lstm_region(ids)))
        return parts[0] if len(parts) == 1 else torch.cat(parts, dim=-1)

    def classify(
        self, embedded: torch.Tensor, lengths: torch.Tensor, ids: torch.Tensor
    ) -> torch.Tensor:
        """Logits from (possibly perturbed) embeddings of ``ids``; see :meth:`forward`."""
        if isinstance(self.encoder, RecurrentEncoder) and self._pools_directions:
            pooled = self.pooler.pool_directions(
                self.encoder.directions(embedded, lengths), lengths
            )
        else:
            outputs, out_lengths = self.encoder(embedded, lengths)
            pooled = self.pooler(outputs, out_lengths)
        if self.config.embedding_pooling:
            lexical = pool(embedded, lengths, self.config.embedding_pooling, bidirectional=False)
            pooled = torch.cat([pooled, lexical], dim=-1)
        if self.bigrams is not None:
            pooled = torch.cat([pooled, self.bigrams(ids, lengths)], dim=-1)
        features = self.output_dropout(pooled)
        if self.dense is not None:
            features = self.dense(features)
        logits = self.head(features)
        if self.nb is not None:
            logits = logits + self.nb(ids, lengths)
        if self.config.output == "sigmoid":
            logits = torch.cat([torch.zeros_like(logits), logits], dim=-1)
        return logits

    def auxiliary_loss(self) -> torch.Tensor:
        """Penalties from the last forward pass to add to the loss (attention diversity)."""
        attention = self.pooler.attention
        if attention is None or self.config.attention_penalty == 0 or attention.heads == 1:
            return torch.zeros(())
        return self.config.attention_penalty * attention.penalty
