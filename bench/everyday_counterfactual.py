"""Negation counterfactuals for issue 18: minimal pairs made from sentences that do not negate.

A sentence whose every sentiment word (VADER's lexicon) sits after its one auxiliary verb ("The
acting was superb.") is negated there ("The acting was not superb.", "wasn't", "was never"),
and the copy takes the source's label flipped and shrunk toward one half:
``p' = 1/2 - shrink * (p - 1/2)`` (a smaller shrink for negated criticism). Only sentences
that carry no negation cue already are used (a model's labels on negated sentences are what
issue 18 finds unreliable), only confident ones, and only where the lexicon's words agree with
that label. Each source sentence is written beside its counterfactual, so training sees the
pair. This is automatic counterfactual augmentation (Kaushik et al. 2020 wrote the pairs by
hand; Wang & Culotta 2021 generate them), not a rule in the model: the model must learn what
a negation does to the words in its scope.

Nothing written equals (after normalisation) a GOP tweet or a behavioural-suite text.

    python bench/everyday_counterfactual.py --source runs/everyday_finetune/sentences_soft.csv \\
        --output runs/everyday_finetune/counterfactual.csv
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from everyday_data import NEGATION
from everyday_tweets import GOP_FILE, SUITE_FILE, forbidden_texts, normalised, write_atomic

NEGATED_FORMS: dict[str, tuple[str, ...]] = {
    "is": ("is not", "isn't", "is never"),
    "was": ("was not", "wasn't", "was never"),
    "are": ("are not", "aren't", "are never"),
    "were": ("were not", "weren't", "were never"),
    "am": ("am not", "am never"),
    "will": ("will not", "won't", "will never"),
    "would": ("would not", "wouldn't", "would never"),
    "could": ("could not", "couldn't", "could never"),
    "should": ("should not", "shouldn't"),
    "can": ("cannot", "can't", "can never"),
}
"""Auxiliaries a negation can follow, and the negated forms one of which replaces them."""
SCOPE_END = re.compile(
    r"[,;:()\"]| - |--|\u2014"
    r"|\b(?:but|and|or|although|though|because|while|which|who|that|when|if|so|yet)\b",
    re.IGNORECASE,
)
"""Where a negation's scope ends: a clause break."""
WORD = re.compile(r"[A-Za-z']+")
DEFAULT_SHRINK = (0.8, 0.5)
"""How far a negated copy's label moves past one half: (source positive, source negative).
Negating praise reads as criticism ("not good"); negating criticism reads milder ("not bad")."""
DEFAULT_MARGIN = 0.3
"""Sources must be at least this far from one half (p ≥ 0.8 or ≤ 0.2 by default)."""
NEAR_WORDS = 3
"""The scope's first sentiment word must be among its first this many words."""
MIN_VALENCE = 1.0
"""A lexicon word this strong (VADER's scale: -4..4) counts as a sentiment word."""
MAX_WORDS = 25
SEED = 0
PLURAL_SUBJECTS = frozenset({"i", "we", "you", "they"})
SINGULAR_SUBJECTS = frozenset({"he", "she", "it"})
"""A sentiment word right after one of these pronouns is read as its verb (``verbs=True``)."""


@dataclass(frozen=True)
class Counterfactual:
    source: str
    text: str
    p_positive: float
    """The counterfactual's probability of positive."""


def sentiment_positions(words: list[str], lexicon: Mapping[str, float]) -> list[int]:
    return [i for i, word in enumerate(words) if abs(lexicon.get(word.lower(), 0.0)) >= MIN_VALENCE]


def base_form(word: str, lexicon: Mapping[str, float]) -> str | None:
    """The lexicon's base form of a past or third-person verb ("loved" → "love", "enjoyed" →
    "enjoy", "sucks" → "suck"), or ``None``."""
    if word.endswith("ed"):
        stems = (word[:-1], word[:-2])
    elif word.endswith("s"):
        stems = (word[:-1],)
    else:
        return None
    return next((stem for stem in stems if stem in lexicon), None)


def verb_site(text: str, lexicon: Mapping[str, float]) -> tuple[re.Match[str], tuple[str, ...]]:
    """The first sentiment word when it is a verb right after a personal pronoun ("I loved
    it"), and the negated forms that may replace it; raises ``LookupError`` otherwise."""
    words = list(WORD.finditer(text))
    for k, match in enumerate(words):
        word = match.group()
        if abs(lexicon.get(word.lower(), 0.0)) < MIN_VALENCE:
            continue
        subject = words[k - 1].group().lower() if k else ""
        base = base_form(word.lower(), lexicon)
        if subject in PLURAL_SUBJECTS | SINGULAR_SUBJECTS and word.lower().endswith("ed") and base:
            return match, (f"did not {base}", f"didn't {base}", f"never {word}")
        if subject in PLURAL_SUBJECTS and not word.lower().endswith(("ed", "s")):
            return match, (f"do not {word}", f"don't {word}", f"never {word}")
        if subject in SINGULAR_SUBJECTS and word.lower().endswith("s") and base:
            return match, (f"does not {base}", f"doesn't {base}", f"never {word}")
        break
    raise LookupError(text)


def negation_site(
    text: str, lexicon: Mapping[str, float], verbs: bool
) -> tuple[re.Match[str], tuple[str, ...], int] | None:
    """Where the negation goes: the span it replaces, the forms that may replace it and where
    its scope begins (after an auxiliary; at a verb, the verb itself)."""
    auxiliaries = [m for m in WORD.finditer(text) if m.group().lower() in NEGATED_FORMS]
    if len(auxiliaries) == 1:
        auxiliary = auxiliaries[0]
        return auxiliary, NEGATED_FORMS[auxiliary.group().lower()], auxiliary.end()
    if auxiliaries or not verbs:
        return None
    try:
        verb, forms = verb_site(text, lexicon)
    except LookupError:
        return None
    return verb, forms, verb.start()


def negate(
    text: str,
    p_positive: float,
    lexicon: Mapping[str, float],
    rng: random.Random,
    shrink: tuple[float, float] = DEFAULT_SHRINK,
    verbs: bool = False,
) -> Counterfactual | None:
    """The negated copy of ``text``, or ``None`` when the sentence does not qualify. With
    ``verbs``, a sentence without an auxiliary may be negated at its verb ("I loved it" → "I
    didn't love it")."""
    if NEGATION.search(text) or text.rstrip().endswith("?"):
        return None
    if len(WORD.findall(text)) > MAX_WORDS:
        return None
    site = negation_site(text, lexicon, verbs)
    if site is None:
        return None
    span, forms, scope_start = site
    scope_end = SCOPE_END.search(text, span.end())
    scope = text[scope_start : scope_end.start() if scope_end else len(text)]
    before, inside = WORD.findall(text[: span.start()]), WORD.findall(scope)
    after = WORD.findall(text[scope_end.start() :]) if scope_end else []
    if sentiment_positions(before, lexicon) or sentiment_positions(after, lexicon):
        return None
    positions = sentiment_positions(inside, lexicon)
    valences = [lexicon[inside[i].lower()] for i in positions]
    if not positions or positions[0] >= NEAR_WORDS or (sum(valences) > 0) != (p_positive > 0.5):
        return None
    form = rng.choice(forms)
    if span.group()[0].isupper():
        form = form[0].upper() + form[1:]
    negated = text[: span.start()] + form + text[span.end() :]
    factor = shrink[0] if p_positive > 0.5 else shrink[1]
    return Counterfactual(text, negated, 0.5 - factor * (p_positive - 0.5))


def paired(
    rows: Iterable[tuple[str, float]],
    make: Callable[[str, float], Counterfactual | None],
    forbidden: set[str],
    margin: float = DEFAULT_MARGIN,
) -> list[tuple[str, float]]:
    """(text, p_positive) rows: each confident source that ``make`` negates, then its copy;
    a source or copy seen before or forbidden (after normalisation) is skipped."""
    written: list[tuple[str, float]] = []
    seen: set[str] = set()
    for text, p_positive in rows:
        if abs(p_positive - 0.5) < margin:
            continue
        made = make(text, p_positive)
        if made is None:
            continue
        keys = (normalised(made.source), normalised(made.text))
        if seen.intersection(keys) or forbidden.intersection(keys):
            continue
        seen.update(keys)
        written += [(made.source, p_positive), (made.text, made.p_positive)]
    return written


def counterfactuals(
    rows: Iterable[tuple[str, float]],
    lexicon: Mapping[str, float],
    forbidden: set[str],
    shrink: tuple[float, float] = DEFAULT_SHRINK,
    margin: float = DEFAULT_MARGIN,
    seed: int = SEED,
    verbs: bool = False,
) -> list[tuple[str, float]]:
    """(text, p_positive) rows: each qualifying confident source and its negated copy."""
    rng = random.Random(seed)

    def make(text: str, p_positive: float) -> Counterfactual | None:
        return negate(text, p_positive, lexicon, rng, shrink, verbs)

    return paired(rows, make, forbidden, margin)


def vader_lexicon() -> dict[str, float]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return dict(SentimentIntensityAnalyzer().lexicon)


def read_soft_rows(sources: list[Path]) -> list[tuple[str, float]]:
    """(text, p_positive) of every row of the soft-labelled CSVs, in order."""
    import pandas as pd

    frames = [pd.read_csv(path, keep_default_na=False) for path in sources]  # "NA" is a text
    return [
        (str(text), float(p))
        for frame in frames
        for text, p in zip(frame["text"], frame["p_positive"], strict=True)
    ]


def soft_frame(rows: list[tuple[str, float]]) -> Any:
    """(text, p_positive) rows as the training CSV's frame: text, label, p_negative,
    p_positive."""
    import pandas as pd

    frame = pd.DataFrame(rows, columns=["text", "p_positive"])
    frame["p_negative"] = 1.0 - frame["p_positive"]
    frame["label"] = frame["p_positive"].map(lambda p: "positive" if p >= 0.5 else "negative")
    return frame[["text", "label", "p_negative", "p_positive"]]


def write_pairs(frame: Any, output: Path) -> Path:
    """Write the (source, copy) rows to ``output`` and the copies alone beside it, to
    ``<output stem>_negated.csv`` (returned)."""
    negated_only = output.with_name(f"{output.stem}_negated.csv")
    output.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(frame, output)
    write_atomic(frame.iloc[1::2], negated_only)
    return negated_only


def pairs_record(
    sources: list[Path], source_rows: int, made: list[tuple[str, float]], output: Path
) -> tuple[Any, dict[str, Any]]:
    """Write a builder's (source, copy) rows with :func:`write_pairs`; the copies' frame and the
    record every builder shares (its sources, how many pairs, the copies' positive share, the
    files)."""
    frame = soft_frame(made)
    copies_only = write_pairs(frame, output)
    copies = frame.iloc[1::2]
    return copies, {
        "sources": [str(path) for path in sources],
        "source_rows": source_rows,
        "pairs": len(copies),
        "negated_positive_share": float((copies["p_positive"] >= 0.5).mean())
        if len(copies)
        else 0.0,
        "margin": DEFAULT_MARGIN,
        "file": str(output),
        "negated_file": str(copies_only),
    }


def counterfactual_data(
    sources: list[Path],
    output: Path,
    shrink: tuple[float, float] = DEFAULT_SHRINK,
    verbs: bool = False,
) -> dict[str, Any]:
    """Write ``output`` (text, label, p_negative, p_positive: each source, then its negated
    copy) and ``<output stem>_negated.csv`` (the copies alone, to add beside the sources'
    own files) from soft-labelled CSVs."""
    rows = read_soft_rows(sources)
    forbidden = forbidden_texts(GOP_FILE, SUITE_FILE)
    made = counterfactuals(rows, vader_lexicon(), forbidden, shrink, verbs=verbs)
    _, record = pairs_record(sources, len(rows), made, output)
    shrinks = {"positive_source": shrink[0], "negative_source": shrink[1]}
    return {**record, "shrink": shrinks, "verbs": verbs}


def counterfactual_scores(model: Any, rows: Any) -> dict[str, Any]:
    """A model's (anything with ``labels`` and ``predict_proba``) accuracy on negated copies
    (a ``*_negated.csv`` frame): overall, and apart for the copies of praise (now negative) and
    of criticism (now positive)."""
    import numpy as np

    probabilities = np.asarray(model.predict_proba(rows["text"].tolist()), dtype=np.float64)
    predicted_positive = probabilities[:, list(model.labels).index("positive")] >= 0.5
    positive = (rows["p_positive"] >= 0.5).to_numpy()
    right = predicted_positive == positive
    return {
        "copies": len(rows),
        "accuracy": float(right.mean()),
        "negated_praise_accuracy": float(right[~positive].mean()),
        "negated_criticism_accuracy": float(right[positive].mean()),
    }


def counterfactual_accuracy(model_dir: str, negated_csv: str) -> dict[str, Any]:
    """:func:`counterfactual_scores` of a bundle."""
    import pandas as pd

    from lstm_sentiment.predict import SentimentModel

    rows = pd.read_csv(negated_csv, keep_default_na=False)
    return counterfactual_scores(SentimentModel.load(model_dir), rows)


def source_problem(path: Path) -> str | None:
    """Why ``path`` cannot be a soft-labelled source (one line), or ``None``."""
    if not path.is_file():
        return f"{path} does not exist: give a soft-labelled CSV (text and p_positive columns)"
    with path.open(encoding="utf-8", errors="replace") as file:
        header = file.readline().strip().split(",")
    missing = [column for column in ("text", "p_positive") if column not in header]
    if missing:
        return (
            f"{path} has no {' or '.join(missing)} column: give a soft-labelled CSV such as "
            "runs/everyday_finetune/sentences_soft.csv"
        )
    return None


def run_builder(description: str, build: Callable[[list[Path], Path], dict[str, Any]]) -> None:
    """The command line of a builder that reads soft-labelled sources (``--source``, repeated)
    and writes one CSV (``--output``): a bad source stops it with one line (exit 2)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--source", action="append", required=True, help="soft-labelled CSV")
    parser.add_argument("--output", required=True, help="the CSV to write")
    args = parser.parse_args()
    sources = [Path(source) for source in args.source]
    if problem := next(filter(None, map(source_problem, sources)), None):
        parser.error(problem)
    print(json.dumps(build(sources, Path(args.output)), indent=2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", action="append", required=True, help="soft-labelled CSV")
    parser.add_argument("--output", required=True, help="the CSV to write")
    parser.add_argument(
        "--shrink",
        type=float,
        nargs=2,
        default=DEFAULT_SHRINK,
        metavar=("POSITIVE_SOURCE", "NEGATIVE_SOURCE"),
        help="how far a negated copy's label moves past one half (default %(default)s)",
    )
    parser.add_argument(
        "--verbs", action="store_true", help="also negate verbs after a pronoun (I loved it)"
    )
    args = parser.parse_args()
    sources = [Path(source) for source in args.source]
    if problem := next(filter(None, map(source_problem, sources)), None):
        parser.error(problem)
    shrink = (args.shrink[0], args.shrink[1])
    record = counterfactual_data(sources, Path(args.output), shrink, args.verbs)
    print(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
