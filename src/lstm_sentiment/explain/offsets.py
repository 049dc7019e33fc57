"""Character offsets of tokens in the ORIGINAL text.

Tokenizers clean a text before splitting it (unicode normalisation, HTML entities, tags,
retweet markers, whitespace, lowercasing), so a token's position in the cleaned text is not its
position in what the user wrote. :class:`TrackedText` repeats the cleaning while remembering,
for every cleaned character, the span of raw characters it came from; each tokenizer's
``spans(cleaned)`` gives the tokens' spans in the cleaned text, and the two compose into raw
spans. A character a replacement produced (a space for a tag, ``&`` for ``&amp;``) covers what
it replaced, so a placeholder token (``<user>``, ``<url>``) covers the mention or URL.

The tracked cleaning is checked against the tokenizer's own ``clean``; when they ever differ
(a tokenizer this module does not know), tokens are aligned to the raw text instead
(:func:`align_tokens`).
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lstm_sentiment.text.word import _ANY_TAG, _BREAK_TAG

_CHARREF = re.compile(r"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)")
"""The references :func:`html.unescape` replaces (the same pattern as its own)."""
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Token:
    """A token and the ``[start, end)`` characters of the raw text it stands for."""

    text: str
    start: int
    end: int


@dataclass
class TrackedText:
    """A string and, per character, the ``[start, end)`` raw characters it came from."""

    text: str
    starts: list[int]
    ends: list[int]

    @classmethod
    def of(cls, raw: str) -> TrackedText:
        return cls(raw, list(range(len(raw))), list(range(1, len(raw) + 1)))

    def sub(self, pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str]) -> TrackedText:
        """``pattern.sub(replace, text)``; what a match produced covers the matched characters."""
        text: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        position = 0
        for match in pattern.finditer(self.text):
            begin, finish = match.span()
            text.append(self.text[position:begin])
            starts.extend(self.starts[position:begin])
            ends.extend(self.ends[position:begin])
            produced = replace(match)
            if produced:
                start, end = self.raw_span(begin, finish)
                text.append(produced)
                starts.extend([start] * len(produced))
                ends.extend([end] * len(produced))
            position = finish
        text.append(self.text[position:])
        starts.extend(self.starts[position:])
        ends.extend(self.ends[position:])
        return TrackedText("".join(text), starts, ends)

    def map_chars(self, change: Callable[[str], str]) -> TrackedText:
        """Each character replaced by ``change(character)`` (which may be longer or empty)."""
        text: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        for char, start, end in zip(self.text, self.starts, self.ends, strict=True):
            produced = change(char)
            text.append(produced)
            starts.extend([start] * len(produced))
            ends.extend([end] * len(produced))
        return TrackedText("".join(text), starts, ends)

    def normalize(self, form: str) -> TrackedText:
        """Unicode normalisation, one starter and its combining marks at a time (neighbours that
        compose across that boundary, like Hangul jamo, are normalised together)."""
        if unicodedata.is_normalized(form, self.text):
            return self
        groups: list[tuple[int, int]] = []
        for index, char in enumerate(self.text):
            if groups and unicodedata.combining(char):
                groups[-1] = (groups[-1][0], index + 1)
            else:
                groups.append((index, index + 1))
        merged: list[tuple[int, int]] = []
        for group in groups:
            if merged:
                a, b = merged[-1], group
                left, right = self.text[a[0] : a[1]], self.text[b[0] : b[1]]
                joined = unicodedata.normalize(form, left + right)
                if joined != unicodedata.normalize(form, left) + unicodedata.normalize(form, right):
                    merged[-1] = (a[0], b[1])
                    continue
            merged.append(group)
        text: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        for begin, finish in merged:
            produced = unicodedata.normalize(form, self.text[begin:finish])
            start, end = self.raw_span(begin, finish)
            text.append(produced)
            starts.extend([start] * len(produced))
            ends.extend([end] * len(produced))
        out = TrackedText("".join(text), starts, ends)
        if out.text != unicodedata.normalize(form, self.text):  # never seen: one coarse span
            whole = unicodedata.normalize(form, self.text)
            start, end = self.raw_span(0, len(self.text))
            return TrackedText(whole, [start] * len(whole), [end] * len(whole))
        return out

    def strip(self) -> TrackedText:
        """Without leading and trailing whitespace."""
        begin = len(self.text) - len(self.text.lstrip())
        finish = len(self.text.rstrip())
        finish = max(begin, finish)
        return TrackedText(
            self.text[begin:finish], self.starts[begin:finish], self.ends[begin:finish]
        )

    def raw_span(self, begin: int, finish: int) -> tuple[int, int]:
        """Raw ``[start, end)`` of cleaned characters ``[begin, finish)`` (an empty range is the
        empty span before the next character)."""
        if finish <= begin:
            at = self.starts[begin] if begin < len(self.starts) else (self.ends or [0])[-1]
            return at, at
        return min(self.starts[begin:finish]), max(self.ends[begin:finish])


def clean_word(raw: str) -> TrackedText:
    """:meth:`WordTokenizer.clean`, tracked."""
    text = TrackedText.of(raw).normalize("NFKC")
    text = text.sub(_CHARREF, lambda match: html.unescape(match.group(0)))
    text = text.sub(_BREAK_TAG, lambda match: " ")
    text = text.sub(_ANY_TAG, lambda match: " ")
    return text.map_chars(lambda char: "'" if char in "’`" else char)


def clean_tweet(raw: str) -> TrackedText:
    """:meth:`TweetTokenizer.clean`, tracked."""
    from lstm_sentiment.text.tweet import _RETWEET

    return clean_word(raw).sub(_RETWEET, lambda match: " ")


def clean_subword(raw: str, lowercase: bool) -> TrackedText:
    """:meth:`SubwordTokenizer.clean`, tracked."""
    text = clean_word(raw).sub(_WHITESPACE, lambda match: " ").strip()
    return text.map_chars(str.lower) if lowercase else text


def tracked_clean(tokenizer: Any, raw: str) -> TrackedText | None:
    """The tokenizer's cleaning of ``raw`` with raw offsets, or ``None`` for a tokenizer that
    cleans in a way this module does not repeat."""
    name = tokenizer.to_dict().get("name")
    if name == "word":
        return clean_word(raw)
    if name == "tweet":
        return clean_tweet(raw)
    if name == "subword":
        return clean_subword(raw, bool(tokenizer.lowercase))
    return None


def locate_tokens(tokenizer: Any, raw: str) -> list[Token]:
    """The tokens ``tokenizer.tokenize(raw)`` gives, each with its span of ``raw``."""
    expected = tokenizer.tokenize(raw)
    tracked = tracked_clean(tokenizer, raw)
    spans = getattr(tokenizer, "spans", None)
    if tracked is not None and spans is not None and tracked.text == tokenizer.clean(raw):
        found = spans(tracked.text)
        if [token for token, _, _ in found] == expected:
            return [Token(token, *tracked.raw_span(b, e)) for token, b, e in found]
    return align_tokens(expected, raw)


_SKIP_MARKS = "▁"


def align_tokens(tokens: list[str], raw: str) -> list[Token]:
    """Spans found by looking for each token, in order, in the case-folded raw text; a token
    not found (a placeholder) covers the non-space characters between its neighbours."""
    folded = raw.casefold() if len(raw.casefold()) == len(raw) else raw.lower()
    if len(folded) != len(raw):
        folded = raw
    located: list[tuple[str, int, int] | None] = []
    position = 0
    for token in tokens:
        needle = token.strip(_SKIP_MARKS).casefold()
        at = folded.find(needle, position) if needle else -1
        if at < 0:
            located.append(None)
            continue
        located.append((token, at, at + len(needle)))
        position = at + len(needle)
    out: list[Token] = []
    for index, item in enumerate(located):
        if item is not None:
            out.append(Token(*item))
            continue
        before = out[-1].end if out else 0
        after = next((x[1] for x in located[index + 1 :] if x is not None), len(raw))
        start, end = before, max(before, after)
        while start < end and raw[start].isspace():
            start += 1
        while end > start and raw[end - 1].isspace():
            end -= 1
        out.append(Token(tokens[index], start, end))
    return out
