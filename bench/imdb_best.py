"""IMDB: the best single model, an ensemble and the shipped default model (a script, not a test).

Everything is trained here, in this run, on IMDB train + unsup only (the test split is read for
measurement alone), each step in its own process and one at a time:

1. own skip-gram word2vec vectors (100-d) on train + unsup (``lstm-sentiment vectors train``);
2. the NBSVM baseline (``configs/imdb_nbsvm.toml``) and a BiGRU with an NB-weighted n-gram
   path (``configs/imdb_best.toml`` with a GRU encoder): the models trained on train alone;
3. their ensemble (``lstm-sentiment ensemble``) labels the 50,000 unlabelled reviews
   (``lstm-sentiment predict --split unsup --min-confidence``): self-training data;
4. trained on train plus those labels (``data.extra_train``): NBSVM again, the shipped student
   (``configs/imdb_ship.toml``: a small BiLSTM, also trained on random crops so that it reads
   single sentences) and the single model (``configs/imdb_single.toml``: the same network
   with 128 units);
5. the final ensemble of every model above, re-measured by ``lstm-sentiment evaluate``;
6. the shipped model re-measured by ``evaluate`` from its bundle; its size, its batch prediction
   speed and its accuracy on single sentences cut from the (held-out) test reviews;
7. a TF-IDF + logistic regression baseline tuned on the same validation split.

Ensembles average their members with equal weights (:data:`ENSEMBLE_WEIGHTS`); the ensemble with
weights fitted on validation is measured beside the final one. The single model the issue
measures is ``configs/imdb_single.toml``; which recurrent model validation would pick is reported
beside it.

    python bench/imdb_best.py --data ../shared/data/aclImdb.tar.gz [--ship-default] [--reuse] \
        [--single-seeds 18,19] [--group-validation]

``--reuse`` keeps the steps a killed run finished (each step's record is saved when it ends).
``--single-seeds`` trains the single model's config again with other training seeds and reports
the spread (a robustness check, outside the ensemble and the training time).
Writes ``bench/results/imdb_best.json`` and its table in ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import statistics
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import benchlib

NAME = "imdb_best"
TITLE = "IMDB: best single model, ensemble and shipped model"
BEST_CONFIG = benchlib.ROOT / "configs" / "imdb_best.toml"
SHIP_CONFIG = benchlib.ROOT / "configs" / "imdb_ship.toml"
SINGLE_CONFIG = benchlib.ROOT / "configs" / "imdb_single.toml"
NBSVM_CONFIG = benchlib.ROOT / "configs" / "imdb_nbsvm.toml"
THREADS = 2
SPLIT_SEED = 13
"""Every member carves the same validation split, so the ensemble can fit weights on it."""
W2V_DIM = 100
W2V_EPOCHS = 5
ENSEMBLE_WEIGHTS = "equal"
"""How ensembles weigh their members. Validation is a random 10% of train and shares movies with
the training part (IMDB test does not): weights fitted on it favour the members that memorise
names and titles, so the ensembles average; the fitted ensemble is measured for comparison."""
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
    """One model of the recipe: a committed config plus overrides."""

    name: str
    description: str
    config: Path = BEST_CONFIG
    overrides: list[str] = field(default_factory=list)
    self_trained: bool = False
    """Whether it also trains on the unsup reviews the labeller ensemble labelled."""


SUPERVISED = Member(
    "bigru",
    "BiGRU + NB path on train: configs/imdb_best.toml with a GRU encoder, seed 14",
    overrides=["model.architecture=gru", "train.seed=14"],
)
SHIP = Member(
    "ship",
    "shipped student, BiLSTM 80 units, on train + unsup labels, random crops: "
    "configs/imdb_ship.toml",
    SHIP_CONFIG,
    self_trained=True,
)
SINGLE = Member(
    "single",
    "single model, BiLSTM 128 units, on train + unsup labels, random crops: "
    "configs/imdb_single.toml",
    SINGLE_CONFIG,
    self_trained=True,
)
PSEUDO_MIN_CONFIDENCE = 0.8
"""Unlabelled reviews the labelling ensemble is less sure of stay unlabelled (left out)."""
SHIPPED = SHIP.name


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


def parse_seeds(text: str) -> list[int]:
    """``"18,19"`` → ``[18, 19]``; empty → no repeats."""
    try:
        return [int(seed) for seed in text.split(",") if seed.strip()]
    except ValueError:
        message = f"expected comma-separated integers, got {text!r}"
        raise argparse.ArgumentTypeError(message) from None


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
        f"Validation: 10% of train ({result.get('validation_split', 'random')}, the same for "
        "every model). "
        f"Own word2vec ({result['w2v']['dim']}-d) on train + unsup: "
        f"{result['w2v']['wall_seconds']:.0f} s. Everything trained in this run: "
        f"{result['total_train_minutes']:.1f} min (goal ≤ {GOALS['total_train_minutes']}).",
        "",
        "| system | val accuracy | test accuracy | test macro-F1 | wall time (s) | size (MB) |",
        "|---|---|---|---|---|---|",
    ]
    for run in [*result["linear"].values(), *result["members"].values()]:
        lines.append(
            f"| {run['description']} | {run['validation_accuracy']:.4f} | "
            f"{run['test_accuracy']:.4f} | {run['test_macro_f1']:.4f} | "
            f"{run['wall_seconds']:.0f} | {run['megabytes']:.1f} |"
        )
    ensembles = [
        ("labeller of the unsup reviews", result["labeller"]),
        ("final", result["ensemble"]),
        ("final, for comparison", result["ensemble_fitted"]),
    ]
    for name, run in ensembles:
        method = "fitted on validation" if run["method"] == "fit" else run["method"]
        weights = ", ".join(f"{member} {w:.2f}" for member, w in run["weights"].items())
        lines.append(
            f"| ensemble, {name} (weights {method}: {weights}) | "
            f"{run['validation_accuracy']:.4f} | {run['test']['accuracy']:.4f} | "
            f"{run['test']['macro_f1']:.4f} | {run['wall_seconds']:.0f} | - |"
        )
    tfidf = result["tfidf"]
    lines += [
        f"| TF-IDF + LR baseline (C={tfidf['C']:g}) | {tfidf['validation_accuracy']:.4f} | "
        f"{tfidf['test_accuracy']:.4f} | {tfidf['test_macro_f1']:.4f} | "
        f"{tfidf['train_seconds']:.0f} | - |",
        "",
    ]
    labels = result["pseudo_labels"]
    labelled = ", ".join(f"{label} {k:,}" for label, k in labels["labelled"].items())
    lines += [
        f"- Labels for the {labels['texts']:,} unsup reviews: {labelled}; "
        f"{labels['abstained']:,} below {PSEUDO_MIN_CONFIDENCE} confidence left out "
        f"({labels['wall_seconds']:.0f} s).",
        f"- The single model (`configs/imdb_single.toml`): test accuracy "
        f"{result['single']['test_accuracy']:.4f}. The recurrent model with the best validation "
        f"accuracy: `{result['validation_pick']['name']}` (test accuracy "
        f"{result['validation_pick']['test_accuracy']:.4f}).",
        *single_spread_lines(result.get("single_repeats")),
        "- Validation accuracy of an ensemble is measured on the split its members chose their "
        "epochs on (and, when fitted, its weights): optimistic.",
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
    ]
    shipped = result["shipped"]
    short = result["short_texts"]
    lines += [
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
        "ensemble_accuracy": result["ensemble"]["test"]["accuracy"],
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


def single_spread_lines(spread: dict[str, Any] | None) -> list[str]:
    """README lines for the single model's config repeated over seeds (when it was)."""
    if not spread or len(spread["runs"]) < 2:
        return []
    runs = ", ".join(
        f"{run['validation_accuracy']:.4f} / {run['test_accuracy']:.4f}"
        for run in spread["runs"].values()
    )
    return [
        f"- The single model's config over {len(spread['runs'])} training seeds (val / test): "
        f"{runs}; test median {spread['test_median']:.4f}, range {spread['test_min']:.4f}-"
        f"{spread['test_max']:.4f} (the repeats are a robustness check: not in the ensemble, "
        "not in the training time)."
    ]


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
        "an ensemble of models trained on train (own word2vec vectors from IMDB train + "
        "unsup; never test text). "
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
        "--group-validation",
        action="store_true",
        help="carve validation from whole movies (data.group_validation) in every step",
    )
    parser.add_argument(
        "--single-seeds",
        type=parse_seeds,
        default=[],
        help="robustness check: also train the single model's config with these seeds "
        "(comma-separated); reported beside it, not in the ensemble or the training time",
    )
    parser.add_argument(
        "--output-dir", help="smoke test: write the results JSON and README.md here, not in bench/"
    )
    args = parser.parse_args()
    if args.output_dir:
        benchlib.RESULTS_DIR = Path(args.output_dir)
        benchlib.BENCH_README = Path(args.output_dir) / "README.md"
    shared = [f"data.limit={args.limit}", "train.epochs=1"] if args.limit else []
    if args.group_validation:
        shared.append("data.group_validation=true")

    from lstm_sentiment.config import RunConfig
    from lstm_sentiment.data import stratified_split
    from lstm_sentiment.predict import default_model_path
    from lstm_sentiment.preparation import load_training_data

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    steps = Steps(work, args.reuse)
    w2v = train_vectors(args.data, work, steps, args.limit)
    pseudo: dict[str, Any] = {}

    def train_member(member: Member) -> dict[str, Any]:
        overrides = [f"vectors.source={w2v['file']}", *shared, *member.overrides]
        if member.self_trained:
            overrides.append(f'data.extra_train=["{pseudo["file"]}"]')
        run = train_run(member.name, member.config, args.data, overrides, work, steps)
        return {**run, "description": member.description}

    linear = {"nbsvm": train_run("nbsvm", NBSVM_CONFIG, args.data, shared, work, steps)}
    linear["nbsvm"]["description"] = "NBSVM on train (configs/imdb_nbsvm.toml)"
    members = {SUPERVISED.name: train_member(SUPERVISED)}
    bundles = {"nbsvm": linear["nbsvm"]["model_dir"], "bigru": members["bigru"]["model_dir"]}
    labeller = build_ensemble("labeller", bundles, args.data, work, steps)
    pseudo |= pseudo_label("pseudo", labeller["model_dir"], args.data, work, steps)

    extra = [f'data.extra_train=["{pseudo["file"]}"]', *shared]
    linear["nbsvm_pseudo"] = train_run("nbsvm_pseudo", NBSVM_CONFIG, args.data, extra, work, steps)
    linear["nbsvm_pseudo"]["description"] = (
        "NBSVM on train + unsup labels (configs/imdb_nbsvm.toml)"
    )
    bundles |= {"nbsvm_pseudo": linear["nbsvm_pseudo"]["model_dir"]}
    for member in (SHIP, SINGLE):
        members[member.name] = train_member(member)
        bundles |= {member.name: members[member.name]["model_dir"]}
    repeats = [
        train_member(replace(SINGLE, name=f"single_seed{seed}", overrides=[f"train.seed={seed}"]))
        for seed in args.single_seeds
    ]
    ensemble = build_ensemble("ensemble", bundles, args.data, work, steps)
    fitted = build_ensemble("ensemble_fitted", bundles, args.data, work, steps, weights="fit")
    validation_pick = max(members, key=lambda name: members[name]["validation_accuracy"])

    config = RunConfig.from_file(BEST_CONFIG).with_overrides(
        [f"data.source={args.data}", f"data.split_seed={SPLIT_SEED}", *shared]
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
    compared |= {name: run["model_dir"] for name, run in linear.items()}
    compared |= {"previous default": str(default_model_path())}
    short = {"n": len(pairs), "accuracy": short_text_accuracy(compared, pairs)}

    trained = [w2v, *linear.values(), *members.values(), labeller, pseudo, ensemble]
    result = {
        **benchlib.header(NAME),
        "notes": "all choices made on validation carved from train; test read only to measure",
        "validation_split": "whole movies" if args.group_validation else "random",
        "w2v": w2v,
        "linear": linear,
        "members": members,
        "single": {"name": SINGLE.name, **members[SINGLE.name]},
        "single_repeats": single_spread(members[SINGLE.name], repeats),
        "validation_pick": {"name": validation_pick, **members[validation_pick]},
        "labeller": labeller,
        "pseudo_labels": pseudo,
        "ensemble": ensemble,
        "ensemble_fitted": fitted,
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
