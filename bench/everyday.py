"""Everyday texts (issue 18): the behavioural suite and the usual numbers, side by side.

Measured in one run for every system: bundles given as ``--model NAME=PATH`` (default: the
shipped model as ``shipped``), VADER (``vaderSentiment``: compound ≥ 0 → positive; p(positive)
= (compound + 1) / 2) and TF-IDF (1-2 grams) + logistic regression trained here on IMDB train
(C chosen on the same validation split as bench/imdb_best.py, :func:`benchlib.tfidf_baseline`):

* the behavioural suite (tests/behaviour/cases.jsonl, scored by bench/behaviour_suite.py):
  pass rates overall, per type and per category; on the neutral set the mean top probability
  and how many a ``min_confidence=0.7`` prediction abstains on;
* IMDB single sentences: one sentence cut from each test review, labelled with its review's
  label (:func:`benchlib.short_texts`, seed 0, as bench/imdb_best.py measures it);
* GOP debate tweets, zero-shot: every row labelled Positive or Negative (Neutral rows left
  out), macro-F1 over the two classes;
* the full IMDB test split: accuracy and the expected calibration error (ECE, 15 bins, the
  project's :func:`~lstm_sentiment.inference.metrics.classification_metrics`);
* speed (reviews/s over the IMDB test reviews, from raw text, 2 threads: bundles by
  :func:`benchlib.prediction_speed`, median of 3 passes; VADER and TF-IDF one timed pass) and
  size on disk.

    python bench/everyday.py --data ../shared/data/aclImdb.tar.gz \
        --gop ../shared/data/gop_debate_tweets.csv [--model NAME=PATH ...]
    python bench/everyday.py ... --limit 400 --output-dir /tmp/everyday  # smoke test

Writes ``bench/results/everyday.json``, its section of ``bench/README.md`` and, for the model
named ``shipped``, its pass rate on the suite's fixed 30-case sample in
``tests/behaviour/shipped_sample.json`` (the fast test's floor).
"""

from __future__ import annotations

import argparse
import json
import pickle
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

import behaviour_suite as suite
import benchlib
from everyday_snippets import read_snippets, snippet_scores

NAME = "everyday"
TITLE = "Everyday texts: behavioural suite"
THREADS = 2
SHORT_TEXT_SEED = 0
"""The same sentences as bench/imdb_best.py."""
SAMPLE_FILE = benchlib.ROOT / "tests" / "behaviour" / "shipped_sample.json"
SHIPPED = "shipped"
GOP_CLASSES = ("Negative", "Positive")


class Vader:
    """VADER as a two-class model: p(positive) = (compound + 1) / 2, a compound of exactly 0
    counting as positive (nudged by 1e-6 so that the most probable label says so)."""

    labels = ("negative", "positive")

    def __init__(self) -> None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        self.analyzer = SentimentIntensityAnalyzer()

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        compound = np.array([self.analyzer.polarity_scores(t)["compound"] for t in texts])
        p = (compound + 1.0) / 2.0 + np.where(compound == 0.0, 1e-6, 0.0)
        return np.stack([1.0 - p, p], axis=1)

    @staticmethod
    def megabytes() -> float:
        import vaderSentiment

        folder = Path(vaderSentiment.__file__).parent
        return sum(f.stat().st_size for f in folder.glob("*.txt")) / 1e6


class Tfidf:
    """The fitted TF-IDF vectorizer and logistic regression as a model."""

    def __init__(self, fitted: tuple[Any, Any]) -> None:
        self.vectorizer, self.classifier = fitted
        self.labels = [str(label) for label in self.classifier.classes_]

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return self.classifier.predict_proba(self.vectorizer.transform(list(texts)))

    def megabytes(self) -> float:
        return len(pickle.dumps((self.vectorizer, self.classifier))) / 1e6


def parse_model(text: str) -> tuple[str, str]:
    """``NAME=PATH`` → ``(NAME, PATH)``."""
    name, sep, path = text.partition("=")
    if not sep or not name or not path:
        raise argparse.ArgumentTypeError(f"expected NAME=PATH, got {text!r}")
    return name, path


def class_ids(labels: Sequence[str], model_labels: Sequence[str]) -> np.ndarray:
    """Label names → the model's class ids (ignoring case)."""
    folded = {label.casefold(): i for i, label in enumerate(model_labels)}
    return np.array([folded[label.casefold()] for label in labels], dtype=np.int64)


def metrics_on(model: Any, texts: list[str], labels: list[str]) -> dict[str, Any]:
    """Accuracy, macro-F1 and ECE of a model on labelled texts (one timed pass)."""
    from lstm_sentiment.inference.metrics import classification_metrics

    started = time.perf_counter()
    probabilities = np.asarray(model.predict_proba(texts), dtype=np.float64)
    seconds = time.perf_counter() - started
    probabilities /= probabilities.sum(axis=1, keepdims=True)  # float32 rows: sum 1 ± 1e-7
    y = class_ids(labels, model.labels)
    metrics = classification_metrics(y, probabilities, list(model.labels))
    keep = ("n", "accuracy", "macro_f1", "ece", "log_loss")
    ranking = {}
    if probabilities.shape[1] == 2 and len(set(y.tolist())) == 2:
        from sklearn.metrics import roc_auc_score

        ranking["roc_auc"] = float(roc_auc_score(y, probabilities[:, 1]))
    return {**{k: metrics[k] for k in keep}, **ranking, "seconds": seconds}


def read_gop(path: Path, limit: int) -> tuple[list[str], list[str], dict[str, Any]]:
    """The Positive and Negative rows of the GOP tweets (all of them; Neutral left out)."""
    import gop_tweets

    rows, report = gop_tweets.read_rows(path, 0)
    kept = [row for row in rows if str(row.label) in GOP_CLASSES]
    kept = kept[:limit] if limit else kept
    counts = {label: sum(str(r.label) == label for r in kept) for label in GOP_CLASSES}
    info = {"rows": len(rows), "kept": len(kept), "classes": counts}
    info["invalid_utf8_rows"] = (report.get("invalid_bytes") or {}).get("rows", 0)
    return [row.text for row in kept], [str(row.label) for row in kept], info


def load_imdb(data: str, limit: int) -> tuple[list, list, list]:
    """IMDB train (fit and validation, as bench/imdb_best.py carves them) and test."""
    from imdb_best import BEST_CONFIG, SPLIT_SEED
    from lstm_sentiment.config import RunConfig
    from lstm_sentiment.data import stratified_split
    from lstm_sentiment.preparation import load_training_data

    overrides = [f"data.source={data}", f"data.split_seed={SPLIT_SEED}"]
    config = RunConfig.from_file(BEST_CONFIG).with_overrides(overrides)
    train, test = load_training_data(config)
    if limit:
        rng = np.random.default_rng(0)
        train = [train[i] for i in sorted(rng.permutation(len(train))[:limit])]
        test = [test[i] for i in sorted(rng.permutation(len(test))[:limit])]
    fit, validation = stratified_split(
        train, config.data.validation_fraction, config.validation_seed
    )
    return fit, validation, test


def measure(name: str, system: dict[str, Any], cases: list, data: dict[str, Any]) -> dict[str, Any]:
    """Every number of one system."""
    model = system["model"]
    print(f"[{name}] behavioural suite", flush=True)
    scored = suite.score_suite(model, cases)
    scored.pop("cases")
    out: dict[str, Any] = {"description": system["description"], "suite": scored}
    sentences, sentence_labels = data["sentences"]
    print(f"[{name}] IMDB single sentences, GOP tweets", flush=True)
    out["imdb_sentences"] = metrics_on(model, sentences, sentence_labels)
    out["gop"] = metrics_on(model, *data["gop"])
    if data["snippets"] is not None:
        out["snippets"] = snippet_scores(model, data["snippets"])
    print(f"[{name}] IMDB test", flush=True)
    test_texts, test_labels = data["test"]
    out["imdb_test"] = metrics_on(model, test_texts, test_labels)
    if system.get("path"):
        from imdb_best_measure import bundle_megabytes

        out["speed"] = benchlib.prediction_speed(system["path"], test_texts, THREADS)
        out["megabytes"] = bundle_megabytes(Path(system["path"]))
    else:
        seconds = out["imdb_test"]["seconds"]
        out["speed"] = {"reviews": len(test_texts), "passes": 1, "seconds": seconds}
        out["speed"]["reviews_per_second"] = len(test_texts) / seconds
        out["megabytes"] = model.megabytes()
    return out


def record_sample(name: str, path: str, model: Any, cases: list, result: dict) -> dict:
    """The model's pass rate on the suite's fixed sample, written next to the cases."""
    sample = suite.fixed_sample(cases)
    scored = suite.score_suite(model, sample)
    record = {
        "model": name,
        "path": path,
        "command": result["command"],
        "date": result["date"],
        "case_ids": [case.id for case in sample],
        "passed": scored["overall"]["passed"],
        "total": scored["overall"]["total"],
        "pass_rate": scored["overall"]["rate"],
        "dir_tolerance": suite.DIR_TOLERANCE,
        "failed_ids": scored["failures"]["ids"],
    }
    return record


def pct(rate: float) -> str:
    return f"{100 * rate:.1f}%"


def table_lines(result: dict[str, Any]) -> list[str]:
    """The two tables: suite pass rates, then the other measurements."""
    systems = result["systems"]
    scored_categories = next(iter(systems.values()))["suite"]["by_category"]
    categories = [c for c in suite.TESTED_CATEGORIES if c in scored_categories]
    head = ["system", "overall", "MFT", "INV", "DIR", *[c.replace("_", " ") for c in categories]]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, run in systems.items():
        scored = run["suite"]
        cells = [pct(scored["overall"]["rate"])]
        cells += [pct(scored["by_type"][k]["rate"]) for k in suite.TESTED_TYPES]
        cells += [pct(scored["by_category"][c]["rate"]) for c in categories]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "| system | neutral: mean top p | neutral: abstains at 0.7 | IMDB sentences acc | "
        "human-rated snippets acc | GOP pos/neg macro-F1 (ROC AUC) | IMDB test acc | "
        "IMDB test ECE | reviews/s | size (MB) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, run in systems.items():
        neutral = run["suite"]["neutral"]
        snippets = f"{run['snippets']['accuracy']:.4f}" if "snippets" in run else "-"
        gop = f"{run['gop']['macro_f1']:.4f}" + (
            f" ({run['gop']['roc_auc']:.3f})" if "roc_auc" in run["gop"] else ""
        )
        lines.append(
            f"| {name} | {neutral['mean_top_probability']:.3f} | "
            f"{neutral['abstained']}/{neutral['n']} | {run['imdb_sentences']['accuracy']:.4f} | "
            f"{snippets} | {gop} | {run['imdb_test']['accuracy']:.4f} | "
            f"{run['imdb_test']['ece']:.4f} | {run['speed']['reviews_per_second']:,.0f} | "
            f"{run['megabytes']:.1f} |"
        )
    return lines


def snippet_note(result: dict[str, Any]) -> list[str]:
    """The README's line on the human-rated snippets, when they were measured."""
    snippets = result["data"].get("snippets")
    if not snippets:
        return []
    clear = next(iter(result["systems"].values()))["snippets"]["clear"]
    return [
        f"- Human-rated snippets: the {clear:,} clearly rated texts (raters' "
        "positive share ≤ 0.3 or ≥ 0.7) of the held-out tenth of the VADER paper's sentences "
        f"(`{snippets['file']}`, written by `bench/everyday_snippets.py`: movie and product "
        "reviews, editorials, tweets); per domain in the JSON. VADER's authors developed it "
        "on these sets."
    ]


def write_readme(result: dict[str, Any]) -> None:
    """Replace this benchmark's section of bench/README.md."""
    machine, counts = result["machine"], result["suite"]["counts"]
    types = ", ".join(f"{k} {v}" for k, v in counts["by_type"].items())
    gop = result["data"]["gop"]
    lines = [
        f"Command: `{result['command']}`  ",
        f"Date: {result['date']}; machine: {machine['cpu']} ({machine['cores']} cores); "
        f"torch {machine.get('torch')}, vaderSentiment {machine.get('vaderSentiment')}, "
        f"Python {machine['python']}.  ",
        f"Suite: `tests/behaviour/cases.jsonl` ({counts['total']['cases']} cases: {types}), "
        "written by `tests/behaviour/generate.py` before any new model was trained. A DIR case "
        f"passes when p(positive) moves the expected way by more than {suite.DIR_TOLERANCE} "
        "(or ends within that of 0 or 1); an INV case when the label does not change.",
        "",
        *table_lines(result),
        "",
        f"- IMDB sentences: {result['data']['sentences']:,} sentences cut from the test reviews "
        "(one per review, 6-40 words, labelled with the review's label: a noisy label, for "
        "comparing models). GOP: the {kept:,} tweets labelled Positive or Negative "
        "(zero-shot: no system saw a tweet).".format(kept=gop["kept"]),
        *snippet_note(result),
        "- VADER: compound ≥ 0 → positive, p(positive) = (compound + 1) / 2 (its ECE treats that "
        "as a probability, which VADER never claimed); speed and size of VADER and TF-IDF: one "
        "timed pass in one process, the size of the lexicon files / of the pickled model. "
        f"TF-IDF + LR: C={result['tfidf']['C']:g} chosen on validation, trained on "
        f"{result['data']['fit']:,} train reviews in {result['tfidf']['train_seconds']:.0f} s.",
        "- DIR cases that moved the wrong way by more than the tolerance (CheckList's own failure "
        "rule): "
        + ", ".join(
            "{} {count}/{total}".format(name, **run["suite"]["dir_wrong_way"])
            for name, run in result["systems"].items()
        )
        + ". Failed cases with examples: `bench/results/everyday.json`.",
    ]
    benchlib.replace_readme_section(NAME, TITLE, lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="aclImdb tarball or folder")
    parser.add_argument("--gop", required=True, help="gop_debate_tweets.csv")
    parser.add_argument("--model", type=parse_model, action="append", default=[])
    parser.add_argument("--cases", default=str(suite.CASES_FILE))
    parser.add_argument("--limit", type=int, default=0, help="smoke test: N reviews per split")
    parser.add_argument("--snippets", help="held-out snippets (bench/everyday_snippets.py)")
    parser.add_argument("--output-dir", help="smoke test: write everything here, not in bench/")
    parser.add_argument(
        "--update-card",
        action="store_true",
        help=f"write the {SHIPPED!r} model's results into its model card",
    )
    args = parser.parse_args()
    sample_file = SAMPLE_FILE
    if args.output_dir:
        benchlib.RESULTS_DIR = Path(args.output_dir)
        benchlib.BENCH_README = Path(args.output_dir) / "README.md"
        sample_file = Path(args.output_dir) / SAMPLE_FILE.name
        sample_file.parent.mkdir(parents=True, exist_ok=True)

    import torch

    from lstm_sentiment.predict import SentimentModel, default_model_path

    torch.set_num_threads(THREADS)
    started = time.perf_counter()
    bundles = args.model or [(SHIPPED, str(default_model_path()))]
    cases = suite.load_cases(args.cases)
    print("reading IMDB and the GOP tweets", flush=True)
    fit, validation, test = load_imdb(args.data, args.limit)
    pairs = benchlib.short_texts(test, SHORT_TEXT_SEED)
    gop_texts, gop_labels, gop_info = read_gop(Path(args.gop), args.limit)
    data = {
        "sentences": ([t for t, _ in pairs], [label for _, label in pairs]),
        "gop": (gop_texts, gop_labels),
        "test": ([ex.text for ex in test], [str(ex.label) for ex in test]),
        "snippets": read_snippets(args.snippets) if args.snippets else None,
    }
    print("training TF-IDF + LR on IMDB train", flush=True)
    tfidf = benchlib.tfidf_baseline(fit, validation, test, keep_model=True)
    systems: dict[str, dict[str, Any]] = {
        name: {"model": SentimentModel.load(path), "path": path, "description": f"bundle {path}"}
        for name, path in bundles
    }
    systems["VADER"] = {"model": Vader(), "description": "vaderSentiment, compound >= 0"}
    systems["TF-IDF + LR"] = {
        "model": Tfidf(tfidf.pop("fitted")),
        "description": f"TF-IDF 1-2 grams + logistic regression (C={tfidf['C']:g}), IMDB train",
    }
    from importlib import metadata

    result: dict[str, Any] = benchlib.header(NAME)
    result["machine"]["vaderSentiment"] = metadata.version("vaderSentiment")
    result |= {
        "suite": {
            "file": str(Path(args.cases).relative_to(benchlib.ROOT))
            if Path(args.cases).is_relative_to(benchlib.ROOT)
            else args.cases,
            "counts": suite.counts(cases),
            "dir_tolerance": suite.DIR_TOLERANCE,
            "abstain_confidence": suite.ABSTAIN_CONFIDENCE,
        },
        "data": {
            "fit": len(fit),
            "validation": len(validation),
            "test": len(test),
            "sentences": len(pairs),
            "gop": gop_info,
            "snippets": {"file": args.snippets} if args.snippets else None,
        },
        "tfidf": tfidf,
        "systems": {name: measure(name, system, cases, data) for name, system in systems.items()},
    }
    result["wall_seconds"] = time.perf_counter() - started
    if SHIPPED in systems:
        shipped = systems[SHIPPED]
        record = record_sample(SHIPPED, shipped["path"], shipped["model"], cases, result)
        if Path(shipped["path"]).resolve() == default_model_path().resolve():
            record["path"] = "default"
        result["shipped_sample"] = record
        sample_file.write_text(json.dumps(record, indent=2) + "\n")
    benchlib.write_results(NAME, result)
    write_readme(result)
    if args.update_card and SHIPPED in systems:
        from everyday_card import update_card

        update_card(systems[SHIPPED]["path"], result, SHIPPED)
    print("\n".join(table_lines(result)))


if __name__ == "__main__":
    main()
