"""Word-vector settings the command line needs at parser build: names and defaults only, no
numpy and no gensim (training lives in :mod:`.train`, which re-exports these)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from lstm_sentiment.config.choices import DEFAULT_SEED
from lstm_sentiment.errors import ConfigError

EMBEDDED_VECTORS = "glove-6b-50d"
"""Name of the GloVe vectors embedded in the package."""
WORD2VEC_FORMATS = ("word2vec-text", "word2vec-binary")
"""Output formats of :func:`save_word2vec`."""


@dataclass(frozen=True)
class Word2VecConfig:
    """Word2vec training settings (gensim's names in brackets).

    Attributes:
        dim: Vector dimension (``vector_size``).
        window: Maximum distance between a word and its context words.
        min_count: Ignore words seen fewer times than this.
        negative: Negative samples per positive one (0 would need hierarchical softmax).
        epochs: Passes over the corpus.
        skip_gram: Skip-gram (predict the context from the word, ``sg=1``) rather than CBOW
            (predict the word from its averaged context): slower, better for rare words.
        sample: Down-sampling threshold for frequent words.
        threads: Worker threads (``workers``); 0 = all cores.
        seed: Seed of the initial vectors and sampling (several threads still race a little).
    """

    dim: int = 100
    window: int = 5
    min_count: int = 5
    negative: int = 5
    epochs: int = 5
    skip_gram: bool = True
    sample: float = 1e-3
    threads: int = 0
    seed: int = DEFAULT_SEED

    def __post_init__(self) -> None:
        for name in ("dim", "window", "min_count", "negative", "epochs"):
            if getattr(self, name) < 1:
                raise ConfigError(f"word2vec {name} must be >= 1, got {getattr(self, name)}")
        if self.threads < 0:
            raise ConfigError(f"word2vec threads must be >= 0 (0 = all cores), got {self.threads}")
        if self.sample < 0:
            raise ConfigError(f"word2vec sample must be >= 0, got {self.sample}")

    @property
    def workers(self) -> int:
        """The number of gensim worker threads."""
        return self.threads or os.cpu_count() or 1
