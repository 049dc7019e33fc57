"""Sentences of IMDB reviews at their review's label (issue 18's "IMDB single sentences").

``bench/everyday.py`` reads one sentence of each test review (6-40 words) and scores a model
against the review's label. The fine-tunes learn sentences only at a teacher's label (the
confident ones); this step writes the benchmark's kind of text for training and for choosing:

* ``review_sentences_train.csv``: a sample of the training reviews' sentences (6-40 words) at
  their review's label (hard ``p_<label>`` columns, so an arm with ``data.soft_labels`` reads
  them as they are); a sentence's label is noisy — a positive review may tell of a bad scene —
  and the noise is the benchmark's own;
* ``review_sentences_validation.csv``: every sentence (6-40 words) of the validation reviews at
  its review's label, the validation twin of the benchmark (every sentence, not one a review,
  so arms differ by more than the noise of 2,500 sentences).

The validation split is carved exactly as ``config`` carves it, and it is not grouped by film:
most validation reviews have a film among the training reviews (2,429 of 2,500), so training
sentences of those films could teach the validation sentences their names and plots. With
``--films other`` (files ``review_sentences_other_films_*.csv``) the training sentences come
only from films without a validation review, and the validation score measures what the
sentences teach about other films. IMDB test text is never read.

    python bench/everyday_review_sentences.py --data ../shared/data/aclImdb.tar.gz \
        --output runs/everyday_finetune/review_sentences
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchlib import LINE_BREAK, SENTENCE_END
from everyday_recipe import CONFIG
from everyday_tweets import write_atomic

MIN_WORDS, MAX_WORDS = 6, 40
"""As :func:`benchlib.short_texts` cuts the benchmark's sentences."""
TRAIN_SENTENCES = 50_000
"""About two a training review: a share of the epoch like the other extra files'."""
EVERY_SENTENCE = 10**9
"""A sample size above any split's count: every sentence (files ``*_all_*.csv``)."""
SAMPLE_SEED = 0
ALL_FILMS, OTHER_FILMS = "all", "other"
"""Training sentences from every training review, or only from films with no validation
review: the validation split is not grouped by film, so sentences of a film's training
reviews could teach its validation reviews' sentences (names, plot) and flatter the score."""
LABELS = ("negative", "positive")


def benchmark_sized(examples: Sequence[Any]) -> list[tuple[str, str]]:
    """``(text, label)``: every sentence of the reviews (anything with ``text`` and ``label``)
    that the benchmark's length rule keeps, at its review's label."""
    rows: list[tuple[str, str]] = []
    for example in examples:
        for part in re.split(SENTENCE_END, example.text.replace(LINE_BREAK, " ")):
            part = part.strip()
            if MIN_WORDS <= len(part.split()) <= MAX_WORDS:
                rows.append((part, str(example.label)))
    return rows


def other_films(fit: Sequence[Any], validation: Sequence[Any]) -> list[Any]:
    """The training reviews whose film (``group``: aclImdb's ``urls_<label>.txt``) has no
    review among the validation reviews."""
    validation_films = {example.group for example in validation}
    return [example for example in fit if example.group not in validation_films]


def sample(rows: Sequence[tuple[str, str]], size: int, seed: int) -> list[tuple[str, str]]:
    """``size`` rows drawn without replacement (all of them when there are fewer), in their
    original order."""
    if size >= len(rows):
        return list(rows)
    chosen = sorted(random.Random(seed).sample(range(len(rows)), size))
    return [rows[i] for i in chosen]


def labelled_frame(rows: Sequence[tuple[str, str]]) -> Any:
    """``text,label,p_negative,p_positive``: the label as a sure soft label."""
    import pandas as pd

    unknown = sorted({label for _, label in rows} - set(LABELS))
    if unknown:
        raise ValueError(f"labels {unknown} are not {' / '.join(LABELS)}")
    labels = [label for _, label in rows]
    positive = [1.0 if label == "positive" else 0.0 for label in labels]
    return pd.DataFrame(
        {
            "text": [text for text, _ in rows],
            "label": labels,
            "p_negative": [1.0 - p for p in positive],
            "p_positive": positive,
        }
    )


def write_review_sentences(
    train: Sequence[tuple[str, str]],
    validation: Sequence[tuple[str, str]],
    output: Path,
    train_size: int,
    seed: int,
    prefix: str = "review_sentences",
) -> dict[str, Any]:
    """``<prefix>_train.csv`` (a sample of ``train_size`` of ``train``) and
    ``<prefix>_validation.csv`` (all of ``validation``) under ``output``; what was written."""
    output.mkdir(parents=True, exist_ok=True)
    record: dict[str, Any] = {"train_sentences_read": len(train), "seed": seed}
    for name, rows in (("train", sample(train, train_size, seed)), ("validation", validation)):
        path = output / f"{prefix}_{name}.csv"
        write_atomic(labelled_frame(rows), path)
        record[name] = str(path)
        record[f"{name}_rows"] = len(rows)
        record[f"{name}_positive_share"] = (
            sum(label == "positive" for _, label in rows) / len(rows) if rows else 0.0
        )
    return record


def review_sentence_data(
    data: str,
    output: Path,
    config: Path,
    train_size: int = TRAIN_SENTENCES,
    films: str = ALL_FILMS,
) -> dict[str, Any]:
    """Cut the IMDB training and validation reviews (carved as ``config`` carves them) and
    write both files under ``output``; ``films=OTHER_FILMS`` takes the training sentences only
    from films without a validation review."""
    from lstm_sentiment.config import RunConfig
    from lstm_sentiment.preparation import prepare_data

    overrides = [f"data.source={data}", "data.extra_train=[]", "data.test_split="]
    prepared = prepare_data(RunConfig.from_file(config).with_overrides(overrides))
    fit = prepared.fit
    if films == OTHER_FILMS:
        fit = other_films(fit, prepared.validation)
    train, validation = benchmark_sized(fit), benchmark_sized(prepared.validation)
    prefix = "review_sentences" if films == ALL_FILMS else "review_sentences_other_films"
    if train_size >= len(train):
        prefix += "_all"
    record = write_review_sentences(train, validation, output, train_size, SAMPLE_SEED, prefix)
    training_films = {example.group for example in prepared.fit}
    shared = sum(example.group in training_films for example in prepared.validation)
    return {
        "config": str(config),
        "films": films,
        "training_reviews": len(fit),
        "validation_reviews_with_a_training_film": shared,
        "validation_reviews": len(prepared.validation),
        **record,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="aclImdb tarball or folder")
    parser.add_argument("--output", required=True, help="folder for the two CSV files")
    parser.add_argument("--train-sentences", type=int, default=TRAIN_SENTENCES)
    parser.add_argument(
        "--films",
        choices=(ALL_FILMS, OTHER_FILMS),
        default=ALL_FILMS,
        help="training sentences from every training review, or only from films without a "
        "validation review",
    )
    args = parser.parse_args()
    if args.train_sentences < 1:
        parser.error("--train-sentences must be at least 1")
    if not Path(args.data).exists():
        parser.error(f"--data {args.data} does not exist: give the aclImdb tarball or folder")
    record = review_sentence_data(
        args.data, Path(args.output), CONFIG, args.train_sentences, args.films
    )
    print(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
