"""The shipped model for everyday texts (issue 18), every step from raw IMDB to the bundle:

1. word2vec vectors on IMDB train + unsup (as ``imdb_best.py``);
2. the previous shipped model (``--teacher``) labels the unsup reviews (``predict
   --min-confidence 0.8``) and, with VADER, the sentences of the training and unsup reviews
   (``everyday_data.py``, which also writes the sentences of the validation reviews, to choose
   between students);
3. the student trains on all of it (``configs/imdb_everyday.toml``; resumed from its checkpoint
   when a session ended mid-run) and is exported to ONNX (fp32 and int8, int8 the default);
   this is the shipped model;
4. with ``--round2``, the ablation that was not shipped: NBSVM on IMDB train, the ensemble of
   the previous model, the student and NBSVM (equal weights) labels the data again, negated
   sentences take VADER's label (``--vader-negation``), and a second student trains on that
   (``vectors.extra_words=3000``). It reads negation better and whole reviews worse.

Each finished step is recorded in ``WORK/steps`` and skipped by ``--reuse``; IMDB test text and
the behavioural suite are never read. Then ``bench/everyday.py --model shipped=...`` measures
the students beside the previous model, VADER and TF-IDF, and ``--ship`` copies the student
into the package.

    python bench/everyday_recipe.py --data ../shared/data/aclImdb.tar.gz \
        --teacher PREVIOUS_SHIPPED_MODEL --reuse [--round2] [--ship]
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import sys
from pathlib import Path
from typing import Any

import benchlib
from everyday_data import NEGATION
from imdb_best_recipe import NBSVM_CONFIG, SPLIT_SEED, THREADS, cli
from imdb_best_steps import (
    Steps,
    build_ensemble,
    pseudo_label,
    run_record,
    run_train,
    train_run,
    train_vectors,
)

NAME = "everyday_recipe"
CONFIG = benchlib.ROOT / "configs" / "imdb_everyday.toml"
TEACHER = benchlib.ROOT / "src" / "lstm_sentiment" / "pretrained" / "default"
ROUND_EXPORT = {
    1: ["--quantize", "int8", "--default-precision", "int8"],
    2: ["--quantize", "int8"],
}
"""Export options per round: the shipped student runs int8 by default (bench/inference.py)."""


def sentence_data(
    name: str, data: str, teacher: Path, work: Path, steps: Steps, options: list[str]
) -> dict[str, Any]:
    """``everyday_data.py`` with ``options`` (labelled sentences for training and for
    validation)."""
    if record := steps.done(name):
        return record
    output = work / name
    command = [sys.executable, str(benchlib.ROOT / "bench" / "everyday_data.py"), "--data", data]
    command += ["--teacher", str(teacher), "--config", str(CONFIG), "--output", str(output)]
    command += options
    cost = benchlib.run_child(command)
    record = {
        "command": shlex.join(command),
        **cost,
        "train": str(output / "sentences_train.csv"),
        "validation": str(output / "sentences_validation.csv"),
    }
    return steps.save(name, record)


def train_student(
    name: str, data: str, w2v: str, extra: list[str], work: Path, steps: Steps, overrides: list[str]
) -> dict[str, Any]:
    """A student, resumed from its checkpoint if an earlier session was cut off."""
    if record := steps.done(name):
        return record
    run_dir = work / name
    settings = [
        f"vectors.source={w2v}",
        "data.extra_train=[" + ", ".join(f'"{path}"' for path in extra) + "]",
        f"data.split_seed={SPLIT_SEED}",
        f"train.threads={THREADS}",
        *overrides,
    ]
    command, cost, metrics = run_train(CONFIG, data, run_dir, settings, resume=True)
    record = run_record(name, command, cost, metrics, run_dir)
    del record["name"], record["test_accuracy"]  # choices here see validation only
    return steps.save(name, record)


def export(name: str, model_dir: str, steps: Steps, options: list[str]) -> dict[str, Any]:
    """The ONNX files: fp32 (its large tensors point into the weights file) and ``options``."""
    if record := steps.done(name):
        return record
    command = cli("export", "--model", model_dir, "--format", "onnx", *options)
    return steps.save(name, {"command": shlex.join(command), **benchlib.run_child(command)})


def sentence_accuracy(model_dir: str, validation_csv: str) -> dict[str, Any]:
    """Accuracy on the validation reviews' sentences: all, negated, the others."""
    import numpy as np
    import pandas as pd

    from lstm_sentiment.predict import SentimentModel

    rows = pd.read_csv(validation_csv, keep_default_na=False)
    model = SentimentModel.load(model_dir)
    probabilities = model.predict_proba(rows["text"].tolist())
    right = np.asarray(model.labels)[probabilities.argmax(axis=1)] == rows["label"].to_numpy()
    negated = rows["text"].map(lambda text: bool(NEGATION.search(text))).to_numpy()
    return {
        "sentences": len(rows),
        "negated": int(negated.sum()),
        "accuracy": float(right.mean()),
        "negated_accuracy": float(right[negated].mean()),
        "other_accuracy": float(right[~negated].mean()),
    }


def validation_sentences(name: str, model_dir: str, sentences: str, steps: Steps) -> dict[str, Any]:
    """Accuracy on the sentences of the validation reviews, all and negated (a choice between
    students is made on this and the validation reviews, never on the suite or test)."""
    if record := steps.done(name):
        return record
    return steps.save(name, {"file": sentences, **sentence_accuracy(model_dir, sentences)})


def ship(model_dir: str) -> None:
    """Copy the student into the package as the shipped default model (atomic swap)."""
    from lstm_sentiment.predict import default_model_path

    target = default_model_path()
    staging = target.with_name(target.name + ".new")
    if staging.exists():
        shutil.rmtree(staging)
    shutil.copytree(model_dir, staging)
    previous = target.with_name(target.name + ".old")
    if target.exists():
        target.replace(previous)
    staging.replace(target)
    if previous.exists():
        shutil.rmtree(previous)
    print(f"shipped {model_dir} as {target}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="aclImdb tarball or folder")
    parser.add_argument("--work", default=str(benchlib.ROOT / "runs" / "everyday_recipe"))
    parser.add_argument("--teacher", default=str(TEACHER), help="bundle that labels the data")
    parser.add_argument("--reuse", action="store_true", help="keep the finished steps")
    parser.add_argument("--set", action="append", default=[], help="student config override")
    parser.add_argument("--ship", action="store_true", help="ship the student as the default")
    parser.add_argument("--round2", action="store_true", help="also train the round-2 ablation")
    args = parser.parse_args()
    work = Path(args.work)
    steps = Steps(work, args.reuse)
    w2v = train_vectors(args.data, work, steps, 0)["file"]
    record: dict[str, Any] = {}

    def round_of(number: int, teacher: str, data_options: list[str], overrides: list[str]) -> str:
        pseudo = pseudo_label(f"teacher{number}", teacher, args.data, work, steps)
        sentences = sentence_data(
            f"sentences{number}", args.data, Path(teacher), work, steps, data_options
        )
        extra = [pseudo["file"], sentences["train"]]
        student = train_student(
            f"student{number}", args.data, w2v, extra, work, steps, [*overrides, *args.set]
        )
        model_dir = student["model_dir"]
        record[f"round{number}"] = {
            "teacher": teacher,
            "pseudo": pseudo,
            "sentences": sentences,
            "student": student,
            "export": export(f"export{number}", model_dir, steps, ROUND_EXPORT[number]),
            "validation_sentences": validation_sentences(
                f"validation_sentences{number}", model_dir, sentences["validation"], steps
            ),
        }
        return model_dir

    shipped = round_of(1, args.teacher, [], [])
    if args.round2:
        nbsvm = train_run("nbsvm", NBSVM_CONFIG, args.data, [], work, steps)["model_dir"]
        members = {"previous": args.teacher, "student1": shipped, "nbsvm": nbsvm}
        labeller = build_ensemble("labeller", members, args.data, work, steps)["model_dir"]
        round_of(2, labeller, ["--vader-negation"], ["vectors.extra_words=3000"])
    print(json.dumps(record, indent=2))
    if args.ship:
        ship(shipped)


if __name__ == "__main__":
    main()
