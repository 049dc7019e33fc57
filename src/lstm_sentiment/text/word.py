"""The word tokenizer and the tokenizer protocols: cleaning and splitting shared by training and
prediction.

Unlike the seed tutorial, which deletes all punctuation, this keeps what carries sentiment:
negations split off as ``n't`` (as in GloVe's own tokenization), ``!``/``?`` and emoticons.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

_BREAK_TAG = re.compile(r"<\s*br\s*/?\s*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"</?[a-zA-Z][^<>]{0,200}>")
_EMOTICON = r"(?:[<>]?[:;=][\-o\*']?(?!//)[\)\]\(\[dDpP/\\|@3]+|[\)\(][\-o']?[:;=]|<3)"
_WORD = r"[^\W_]+(?:[-'’][^\W_]+)*"
CLITICS = re.compile(r"(?i)^(.+?)(n't|'s|'re|'ve|'ll|'d|'m)$")
"""A word and its clitic (``don't`` → ``do`` + ``n't``), split as GloVe's tokenization does."""


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
        if "<" in text:
            text = _BREAK_TAG.sub(" ", text)
            text = _ANY_TAG.sub(" ", text)
        return text.replace("’", "'").replace("`", "'")

    def tokenize(self, text: str) -> list[str]:
        """Clean ``text`` and return its tokens."""
        # One findall and one lowercasing pass in C; only texts with an apostrophe need the
        # per-token clitic split (the pattern has no capturing groups: findall gives matches).
        cleaned = self.clean(text)
        found: list[str] = self._pattern.findall(cleaned)  # type: ignore[attr-defined]
        if self.lowercase:
            found = list(map(str.lower, found))
        if "'" not in cleaned:
            return found
        tokens: list[str] = []
        for token in found:
            clitic = CLITICS.match(token) if "'" in token else None
            if clitic:
                stem, suffix = clitic.groups()
                tokens.extend((stem, suffix) if stem else (suffix,))
            else:
                tokens.append(token)
        return tokens

    def spans(self, cleaned: str) -> list[tuple[str, int, int]]:
        """Tokens of already cleaned text with their ``[start, end)`` in it (a clitic's stem
        and suffix split their word's characters)."""
        tokens: list[tuple[str, int, int]] = []
        for match in self._pattern.finditer(cleaned):  # type: ignore[attr-defined]
            token = match.group(0)
            start, end = match.span()
            if self.lowercase:
                token = token.lower()
            tokens.extend(split_clitic(token, start, end))
        return tokens

    def to_dict(self) -> dict[str, object]:
        """Settings saved in a model bundle."""
        return {
            "name": "word",
            "lowercase": self.lowercase,
            "keep_punctuation": self.keep_punctuation,
        }


def split_clitic(token: str, start: int, end: int) -> list[tuple[str, int, int]]:
    """``token`` (at ``[start, end)`` of the cleaned text) split into stem and clitic, with the
    characters each covers (the clitic's are the last ones: its letters keep their length)."""
    clitic = CLITICS.match(token) if "'" in token else None
    if not clitic:
        return [(token, start, end)]
    stem, suffix = clitic.groups()
    if not stem:
        return [(suffix, start, end)]
    cut = max(start, end - len(suffix))
    return [(stem, start, cut), (suffix, cut, end)]


class Tokenizer(Protocol):
    """What the encoder needs from a tokenizer; ``to_dict`` is what the bundle saves."""

    def tokenize(self, text: str) -> list[str]: ...

    def to_dict(self) -> dict[str, Any]: ...


@runtime_checkable
class LearnedTokenizer(Tokenizer, Protocol):
    """A tokenizer learned from the training texts: ``fit`` before use, ``save`` into a bundle."""

    def fit(self, texts: Iterable[str]) -> Any: ...

    def save(self, directory: str | Path) -> Path: ...
