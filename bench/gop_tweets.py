"""GOP debate tweets, three classes, on the slide deck's own split (a script, not a test).

The 13,871 rows of ``gop_debate_tweets.csv`` are split as the slides do: scikit-learn
``train_test_split(test_size=0.33, random_state=42)`` over the rows in file order (9,293 train /
4,578 test). Validation is carved from the 9,293 training rows only. Three systems:

(a) the slide deck's model reproduced with this toolkit (``configs/gop_slides.toml``);
(b) the toolkit's default configuration: ``lstm-sentiment train --data train.csv`` with nothing
    else (it was not tuned on this file);
(c) TF-IDF (uni+bigram) + logistic regression, C chosen on the validation rows by macro-F1.

Each LSTM is trained in a child process through the CLI for every seed and evaluated on the test
rows with the saved bundle (calibrated probabilities). Reported: accuracy, macro-F1, per-class F1
and the expected calibration error (ECE, 15 equal-width bins).

    python bench/gop_tweets.py --data ../shared/data/gop_debate_tweets.csv [--seeds 13 14 15]
    python bench/gop_tweets.py --data ../shared/data/gop_debate_tweets.csv --limit 600  # smoke

Writes ``bench/results/gop_tweets.json`` and the GOP table in ``bench/README.md`` (with
``--limit``, only ``<work>/gop_tweets_limit.json``).
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

import benchlib

SLIDES_CONFIG = benchlib.ROOT / "configs" / "gop_slides.toml"
TEST_SIZE = 0.33
SPLIT_SEED = 42
EXPECTED_ROWS = 13_871
TFIDF_C = (0.25, 1.0, 4.0, 16.0)
BAR_MARGIN = 0.02
REFERENCE = {
    "tfidf_logistic_regression": {"macro_f1": 0.573, "accuracy": 0.687},
    "slides_keras_model": {"macro_f1": 0.570, "accuracy": 0.657},
    "vader_lexicon": {"macro_f1": 0.407, "accuracy": 0.420},
    "source": "issue 7 (measured on this split by the issue's author)",
}


def read_rows(path: Path, limit: int) -> tuple[list[Any], dict[str, Any]]:
    """Every row with its text and label, in file order, and the reader's report."""
    from lstm_sentiment.data import DataReport
    from lstm_sentiment.data.tables import read_table

    report = DataReport(str(path))
    rows = list(read_table(path, encoding_errors="replace", report=report))
    if not limit and len(rows) != EXPECTED_ROWS:
        raise SystemExit(f"expected {EXPECTED_ROWS} rows with text and label, read {len(rows)}")
    rows = rows[:limit] if limit else rows
    return rows, report.finish(rows).to_dict()


def slides_split(rows: list[Any]) -> tuple[list[Any], list[Any]]:
    """The slides' split: ``train_test_split(test_size=0.33, random_state=42)`` over row order."""
    from sklearn.model_selection import train_test_split

    train_idx, test_idx = train_test_split(
        np.arange(len(rows)), test_size=TEST_SIZE, random_state=SPLIT_SEED
    )
    return [rows[i] for i in train_idx], [rows[i] for i in test_idx]


def write_csv(path: Path, rows: list[Any]) -> Path:
    """``text,label`` UTF-8 CSV (what a user would hand to the CLI)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows((row.text, row.label) for row in rows)
    return path


def summary(metrics: dict[str, Any]) -> dict[str, Any]:
    """The numbers this benchmark reports for one system on the test rows."""
    return {
        "accuracy": metrics["accuracy"],
        "macro_f1": metrics["macro_f1"],
        "per_class_f1": {label: v["f1"] for label, v in metrics["per_class"].items()},
        "ece": metrics["ece"],
        **(
            {"ece_uncalibrated": metrics["ece_uncalibrated"]}
            if "ece_uncalibrated" in metrics
            else {}
        ),
        "n": metrics["n"],
    }


def run_lstm(
    name: str, train_csv: Path, test: list[Any], seed: int, work: Path, config: Path | None
) -> dict[str, Any]:
    """Train through the CLI in a child process, then evaluate the bundle on the test rows."""
    from lstm_sentiment.predict import SentimentModel

    run_dir = work / f"{name}_seed{seed}"
    if run_dir.exists():
        shutil.rmtree(run_dir)
    command = [sys.executable, "-m", "lstm_sentiment", "-q", "train", "--data", str(train_csv)]
    command += ["--config", str(config)] if config is not None else []
    command += ["--set", f"train.seed={seed}", "--output", str(run_dir)]
    child = benchlib.run_child(command)
    trained = json.loads((run_dir / "metrics.json").read_text())
    model = SentimentModel.load(run_dir / "model")
    metrics = model.evaluate([row.text for row in test], [str(row.label) for row in test])
    resolved = json.loads((run_dir / "config.json").read_text())
    return {
        "seed": seed,
        "command": " ".join(command),
        **child,
        "train_seconds": trained["timings"]["train_seconds"],
        "best_epoch": trained["best_epoch"],
        "epochs_run": trained["epochs_run"],
        "validation_macro_f1": trained["validation"]["macro_f1"],
        "temperature": trained["calibration"]["temperature"],
        "auto_settings": {k: v["value"] for k, v in trained.get("auto_settings", {}).items()},
        "tokenizer": resolved["text"]["tokenizer"],
        "test": summary(metrics),
    }


def tfidf_baseline(fit: list[Any], validation: list[Any], test: list[Any]) -> dict[str, Any]:
    """TF-IDF 1-2 grams + logistic regression; C by validation macro-F1, measured once on test."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score

    from lstm_sentiment.inference.metrics import classification_metrics

    started = time.perf_counter()
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, max_df=0.95, sublinear_tf=True)
    x_fit = vectorizer.fit_transform([row.text for row in fit])
    x_val = vectorizer.transform([row.text for row in validation])
    y_fit = [row.label for row in fit]
    y_val = [row.label for row in validation]
    scores = {}
    for c in TFIDF_C:
        clf = LogisticRegression(C=c, max_iter=2000).fit(x_fit, y_fit)
        scores[c] = float(f1_score(y_val, clf.predict(x_val), average="macro"))
    best = max(TFIDF_C, key=lambda c: (scores[c], -c))
    clf = LogisticRegression(C=best, max_iter=2000).fit(x_fit, y_fit)
    seconds = time.perf_counter() - started
    labels = [str(label) for label in clf.classes_]
    index = {label: i for i, label in enumerate(labels)}
    y_test = np.array([index[str(row.label)] for row in test])
    probabilities = clf.predict_proba(vectorizer.transform([row.text for row in test]))
    return {
        "model": "TF-IDF (1-2 grams, sublinear tf, min_df 2) + logistic regression",
        "C": best,
        "validation_macro_f1": scores,
        "train_seconds": seconds,
        "test": summary(classification_metrics(y_test, probabilities, labels)),
    }


def median_of(runs: list[dict[str, Any]], key: str) -> float:
    """Median of a test metric over seeds."""
    return statistics.median(run["test"][key] for run in runs)


def write_readme_table(result: dict[str, Any]) -> None:
    """Replace the GOP section of bench/README.md."""
    machine = result["machine"]
    labels = list(result["tfidf"]["test"]["per_class_f1"])
    lines = [
        f"Command: `{result['command']}`  ",
        f"Date: {result['date']}; machine: {machine['cpu']} ({machine['cores']} cores); "
        f"torch {machine.get('torch')}, Python {machine['python']}.  ",
        f"Split: {result['split']['train']:,} train (validation carved from them) / "
        f"{result['split']['test']:,} test rows; seeds {', '.join(map(str, result['seeds']))} "
        "(medians; every run in the JSON).",
        "",
        "| system | test accuracy | test macro-F1 | "
        + " | ".join(f"F1 {label}" for label in labels)
        + " | ECE | train time (s) |",
        "|---|---|---|" + "---|" * len(labels) + "---|---|",
    ]
    for key, title in (("slides", "(a) slide deck's LSTM"), ("default", "(b) toolkit default")):
        runs = result[key]["runs"]
        per_class = [
            statistics.median(r["test"]["per_class_f1"][label] for r in runs) for label in labels
        ]
        lines.append(
            f"| {title} | {median_of(runs, 'accuracy'):.4f} | {median_of(runs, 'macro_f1'):.4f} | "
            + " | ".join(f"{v:.4f}" for v in per_class)
            + f" | {median_of(runs, 'ece'):.4f} | "
            f"{statistics.median(r['train_seconds'] for r in runs):.0f} |"
        )
    base = result["tfidf"]
    lines.append(
        f"| (c) TF-IDF + LR (C={base['C']:g}) | {base['test']['accuracy']:.4f} | "
        f"{base['test']['macro_f1']:.4f} | "
        + " | ".join(f"{base['test']['per_class_f1'][label]:.4f}" for label in labels)
        + f" | {base['test']['ece']:.4f} | {base['train_seconds']:.0f} |"
    )
    bar = result["bar"]
    ref = REFERENCE
    lines += [
        "",
        f"- Bar: (b) macro-F1 {bar['default_macro_f1']:.4f} vs (a) {bar['slides_macro_f1']:.4f} "
        f"and (c) {bar['tfidf_macro_f1']:.4f} (needs ≥ (c) + {BAR_MARGIN:.2f} and > (a)): "
        f"{'met' if bar['met'] else 'not met'}.",
        f"- Reference on this split ({ref['source']}): TF-IDF + LR macro-F1 "
        f"{ref['tfidf_logistic_regression']['macro_f1']:.3f}, the slides' Keras model "
        f"{ref['slides_keras_model']['macro_f1']:.3f}, VADER "
        f"{ref['vader_lexicon']['macro_f1']:.3f}.",
        f"- Data: {result['data']['rows']:,} rows read; "
        + (
            f"{result['data']['invalid_bytes']['rows']:,} rows had invalid UTF-8 bytes (replaced "
            "with U+FFFD and reported)."
            if result["data"].get("invalid_bytes")
            else "no invalid bytes."
        ),
    ]
    benchlib.replace_readme_section("gop_tweets", "GOP debate tweets: three classes", lines)


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="gop_debate_tweets.csv")
    parser.add_argument("--seeds", type=int, nargs="+", default=[13, 14, 15])
    parser.add_argument("--work", default=str(benchlib.ROOT / "bench" / "work" / "gop_tweets"))
    parser.add_argument(
        "--limit", type=int, default=0, help="use only the first N rows (smoke test; no README)"
    )
    args = parser.parse_args()

    from lstm_sentiment.config import RunConfig
    from lstm_sentiment.data import stratified_split

    work = Path(args.work)
    rows, data_report = read_rows(Path(args.data), args.limit)
    train, test = slides_split(rows)
    train_csv = write_csv(work / "train.csv", train)
    write_csv(work / "test.csv", test)

    slides = [run_lstm("slides", train_csv, test, s, work, SLIDES_CONFIG) for s in args.seeds]
    default = [run_lstm("default", train_csv, test, s, work, None) for s in args.seeds]
    defaults = RunConfig()
    fit, validation = stratified_split(
        train, defaults.data.validation_fraction, defaults.train.seed
    )
    tfidf = tfidf_baseline(fit, validation, test)

    default_f1 = median_of(default, "macro_f1")
    slides_f1 = median_of(slides, "macro_f1")
    tfidf_f1 = tfidf["test"]["macro_f1"]
    result = {
        **benchlib.header("gop_tweets"),
        "data": data_report,
        "split": {
            "rule": f"train_test_split(test_size={TEST_SIZE}, random_state={SPLIT_SEED}) over "
            "rows in file order",
            "train": len(train),
            "test": len(test),
            "limit": args.limit,
        },
        "seeds": args.seeds,
        "slides": {"config": str(SLIDES_CONFIG.relative_to(benchlib.ROOT)), "runs": slides},
        "default": {"config": "RunConfig() defaults", "runs": default},
        "tfidf": tfidf,
        "reference": REFERENCE,
        "bar": {
            "default_macro_f1": default_f1,
            "slides_macro_f1": slides_f1,
            "tfidf_macro_f1": tfidf_f1,
            "margin_over_tfidf": default_f1 - tfidf_f1,
            "margin_over_slides": default_f1 - slides_f1,
            "met": default_f1 > slides_f1 and default_f1 >= tfidf_f1 + BAR_MARGIN,
        },
    }
    if args.limit:
        out = work / "gop_tweets_limit.json"
        out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    else:
        out = benchlib.write_results("gop_tweets", result)
        write_readme_table(result)
    print(json.dumps({"results": str(out), **result["bar"]}, indent=2))


if __name__ == "__main__":
    main()
