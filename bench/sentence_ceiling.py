"""How far can a model go on "IMDB single sentences"? (issue 18's bar: 0.80)

``bench/everyday.py`` scores one sentence of each test review (6-40 words) against its review's
label. That label is the review's, not the sentence's: a positive review tells of a bad scene,
retells the plot, names the cast. This benchmark measures what a model *trained on that very
distribution* reaches, beside the shipped model, in one run:

* TF-IDF (1-2 grams) + logistic regression on the training reviews (the everyday benchmark's
  baseline), on the training reviews' sentences at their review's label (the benchmark's own
  kind of text and label), and on both;
* the shipped model (or ``--model``).

Every number on the validation reviews (carved as ``bench/everyday.py`` carves them): one
sentence a review (the benchmark's rule, seed 0) and every sentence; C chosen there. The test
sentences (the benchmark's own set) are read once per system, at the chosen C.

    python bench/sentence_ceiling.py --data ../shared/data/aclImdb.tar.gz

Writes ``bench/results/sentence_ceiling.json`` and its section of ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

import benchlib
from everyday_review_sentences import benchmark_sized

NAME = "sentence_ceiling"
TITLE = "IMDB single sentences: what the label allows"
SEED = 0
"""The benchmark's sentence choice (bench/everyday.py ``SHORT_TEXT_SEED``)."""
C_GRID = (0.25, 1.0, 4.0)


def review_sentences(examples: Sequence[Any]) -> tuple[list[str], list[str]]:
    """Every sentence (6-40 words) of the reviews, each with its review's label."""
    rows = benchmark_sized(examples)
    return [text for text, _ in rows], [label for _, label in rows]


def linear_system(
    train: tuple[list[str], list[str]], choose_on: tuple[list[str], list[str]]
) -> tuple[Any, dict[str, Any]]:
    """TF-IDF + LR fitted on ``train``, C chosen by accuracy on ``choose_on``: a predictor
    (texts → labels) and what was chosen."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    started = time.perf_counter()
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, max_df=0.95, sublinear_tf=True)
    x_train = vectorizer.fit_transform(train[0])
    x_choose = vectorizer.transform(choose_on[0])
    scores = {}
    for c in C_GRID:
        fitted = LogisticRegression(C=c, max_iter=2000).fit(x_train, train[1])
        scores[c] = float((fitted.predict(x_choose) == np.asarray(choose_on[1])).mean())
    best = max(scores, key=lambda c: scores[c])
    fitted = LogisticRegression(C=best, max_iter=2000).fit(x_train, train[1])

    def predict(texts: list[str]) -> np.ndarray:
        return fitted.predict(vectorizer.transform(texts))

    info = {"C": best, "C_scores": scores, "train_texts": len(train[0])}
    return predict, {**info, "train_seconds": round(time.perf_counter() - started, 1)}


def bundle_system(model_dir: str) -> Any:
    """A saved model as a predictor (texts → labels)."""
    from lstm_sentiment.predict import SentimentModel

    model = SentimentModel.load(model_dir)

    def predict(texts: list[str]) -> np.ndarray:
        return np.asarray(model.labels)[model.predict_proba(texts).argmax(axis=1)]

    return predict


def accuracy(predict: Any, texts: list[str], labels: list[str]) -> float:
    return float((np.asarray(predict(texts)) == np.asarray(labels)).mean())


def table(systems: dict[str, dict[str, Any]]) -> list[str]:
    lines = [
        "| system | trained on | validation: one sentence a review | validation: every sentence "
        "| test: the benchmark's sentences |",
        "|---|---|---|---|---|",
    ]
    for name, system in systems.items():
        lines.append(
            f"| {name} | {system['trained_on']} | {system['validation_one']:.4f} | "
            f"{system['validation_all']:.4f} | {system['test']:.4f} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="aclImdb tarball or folder")
    parser.add_argument(
        "--model", default=str(benchlib.ROOT / "src/lstm_sentiment/pretrained/default")
    )
    parser.add_argument("--limit", type=int, default=0, help="reviews per split (smoke test)")
    args = parser.parse_args()
    if not Path(args.data).exists():
        parser.error(f"--data {args.data} does not exist: give the aclImdb tarball or folder")
    if not (Path(args.model) / "config.json").is_file():
        parser.error(f"--model {args.model} is not a model bundle (no config.json)")
    from everyday import load_imdb

    fit, validation, test = load_imdb(args.data, args.limit)
    one = benchlib.short_texts(validation, SEED)
    validation_one = ([t for t, _ in one], [label for _, label in one])
    validation_all = review_sentences(validation)
    picked = benchlib.short_texts(test, SEED)
    test_one = ([t for t, _ in picked], [label for _, label in picked])
    reviews = ([e.text for e in fit], [str(e.label) for e in fit])
    sentences = review_sentences(fit)
    both = (reviews[0] + sentences[0], reviews[1] + sentences[1])
    systems: dict[str, dict[str, Any]] = {}
    for name, trained_on, train in (
        ("TF-IDF + LR", "training reviews", reviews),
        ("TF-IDF + LR", "their sentences at the review's label", sentences),
        ("TF-IDF + LR", "both", both),
    ):
        print(f"[{name}: {trained_on}]", flush=True)
        predict, info = linear_system(train, validation_one)
        systems[f"{name} ({trained_on})"] = {"trained_on": trained_on, **info, "predict": predict}
    systems["shipped model"] = {
        "trained_on": "as shipped (reviews + the everyday fine-tune)",
        "model": args.model,
        "predict": bundle_system(args.model),
    }
    for system in systems.values():
        predict = system.pop("predict")
        system["validation_one"] = accuracy(predict, *validation_one)
        system["validation_all"] = accuracy(predict, *validation_all)
        system["test"] = accuracy(predict, *test_one)
    result = {
        **benchlib.header(NAME),
        "limit": args.limit,
        "sentences": {
            "validation_one": len(validation_one[0]),
            "validation_all": len(validation_all[0]),
            "test": len(test_one[0]),
            "train": len(sentences[0]),
        },
        "systems": systems,
    }
    lines = table(systems)
    print("\n".join(lines))
    if args.limit:
        return
    path = benchlib.write_results(NAME, result)
    note = (
        f"`{result['command']}` ({result['date']}, {result['machine']['cpu']}). Sentences: "
        f"{len(sentences[0]):,} of the training reviews, {len(validation_one[0]):,} / "
        f"{len(validation_all[0]):,} of the validation reviews (one a review / all), "
        f"{len(test_one[0]):,} of the test reviews (the everyday benchmark's set). C chosen "
        "on the validation one-a-review sentences; test read once per system."
    )
    benchlib.replace_readme_section(NAME, TITLE, [*lines, "", note])
    print(f"results: {path}")


if __name__ == "__main__":
    main()
