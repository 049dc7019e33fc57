"""Plain text corpora for word vectors: texts of any source (labelled or not), word counts."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
from tqdm import tqdm

from lstm_sentiment.config import DEFAULT_SEED, DataConfig, TextConfig
from lstm_sentiment.data import load_splits
from lstm_sentiment.errors import ConfigError, DataError
from lstm_sentiment.text.tokenize import LearnedTokenizer, Tokenizer, build_tokenizer

logger = logging.getLogger(__name__)


def parse_splits(values: Iterable[str]) -> list[str]:
    """Split names from options such as ``["train,unsup"]`` or ``["train", "unsup"]``."""
    splits = [name.strip() for value in values for name in value.split(",") if name.strip()]
    return list(dict.fromkeys(splits))


def corpus_texts(
    source: str | Path,
    splits: Sequence[str],
    options: DataConfig | None = None,
    *,
    limit: int = 0,
    seed: int = DEFAULT_SEED,
) -> list[str]:
    """The non-empty texts of ``splits`` of ``source``; labels are ignored.

    The first split must exist; later ones (e.g. ``unsup``) are used when the source has them,
    with a warning otherwise. Sources without split folders (a CSV file) give their texts once.

    Args:
        source: A data source (see :func:`lstm_sentiment.data.load_splits`).
        splits: Split names, e.g. ``["train", "unsup"]``; never include a test split you will
            evaluate on.
        options: Reader options (columns, encoding).
        limit: Keep a seeded random sample of this many texts (0 = all).
        seed: Seed of that sample.

    Raises:
        DataError: The source or its first split is missing or empty.
    """
    if not splits:
        raise DataError("no split to read: give one, e.g. --split train,unsup")
    loaded = load_splits(source, splits, options, optional=splits[1:])
    skipped = [split for split in splits if split not in loaded]
    if skipped:
        logger.warning("%s has no split %s: left out", source, ", ".join(map(repr, skipped)))
    texts = [ex.text for examples in loaded.values() for ex in examples if ex.text.strip()]
    if not texts:
        raise DataError(f"no text in {source} (splits {', '.join(splits)})")
    if limit and limit < len(texts):
        keep = np.random.default_rng(seed).permutation(len(texts))[:limit]
        texts = [texts[i] for i in sorted(keep)]
    return texts


def word_tokenizer(config: TextConfig) -> Tokenizer:
    """The configured tokenizer, which must split text into words (not learned subwords).

    Raises:
        ConfigError: The configuration names a learned (subword) tokenizer.
    """
    tokenizer = build_tokenizer(config)
    if isinstance(tokenizer, LearnedTokenizer):
        raise ConfigError(
            f"word vectors need a word tokenizer, but text.tokenizer is {config.tokenizer!r}: "
            'use a config with text.tokenizer = "word"'
        )
    return tokenizer


def count_tokens(
    texts: Iterable[str], tokenizer: Tokenizer, *, progress: bool = True
) -> Counter[str]:
    """Occurrences of each token over ``texts``."""
    counts: Counter[str] = Counter()
    for text in tqdm(texts, desc="tokenizing", unit="text", disable=None if progress else True):
        counts.update(tokenizer.tokenize(text))
    return counts
