"""Settings derived from the training data when the config leaves them at 0 (``AUTO``).

* ``text.max_length``: the 95th percentile of training-text lengths in tokens, rounded up to a
  multiple of 16 (the ``data-stats`` suggestion), at most :data:`MAX_AUTO_LENGTH`;
* ``text.max_vocab_size``: the most frequent tokens seen at least ``text.min_freq`` times that
  together cover :data:`VOCAB_COVERAGE` of the training tokens, at most :data:`MAX_AUTO_VOCAB`;
* ``train.batch_size``: a power of two giving about :data:`TARGET_STEPS_PER_EPOCH` steps per
  epoch, between :data:`MIN_AUTO_BATCH` and :data:`MAX_AUTO_BATCH` (small data sets get more,
  smaller steps).

The resolved values are written into the run's ``config.json`` and the bundle, so a saved model
never depends on this module.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np

from lstm_sentiment.config import AUTO, MIN_VOCAB_SIZE, RunConfig
from lstm_sentiment.text.stats import SUGGESTED_PERCENTILE, suggest_max_length
from lstm_sentiment.text.vocab import PAD_TOKEN, UNK_TOKEN

MAX_AUTO_LENGTH = 1024
"""Longer texts are truncated even when the percentile says otherwise (recurrent cost)."""
VOCAB_COVERAGE = 0.98
"""Share of training tokens (running words) the automatic vocabulary covers."""
MAX_AUTO_VOCAB = 50_000
TARGET_STEPS_PER_EPOCH = 250
MIN_AUTO_BATCH = 16
MAX_AUTO_BATCH = 64


def auto_max_length(lengths: Sequence[int]) -> int:
    """Length keeping :data:`~lstm_sentiment.text.stats.SUGGESTED_PERCENTILE`% of texts whole."""
    return min(MAX_AUTO_LENGTH, suggest_max_length(lengths, SUGGESTED_PERCENTILE))


def auto_vocab_size(counts: Counter[str], min_freq: int) -> int:
    """Vocabulary size (special tokens included) covering :data:`VOCAB_COVERAGE` of tokens."""
    frequent = sorted((n for token, n in counts.items() if n >= min_freq), reverse=True)
    total = sum(counts.values())
    if not frequent or not total:
        return MIN_VOCAB_SIZE
    covered = np.cumsum(frequent) / total
    # The first size reaching the coverage, or all frequent tokens if they never reach it.
    words = int(np.searchsorted(covered, VOCAB_COVERAGE) + 1)
    specials = len({PAD_TOKEN, UNK_TOKEN})
    return max(MIN_VOCAB_SIZE, min(MAX_AUTO_VOCAB, min(words, len(frequent)) + specials))


def auto_batch_size(examples: int) -> int:
    """A power of two near ``examples / TARGET_STEPS_PER_EPOCH``, clipped to the bounds."""
    wanted = max(1.0, examples / TARGET_STEPS_PER_EPOCH)
    power = 2 ** round(math.log2(wanted))
    return int(min(MAX_AUTO_BATCH, max(MIN_AUTO_BATCH, power)))


def resolve_auto(
    config: RunConfig, token_lists: Sequence[Sequence[str]]
) -> tuple[RunConfig, dict[str, Any]]:
    """Replace the ``AUTO`` (0) settings by values derived from the training tokens.

    Args:
        config: The run configuration; it is not modified.
        token_lists: The tokenized training texts (validation and test excluded).

    Returns:
        The resolved configuration and, per derived setting, its value and how it was chosen
        (empty when nothing was left at 0).
    """
    text, train = config.text, config.train
    chosen: dict[str, Any] = {}
    if text.max_length == AUTO:
        lengths = [len(tokens) for tokens in token_lists]
        value = auto_max_length(lengths)
        kept = float(np.mean(np.asarray(lengths) <= value)) if lengths else 1.0
        text = dataclasses.replace(text, max_length=value)
        chosen["text.max_length"] = {
            "value": value,
            "rule": f"{SUGGESTED_PERCENTILE}th percentile of training lengths, rounded up to 16",
            "texts_whole": kept,
        }
    if text.max_vocab_size == AUTO:
        counts: Counter[str] = Counter()
        for tokens in token_lists:
            counts.update(tokens)
        value = auto_vocab_size(counts, text.min_freq)
        text = dataclasses.replace(text, max_vocab_size=value)
        chosen["text.max_vocab_size"] = {
            "value": value,
            "rule": (
                f"most frequent tokens seen >= {text.min_freq} times covering "
                f"{VOCAB_COVERAGE:.0%} of training tokens (at most {MAX_AUTO_VOCAB:,})"
            ),
            "distinct_tokens": len(counts),
        }
    if train.batch_size == AUTO:
        value = auto_batch_size(len(token_lists))
        train = dataclasses.replace(train, batch_size=value)
        chosen["train.batch_size"] = {
            "value": value,
            "rule": (
                f"about {TARGET_STEPS_PER_EPOCH} steps per epoch over {len(token_lists):,} "
                f"examples, a power of two in [{MIN_AUTO_BATCH}, {MAX_AUTO_BATCH}]"
            ),
        }
    return dataclasses.replace(config, text=text, train=train), chosen
