"""A tokenizer for tweets and other short social-media text.

On top of the word tokenizer's cleaning (HTML entities, unicode normalisation, ``n't``
clitics), it keeps what carries meaning in tweets and drops what only adds rare tokens:

* user mentions, URLs and numbers become ``<user>``, ``<url>`` and ``<number>`` (each optional;
  an unreplaced URL is dropped, an unreplaced mention or number kept as it is);
* hashtags are kept: split into words after a ``<hashtag>`` marker (``#MakeAmericaGreat`` →
  ``<hashtag> make america great``), kept whole (``#makeamericagreat``) or stripped of ``#``;
* emoticons (``:-)``, ``<3``, ``xD``) and emoji (skin tones and variation selectors removed)
  are tokens;
* elongations are cut (``soooo`` → ``soo``, ``!!!!`` → ``! !``) and retweet markers (``RT``)
  removed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lstm_sentiment.text.emoji import EMOJI, letter_runs, normalise_emoji
from lstm_sentiment.text.word import WordTokenizer, split_clitic

USER_TOKEN = "<user>"
URL_TOKEN = "<url>"
NUMBER_TOKEN = "<number>"
HASHTAG_TOKEN = "<hashtag>"
PLACEHOLDERS = {"user": USER_TOKEN, "url": URL_TOKEN, "number": NUMBER_TOKEN}
HASHTAG_MODES = ("split", "keep", "strip")

_URL = r"(?:https?://|www\.)[^\s<>\"]+|\b(?:t\.co|bit\.ly)/[^\s<>\"]+"
_MENTION = r"(?<![\w@])@[A-Za-z0-9_]+"
_HASHTAG = r"(?<![\w#&])#\w*[^\W\d_]\w*"
_EMOTICON = (
    r"(?<![\w:;=])(?:"
    r"[<>]?[:;=8][\-o\*'^]?[\)\]\(\[dDpPoO/\\\}\{@\|3\*$]+(?![\w])"  # :) ;-P =D :/ :$
    r"|[\)\]\(\[\}\{@\|][\-o\*'^]?[:;=][<>]?(?![\w])"  # (: ]-:
    r"|<3+|</3|\^[_\-.]?\^|-_+-|[oO]_[oO]|[xX][dDpP]+(?![\w])"  # <3 ^_^ -_- o_O xD
    r")"
)
_NUMBER = r"(?>[+-]?\d+(?:[.,:/]\d+)*%?)(?![^\W\d_])"  # not "2nd", "30pm"
_WORD = r"[^\W_]+(?:[-'][^\W_]+)*"
_RETWEET = re.compile(r"(?<![\w@#])(?:RT|rt)\b(?=\s*[@:])|(?<![\w@#])RT\b")
_CAMEL = re.compile(r"[A-Z]*[a-z]+|[A-Z]+|\d+|[^\W\d_]+")


def split_hashtag(body: str) -> list[str]:
    """Split a hashtag's text where a lowercase letter meets a capital, at digits and at
    underscores: ``MakeAmericaGreat2016`` → ``Make America Great 2016``. Capital runs stay
    with what follows (``GOPDebate``, ``GOPdebate`` and ``gopdebate`` give one word)."""
    return [part.group(0) for part in _CAMEL.finditer(body)]


@dataclass(frozen=True)
class TweetTokenizer:
    """Cleans a tweet and splits it into tokens (see the module docstring).

    Args:
        lowercase: Lowercase tokens (placeholders are lowercase already).
        keep_punctuation: Punctuation characters emitted as tokens; others are dropped.
        hashtags: ``split``, ``keep`` or ``strip``.
        placeholders: Which of ``user``, ``url``, ``number`` become placeholder tokens.
        max_repeat: Cut runs of one letter or kept punctuation mark to this length (0 = off).
    """

    lowercase: bool = True
    keep_punctuation: str = "!?"
    hashtags: str = "split"
    placeholders: tuple[str, ...] = tuple(PLACEHOLDERS)
    max_repeat: int = 2
    _cleaner: WordTokenizer = field(init=False, repr=False, compare=False)
    _pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.hashtags not in HASHTAG_MODES:
            raise ValueError(f"hashtags must be one of {', '.join(HASHTAG_MODES)}")
        unknown = set(self.placeholders) - set(PLACEHOLDERS)
        if unknown:
            raise ValueError(f"unknown placeholders {sorted(unknown)}; valid: {list(PLACEHOLDERS)}")
        object.__setattr__(self, "placeholders", tuple(self.placeholders))
        object.__setattr__(self, "_cleaner", WordTokenizer(self.lowercase, self.keep_punctuation))
        parts = [
            f"(?P<url>{_URL})",
            f"(?P<user>{_MENTION})",
            f"(?P<hashtag>{_HASHTAG})",
            f"(?P<emoticon>{_EMOTICON})",
            f"(?P<emoji>{EMOJI})",
            f"(?P<number>{_NUMBER})",
            f"(?P<word>{_WORD})",
        ]
        if self.keep_punctuation:
            kept = "".join(re.escape(ch) for ch in self.keep_punctuation)
            parts.append(f"(?P<punct>(?P<mark>[{kept}])(?P=mark)*)")
        object.__setattr__(self, "_pattern", re.compile("|".join(parts)))

    def clean(self, text: str) -> str:
        """The word tokenizer's cleaning, then retweet markers removed."""
        return _RETWEET.sub(" ", self._cleaner.clean(text))

    def tokenize(self, text: str) -> list[str]:
        """Clean ``text`` and return its tokens."""
        return [token for token, _, _ in self.spans(self.clean(text))]

    def spans(self, cleaned: str) -> list[tuple[str, int, int]]:
        """Tokens of already cleaned text with their ``[start, end)`` in it: a placeholder
        covers what it replaced, ``<hashtag>`` the ``#``, a cut run of marks its share."""
        tokens: list[tuple[str, int, int]] = []
        for match in self._pattern.finditer(cleaned):
            kind = match.lastgroup
            value = match.group(kind or 0)
            start, end = match.span()
            if kind in PLACEHOLDERS:
                if kind in self.placeholders:
                    tokens.append((PLACEHOLDERS[kind], start, end))
                elif kind != "url":
                    tokens.append((self._case(value), start, end))
            elif kind == "hashtag":
                tokens.extend(self._hashtag(value, start, end))
            elif kind == "emoji":
                tokens.append((normalise_emoji(value), start, end))
            elif kind == "punct":
                count = self._repeats(len(value))
                tokens.extend(
                    (value[0], start + i, end if i == count - 1 else start + i + 1)
                    for i in range(count)
                )
            elif kind == "word":
                tokens.extend(split_clitic(self._shorten(self._case(value)), start, end))
            else:  # emoticon
                tokens.append((self._case(value), start, end))
        return tokens

    def _case(self, token: str) -> str:
        return token.lower() if self.lowercase else token

    def _repeats(self, count: int) -> int:
        return min(count, self.max_repeat) if self.max_repeat else count

    def _shorten(self, word: str) -> str:
        if not self.max_repeat:
            return word
        pattern, replacement = letter_runs(self.max_repeat)
        return pattern.sub(replacement, word)

    def _hashtag(self, tag: str, start: int, end: int) -> list[tuple[str, int, int]]:
        if self.hashtags == "keep":
            return [(self._shorten(self._case(tag)), start, end)]
        if self.hashtags == "strip":
            return [(self._shorten(self._case(tag[1:])), start + 1, end)]
        # Split before lowercasing: camel case marks the words.
        parts = [
            (
                self._shorten(self._case(part.group(0))),
                start + 1 + part.start(),
                start + 1 + part.end(),
            )
            for part in _CAMEL.finditer(tag[1:])
        ]
        return [(HASHTAG_TOKEN, start, start + 1), *parts]

    def to_dict(self) -> dict[str, Any]:
        """Settings saved in a model bundle."""
        return {
            "name": "tweet",
            "lowercase": self.lowercase,
            "keep_punctuation": self.keep_punctuation,
            "hashtags": self.hashtags,
            "placeholders": list(self.placeholders),
            "max_repeat": self.max_repeat,
        }

    @classmethod
    def from_dict(cls, saved: dict[str, Any]) -> TweetTokenizer:
        """Inverse of :meth:`to_dict`."""
        return cls(
            lowercase=bool(saved["lowercase"]),
            keep_punctuation=str(saved["keep_punctuation"]),
            hashtags=str(saved["hashtags"]),
            placeholders=tuple(str(p) for p in saved["placeholders"]),
            max_repeat=int(saved["max_repeat"]),
        )
