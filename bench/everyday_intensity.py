"""Intensity triplets for issue 18: a sentence, a copy with an intensifier and a copy with a
diminisher before its predicate's sentiment word.

"The room was dirty." (p = 0.10) → "The room was extremely dirty." (further from one half) and
"The room was somewhat dirty." (closer to one half). A sentence qualifies when it is confident,
carries no negation, question or intensity word already, has exactly one copula ("is", "was",
"seems", "tastes", ...) and the word right after it (or after its article) is a sentiment word
of VADER's lexicon, and every sentiment word of the sentence agrees with its label. The
intensifiers are VADER's own boosters (adverbs without a valence of their own), the diminishers
its dampeners plus a few everyday ones it lacks. The copies' labels keep the source's side:
an intensified copy moves ``INTENSIFY`` of the way from the source to certainty, a diminished
one keeps ``DIMINISH`` of its distance from one half. Like the counterfactuals this is data,
not a rule: the model learns what the adverbs do. Nothing written equals (after normalisation)
a GOP tweet or a behavioural-suite text.

    python bench/everyday_intensity.py --source runs/everyday_finetune/sentences_soft.csv \\
        --output runs/everyday_finetune/intensity.csv
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from behaviour_suite import DIR_TOLERANCE
from everyday_contrast import CONTRAST
from everyday_counterfactual import (
    DEFAULT_MARGIN,
    MAX_WORDS,
    MIN_VALENCE,
    SEED,
    WORD,
    read_soft_rows,
    run_builder,
    soft_frame,
    vader_lexicon,
)
from everyday_data import NEGATION
from everyday_tweets import GOP_FILE, SUITE_FILE, forbidden_texts, normalised, write_atomic

COPULAS = frozenset(
    [
        "is",
        "was",
        "are",
        "were",
        "am",
        "be",
        "been",
        "seems",
        "seemed",
        "seem",
        "looks",
        "looked",
        "look",
        "feels",
        "felt",
        "feel",
        "sounds",
        "sounded",
        "sound",
        "tastes",
        "tasted",
        "taste",
        "smells",
        "smelled",
        "smell",
    ]
)
"""Verbs whose next word is a predicate: where an adverb of degree can go."""
ARTICLES = frozenset({"a", "an"})
INTENSIFIERS = (
    "absolutely",
    "completely",
    "deeply",
    "exceptionally",
    "extremely",
    "highly",
    "incredibly",
    "really",
    "remarkably",
    "thoroughly",
    "totally",
    "tremendously",
    "unbelievably",
    "utterly",
    "very",
)
"""VADER's boosters that read as a pure degree before an adjective (not "so", "awfully" or
"especially")."""
DIMINISHERS = ("kind of", "marginally", "slightly", "somewhat", "sort of")
"""VADER's dampeners that read as a degree (not "barely" or "hardly": those negate)."""
EXTRA_DIMINISHERS = ("a bit", "a little", "fairly", "mildly", "moderately", "reasonably")
"""Everyday dampeners missing from VADER's booster list."""
NOT_PREDICATES = ("so", "pretty", "too", "enough")
"""Words that make a sentence's predicate a degree phrase already ("pretty much", "too good")."""
INTENSIFY = 0.5
"""An intensified copy's distance from one half moves this share of the way to certainty."""
DIMINISH = 0.6
"""A diminished copy keeps this share of the source's distance from one half."""
DEGREE = 3
"""Rows per source in the written file: the source, its intensified and diminished copies."""


def has_degree(words: list[str], boosters: Mapping[str, float]) -> bool:
    """Whether the lower-cased ``words`` already hold an adverb of degree."""
    phrases = [*boosters, *EXTRA_DIMINISHERS, *NOT_PREDICATES]
    joined = f" {' '.join(words)} "
    return any(f" {phrase} " in joined for phrase in phrases)


def site(text: str, lexicon: Mapping[str, float], boosters: Mapping[str, float]) -> int | None:
    """Where the adverb goes (a character offset: before the predicate's sentiment word or its
    article), or ``None`` when ``text`` does not qualify."""
    words = list(WORD.finditer(text))
    lowered = [match.group().lower() for match in words]
    copulas = [k for k, word in enumerate(lowered) if word in COPULAS]
    if len(copulas) != 1 or has_degree(lowered, boosters):
        return None
    k = copulas[0] + 1
    if k < len(words) and lowered[k] in ARTICLES:
        k += 1
    if k >= len(words) or abs(lexicon.get(lowered[k], 0.0)) < MIN_VALENCE:
        return None
    return words[k].start()


def predicate_site(
    text: str,
    p_positive: float,
    lexicon: Mapping[str, float],
    boosters: Mapping[str, float],
    margin: float = DEFAULT_MARGIN,
) -> int | None:
    """:func:`site` of a sentence that qualifies for a copy of another degree: at least
    ``margin`` from one half, no question, negation or contrast, at most ``MAX_WORDS`` words,
    every sentiment word on its label's side; ``None`` otherwise."""
    distance = p_positive - 0.5
    if abs(distance) < margin or text.rstrip().endswith("?"):
        return None
    if NEGATION.search(text) or CONTRAST.search(text):
        return None
    words = WORD.findall(text)
    valences = [lexicon.get(word.lower(), 0.0) for word in words]
    if len(words) > MAX_WORDS or any(
        abs(v) >= MIN_VALENCE and (v > 0) != (distance > 0) for v in valences
    ):
        return None
    return site(text, lexicon, boosters)


def intensified(p_positive: float) -> float:
    """An intensified copy's p(positive): ``INTENSIFY`` of the way from the source to
    certainty on its side."""
    distance = p_positive - 0.5
    side = 1.0 if distance > 0 else -1.0
    return 0.5 + side * (abs(distance) + (0.5 - abs(distance)) * INTENSIFY)


def with_adverb(text: str, offset: int, adverb: str) -> str:
    """``adverb`` inserted at ``offset``, the article before it ("a"/"an") fitted to it."""
    before, after = text[:offset], text[offset:]
    stripped = before.rstrip()
    last = stripped.rsplit(" ", 1)[-1]
    if last.lower() in ARTICLES:
        article = "an" if adverb[0] in "aeiou" else "a"
        article = article.capitalize() if last[0].isupper() else article
        before = stripped[: len(stripped) - len(last)] + article + " "
    return f"{before}{adverb} {after}"


def triplets(
    rows: Iterable[tuple[str, float]],
    lexicon: Mapping[str, float],
    boosters: Mapping[str, float],
    forbidden: set[str],
    margin: float = DEFAULT_MARGIN,
    seed: int = SEED,
) -> list[tuple[str, float]]:
    """(text, p_positive) rows: each qualifying source, its intensified and diminished copies."""
    diminishers = (*DIMINISHERS, *EXTRA_DIMINISHERS)
    rng = random.Random(seed)
    written: list[tuple[str, float]] = []
    seen: set[str] = set()
    for text, p_positive in rows:
        distance = p_positive - 0.5
        offset = predicate_site(text, p_positive, lexicon, boosters, margin)
        if offset is None:
            continue
        after_article = text[:offset].rstrip().rsplit(" ", 1)[-1].lower() in ARTICLES
        fitting = [word for word in diminishers if not (after_article and " " in word)]
        stronger = with_adverb(text, offset, rng.choice(INTENSIFIERS))
        weaker = with_adverb(text, offset, rng.choice(fitting))
        keys = {normalised(text), normalised(stronger), normalised(weaker)}
        if seen.intersection(keys) or forbidden.intersection(keys):
            continue
        seen.update(keys)
        written += [
            (text, p_positive),
            (stronger, intensified(p_positive)),
            (weaker, 0.5 + distance * DIMINISH),
        ]
    return written


def vader_boosters() -> dict[str, float]:
    from vaderSentiment.vaderSentiment import BOOSTER_DICT

    return dict(BOOSTER_DICT)


def intensity_data(sources: list[Path], output: Path) -> dict[str, Any]:
    """Write ``output`` (text, label, p_negative, p_positive: each source, then its intensified
    and its diminished copy) from soft-labelled CSVs."""
    rows = read_soft_rows(sources)
    forbidden = forbidden_texts(GOP_FILE, SUITE_FILE)
    lexicon = vader_lexicon()
    frame = soft_frame(triplets(rows, lexicon, vader_boosters(), forbidden))
    output.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(frame, output)
    return {
        "sources": [str(path) for path in sources],
        "source_rows": len(rows),
        "triplets": len(frame) // DEGREE,
        "intensifiers": list(INTENSIFIERS),
        "diminishers": [*DIMINISHERS, *EXTRA_DIMINISHERS],
        "intensify": INTENSIFY,
        "diminish": DIMINISH,
        "margin": DEFAULT_MARGIN,
        "file": str(output),
    }


def intensity_scores(model: Any, rows: Any, tolerance: float = DIR_TOLERANCE) -> dict[str, Any]:
    """How often a model (``labels``, ``predict_proba``) moves each copy of a triplet file the
    right way by more than ``tolerance``, as the suite's DIR cases are scored: away from one
    half for the intensified copy, toward it for the diminished one."""
    import numpy as np

    probabilities = np.asarray(model.predict_proba(rows["text"].tolist()), dtype=np.float64)
    positive = probabilities[:, list(model.labels).index("positive")]
    source, stronger, weaker = positive[0::DEGREE], positive[1::DEGREE], positive[2::DEGREE]
    side = np.where(rows["p_positive"].to_numpy()[0::DEGREE] >= 0.5, 1.0, -1.0)
    end = np.where(side > 0, 1.0 - tolerance, tolerance)
    up_right = (side * (stronger - source) > tolerance) | (side * (stronger - end) >= 0)
    down_right = side * (source - weaker) > tolerance
    return {
        "triplets": len(source),
        "intensifier_accuracy": float(up_right.mean()),
        "diminisher_accuracy": float(down_right.mean()),
        "accuracy": float(np.concatenate([up_right, down_right]).mean()),
    }


def intensity_accuracy(model_dir: str, triplets_csv: str) -> dict[str, Any]:
    """:func:`intensity_scores` of a bundle."""
    import pandas as pd

    from lstm_sentiment.predict import SentimentModel

    rows = pd.read_csv(triplets_csv, keep_default_na=False)
    return intensity_scores(SentimentModel.load(model_dir), rows)


def main() -> None:
    run_builder(__doc__.splitlines()[0], intensity_data)


if __name__ == "__main__":
    main()
