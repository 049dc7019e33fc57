"""The training steps of ``imdb_best.py``, each in a child process, each record saved when it
ends so that ``--reuse`` can skip the finished ones."""

from __future__ import annotations

import json
import shlex
import shutil
from pathlib import Path
from typing import Any

import benchlib
from imdb_best_measure import bundle_megabytes, evaluate_bundle
from imdb_best_recipe import (
    ENSEMBLE_WEIGHTS,
    PSEUDO_MIN_CONFIDENCE,
    SPLIT_SEED,
    THREADS,
    W2V_DIM,
    W2V_EPOCHS,
    cli,
)


class Steps:
    """Each step's record saved when it ends, so ``--reuse`` can skip finished steps."""

    def __init__(self, work: Path, reuse: bool) -> None:
        self.folder = work / "steps"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.reuse = reuse

    def done(self, name: str) -> dict[str, Any] | None:
        path = self.folder / f"{name}.json"
        return json.loads(path.read_text()) if self.reuse and path.exists() else None

    def save(self, name: str, record: dict[str, Any]) -> dict[str, Any]:
        path = self.folder / f"{name}.json"
        path.with_suffix(".tmp").write_text(json.dumps(record, indent=2))
        path.with_suffix(".tmp").replace(path)
        return record


def train_vectors(data: str, work: Path, steps: Steps, limit: int) -> dict[str, Any]:
    """Own word2vec vectors (:data:`W2V_DIM` dimensions) on train + unsup."""
    name, dim = "w2v", W2V_DIM
    if record := steps.done(name):
        return record
    output, report = work / f"w2v{dim}.bin", work / f"w2v{dim}.json"
    command = cli("vectors", "train", "--data", data, "--split", "train,unsup", "--sg")
    command += ["--dim", str(dim), "--epochs", str(W2V_EPOCHS), "--threads", str(THREADS)]
    command += ["--output", str(output), "--report", str(report)]
    if limit:
        command += ["--limit", str(limit)]
    cost = benchlib.run_child(command)
    summary = json.loads(report.read_text())
    record = {
        "command": shlex.join(command),
        "file": str(output),
        "dim": dim,
        **cost,
        "vocabulary_size": summary["vocabulary_size"],
        "texts": summary["texts"],
    }
    return steps.save(name, record)


def run_train(
    config: Path, data: str, run_dir: Path, settings: list[str], *, resume: bool = False
) -> tuple[list[str], dict[str, float], dict[str, Any]]:
    """``lstm-sentiment train`` in a child process (with ``resume``, continuing the run's
    checkpoint when it has one): the command, its cost and the run's metrics."""
    command = cli("train", "--config", str(config), "--data", data, "--output", str(run_dir))
    for setting in settings:
        command += ["--set", setting]
    if resume and (run_dir / "checkpoints").is_dir():
        command.append("--resume")
    cost = benchlib.run_child(command)
    return command, cost, json.loads((run_dir / "metrics.json").read_text())


def run_record(
    name: str, command: list[str], cost: dict[str, float], metrics: dict[str, Any], run_dir: Path
) -> dict[str, Any]:
    """What every training step records: its command, cost, best epoch and accuracies."""
    return {
        "name": name,
        "command": shlex.join(command),
        **cost,
        "train_seconds": metrics["timings"].get("train_seconds"),
        "best_epoch": metrics.get("best_epoch"),
        "validation_accuracy": metrics["validation"]["accuracy"],
        "test_accuracy": metrics["test"]["accuracy"] if "test" in metrics else None,
        "model_dir": str(run_dir / "model"),
    }


def train_run(
    name: str, config: Path, data: str, overrides: list[str], work: Path, steps: Steps
) -> dict[str, Any]:
    """``lstm-sentiment train`` in a child process; its metrics, costs and bundle."""
    if record := steps.done(name):
        return record
    run_dir = work / name
    if run_dir.exists():
        shutil.rmtree(run_dir)
    settings = [f"data.split_seed={SPLIT_SEED}", f"train.threads={THREADS}", *overrides]
    command, cost, metrics = run_train(config, data, run_dir, settings)
    record = run_record(name, command, cost, metrics, run_dir)
    record["test_macro_f1"] = metrics["test"]["macro_f1"]
    record["megabytes"] = bundle_megabytes(run_dir / "model")
    return steps.save(name, record)


def build_ensemble(
    name: str,
    members: dict[str, str],
    data: str,
    work: Path,
    steps: Steps,
    weights: str = ENSEMBLE_WEIGHTS,
) -> dict[str, Any]:
    """``lstm-sentiment ensemble --weights WEIGHTS`` over the member bundles (name → folder),
    measured on the shared validation split and re-measured on test by ``evaluate``."""
    if record := steps.done(name):
        return record
    output = work / name
    if output.exists():
        shutil.rmtree(output)
    command = cli("ensemble", "--models", *members.values(), "--weights", weights, "--data", data)
    command += ["--output", str(output)]
    cost = benchlib.run_child(command)
    weights_file = json.loads((output / "weights.json").read_text())
    record = {
        "command": shlex.join(command),
        **cost,
        "model_dir": str(output),
        "method": weights_file["method"],
        "weights": dict(zip(members, weights_file["weights"], strict=True)),
        "validation_accuracy": json.loads((output / "metrics.json").read_text())["validation"][
            "accuracy"
        ],
        "validation_log_loss": weights_file.get("validation", {}).get("log_loss"),
        "test": evaluate_bundle(str(output), data),
    }
    return steps.save(name, record)


def pseudo_label(name: str, teacher: str, data: str, work: Path, steps: Steps) -> dict[str, Any]:
    """The teacher labels the unlabelled reviews (``predict --split unsup``), abstaining below
    :data:`PSEUDO_MIN_CONFIDENCE`; the CSV is a student's ``data.extra_train``."""
    if record := steps.done(name):
        return record
    output = work / f"unsup_{name}.csv"
    command = cli("predict", "--model", teacher, "--input", data, "--split", "unsup")
    command += ["--format", "csv", "--min-confidence", str(PSEUDO_MIN_CONFIDENCE)]
    command += ["--output", str(output)]
    cost = benchlib.run_child(command)
    import pandas as pd

    labels = pd.read_csv(output, keep_default_na=False)["label"]
    record = {
        "command": shlex.join(command),
        **cost,
        "file": str(output),
        "texts": len(labels),
        "labelled": {str(k): int(v) for k, v in labels[labels != ""].value_counts().items()},
        "abstained": int((labels == "").sum()),
    }
    return steps.save(name, record)
