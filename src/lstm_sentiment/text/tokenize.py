"""Tokenizers by name: building one from the text configuration and rebuilding a saved one.

The tokenizers themselves live in :mod:`.word`, :mod:`.tweet` and :mod:`.subword`; the cleaning
and splitting they do is the one path shared by training and prediction.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from lstm_sentiment.config import TextConfig
from lstm_sentiment.errors import ConfigError
from lstm_sentiment.text.word import LearnedTokenizer, Tokenizer, WordTokenizer

__all__ = [
    "LearnedTokenizer",
    "Tokenizer",
    "WordTokenizer",
    "build_tokenizer",
    "tokenizer_from_dict",
]

TokenizerFactory = Callable[[TextConfig], Tokenizer]
TokenizerLoader = Callable[[dict[str, Any], Path | None], Tokenizer]


def _word_from_config(config: TextConfig) -> Tokenizer:
    return WordTokenizer(
        lowercase=config.lowercase,
        keep_punctuation=config.keep_punctuation,
        emoji=config.word_emoji,
        max_repeat=config.word_max_repeat,
    )


def _word_from_dict(saved: dict[str, Any], directory: Path | None) -> Tokenizer:
    return WordTokenizer(
        lowercase=bool(saved["lowercase"]),
        keep_punctuation=str(saved["keep_punctuation"]),
        emoji=bool(saved.get("emoji", False)),
        max_repeat=int(saved.get("max_repeat", 0)),
    )


def _tweet_from_config(config: TextConfig) -> Tokenizer:
    from lstm_sentiment.text.tweet import TweetTokenizer

    return TweetTokenizer(
        lowercase=config.lowercase,
        keep_punctuation=config.keep_punctuation,
        hashtags=config.tweet_hashtags,
        placeholders=tuple(config.tweet_placeholders),
        max_repeat=config.tweet_max_repeat,
    )


def _tweet_from_dict(saved: dict[str, Any], directory: Path | None) -> Tokenizer:
    from lstm_sentiment.text.tweet import TweetTokenizer

    return TweetTokenizer.from_dict(saved)


def _subword_from_config(config: TextConfig) -> Tokenizer:
    from lstm_sentiment.text.subword import SubwordTokenizer

    return SubwordTokenizer(
        config.subword_model, config.subword_vocab_size, lowercase=config.lowercase
    )


def _subword_from_dict(saved: dict[str, Any], directory: Path | None) -> Tokenizer:
    from lstm_sentiment.text.subword import SubwordTokenizer

    return SubwordTokenizer.from_dict(saved, directory)


TOKENIZERS: dict[str, tuple[TokenizerFactory, TokenizerLoader]] = {
    "word": (_word_from_config, _word_from_dict),
    "tweet": (_tweet_from_config, _tweet_from_dict),
    "subword": (_subword_from_config, _subword_from_dict),
}
"""name → (build from the text config, rebuild from the saved ``to_dict()`` and bundle folder).

Tokenizers learned from data (subwords) also have ``fit(texts)`` and ``save(directory)``."""


def _entry(name: str) -> tuple[TokenizerFactory, TokenizerLoader]:
    if name not in TOKENIZERS:
        raise ConfigError(f"unknown tokenizer {name!r}; valid: {', '.join(TOKENIZERS)}")
    return TOKENIZERS[name]


def build_tokenizer(config: TextConfig) -> Tokenizer:
    """Create the tokenizer the text configuration names."""
    return _entry(config.tokenizer)[0](config)


def tokenizer_from_dict(saved: dict[str, Any], directory: Path | None = None) -> Tokenizer:
    """Rebuild a tokenizer from its saved settings (and files in ``directory``, if it has any)."""
    return _entry(str(saved["name"]))[1](saved, directory)
