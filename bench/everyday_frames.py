"""Negated frames for issue 18: "I can't say I enjoyed it." negates the sentence it frames.

"The plot was clever." (p = 0.9) → "I don't think the plot was clever." (negative, shrunk toward
one half as a negated copy is in ``everyday_counterfactual.py``: praise negated reads as
criticism, criticism negated reads milder). A sentence qualifies when it is confident, has no
negation, question or contrast, opens with a subject (a pronoun, an article or a determiner:
"The", "This", "It", "We", "I", ...) and not with a frame of its own ("I think", "I felt"),
and every sentiment word of VADER's lexicon in it agrees with its label. The frame is one of
:data:`FRAMES`, the sentence's first letter lower-cased unless it opens with "I". Like the
other builders this is data, not a rule. Nothing written equals (after normalisation) a GOP
tweet or a behavioural-suite text.

    python bench/everyday_frames.py --source runs/everyday_finetune/sentences_soft.csv \\
        --output runs/everyday_finetune/frames.csv
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import everyday_counterfactual as cf
from everyday_contrast import CONTRAST, LOWER_STARTS
from everyday_data import NEGATION
from everyday_tweets import GOP_FILE, SUITE_FILE, forbidden_texts

FRAMES = (
    "I don't think",
    "I do not think",
    "I wouldn't say",
    "I would not say",
    "I can't say",
    "I cannot say",
)
"""Frames that negate the clause they introduce."""
SUBJECT_STARTS = LOWER_STARTS | {"i", "all", "both", "everybody"}
"""First words of a declarative sentence's subject (the contrast builder's lower-case openers,
"I" and a few more)."""
OWN_FRAMES = frozenset(
    ["think", "thought", "believe", "believed", "feel", "felt", "guess", "suppose", "say", "said"]
)
"""Verbs after an opening "I" that make a frame already ("I think it works")."""
SENTENCE_BREAK = (". ", "! ", "? ")
SHORT_WORDS = 12
"""``frames_short``: sources of at most this many words (a frame around a long sentence
blurs what it negates)."""
SHORT_PAIRS = 5_000
"""``frames_short``: pairs sampled (all frames: 54,576, more than any other kind of pair)."""


def plain_sentence(body: str) -> bool:
    """Whether ``body`` is one sentence without negation, contrast or a question: a negation
    put into it has a clear scope."""
    if NEGATION.search(body) or CONTRAST.search(body) or body.endswith("?"):
        return False
    return not any(mark in body for mark in SENTENCE_BREAK)


def framed(
    text: str,
    p_positive: float,
    lexicon: Mapping[str, float],
    rng: random.Random,
    shrink: tuple[float, float] = cf.DEFAULT_SHRINK,
) -> cf.Counterfactual | None:
    """``text`` inside a negating frame with its label flipped and shrunk, or ``None`` when the
    sentence does not qualify."""
    body = text.strip()
    if not plain_sentence(body):
        return None
    words = cf.WORD.findall(body)
    lowered = [word.lower() for word in words]
    if not words or len(words) > cf.MAX_WORDS or lowered[0] not in SUBJECT_STARTS:
        return None
    if lowered[0] == "i" and len(lowered) > 1 and lowered[1] in OWN_FRAMES:
        return None
    valences = [lexicon.get(word, 0.0) for word in lowered]
    strong = [v for v in valences if abs(v) >= cf.MIN_VALENCE]
    if not strong or any((v > 0) != (p_positive > 0.5) for v in strong):
        return None
    opening = body if words[0] == "I" else body[0].lower() + body[1:]
    factor = shrink[0] if p_positive > 0.5 else shrink[1]
    copy = f"{rng.choice(FRAMES)} {opening}"
    return cf.Counterfactual(text, copy, 0.5 - factor * (p_positive - 0.5))


def frame_pairs(
    rows: Iterable[tuple[str, float]],
    lexicon: Mapping[str, float],
    forbidden: set[str],
    margin: float = cf.DEFAULT_MARGIN,
    seed: int = cf.SEED,
    max_words: int = cf.MAX_WORDS,
    pairs: int | None = None,
) -> list[tuple[str, float]]:
    """(text, p_positive) rows: each qualifying confident source of at most ``max_words``
    words, then its framed copy; with ``pairs``, a seeded sample of that many pairs."""
    rng = random.Random(seed)

    def make(text: str, p_positive: float) -> cf.Counterfactual | None:
        if len(cf.WORD.findall(text)) > max_words:
            return None
        return framed(text, p_positive, lexicon, rng)

    written = cf.paired(rows, make, forbidden, margin)
    if pairs is None or 2 * pairs >= len(written):
        return written
    chosen = sorted(rng.sample(range(len(written) // 2), pairs))
    return [row for k in chosen for row in written[2 * k : 2 * k + 2]]


def frame_data(
    sources: list[Path],
    output: Path,
    max_words: int = cf.MAX_WORDS,
    pairs: int | None = None,
) -> dict[str, Any]:
    """Write ``output`` (text, label, p_negative, p_positive: each source, then its framed
    copy) and ``<output stem>_negated.csv`` (the copies alone) from soft-labelled CSVs; the
    sources of at most ``max_words`` words, ``pairs`` of them at most (all by default)."""
    rows = cf.read_soft_rows(sources)
    forbidden = forbidden_texts(GOP_FILE, SUITE_FILE)
    made = frame_pairs(rows, cf.vader_lexicon(), forbidden, max_words=max_words, pairs=pairs)
    _, record = cf.pairs_record(sources, len(rows), made, output)
    return {**record, "frames": list(FRAMES), "max_words": max_words}


def main() -> None:
    cf.run_builder(__doc__.splitlines()[0], frame_data)


if __name__ == "__main__":
    main()
