"""Noun-phrase negation counterfactuals for issue 18: the negations that are not "not" after an
auxiliary (``everyday_counterfactual.py``), made from sentences that do not negate.

- a quantifier before a sentiment noun phrase becomes "no": "There were many problems with the
  room." → "There were no problems with the room.", "I had some fun." → "I had no fun.";
- a fragment that opens with an article becomes "Not a ...": "A great film." → "Not a great
  film." (sometimes "... at all.");
- an opening "Everyone" / "Everybody" / "Everything" becomes "Nobody" / "No one" / "Nothing":
  "Everyone was friendly." → "Nobody was friendly."

A source qualifies when it is confident, carries no negation or question, is short, and every
sentiment word of VADER's lexicon in it lies in the negation's scope (up to the next clause
break; the first within three words) and agrees with its label. The copy takes the source's
label flipped and shrunk toward one half, as the auxiliary counterfactuals do, and the two are
written side by side. Nothing written equals (after normalisation) a GOP tweet or a
behavioural-suite text.

    python bench/everyday_quantifiers.py --source runs/everyday_finetune/sentences_soft.csv \\
        --output runs/everyday_finetune/quantifiers.csv
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import everyday_counterfactual as cf
from everyday_data import NEGATION
from everyday_intensity import COPULAS
from everyday_tweets import GOP_FILE, SUITE_FILE, forbidden_texts

QUANTIFIER = re.compile(
    r"(?i)(?<!too )(?<!so )(?<!how )(?<!as )"
    r"\b(?:some|many|several|a few|a couple of|a lot of|lots of|plenty of|numerous"
    r"|countless|a number of|a bunch of)\b"
    r"(?!\s+(?:of|more|less|other|respects?|ways?|sense|extent|degree|times?)\b)"
)
"""Quantifiers that "no" replaces (not in "some of", "many more", "too many", "in some
ways")."""
HAVE_ARTICLE = re.compile(
    r"(?i)\b(?:have|has|had|there (?:is|was|are|were)|there's|with)\s+(an?)\b"
    r"(?!\s+(?:lot|few|bit|little|couple)\b)"
)
"""An article after a verb of having ("had a problem", "there was a flaw", "with a smile"):
"no" may replace it (``articles=True``)."""
OPENING_ARTICLE = re.compile(r"^(?:A|An)\b")
UNIVERSALS = {"everyone": ("Nobody", "No one"), "everybody": ("Nobody", "No one")}
UNIVERSALS["everything"] = ("Nothing",)
"""Opening universal subjects and the negative ones that replace them."""
RULES = ("no", "not_a", "nobody_nothing", "no_article")
AT_ALL_SHARE = 1 / 3
"""The share of "Not a ..." copies that end in "at all"."""
FINAL_PUNCTUATION = re.compile(r"[.!]*\s*$")
FRAGMENT_WORDS = 8
VERBS = frozenset(
    [
        *cf.NEGATED_FORMS,
        *COPULAS,
        "has",
        "have",
        "had",
        "makes",
        "made",
        "does",
        "did",
        "gets",
        "got",
    ]
)
"""An opening article starts a fragment ("A great film.") only in a short text without these
(not "A great cast makes this film.")."""


def quantifier_site(
    text: str, articles: bool = False
) -> tuple[int, int, tuple[str, ...], str] | None:
    """The span a negative replaces, its replacements and the rule's name, for the first rule
    that applies; with ``articles``, an article after a verb of having too."""
    if match := QUANTIFIER.search(text):
        return match.start(), match.end(), ("no",), "no"
    if articles and (match := HAVE_ARTICLE.search(text)):
        return match.start(1), match.end(1), ("no",), "no_article"
    words = [word.lower() for word in cf.WORD.findall(text)]
    if (
        OPENING_ARTICLE.match(text)
        and len(words) <= FRAGMENT_WORDS
        and not VERBS.intersection(words)
    ):
        return 0, 0, ("Not ",), "not_a"
    if words and words[0] in UNIVERSALS:
        first = cf.WORD.search(text)
        assert first is not None
        return first.start(), first.end(), UNIVERSALS[words[0]], "nobody_nothing"
    return None


def negate_phrase(
    text: str,
    p_positive: float,
    lexicon: Mapping[str, float],
    rng: random.Random,
    shrink: tuple[float, float] = cf.DEFAULT_SHRINK,
    articles: bool = False,
) -> cf.Counterfactual | None:
    """The copy of ``text`` negated at its quantifier, opening article or universal subject, or
    ``None`` when it does not qualify."""
    if NEGATION.search(text) or text.rstrip().endswith("?"):
        return None
    if len(cf.WORD.findall(text)) > cf.MAX_WORDS:
        return None
    found = quantifier_site(text, articles)
    if found is None:
        return None
    start, end, forms, _ = found
    scope_end = cf.SCOPE_END.search(text, end)
    stop = scope_end.start() if scope_end else len(text)
    before, inside = cf.WORD.findall(text[:start]), cf.WORD.findall(text[end:stop])
    if cf.sentiment_positions(before, lexicon) or cf.sentiment_positions(
        cf.WORD.findall(text[stop:]), lexicon
    ):
        return None
    positions = cf.sentiment_positions(inside, lexicon)
    valences = [lexicon[inside[i].lower()] for i in positions]
    agrees = all((valence > 0) == (p_positive > 0.5) for valence in valences)
    if not positions or positions[0] >= cf.NEAR_WORDS or not agrees:
        return None
    form = rng.choice(forms)
    if start == 0 and end == 0:  # "A great film." → "Not a great film."
        body = text[0].lower() + text[1:]
        if rng.random() < AT_ALL_SHARE and not scope_end:
            tail = FINAL_PUNCTUATION.search(body)
            body = body[: tail.start()] + " at all" + body[tail.start() :] if tail else body
        negated = form + body
    else:
        if start == 0 or text[:start].rstrip().endswith((".", "!")):
            form = form[0].upper() + form[1:]
        negated = text[:start] + form + text[end:]
    factor = shrink[0] if p_positive > 0.5 else shrink[1]
    return cf.Counterfactual(text, negated, 0.5 - factor * (p_positive - 0.5))


def phrase_counterfactuals(
    rows: Iterable[tuple[str, float]],
    lexicon: Mapping[str, float],
    forbidden: set[str],
    shrink: tuple[float, float] = cf.DEFAULT_SHRINK,
    seed: int = cf.SEED,
    articles: bool = False,
) -> list[tuple[str, float]]:
    """(text, p_positive) rows: each qualifying confident source and its negated copy."""
    rng = random.Random(seed)

    def make(text: str, p_positive: float) -> cf.Counterfactual | None:
        return negate_phrase(text, p_positive, lexicon, rng, shrink, articles)

    return cf.paired(rows, make, forbidden)


def quantifier_data(sources: list[Path], output: Path, articles: bool = False) -> dict[str, Any]:
    """Write ``output`` (text, label, p_negative, p_positive: each source, then its negated
    copy) and ``<output stem>_negated.csv`` (the copies alone) from soft-labelled CSVs."""
    rows = cf.read_soft_rows(sources)
    forbidden = forbidden_texts(GOP_FILE, SUITE_FILE)
    made = phrase_counterfactuals(rows, cf.vader_lexicon(), forbidden, articles=articles)
    _, record = cf.pairs_record(sources, len(rows), made, output)
    rules = [quantifier_site(text, articles) for text, _ in made[0::2]]
    shrinks = {"positive_source": cf.DEFAULT_SHRINK[0], "negative_source": cf.DEFAULT_SHRINK[1]}
    return {
        **record,
        "by_rule": {rule: [site[3] for site in rules if site].count(rule) for rule in RULES},
        "shrink": shrinks,
        "articles": articles,
    }


def main() -> None:
    cf.run_builder(__doc__.splitlines()[0], quantifier_data)


if __name__ == "__main__":
    main()
