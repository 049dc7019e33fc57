"""Sentence-level training data for everyday texts (issue 18): sentences of IMDB reviews with
labels a teacher and a lexicon agree on.

    python bench/everyday_data.py --data ../shared/data/aclImdb.tar.gz \
        --teacher src/lstm_sentiment/pretrained/default --output runs/everyday

writes ``sentences_train.csv`` (sentences of the student's training reviews and of the
unlabelled reviews; for ``data.extra_train``) and ``sentences_validation.csv`` (sentences of
its validation reviews, to choose between students), with ``text,label,confidence,origin``.

With ``--vader-negation``, a sentence with a negation (``not``, ``n't``, ``never``, ``no``...)
on which VADER is sure (``|compound| >= --min-vader``) takes VADER's label: a negated phrase
means what it says in the sentence ("not bad at all" is mildly positive) even inside a negative
review, and the teacher, trained on whole reviews, reads negation poorly (VADER's rules read it
well). (Measured in bench/everyday_recipe.py's round 2: better on negation, worse on whole
reviews; not used by the shipped model.) Any other sentence of a labelled review keeps the
review's label when the teacher (on the sentence alone) gives that label at least
``--min-teacher`` or VADER's compound score agrees by at least ``--min-vader``; an unlabelled
review's sentence takes the teacher's label when the teacher is that sure and VADER does not
disagree by as much. The validation split is carved exactly as
``--config`` carves it, so no validation review leaks into training; IMDB test text and the
behavioural suite are never read.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import LINE_BREAK, ROOT, SENTENCE_END

DEFAULT_CONFIG = ROOT / "configs" / "imdb_ship.toml"
MIN_WORDS, MAX_WORDS = 3, 40
LABELS = ("negative", "positive")
NEGATION = re.compile(
    r"(?i)\b(?:not|no|never|nothing|none|nobody|nowhere|neither|nor|without|cannot)\b|n't\b"
    r"|\b(?:aint|arent|cant|couldnt|didnt|doesnt|dont|hasnt|havent|isnt|shouldnt|wasnt|werent"
    r"|wont|wouldnt)\b"
)
"""A negation cue (VADER's list, spelled with or without the apostrophe)."""


@dataclass(frozen=True)
class Sentence:
    text: str
    label: str | None
    """The review's label (``None`` for an unlabelled review)."""
    origin: str


def sentences(reviews: Iterable[tuple[str, str | None]], origin: str) -> list[Sentence]:
    """Every sentence of ``MIN_WORDS``..``MAX_WORDS`` words of each review."""
    found = []
    for text, label in reviews:
        for part in re.split(SENTENCE_END, text.replace(LINE_BREAK, " ")):
            part = part.strip()
            if MIN_WORDS <= len(part.split()) <= MAX_WORDS:
                found.append(Sentence(part, label, origin))
    return found


def vader_scores(texts: Sequence[str]) -> np.ndarray:
    """VADER's compound score (-1..1) of each text."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    return np.array([analyzer.polarity_scores(t)["compound"] for t in texts])


def label_sentences(
    found: Sequence[Sentence],
    teacher_positive: np.ndarray,
    compound: np.ndarray,
    *,
    min_teacher: float,
    min_vader: float,
    vader_negation: bool = False,
) -> list[tuple[Sentence, str, float]]:
    """``(sentence, label, confidence)`` for the sentences kept (see the module docstring)."""
    kept = []
    for sentence, p_pos, score in zip(found, teacher_positive, compound, strict=True):
        teacher = LABELS[int(p_pos >= 0.5)]
        sure = max(p_pos, 1 - p_pos)
        vader = LABELS[int(score > 0)] if abs(score) >= min_vader else None
        if vader_negation and vader is not None and NEGATION.search(sentence.text):
            kept.append((sentence, vader, float((1 + abs(score)) / 2)))
        elif sentence.label is not None:
            agrees = (teacher == sentence.label and sure >= min_teacher) or vader == sentence.label
            if agrees:
                confidence = p_pos if sentence.label == LABELS[1] else 1 - p_pos
                kept.append((sentence, sentence.label, float(confidence)))
        elif sure >= min_teacher and vader in (None, teacher):
            kept.append((sentence, teacher, float(sure)))
    return kept


def write_csv(path: Path, rows: Sequence[tuple[Sentence, str, float]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label", "confidence", "origin"])
        writer.writerows([s.text, label, f"{conf:.4f}", s.origin] for s, label, conf in rows)


def build(
    parts: dict[str, list[Sentence]],
    teacher: Callable[[list[str]], np.ndarray],
    output: Path,
    *,
    min_teacher: float,
    min_vader: float,
    vader_negation: bool = False,
) -> dict[str, Counter]:
    """Label and write ``train`` and ``validation`` sentence files; the counts kept per origin
    and label."""
    summary = {}
    for name, found in parts.items():
        texts = [s.text for s in found]
        kept = label_sentences(
            found,
            teacher(texts),
            vader_scores(texts),
            min_teacher=min_teacher,
            min_vader=min_vader,
            vader_negation=vader_negation,
        )
        write_csv(output / f"sentences_{name}.csv", kept)
        summary[name] = Counter(f"{s.origin}/{label}" for s, label, _ in kept)
        summary[name]["read"] = len(found)
    return summary


def imdb_parts(data: str, config_path: Path, limit: int) -> dict[str, list[Sentence]]:
    """Sentences of the student's training and validation reviews, and of the unsup split."""
    from lstm_sentiment.config import RunConfig
    from lstm_sentiment.data import load_splits
    from lstm_sentiment.preparation import prepare_data

    config = RunConfig.from_file(config_path).with_overrides(
        [f"data.source={data}", "data.extra_train=[]", "data.test_split="]
    )
    prepared = prepare_data(config)
    unsup = load_splits(data, ["unsup"], config.data)["unsup"]
    rng = np.random.default_rng(config.validation_seed)

    def sample(items: list, n: int) -> list:
        return [items[i] for i in sorted(rng.permutation(len(items))[:n])] if n else items

    fit = sample(prepared.fit, limit)
    validation = sample(prepared.validation, limit // 10 if limit else 0)
    return {
        "train": sentences(((e.text, str(e.label)) for e in fit), "train")
        + sentences(((e.text, None) for e in sample(unsup, limit)), "unsup"),
        "validation": sentences(((e.text, str(e.label)) for e in validation), "validation"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="aclImdb folder or tarball")
    parser.add_argument("--teacher", required=True, help="bundle that labels sentences")
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG, help="the student's config")
    parser.add_argument("--output", type=Path, required=True, help="folder for the CSV files")
    parser.add_argument("--min-teacher", type=float, default=0.7)
    parser.add_argument("--min-vader", type=float, default=0.5)
    parser.add_argument("--limit", type=int, default=0, help="reviews per part (0 = all)")
    parser.add_argument(
        "--vader-negation", action="store_true", help="negated sentences take VADER's label"
    )
    args = parser.parse_args()
    from lstm_sentiment.predict import SentimentModel

    model = SentimentModel.load(args.teacher)
    positive = model.labels.index(LABELS[1])

    def teacher(texts: list[str]) -> np.ndarray:
        return model.predict_proba(texts)[:, positive]

    parts = imdb_parts(args.data, args.config, args.limit)
    summary = build(
        parts,
        teacher,
        args.output,
        min_teacher=args.min_teacher,
        min_vader=args.min_vader,
        vader_negation=args.vader_negation,
    )
    for name, counts in summary.items():
        print(name, dict(sorted(counts.items())))


if __name__ == "__main__":
    main()
