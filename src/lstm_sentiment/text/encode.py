"""Text → ids: the single ``encode`` path used by training, evaluation and prediction."""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from lstm_sentiment.config import AUTO, TRUNCATION_POLICIES, TextConfig
from lstm_sentiment.errors import ConfigError
from lstm_sentiment.text.tokenize import Tokenizer, build_tokenizer
from lstm_sentiment.text.typos import TypoLookup
from lstm_sentiment.text.vocab import Vocabulary


def truncate(ids: Sequence[int], max_length: int, policy: str) -> Sequence[int]:
    """Cut a sequence to ``max_length`` keeping its head, its tail, or both halves."""
    if len(ids) <= max_length:
        return ids
    if policy == "head":
        return ids[:max_length]
    if policy == "tail":
        return ids[len(ids) - max_length :]
    if policy == "head+tail":
        head = (max_length + 1) // 2
        tail = max_length - head
        return list(ids[:head]) + (list(ids[len(ids) - tail :]) if tail else [])
    raise ConfigError(f"truncation must be one of {', '.join(TRUNCATION_POLICIES)}; got {policy!r}")


@dataclass
class TextEncoder:
    """Tokenizer + vocabulary + truncation policy, saved together in the model bundle."""

    tokenizer: Tokenizer
    vocab: Vocabulary
    max_length: int
    truncation: str
    typo_distance: int = 0
    """1: an unknown word one edit from a vocabulary word reads as it (``text.typo_distance``)."""
    typos: TypoLookup | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.typos = TypoLookup(self.vocab) if self.typo_distance else None

    def lookup(self, tokens: Sequence[str], text: str = "") -> list[int]:
        """Ids of ``tokens`` (of ``text``): with typo reading, an unknown word reads as the
        vocabulary word one edit away, unless it belongs to one of the text's @mentions or web
        addresses."""
        if self.typos is None:
            return self.vocab.lookup(tokens)
        return self.typos.lookup(tokens, text)

    @classmethod
    def from_config(cls, config: TextConfig, vocab: Vocabulary) -> TextEncoder:
        """Build the encoder that the configuration describes (``max_length`` must be set)."""
        if config.max_length == AUTO:
            raise ConfigError(
                "text.max_length is 0 (auto): train() derives it from the training data; "
                "set it to build an encoder directly"
            )
        return cls(
            build_tokenizer(config),
            vocab,
            config.max_length,
            config.truncation,
            config.typo_distance,
        )

    def encode(self, text: str) -> np.ndarray:
        """Ids of one text (at least one id: an empty text becomes a single unknown token)."""
        return self.encode_tokens(self.tokenizer.tokenize(text), text)

    def encode_tokens(self, tokens: Sequence[str], text: str = "") -> np.ndarray:
        """Ids of already tokenized text (of ``text``, when known), truncated by the policy."""
        ids = self.lookup(tokens, text) or [self.vocab.unk_id]
        return np.asarray(truncate(ids, self.max_length, self.truncation), dtype=np.int64)

    def encode_many(self, texts: Sequence[str]) -> list[np.ndarray]:
        """Encode a list of texts."""
        return [self.encode(text) for text in texts]

    def encode_flat(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """The ids of every text concatenated (int64) and each text's length: the same ids as
        :meth:`encode_many` without an array per text (prediction's hot path)."""
        flat = array("q")
        lengths = array("q")
        tokenize, lookup = self.tokenizer.tokenize, self.lookup
        unk, max_length, policy = self.vocab.unk_id, self.max_length, self.truncation
        for text in texts:
            ids = lookup(tokenize(text), text) or [unk]
            if len(ids) > max_length:
                ids = truncate(ids, max_length, policy)  # type: ignore[assignment]
            flat.extend(ids)
            lengths.append(len(ids))
        return np.array(flat, dtype=np.int64), np.array(lengths, dtype=np.int64)
