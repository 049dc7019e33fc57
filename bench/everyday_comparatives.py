"""Negated comparatives for issue 18: "couldn't be happier" is praise, not a negation of it.

"The staff were friendly." (p = 0.9) → "The staff couldn't have been friendlier." (further from
one half, on the same side). A sentence qualifies as for the intensity triplets
(``everyday_intensity.py``: confident, no negation, question, contrast or degree word, one
copula followed by a sentiment word that agrees with its label), and its copula is a form of
"be" followed directly by the sentiment word (an adjective, not "a disaster"), itself followed
by punctuation, the end or a preposition or "and" (not "fantastic artists"). The copy reads
"could not be" (present) or "could not have been" (past), contracted or not, and the word's
comparative: its own form for the common short adjectives, "more" before the rest. The copy's
label moves as an intensified copy's does. Like the other builders this is data, not a rule:
the model learns that the negation here strengthens. Nothing written equals (after
normalisation) a GOP tweet or a behavioural-suite text.

    python bench/everyday_comparatives.py --source runs/everyday_finetune/sentences_soft.csv \\
        --output runs/everyday_finetune/comparatives.csv
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import everyday_counterfactual as cf
from everyday_intensity import intensified, predicate_site, vader_boosters
from everyday_tweets import GOP_FILE, SUITE_FILE, forbidden_texts, normalised

PRESENT = {"is": "be", "are": "be", "am": "be"}
PAST = {"was": "have been", "were": "have been"}
"""Forms of "be" and what follows "could not" in their tense."""
NEGATED_MODALS = ("couldn't", "could not")
PREDICATE_ENDS = frozenset(
    ["and", "as", "at", "about", "for", "in", "on", "to", "with", "when", "from", "of", "by"]
)
"""Words that may follow the adjective (punctuation or the end may too): anything else after
it, a noun or an adverb, means it is not a bare predicate adjective."""
COMPARATIVES = {
    "bad": "worse",
    "good": "better",
    "great": "greater",
    "nice": "nicer",
    "fine": "finer",
    "happy": "happier",
    "sad": "sadder",
    "funny": "funnier",
    "easy": "easier",
    "friendly": "friendlier",
    "lovely": "lovelier",
    "sweet": "sweeter",
    "cool": "cooler",
    "poor": "poorer",
    "dull": "duller",
    "lame": "lamer",
    "ugly": "uglier",
    "silly": "sillier",
    "scary": "scarier",
    "dumb": "dumber",
    "weak": "weaker",
    "strong": "stronger",
    "clean": "cleaner",
    "dirty": "dirtier",
    "safe": "safer",
    "smart": "smarter",
    "cute": "cuter",
}
"""Comparatives of the common short sentiment adjectives; any other word takes "more"."""


def comparative(word: str) -> str:
    """``word``'s comparative, in capitals when the word is ("GREAT" → "GREATER")."""
    form = COMPARATIVES.get(word.lower(), f"more {word.lower()}")
    return form.upper() if word.isupper() and len(word) > 1 else form


def negated_comparative(
    text: str, offset: int, rng: random.Random, modals: tuple[str, ...] = NEGATED_MODALS
) -> str | None:
    """``text`` with the "be" before the sentiment word at ``offset`` read as "could not be"
    + its comparative, or ``None`` when an article or another verb stands there."""
    before, after = text[:offset].rstrip(), text[offset:]
    head, _, copula = before.rpartition(" ")
    tense = PRESENT.get(copula.lower()) or PAST.get(copula.lower())
    if not head or tense is None:
        return None
    word = cf.WORD.match(after)
    if word is None:
        return None
    following = cf.WORD.match(after[word.end() :].lstrip(" "))
    if following is not None and following.group().lower() not in PREDICATE_ENDS:
        return None  # "fantastic artists", "supported superbly": not a bare predicate
    return f"{head} {rng.choice(modals)} {tense} {comparative(word.group())}{after[word.end() :]}"


def comparative_pairs(
    rows: Iterable[tuple[str, float]],
    lexicon: Mapping[str, float],
    boosters: Mapping[str, float],
    forbidden: set[str],
    margin: float = cf.DEFAULT_MARGIN,
    seed: int = cf.SEED,
) -> list[tuple[str, float]]:
    """(text, p_positive) rows: each qualifying source, then its negated-comparative copy."""
    rng = random.Random(seed)
    written: list[tuple[str, float]] = []
    seen: set[str] = set()
    for text, p_positive in rows:
        offset = predicate_site(text, p_positive, lexicon, boosters, margin)
        copy = None if offset is None else negated_comparative(text, offset, rng)
        if copy is None:
            continue
        keys = {normalised(text), normalised(copy)}
        if seen.intersection(keys) or forbidden.intersection(keys):
            continue
        seen.update(keys)
        written += [(text, p_positive), (copy, intensified(p_positive))]
    return written


def comparative_data(sources: list[Path], output: Path) -> dict[str, Any]:
    """Write ``output`` (text, label, p_negative, p_positive: each source, then its copy) and
    ``<output stem>_negated.csv`` (the copies alone) from soft-labelled CSVs."""
    rows = cf.read_soft_rows(sources)
    forbidden = forbidden_texts(GOP_FILE, SUITE_FILE)
    made = comparative_pairs(rows, cf.vader_lexicon(), vader_boosters(), forbidden)
    _, record = cf.pairs_record(sources, len(rows), made, output)
    return {**record, "positive_share": record.pop("negated_positive_share")}  # not negated


def comparative_accuracy(model_dir: str, copies_csv: str) -> dict[str, Any]:
    """How often a bundle reads the copies on their sources' side: overall, and apart for the
    copies of praise and of criticism."""
    scores = cf.counterfactual_accuracy(model_dir, copies_csv)
    return {
        "copies": scores["copies"],
        "accuracy": scores["accuracy"],
        "praise_accuracy": scores["negated_criticism_accuracy"],  # copies labelled positive
        "criticism_accuracy": scores["negated_praise_accuracy"],
    }


def main() -> None:
    cf.run_builder(__doc__.splitlines()[0], comparative_data)


if __name__ == "__main__":
    main()
