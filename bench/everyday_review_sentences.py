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

The validation split is carved exactly as ``config`` carves it; IMDB test text is never read.

    python bench/everyday_review_sentences.py --data ../shared/data/aclImdb.tar.gz \
        --output runs/everyday_finetune/review_sentences
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from everyday_tweets import write_atomic

MIN_WORDS, MAX_WORDS = 6, 40
"""As :func:`benchlib.short_texts` cuts the benchmark's sentences."""
TRAIN_SENTENCES = 50_000
"""About two a training review: a share of the epoch like the other extra files'."""
SAMPLE_SEED = 0
LABELS = ("negative", "positive")


def benchmark_sized(sentences: Sequence[Any]) -> list[tuple[str, str]]:
    """``(text, label)`` of the labelled sentences the benchmark's length rule keeps."""
    return [
        (s.text, s.label)
        for s in sentences
        if s.label is not None and MIN_WORDS <= len(s.text.split()) <= MAX_WORDS
    ]


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
    parts: dict[str, Sequence[Any]], output: Path, train_size: int, seed: int
) -> dict[str, Any]:
    """Both files from ``parts`` (``everyday_data.imdb_parts``: sentences with their review's
    label and origin); the record of what was written."""
    train = benchmark_sized([s for s in parts["train"] if s.origin == "train"])
    validation = benchmark_sized([s for s in parts["validation"] if s.origin == "validation"])
    output.mkdir(parents=True, exist_ok=True)
    record: dict[str, Any] = {"train_sentences_read": len(train), "seed": seed}
    for name, rows in (("train", sample(train, train_size, seed)), ("validation", validation)):
        path = output / f"review_sentences_{name}.csv"
        write_atomic(labelled_frame(rows), path)
        record[name] = str(path)
        record[f"{name}_rows"] = len(rows)
        record[f"{name}_positive_share"] = (
            sum(label == "positive" for _, label in rows) / len(rows) if rows else 0.0
        )
    return record


def review_sentence_data(
    data: str, output: Path, config: Path, train_size: int = TRAIN_SENTENCES
) -> dict[str, Any]:
    """Cut the IMDB training and validation reviews (carved as ``config`` carves them) and
    write both files under ``output``."""
    from everyday_data import imdb_parts

    record = write_review_sentences(imdb_parts(data, config, 0), output, train_size, SAMPLE_SEED)
    return {"config": str(config), **record}


def main() -> None:
    from everyday_recipe import CONFIG

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="aclImdb tarball or folder")
    parser.add_argument("--output", required=True, help="folder for the two CSV files")
    parser.add_argument("--train-sentences", type=int, default=TRAIN_SENTENCES)
    args = parser.parse_args()
    if args.train_sentences < 1:
        parser.error("--train-sentences must be at least 1")
    if not Path(args.data).exists():
        parser.error(f"--data {args.data} does not exist: give the aclImdb tarball or folder")
    record = review_sentence_data(args.data, Path(args.output), CONFIG, args.train_sentences)
    print(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
