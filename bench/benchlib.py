"""Shared helpers of the benchmark scripts: machine facts, README tables, child-process runs.

Scripts in this folder import it as ``import benchlib`` (they run as ``python bench/<name>.py``).
"""

from __future__ import annotations

import json
import os
import platform
import shlex
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS_DIR = ROOT / "bench" / "results"
BENCH_README = ROOT / "bench" / "README.md"


def cpu_name() -> str:
    """CPU model name from /proc/cpuinfo."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_info() -> dict[str, Any]:
    """CPU, core count and library versions recorded with every result."""
    from importlib import metadata

    versions = {}
    for package in ("lstm-sentiment", "torch", "numpy", "scikit-learn", "gensim", "sentencepiece"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return {
        "cpu": cpu_name(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        **versions,
    }


def header(benchmark: str) -> dict[str, Any]:
    """The command, date and machine block every results file starts with."""
    return {
        "benchmark": benchmark,
        "command": shlex.join([Path(sys.executable).name, *sys.argv]),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_info(),
    }


def write_results(name: str, result: dict[str, Any]) -> Path:
    """Write ``bench/results/<name>.json``."""
    path = RESULTS_DIR / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    return path


def replace_readme_section(marker: str, title: str, lines: list[str]) -> None:
    """Replace the text between ``<!-- marker:start -->`` and ``<!-- marker:end -->`` in
    bench/README.md (appending a new ``## title`` section the first time)."""
    start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
    body = "\n".join([start, *lines, end])
    text = BENCH_README.read_text() if BENCH_README.exists() else "# Benchmarks\n"
    if start in text:
        head, rest = text.split(start, 1)
        text = head + body + rest.split(end, 1)[1]
    else:
        text = text.rstrip() + f"\n\n## {title}\n\n" + body + "\n"
    BENCH_README.write_text(text)


def run_child(command: list[str]) -> dict[str, float]:
    """Run a command in a child process; its wall time and peak RSS (fails loudly)."""
    import subprocess

    started = time.perf_counter()
    process = subprocess.Popen(command)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"benchmark step failed: {shlex.join(command)}")
    return {"wall_seconds": wall, "peak_rss_mb": usage.ru_maxrss / 1024}


def tfidf_baseline(
    train: list, validation: list, test: list, *, keep_model: bool = False
) -> dict[str, Any]:
    """TF-IDF uni+bigram logistic regression; C chosen on validation, measured once on test.

    With ``keep_model`` the result also holds the fitted ``(vectorizer, classifier)`` under
    ``"fitted"`` (not JSON: pop it before writing the result)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import accuracy_score, f1_score

    started = time.perf_counter()
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, max_df=0.95, sublinear_tf=True)
    x_train = vectorizer.fit_transform([ex.text for ex in train])
    x_val = vectorizer.transform([ex.text for ex in validation])
    y_train = [ex.label for ex in train]
    y_val = [ex.label for ex in validation]
    best: tuple[float, float] = (-1.0, 1.0)
    for c in (1.0, 4.0, 16.0, 64.0):
        clf = LogisticRegression(C=c, max_iter=2000).fit(x_train, y_train)
        best = max(best, (accuracy_score(y_val, clf.predict(x_val)), c))
    clf = LogisticRegression(C=best[1], max_iter=2000).fit(x_train, y_train)
    train_seconds = time.perf_counter() - started
    predicted = clf.predict(vectorizer.transform([ex.text for ex in test]))
    y_test = [ex.label for ex in test]
    result = {
        "model": "TF-IDF (1-2 grams, sublinear tf, min_df 2) + logistic regression",
        "C": best[1],
        "validation_accuracy": best[0],
        "test_accuracy": float(accuracy_score(y_test, predicted)),
        "test_macro_f1": float(f1_score(y_test, predicted, average="macro")),
        "train_seconds": train_seconds,
    }
    if keep_model:
        result["fitted"] = (vectorizer, clf)
    return result


def prediction_speed(model_dir: str, texts: list[str], threads: int, passes: int = 3) -> dict:
    """Reviews per second for batch prediction from raw text (tokenization included): the
    median of ``passes`` timed passes after a warm-up."""
    import statistics

    import torch

    from lstm_sentiment.predict import SentimentModel

    torch.set_num_threads(threads)
    model = SentimentModel.load(model_dir)
    model.predict_proba(texts[:500])  # warm-up
    timings = []
    for _ in range(passes):
        started = time.perf_counter()
        model.predict_proba(texts)
        timings.append(time.perf_counter() - started)
    seconds = statistics.median(timings)
    return {
        "reviews": len(texts),
        "passes": passes,
        "seconds": seconds,
        "reviews_per_second": len(texts) / seconds,
    }


SENTENCE_END = r"(?<=[.!?])\s+"
"""Where a review's sentences are cut (after ., ! or ? and spaces)."""
LINE_BREAK = "<br />"


def short_texts(
    examples: list, seed: int, *, min_words: int = 6, max_words: int = 40
) -> list[tuple[str, str]]:
    """One random sentence per review (``min_words``..``max_words`` words), with the review's
    label: short, out-of-context texts to check a review model on.

    The review's label is only a noisy label for one of its sentences (a positive review may
    describe a bad scene), so the numbers compare models; they do not measure sentence accuracy.
    """
    import random
    import re

    rng = random.Random(seed)
    pairs: list[tuple[str, str]] = []
    for ex in examples:
        sentences = [
            s.strip()
            for s in re.split(SENTENCE_END, ex.text.replace(LINE_BREAK, " "))
            if min_words <= len(s.split()) <= max_words
        ]
        if sentences:
            pairs.append((rng.choice(sentences), str(ex.label)))
    return pairs
