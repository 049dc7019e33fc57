"""Settings derived from the training data when left at 0 (auto)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from lstm_sentiment.config import AUTO, RunConfig
from lstm_sentiment.errors import ConfigError
from lstm_sentiment.text import auto
from lstm_sentiment.text.encode import TextEncoder
from lstm_sentiment.text.vocab import Vocabulary


def test_defaults_are_auto_and_committed_configs_stay_explicit() -> None:
    config = RunConfig()
    assert (config.text.max_length, config.text.max_vocab_size, config.train.batch_size) == (
        AUTO,
        AUTO,
        AUTO,
    )
    imdb = RunConfig.from_file(Path(__file__).parents[2] / "configs" / "imdb_default.toml")
    assert (imdb.text.max_length, imdb.text.max_vocab_size, imdb.train.batch_size) == (
        800,
        50_000,
        64,
    )


def test_auto_max_length_is_the_95th_percentile_rounded_up() -> None:
    lengths = list(range(1, 101))  # 95th percentile 95.05 -> 96
    assert auto.auto_max_length(lengths) == 96
    assert auto.auto_max_length([3] * 10) == 16
    assert auto.auto_max_length([10_000] * 3) == auto.MAX_AUTO_LENGTH


def test_auto_vocab_size_covers_the_tokens() -> None:
    counts = Counter({"a": 50, "b": 30, "c": 15, "d": 3, "e": 1, "f": 1})
    # 50+30+15 = 95 of 100 tokens; with d 98% -> 4 words + padding + unknown.
    assert auto.auto_vocab_size(counts, min_freq=1) == 6
    # min_freq 2 leaves a..d (98% covered by all of them).
    assert auto.auto_vocab_size(counts, min_freq=2) == 6
    assert auto.auto_vocab_size(Counter({"x": 1}), min_freq=2) == 3


@pytest.mark.parametrize(
    ("examples", "batch"), [(10, 16), (4_000, 16), (8_000, 32), (16_000, 64), (10**6, 64)]
)
def test_auto_batch_size_aims_at_steps_per_epoch(examples: int, batch: int) -> None:
    assert auto.auto_batch_size(examples) == batch


def test_resolve_auto_replaces_only_zeros() -> None:
    tokens = [["good", "film"] * (i % 5 + 1) for i in range(40)]
    config = RunConfig()
    resolved, chosen = auto.resolve_auto(config, tokens)
    assert set(chosen) == {"text.max_length", "text.max_vocab_size", "train.batch_size"}
    assert resolved.text.max_length == 16 and resolved.train.batch_size == 16
    assert resolved.text.max_vocab_size == 4
    assert config.text.max_length == AUTO  # the input is untouched
    assert chosen["text.max_length"]["texts_whole"] == 1.0
    fixed = RunConfig.from_dict({"text": {"max_length": 7}, "train": {"batch_size": 5}})
    resolved, chosen = auto.resolve_auto(fixed, tokens)
    assert list(chosen) == ["text.max_vocab_size"]
    assert (resolved.text.max_length, resolved.train.batch_size) == (7, 5)


def test_encoder_needs_a_resolved_max_length() -> None:
    vocab = Vocabulary.build([["a"]])
    with pytest.raises(ConfigError, match=r"text\.max_length is 0"):
        TextEncoder.from_config(RunConfig().text, vocab)
