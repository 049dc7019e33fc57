"""Negated subjects for issue 18: "Nobody at the store was helpful." negates through its subject.

The auxiliary counterfactuals (``everyday_counterfactual.py``) negate after the subject, the
quantifier builder (``everyday_quantifiers.py``) at a quantifier or an opening "Everyone".
Here a sentence whose subject is a definite noun phrase before its one copula gets a copy whose
subject is negative:

- plural: "The actors were convincing." → "None of the actors were convincing.";
- singular: "The ending was satisfying." → "Nothing about the ending was satisfying.";
- a group of people: "The staff was friendly." → "Nobody on the staff was friendly."

A source qualifies when it is confident, carries no negation, question or contrast, is one
short sentence, has no sentiment word of VADER's lexicon in its subject, an adjectival
predicate without a clause break (the negation's scope is the whole predicate), and every
sentiment word after the copula agrees with its label (the first within three words). The
copy's label is the source's flipped and shrunk toward one half, as a negated copy's is. Like
the other builders this is data, not a rule. Nothing written equals (after normalisation) a GOP
tweet or a behavioural-suite text.

    python bench/everyday_subjects.py --source runs/everyday_finetune/sentences_soft.csv \\
        --output runs/everyday_finetune/subjects.csv
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import everyday_counterfactual as cf
from everyday_frames import plain_sentence
from everyday_tweets import GOP_FILE, SUITE_FILE, forbidden_texts

SUBJECT = re.compile(
    r"^(?P<determiner>The|These|Those|This|All (?:of )?the|Most of the|Many of the|Both)\s+"
    r"(?P<noun>(?:[A-Za-z'-]+\s+){0,3}?[A-Za-z'-]+)\s+"
    r"(?P<copula>is|was|are|were|seems|seemed|looks|looked|feels|felt)\b"
)
"""A definite subject of one to four words, then its copula (not "look" or "seem": they follow
"to" and "make" more often than a subject)."""
PLURAL_COPULAS = frozenset(["are", "were"])
SINGULAR_COPULAS = frozenset(["is", "was", "seems", "looks", "feels"])
AMBIGUOUS_COPULAS = frozenset(["seemed", "looked", "felt"])
"""Past forms that agree with either number: the noun's last letter decides."""
PLURAL_DETERMINERS = frozenset(["these", "those", "all the", "all of the", "most of the"])
PLURAL_DETERMINERS |= {"many of the", "both"}
GROUPS = {
    "staff": "on",
    "crew": "on",
    "team": "on",
    "cast": "in",
    "band": "in",
    "family": "in",
    "class": "in",
    "group": "in",
}
"""Nouns for a group of people and the preposition "Nobody" takes before them."""
NOBODY = ("Nobody", "No one")
DEMONSTRATIVES = frozenset(["this", "these", "those"])
"""Determiners the negated subject keeps ("None of these songs"); the rest become "the"."""
SUBJECT_VERBS = frozenset(
    [
        *cf.NEGATED_FORMS,
        *("has", "have", "had", "do", "does", "did", "make", "makes", "made", "get", "gets", "got"),
        *("and", "or", "of", "to", "that", "who", "which", "when", "if"),
    ]
)
"""Words that end a subject before a copula could ("The film that I saw was ...")."""
NOUN_OPENERS = frozenset(
    ["a", "an", "the", "one", "my", "his", "her", "their", "our", "its", "your", "this", "that"]
)
"""A predicate that opens with one of these names a thing ("The film is a delight."): a
negative subject does not negate it plainly."""


def plural(determiner: str, noun: str, copula: str) -> bool:
    """Whether the subject is plural (so "None of" fits it)."""
    if determiner.lower() in PLURAL_DETERMINERS or copula in PLURAL_COPULAS:
        return True
    if copula in SINGULAR_COPULAS:
        return False
    last = noun.split()[-1].lower()
    return last.endswith("s") and not last.endswith("ss")


def negated_subject(text: str, rng: random.Random) -> tuple[str, str, int] | None:
    """(the negated opening, the rule's name, where the copula starts) for ``text``, or
    ``None`` when its subject does not fit."""
    match = SUBJECT.match(text)
    if match is None:
        return None
    determiner, noun, copula = match["determiner"], match["noun"], match["copula"].lower()
    if SUBJECT_VERBS.intersection(word.lower() for word in noun.split()):
        return None
    head = noun.split()[-1].lower()
    article = determiner.lower() if determiner.lower() in DEMONSTRATIVES else "the"
    where = match.start("copula")
    if head in GROUPS and len(noun.split()) == 1 and copula not in PLURAL_COPULAS:
        return f"{rng.choice(NOBODY)} {GROUPS[head]} {article} {noun}", "nobody", where
    if plural(determiner, noun, copula):
        return f"None of {article} {noun}", "none_of", where
    return f"Nothing about {article} {noun}", "nothing_about", where


def negate_subject(
    text: str,
    p_positive: float,
    lexicon: Mapping[str, float],
    rng: random.Random,
    shrink: tuple[float, float] = cf.DEFAULT_SHRINK,
) -> cf.Counterfactual | None:
    """``text`` with its subject negated and its label flipped and shrunk, or ``None`` when the
    sentence does not qualify."""
    body = text.strip()
    if not plain_sentence(body) or len(cf.WORD.findall(body)) > cf.MAX_WORDS:
        return None
    found = negated_subject(body, rng)
    if found is None:
        return None
    opening, _, copula_start = found
    subject, predicate = cf.WORD.findall(body[:copula_start]), cf.WORD.findall(body[copula_start:])
    if cf.sentiment_positions(subject, lexicon) or cf.SCOPE_END.search(body, copula_start):
        return None
    if len(predicate) < 2 or predicate[1].lower() in NOUN_OPENERS:
        return None
    positions = cf.sentiment_positions(predicate[1:], lexicon)
    valences = [lexicon[predicate[1 + i].lower()] for i in positions]
    if not positions or positions[0] >= cf.NEAR_WORDS:
        return None
    if any((valence > 0) != (p_positive > 0.5) for valence in valences):
        return None
    factor = shrink[0] if p_positive > 0.5 else shrink[1]
    copy = f"{opening} {body[copula_start:]}"
    return cf.Counterfactual(text, copy, 0.5 - factor * (p_positive - 0.5))


def subject_pairs(
    rows: Iterable[tuple[str, float]],
    lexicon: Mapping[str, float],
    forbidden: set[str],
    seed: int = cf.SEED,
) -> list[tuple[str, float]]:
    """(text, p_positive) rows: each qualifying confident source, then its negated copy."""
    rng = random.Random(seed)
    return cf.paired(
        rows, lambda text, p_positive: negate_subject(text, p_positive, lexicon, rng), forbidden
    )


def subject_data(sources: list[Path], output: Path) -> dict[str, Any]:
    """Write ``output`` (text, label, p_negative, p_positive: each source, then its negated
    copy) and ``<output stem>_negated.csv`` (the copies alone) from soft-labelled CSVs."""
    rows = cf.read_soft_rows(sources)
    forbidden = forbidden_texts(GOP_FILE, SUITE_FILE)
    made = subject_pairs(rows, cf.vader_lexicon(), forbidden)
    copies, record = cf.pairs_record(sources, len(rows), made, output)
    openings = [text.split(" ", 2)[:2] for text in copies["text"]]
    by_rule = {
        "none_of": sum(words == ["None", "of"] for words in openings),
        "nothing_about": sum(words == ["Nothing", "about"] for words in openings),
    }
    by_rule["nobody"] = len(copies) - sum(by_rule.values())
    return {**record, "by_rule": by_rule}


def main() -> None:
    cf.run_builder(__doc__.splitlines()[0], subject_data)


if __name__ == "__main__":
    main()
