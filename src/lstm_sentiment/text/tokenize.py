"""Cleaning and tokenization: the one path shared by training and prediction.

Unlike the seed tutorial, which deletes all punctuation, this keeps what carries sentiment:
negations split off as ``n't`` (as in GloVe's own tokenization), ``!``/``?`` and emoticons.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from lstm_sentiment.config import TextConfig
from lstm_sentiment.errors import ConfigError

_BREAK_TAG = re.compile(r"<\s*br\s*/?\s*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"</?[a-zA-Z][^<>]{0,200}>")
_EMOTICON = r"(?:[<>]?[:;=][\-o\*']?(?!//)[\)\]\(\[dDpP/\\|@3]+|[\)\(][\-o']?[:;=]|<3)"
_WORD = r"[^\W_]+(?:[-'’][^\W_]+)*"
_CLITICS = re.compile(r"(?i)^(.+?)(n't|'s|'re|'ve|'ll|'d|'m)$")


@dataclass(frozen=True)
class WordTokenizer:
    """Cleans raw text and splits it into tokens.

    Args:
        lowercase: Lowercase tokens (emoticons keep their case-insensitive form).
        keep_punctuation: Punctuation characters emitted as tokens; others are dropped.
    """

    lowercase: bool = True
    keep_punctuation: str = "!?"

    def __post_init__(self) -> None:
        kept = "".join(re.escape(ch) for ch in self.keep_punctuation)
        parts = [_EMOTICON, _WORD]
        if kept:
            parts.append(f"[{kept}]")
        object.__setattr__(self, "_pattern", re.compile("|".join(parts)))

    def clean(self, text: str) -> str:
        """Normalise unicode, unescape HTML entities, drop tags (``<br />`` becomes a space)."""
        text = unicodedata.normalize("NFKC", text)
        text = html.unescape(text)
        text = _BREAK_TAG.sub(" ", text)
        text = _ANY_TAG.sub(" ", text)
        return text.replace("’", "'").replace("`", "'")

    def tokenize(self, text: str) -> list[str]:
        """Clean ``text`` and return its tokens."""
        tokens: list[str] = []
        for match in self._pattern.finditer(self.clean(text)):  # type: ignore[attr-defined]
            token = match.group(0)
            if self.lowercase:
                token = token.lower()
            clitic = _CLITICS.match(token) if "'" in token else None
            if clitic:
                stem, suffix = clitic.groups()
                tokens.extend((stem, suffix) if stem else (suffix,))
            else:
                tokens.append(token)
        return tokens

    def to_dict(self) -> dict[str, object]:
        """Settings saved in a model bundle."""
        return {
            "name": "word",
            "lowercase": self.lowercase,
            "keep_punctuation": self.keep_punctuation,
        }


class Tokenizer(Protocol):
    """What the encoder needs from a tokenizer; ``to_dict`` is what the bundle saves."""

    def tokenize(self, text: str) -> list[str]: ...

    def to_dict(self) -> dict[str, Any]: ...


@runtime_checkable
class LearnedTokenizer(Tokenizer, Protocol):
    """A tokenizer learned from the training texts: ``fit`` before use, ``save`` into a bundle."""

    def fit(self, texts: Iterable[str]) -> Any: ...

    def save(self, directory: str | Path) -> Path: ...


TokenizerFactory = Callable[[TextConfig], Tokenizer]
TokenizerLoader = Callable[[dict[str, Any], Path | None], Tokenizer]


def _word_from_config(config: TextConfig) -> Tokenizer:
    return WordTokenizer(lowercase=config.lowercase, keep_punctuation=config.keep_punctuation)


def _word_from_dict(saved: dict[str, Any], directory: Path | None) -> Tokenizer:
    return WordTokenizer(
        lowercase=bool(saved["lowercase"]), keep_punctuation=str(saved["keep_punctuation"])
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
