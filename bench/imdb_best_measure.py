"""Measurements of ``imdb_best.py``: bundle size, ``evaluate`` on test, single sentences, probes
and the single model's spread over seeds."""

from __future__ import annotations

import json
import shlex
import statistics
import time
from pathlib import Path
from typing import Any

from imdb_best_recipe import LABEL_MAP, cli


def bundle_megabytes(folder: Path) -> float:
    """Size of a bundle on disk (all its files)."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def evaluate_bundle(model_dir: str, data: str) -> dict[str, Any]:
    """Accuracy re-measured from a bundle by ``lstm-sentiment evaluate`` on the test split."""
    import subprocess

    command = cli("evaluate", "--model", model_dir, "--data", data, "--split", "test")
    command += ["--label-map", LABEL_MAP, "--format", "json"]
    started = time.perf_counter()
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    metrics = json.loads(output)
    return {
        "command": shlex.join(command),
        "accuracy": metrics["accuracy"],
        "macro_f1": metrics["macro_f1"],
        "n": metrics["n"],
        "seconds": time.perf_counter() - started,
    }


def short_text_accuracy(model_dirs: dict[str, str], pairs: list[tuple[str, str]]) -> dict:
    """Accuracy of each bundle on single sentences labelled with their review's label."""
    from lstm_sentiment.predict import SentimentModel

    texts = [text for text, _ in pairs]
    labels = [label for _, label in pairs]
    accuracies = {}
    for name, model_dir in model_dirs.items():
        predictions = SentimentModel.load(model_dir).predict(texts)
        correct = sum(p.label == label for p, label in zip(predictions, labels, strict=True))
        accuracies[name] = correct / len(pairs)
    return accuracies


PROBES = [
    "Two hours I will never get back.",
    "Not bad at all.",
    "I didn't like it.",
    "The service was quick and the staff were lovely.",
    "Worst purchase I have ever made.",
    "It was fine, I guess.",
]
"""Short non-review texts whose predictions go into the shipped model's card."""


def probe_predictions(model_dir: str) -> list[dict[str, Any]]:
    """The shipped model's label and confidence on :data:`PROBES`."""
    from lstm_sentiment.predict import SentimentModel

    model = SentimentModel.load(model_dir)
    return [
        {"text": text, "label": p.label, "confidence": max(p.probabilities.values())}
        for text, p in zip(PROBES, model.predict(PROBES), strict=True)
    ]


def single_spread(single: dict[str, Any], repeats: list[dict[str, Any]]) -> dict[str, Any]:
    """The single model's config over every seed trained: each run, the median and the range."""
    runs = [single, *repeats]
    test = [run["test_accuracy"] for run in runs]
    validation = [run["validation_accuracy"] for run in runs]
    return {
        "runs": {
            run["name"]: {
                "command": run["command"],
                "validation_accuracy": run["validation_accuracy"],
                "test_accuracy": run["test_accuracy"],
                "wall_seconds": run["wall_seconds"],
            }
            for run in runs
        },
        "test_median": statistics.median(test),
        "test_min": min(test),
        "test_max": max(test),
        "validation_median": statistics.median(validation),
    }
