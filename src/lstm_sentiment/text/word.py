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

from lstm_sentiment.text.emoji import EMOJI, letter_runs, normalise_emoji

_BREAK_TAG = re.compile(r"<\s*br\s*/?\s*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"</?[a-zA-Z][^<>]{0,200}>")
_EMOTICON = r"(?:[<>]?[:;=][\-o\*']?(?!//)[\)\]\(\[dDpP/\\|@3]+|[\)\(][\-o']?[:;=]|<3)"
_WORD = r"[^\W_]+(?:[-'’][^\W_]+)*"
_TRIPLE = re.compile(r"(\w)\1\1")
"""Three equal word characters in a row (searched in the lowercased text: twice as fast as a
case-insensitive letter class): the texts whose elongations may need cutting."""
CLITICS = re.compile(r"(?i)^(.+?)(n't|'s|'re|'ve|'ll|'d|'m)$")
"""A word and its clitic (``don't`` → ``do`` + ``n't``), split as GloVe's tokenization does."""


@dataclass(frozen=True)
class WordTokenizer:
    """Cleans raw text and splits it into tokens.

    Args:
        lowercase: Lowercase tokens (emoticons keep their case-insensitive form).
        keep_punctuation: Punctuation characters emitted as tokens; others are dropped.
        emoji: Emoji are tokens (without skin tones and variation selectors); otherwise dropped.
        max_repeat: Cut runs of one letter to this length (``sooo`` → ``soo`` with 2; 0 = off).
    """

    lowercase: bool = True
    keep_punctuation: str = "!?"
    emoji: bool = False
    max_repeat: int = 0

    def __post_init__(self) -> None:
        if self.max_repeat < 0:
            raise ValueError(f"max_repeat must be >= 0, got {self.max_repeat}")
        kept = "".join(re.escape(ch) for ch in self.keep_punctuation)
        parts = [_EMOTICON, _WORD]
        if self.emoji:
            parts.append(EMOJI)
        if kept:
            parts.append(f"[{kept}]")
        object.__setattr__(self, "_pattern", re.compile("|".join(parts)))
        runs = letter_runs(self.max_repeat, ignore_case=True) if self.max_repeat else None
        object.__setattr__(self, "_runs", runs)

    def _cut_runs(self, text: str) -> str:
        """``text`` with elongations cut (a whole text at once, in C; most texts have no run
        of three equal letters, and a plain search says so faster than a substitution)."""
        runs = self._runs  # type: ignore[attr-defined]
        if runs is None or not _TRIPLE.search(text.lower()):
            return text
        pattern, replacement = runs
        return pattern.sub(replacement, text)

    def _emoji_forms(self, tokens: list[str]) -> list[str]:
        """Emoji tokens without modifiers; only non-ASCII tokens can hold one."""
        return [token if token.isascii() else normalise_emoji(token) for token in tokens]

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
        cleaned = self._cut_runs(self.clean(text))
        found: list[str] = self._pattern.findall(cleaned)  # type: ignore[attr-defined]
        if self.lowercase:
            found = list(map(str.lower, found))
        if self.emoji and not cleaned.isascii():
            found = self._emoji_forms(found)
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
            token = self._cut_runs(token)
            if self.emoji:
                token = self._emoji_forms([token])[0]
            tokens.extend(split_clitic(token, start, end))
        return tokens

    def to_dict(self) -> dict[str, object]:
        """Settings saved in a model bundle (the options a bundle did not use stay out, so
        older readers read it)."""
        saved: dict[str, object] = {
            "name": "word",
            "lowercase": self.lowercase,
            "keep_punctuation": self.keep_punctuation,
        }
        if self.emoji:
            saved["emoji"] = True
        if self.max_repeat:
            saved["max_repeat"] = self.max_repeat
        return saved


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
