"""IMDB: the best single model, an ensemble and the shipped default model (a script, not a test).

Everything is trained here, in this run, on IMDB train + unsup only (the test split is read for
measurement alone), each step in its own process and one at a time:

1. own skip-gram word2vec vectors on train + unsup (``lstm-sentiment vectors train``): 300-d
   for the strongest teacher, 100-d for the other teacher and the (small, fast) shipped student;
2. the NBSVM baseline (``configs/imdb_nbsvm.toml``), also an ensemble member;
3. two teacher models, ``train --config configs/imdb_best.toml`` with the own vectors (a
   BiLSTM on the 300-d vectors and a BiGRU on the 100-d ones, both with the NB-weighted n-gram
   path);
4. a teacher ensemble of those three (``lstm-sentiment ensemble --weights fit``) labels the
   50,000 unlabelled reviews (``lstm-sentiment predict --split unsup --min-confidence``);
5. a student, ``configs/imdb_ship.toml``: a smaller BiLSTM trained on the labelled reviews plus
   the teacher-labelled ones (``data.extra_train``), and on random crops, so that it also reads
   single sentences: distillation of the ensemble into the model that is shipped;
6. the final ensemble of every model above, re-measured by ``lstm-sentiment evaluate``;
7. the shipped model re-measured by ``evaluate`` from its bundle; its size, its batch prediction
   speed and its accuracy on single sentences cut from the (held-out) test reviews;
8. a TF-IDF + logistic regression baseline tuned on the same validation split.

The single model the issue measures is the model with the best validation accuracy among the
single models (never chosen on test). Validation is a random 10% of train, which shares movies
with the rest of train (test does not): it runs above test for models that memorise names and
titles. ``data.group_validation`` carves whole movies instead; see bench/README.md.

    python bench/imdb_best.py --data ../shared/data/aclImdb.tar.gz [--ship-default] [--reuse]

``--reuse`` keeps the steps a killed run finished (each step's record is saved when it ends).
Writes ``bench/results/imdb_best.json`` and its table in ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import benchlib

NAME = "imdb_best"
TITLE = "IMDB: best single model, ensemble and shipped model"
BEST_CONFIG = benchlib.ROOT / "configs" / "imdb_best.toml"
SHIP_CONFIG = benchlib.ROOT / "configs" / "imdb_ship.toml"
NBSVM_CONFIG = benchlib.ROOT / "configs" / "imdb_nbsvm.toml"
THREADS = 2
SPLIT_SEED = 13
"""Every member carves the same validation split, so the ensemble can fit weights on it."""
W2V_DIMS = {"w2v": 100, "w2v300": 300}
"""Vector steps (step name → dimension)."""
W2V_EPOCHS = 5
LABEL_MAP = "neg=negative,pos=positive"
SHORT_TEXT_SEED = 0
GOALS = {
    "single_model_accuracy": 0.915,
    "ensemble_accuracy": 0.925,
    "total_train_minutes": 60,
    "shipped_accuracy": 0.910,
    "shipped_megabytes": 25,
    "shipped_reviews_per_second": 1000,
}
PUBLISHED = [
    ("LSTM tutorials (Keras examples, blog posts)", "80-88%"),
    ("Dai & Le 2015: LSTM from scratch", "86.5%"),
    ("Wang & Manning 2012: NBSVM (word bigrams)", "91.2%"),
    ("Johnson & Zhang 2016: supervised BiLSTM with pooling", "91.9%"),
    ("Dai & Le 2015: sequence-autoencoder pretraining on unlabelled reviews", "92.8%"),
    ("Johnson & Zhang 2016: with unlabelled data", "94.1%"),
    ("Miyato et al. 2017: adversarial training", "94.1%"),
    ("Howard & Ruder 2018: ULMFiT (pretrained language model)", "95.4%"),
]


@dataclass(frozen=True)
class Member:
    """One neural ensemble member: a committed config plus overrides."""

    name: str
    description: str
    config: Path = BEST_CONFIG
    overrides: list[str] = field(default_factory=list)
    vectors: str = "w2v"
    """Which own vectors (a :data:`W2V_DIMS` step) it starts from."""


TEACHERS = [
    Member(
        "lstm300",
        "BiLSTM + NB path on own w2v 300-d: configs/imdb_best.toml, seed 13",
        vectors="w2v300",
    ),
    Member(
        "bigru",
        "BiGRU + NB path: configs/imdb_best.toml with a GRU encoder, seed 14",
        overrides=["model.architecture=gru", "train.seed=14"],
    ),
]
STUDENT = Member(
    "ship",
    "student on train + teacher-labelled unsup, random crops: configs/imdb_ship.toml",
    SHIP_CONFIG,
)
PSEUDO_MIN_CONFIDENCE = 0.8
"""Unlabelled reviews the teacher ensemble is less sure of stay unlabelled (left out)."""
SHIPPED = "ship"


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


def cli(*arguments: str) -> list[str]:
    """A ``lstm-sentiment`` command run by this interpreter."""
    return [sys.executable, "-m", "lstm_sentiment", "-q", *arguments]


def train_vectors(name: str, data: str, work: Path, steps: Steps, limit: int) -> dict[str, Any]:
    """Own word2vec vectors (:data:`W2V_DIMS` ``[name]`` dimensions) on train + unsup."""
    if record := steps.done(name):
        return record
    dim = W2V_DIMS[name]
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


def train_run(
    name: str, config: Path, data: str, overrides: list[str], work: Path, steps: Steps
) -> dict[str, Any]:
    """``lstm-sentiment train`` in a child process; its metrics, costs and bundle."""
    if record := steps.done(name):
        return record
    run_dir = work / name
    if run_dir.exists():
        shutil.rmtree(run_dir)
    command = cli("train", "--config", str(config), "--data", data, "--output", str(run_dir))
    for override in [f"data.split_seed={SPLIT_SEED}", f"train.threads={THREADS}", *overrides]:
        command += ["--set", override]
    cost = benchlib.run_child(command)
    metrics = json.loads((run_dir / "metrics.json").read_text())
    record = {
        "name": name,
        "command": shlex.join(command),
        **cost,
        "train_seconds": metrics["timings"].get("train_seconds"),
        "best_epoch": metrics.get("best_epoch"),
        "validation_accuracy": metrics["validation"]["accuracy"],
        "test_accuracy": metrics["test"]["accuracy"],
        "test_macro_f1": metrics["test"]["macro_f1"],
        "model_dir": str(run_dir / "model"),
        "megabytes": bundle_megabytes(run_dir / "model"),
    }
    return steps.save(name, record)


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


def build_ensemble(
    name: str, members: dict[str, str], data: str, work: Path, steps: Steps
) -> dict[str, Any]:
    """``lstm-sentiment ensemble --weights fit`` over the member bundles (name → folder)."""
    if record := steps.done(name):
        return record
    output = work / name
    if output.exists():
        shutil.rmtree(output)
    command = cli("ensemble", "--models", *members.values(), "--weights", "fit", "--data", data)
    command += ["--output", str(output)]
    cost = benchlib.run_child(command)
    weights = json.loads((output / "weights.json").read_text())
    record = {
        "command": shlex.join(command),
        **cost,
        "model_dir": str(output),
        "weights": dict(zip(members, weights["weights"], strict=True)),
        "validation_accuracy": json.loads((output / "metrics.json").read_text())["validation"][
            "accuracy"
        ],
        "validation_log_loss": weights.get("validation", {}).get("log_loss"),
        "test": evaluate_bundle(str(output), data),
    }
    return steps.save(name, record)


def pseudo_label(teacher: str, data: str, work: Path, steps: Steps) -> dict[str, Any]:
    """The teacher labels the unlabelled reviews (``predict --split unsup``), abstaining below
    :data:`PSEUDO_MIN_CONFIDENCE`; the CSV is the student's ``data.extra_train``."""
    if record := steps.done("pseudo"):
        return record
    output = work / "unsup_pseudo.csv"
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
    return steps.save("pseudo", record)


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


def bar_status(result: dict[str, Any]) -> dict[str, Any]:
    """Each goal of the issue against what was measured."""
    shipped = result["shipped"]
    checks = {
        "single_model_accuracy": result["single"]["test_accuracy"]
        >= GOALS["single_model_accuracy"],
        "ensemble_accuracy": result["ensemble"]["test"]["accuracy"] >= GOALS["ensemble_accuracy"],
        "total_train_minutes": result["total_train_minutes"] <= GOALS["total_train_minutes"],
        "shipped_accuracy": shipped["evaluate"]["accuracy"] >= GOALS["shipped_accuracy"],
        "shipped_megabytes": shipped["megabytes"] <= GOALS["shipped_megabytes"],
        "shipped_reviews_per_second": shipped["speed"]["reviews_per_second"]
        >= GOALS["shipped_reviews_per_second"],
    }
    return {"goals": GOALS, "checks": checks, "met": all(checks.values())}


def write_readme_table(result: dict[str, Any]) -> None:
    """Replace this benchmark's section of bench/README.md."""
    machine = result["machine"]
    lines = [
        f"Command: `{result['command']}`  ",
        f"Date: {result['date']}; machine: {machine['cpu']} ({machine['cores']} cores); "
        f"torch {machine.get('torch')}, Python {machine['python']}.  ",
        "Own word2vec on train + unsup: "
        + ", ".join(f"{r['dim']}-d {r['wall_seconds']:.0f} s" for r in result["w2v"].values())
        + ". "
        f"Everything trained in this run: {result['total_train_minutes']:.1f} min (goal ≤ "
        f"{GOALS['total_train_minutes']}).",
        "",
        "| system | val accuracy | test accuracy | test macro-F1 | wall time (s) | size (MB) |",
        "|---|---|---|---|---|---|",
    ]
    for run in [*result["members"].values(), result["nbsvm"]]:
        lines.append(
            f"| {run['description']} | {run['validation_accuracy']:.4f} | "
            f"{run['test_accuracy']:.4f} | {run['test_macro_f1']:.4f} | "
            f"{run['wall_seconds']:.0f} | {run['megabytes']:.1f} |"
        )
    ensemble, tfidf, teacher = result["ensemble"], result["tfidf"], result["teacher"]
    for name, run in (("teachers", teacher), ("all members", ensemble)):
        weights = ", ".join(f"{member} {w:.2f}" for member, w in run["weights"].items())
        lines.append(
            f"| ensemble, {name} (weights fitted on validation: {weights}) | "
            f"{run['validation_accuracy']:.4f} | {run['test']['accuracy']:.4f} | "
            f"{run['test']['macro_f1']:.4f} | {run['wall_seconds']:.0f} | - |"
        )
    pseudo = result["pseudo_labels"]
    labelled = ", ".join(f"{label} {n:,}" for label, n in pseudo["labelled"].items())
    lines += [
        f"| TF-IDF + LR baseline (C={tfidf['C']:g}) | {tfidf['validation_accuracy']:.4f} | "
        f"{tfidf['test_accuracy']:.4f} | {tfidf['test_macro_f1']:.4f} | "
        f"{tfidf['train_seconds']:.0f} | - |",
        "",
    ]
    shipped = result["shipped"]
    short = result["short_texts"]
    lines += [
        f"- Teacher labels for the {pseudo['texts']:,} unsup reviews: {labelled}; "
        f"{pseudo['abstained']:,} below {PSEUDO_MIN_CONFIDENCE} confidence left out "
        f"({pseudo['wall_seconds']:.0f} s).",
        f"- The single model (best validation accuracy of the single models): "
        f"`{result['single']['name']}`, test accuracy {result['single']['test_accuracy']:.4f}.",
        "- Validation accuracy of an ensemble is measured on the split its weights were fitted "
        "on (optimistic).",
        *(
            [
                "- `--reuse`: the training steps are those an earlier run of this script left in "
                "the same work folder (each step's command and cost are in the JSON); the "
                "measurements below were taken again."
            ]
            if "--reuse" in result["command"]
            else []
        ),
        "",
        f"Shipped model (`{SHIPPED}`): `lstm-sentiment evaluate` from its bundle: accuracy "
        f"{shipped['evaluate']['accuracy']:.4f} on {shipped['evaluate']['n']:,} test reviews; "
        f"{shipped['megabytes']:.1f} MB; {shipped['speed']['reviews_per_second']:,.0f} reviews/s "
        f"(batch prediction from raw text, {THREADS} threads, median of 3 passes over the test "
        "reviews).",
        "",
        f"Single sentences cut from the test reviews ({short['n']:,}, one per review, 6-40 "
        "words, labelled with their review's label, so a noisy label: for comparing models only): "
        + ", ".join(f"{name} {acc:.4f}" for name, acc in short["accuracy"].items())
        + ".",
        "",
        "| goal | needed | measured | met |",
        "|---|---|---|---|",
    ]
    measured = {
        "single_model_accuracy": result["single"]["test_accuracy"],
        "ensemble_accuracy": ensemble["test"]["accuracy"],
        "total_train_minutes": result["total_train_minutes"],
        "shipped_accuracy": shipped["evaluate"]["accuracy"],
        "shipped_megabytes": shipped["megabytes"],
        "shipped_reviews_per_second": shipped["speed"]["reviews_per_second"],
    }
    for goal, needed in GOALS.items():
        relation = "≤" if goal in ("total_train_minutes", "shipped_megabytes") else "≥"
        lines.append(
            f"| {goal.replace('_', ' ')} | {relation} {needed:g} | {measured[goal]:,.4g} | "
            f"{'yes' if result['bar']['checks'][goal] else 'no'} |"
        )
    lines += ["", "Published IMDB results, for reference (not measured here):", ""]
    lines += ["| system | IMDB test accuracy |", "|---|---|"]
    lines += [f"| {system} | {accuracy} |" for system, accuracy in PUBLISHED]
    benchlib.replace_readme_section(NAME, TITLE, lines)


def ship_default(result: dict[str, Any]) -> None:
    """Copy the shipped member into the package, with its measured numbers in its card."""
    from lstm_sentiment.predict import default_model_path

    shipped = result["shipped"]
    target = default_model_path()
    staging = target.with_name(target.name + ".new")
    if staging.exists():
        shutil.rmtree(staging)
    shutil.copytree(shipped["model_dir"], staging)
    probes = "\n".join(
        f'- "{p["text"]}" → {p["label"]} ({p["confidence"]:.2f})' for p in shipped["probes"]
    )
    short = result["short_texts"]["accuracy"]
    card = staging / "README.md"
    card.write_text(
        card.read_text()
        + "\n## Benchmark\n"
        + f"Trained by `{result['command']}` on {result['date']} ({result['machine']['cpu']}, "
        f"{result['machine']['cores']} cores), on IMDB train plus the unsup reviews labelled by "
        "the teacher ensemble (own word2vec vectors from IMDB train + unsup; never test text). "
        "Re-measured from this bundle by `lstm-sentiment evaluate`: IMDB "
        f"test accuracy {shipped['evaluate']['accuracy']:.4f}; {shipped['megabytes']:.1f} MB; "
        f"{shipped['speed']['reviews_per_second']:,.0f} reviews/s batch prediction on "
        f"{THREADS} CPU threads. See bench/README.md.\n"
        + "\n## Known weaknesses (measured)\n"
        + f"Single sentences cut from IMDB test reviews (labelled with their review's label): "
        f"accuracy {short[SHIPPED]:.4f}, against {shipped['evaluate']['accuracy']:.4f} on whole "
        "reviews; it was trained on random crops of reviews as well as whole ones to keep it "
        "usable on short texts, but short, out-of-context, ironic or domain-specific texts "
        "(tweets, product support) remain its weakest ground. Its predictions on a few "
        f"non-review texts:\n{probes}\n"
    )
    if target.exists():
        shutil.rmtree(target)
    staging.replace(target)


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="aclImdb tarball or folder, or 'imdb'")
    parser.add_argument("--work", default=str(benchlib.ROOT / "bench" / "work" / NAME))
    parser.add_argument("--reuse", action="store_true", help="keep the finished steps")
    parser.add_argument("--ship-default", action="store_true", help="ship the shipped member")
    parser.add_argument("--limit", type=int, default=0, help="smoke test: N reviews per split")
    parser.add_argument(
        "--output-dir", help="smoke test: write the results JSON and README.md here, not in bench/"
    )
    args = parser.parse_args()
    if args.output_dir:
        benchlib.RESULTS_DIR = Path(args.output_dir)
        benchlib.BENCH_README = Path(args.output_dir) / "README.md"
    smoke = [f"data.limit={args.limit}", "train.epochs=1"] if args.limit else []

    from lstm_sentiment.config import RunConfig
    from lstm_sentiment.data import stratified_split
    from lstm_sentiment.pipeline import load_training_data
    from lstm_sentiment.predict import default_model_path

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    steps = Steps(work, args.reuse)
    w2v = {name: train_vectors(name, args.data, work, steps, args.limit) for name in W2V_DIMS}
    nbsvm = train_run("nbsvm", NBSVM_CONFIG, args.data, smoke, work, steps)
    nbsvm["description"] = "NBSVM (configs/imdb_nbsvm.toml)"
    members = {}
    for member in TEACHERS:
        overrides = [f"vectors.source={w2v[member.vectors]['file']}", *smoke, *member.overrides]
        run = train_run(member.name, member.config, args.data, overrides, work, steps)
        members[member.name] = {**run, "description": member.description}
    teacher_bundles = {name: run["model_dir"] for name, run in members.items()}
    teacher_bundles["nbsvm"] = nbsvm["model_dir"]
    teacher = build_ensemble("teacher", teacher_bundles, args.data, work, steps)
    pseudo = pseudo_label(teacher["model_dir"], args.data, work, steps)
    student_overrides = [f"vectors.source={w2v[STUDENT.vectors]['file']}", *smoke]
    student_overrides += [f'data.extra_train=["{pseudo["file"]}"]', *STUDENT.overrides]
    run = train_run(STUDENT.name, STUDENT.config, args.data, student_overrides, work, steps)
    members[STUDENT.name] = {**run, "description": STUDENT.description}
    bundles = {name: run["model_dir"] for name, run in members.items()}
    bundles["nbsvm"] = nbsvm["model_dir"]
    ensemble = build_ensemble("ensemble", bundles, args.data, work, steps)
    single_name = max(members, key=lambda name: members[name]["validation_accuracy"])

    config = RunConfig.from_file(BEST_CONFIG).with_overrides(
        [f"data.source={args.data}", f"data.split_seed={SPLIT_SEED}", *smoke]
    )
    train_examples, test_examples = load_training_data(config)
    fit, validation = stratified_split(
        train_examples,
        config.data.validation_fraction,
        config.validation_seed,
        by_group=config.data.group_validation,
    )
    tfidf = benchlib.tfidf_baseline(fit, validation, test_examples)

    shipped = dict(members[SHIPPED])
    shipped["evaluate"] = evaluate_bundle(shipped["model_dir"], args.data)
    shipped["speed"] = benchlib.prediction_speed(
        shipped["model_dir"], [ex.text for ex in test_examples], THREADS
    )
    shipped["probes"] = probe_predictions(shipped["model_dir"])
    pairs = benchlib.short_texts(test_examples, SHORT_TEXT_SEED)
    compared = {name: run["model_dir"] for name, run in members.items()}
    compared |= {"nbsvm": nbsvm["model_dir"], "previous default": str(default_model_path())}
    short = {"n": len(pairs), "accuracy": short_text_accuracy(compared, pairs)}

    trained = [*w2v.values(), nbsvm, *members.values(), teacher, pseudo, ensemble]
    result = {
        **benchlib.header(NAME),
        "notes": "all choices made on validation carved from train; test read only to measure",
        "w2v": w2v,
        "nbsvm": nbsvm,
        "members": members,
        "single": {"name": single_name, **members[single_name]},
        "teacher": teacher,
        "pseudo_labels": pseudo,
        "ensemble": ensemble,
        "tfidf": tfidf,
        "shipped": shipped,
        "short_texts": short,
        "total_train_minutes": sum(step["wall_seconds"] for step in trained) / 60,
        "published": dict(PUBLISHED),
    }
    result["bar"] = bar_status(result)
    benchlib.write_results(NAME, result)
    write_readme_table(result)
    if args.ship_default:
        ship_default(result)
    print(json.dumps(result["bar"], indent=2))


if __name__ == "__main__":
    main()
