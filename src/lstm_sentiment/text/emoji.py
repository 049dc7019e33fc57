"""Emoji as tokens, shared by the word and tweet tokenizers: one pattern, one normalisation."""

from __future__ import annotations

import re

EMOJI_BASE = (
    "\U0001f000-\U0001faff\u2600-\u27bf\u2300-\u23ff\u2b00-\u2bff\u2190-\u21ff"
    "\u3030\u303d\u3297\u3299\u203c\u2049"
)
EMOJI_MODIFIERS = "\ufe0e\ufe0f\u20e3\U0001f3fb-\U0001f3ff"
"""Variation selectors, the keycap mark and skin tones: dropped from emoji tokens."""
EMOJI = (
    "[\U0001f1e6-\U0001f1ff]{2}"  # flags: two regional indicators
    f"|[{EMOJI_BASE}][{EMOJI_MODIFIERS}]*(?:\u200d[{EMOJI_BASE}][{EMOJI_MODIFIERS}]*)*"
)
"""One emoji, with its modifiers and zero-width-joined parts."""
STRIP_MODIFIERS = re.compile(f"[{EMOJI_MODIFIERS}]")


def normalise_emoji(token: str) -> str:
    """``token`` without variation selectors and skin tones (``👍🏽`` → ``👍``)."""
    return STRIP_MODIFIERS.sub("", token)


def letter_runs(limit: int, *, ignore_case: bool = False) -> tuple[re.Pattern[str], str]:
    """A pattern of one letter repeated more than ``limit`` times and its replacement (the
    letter ``limit`` times): ``soooo`` → ``soo`` with ``limit`` 2; with ``ignore_case`` a run
    may mix cases (``sOoOo``), so cutting before or after lowercasing gives the same word."""
    flags = re.IGNORECASE if ignore_case else 0
    return re.compile(rf"([^\W\d_])\1{{{limit},}}", flags), "\\1" * limit
