"""Misspelt words: a word outside the vocabulary read as the vocabulary word one edit away.

Norvig's corrector on the model's own vocabulary: every string one deletion, transposition,
replacement or insertion of a letter away from the unknown word is a candidate, and the most
frequent candidate in the vocabulary wins (the vocabulary is ranked by training frequency, so
that is the lowest id). "usless" reads as "useless", "delicous" as "delicious". Only lower-case
ASCII words of at least :data:`MIN_TYPO_LENGTH` letters are corrected (short words have too
many neighbours); anything else stays unknown, and so do the words of a text's @mentions and web
addresses (``@jsmith`` is a name, not a misspelt "smith").
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator, Sequence

from lstm_sentiment.text.vocab import Vocabulary

LETTERS = string.ascii_lowercase
MIN_TYPO_LENGTH = 4
"""Shorter unknown words are left unknown."""
CACHE_SIZE = 100_000
"""Corrections remembered per encoder (forgotten all at once when full)."""
NAMES_AND_ADDRESSES = re.compile(r"(?<![\w@])@\w+|(?:https?://|www\.)\S+", re.IGNORECASE)
"""@mentions and web addresses: their words are names, never misspellings."""
LETTER_RUN = re.compile(r"[a-z]+")
NO_EXEMPTIONS: frozenset[str] = frozenset()


def never_corrected(text: str) -> frozenset[str]:
    """The lower-case letter runs of ``text``'s @mentions and web addresses (the tokens they
    become stay unknown rather than read as a vocabulary word one edit away)."""
    if "@" not in text and not any(mark in text.lower() for mark in ("http", "www.")):
        return NO_EXEMPTIONS
    return frozenset(
        run
        for found in NAMES_AND_ADDRESSES.finditer(text)
        for run in LETTER_RUN.findall(found.group().lower())
    )


def one_edit_away(word: str) -> Iterator[str]:
    """Every string one deletion, transposition, replacement or insertion away from ``word``."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    for left, right in splits:
        if right:
            yield left + right[1:]
        if len(right) > 1:
            yield left + right[1] + right[0] + right[2:]
        for letter in LETTERS:
            if right:
                yield left + letter + right[1:]
            yield left + letter + right


def correctable(token: str) -> bool:
    """Whether an unknown ``token`` is a word the corrector may read."""
    return len(token) >= MIN_TYPO_LENGTH and token.isascii() and token.isalpha() and token.islower()


class TypoLookup:
    """Token → id like :meth:`Vocabulary.lookup`, unknown words corrected one edit away."""

    def __init__(self, vocab: Vocabulary) -> None:
        self.vocab = vocab
        self.corrections: dict[str, int] = {}

    def correct(self, token: str) -> int:
        """The id ``token`` is read as: the most frequent vocabulary word one edit away, or the
        unknown id."""
        unk = self.vocab.unk_id
        if not correctable(token):
            return unk
        if (known := self.corrections.get(token)) is not None:
            return known
        special = set(self.vocab.special_ids)
        ids = [i for i in self.vocab.lookup(list(set(one_edit_away(token)))) if i not in special]
        corrected = min(ids, default=unk)
        if len(self.corrections) >= CACHE_SIZE:
            self.corrections.clear()
        self.corrections[token] = corrected
        return corrected

    def lookup(self, tokens: Sequence[str], text: str = "") -> list[int]:
        """Ids of ``tokens`` (of ``text``); unknown words take their correction's id, except
        the words of the text's @mentions and web addresses (:func:`never_corrected`)."""
        ids = self.vocab.lookup(tokens)
        unk = self.vocab.unk_id
        if unk not in ids:
            return ids
        exempt = never_corrected(text)
        return [
            self.correct(token) if i == unk and token not in exempt else i
            for token, i in zip(tokens, ids, strict=True)
        ]
