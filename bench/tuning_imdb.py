"""IMDB hyperparameter search: TPE vs random vs grid at one trial budget (a script, not a test).

1. Draws a seeded subset of IMDB train (5,000 train + 2,500 validation reviews, distinct texts)
   into a CSV, so every study and the retrain below read exactly the same data.
2. Runs ``lstm-sentiment tune`` on it three times (``--sampler tpe|random|grid``), same budget,
   same base config (``configs/imdb_default.toml`` at max length 200), same pruner and workers:
   TPE and random search the ranges of ``configs/tune_imdb_space.toml``, the grid the 2^4 points
   of ``configs/tune_imdb_grid.toml`` inside the same ranges. The TPE study is killed (SIGKILL,
   workers included) in the middle of a trial and resumed by running the same command again.
3. Plots the best validation accuracy against the trial count for the three studies.
4. Retrains the TPE study's exported ``best_config.toml`` with ``lstm-sentiment train`` on the
   same subset: its validation accuracy must be within 0.5 points of the trial's.
5. Retrains each study's best configuration on the full train split (10% validation) and
   measures it once on the full 25,000-review test split.

    python bench/tuning_imdb.py --data ../shared/data/aclImdb.tar.gz

Writes ``bench/results/tuning_imdb.json``, ``bench/results/tuning_imdb_curves.png`` and the
tuning table in ``bench/README.md`` (``--dry-run``: only into the work folder, for smoke tests).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import benchlib

BASE_CONFIG = benchlib.ROOT / "configs" / "imdb_default.toml"
SPACES = {
    "tpe": benchlib.ROOT / "configs" / "tune_imdb_space.toml",
    "random": benchlib.ROOT / "configs" / "tune_imdb_space.toml",
    "grid": benchlib.ROOT / "configs" / "tune_imdb_grid.toml",
}
LABEL_MAP = {"neg": "negative", "pos": "positive"}
REPRODUCE_POINTS = 0.5
"""The exported best config retrained must reproduce the trial's validation accuracy ± this."""
POLL_SECONDS = 2.0
STARTUP_TRIALS = 4
"""Random trials before TPE models the scores, and before the median pruner acts."""
SUBSET_SEED = 13


def lstm_sentiment(*args: object) -> list[str]:
    return [sys.executable, "-m", "lstm_sentiment", *map(str, args)]


def write_subset(data: str, n_train: int, n_validation: int, path: Path) -> dict[str, Any]:
    """A seeded sample of distinct training reviews, as a text,label CSV."""
    import numpy as np
    import pandas as pd

    from lstm_sentiment.config import DataConfig
    from lstm_sentiment.data import load_split

    examples = load_split(data, "train", DataConfig(label_map=dict(LABEL_MAP)))
    unique = list({ex.text: ex for ex in examples if ex.label is not None}.values())
    wanted = n_train + n_validation
    if wanted > len(unique):
        raise SystemExit(f"{data} has {len(unique)} distinct training texts; {wanted} wanted")
    order = np.random.default_rng(SUBSET_SEED).permutation(len(unique))[:wanted]
    rows = [{"text": unique[i].text, "label": unique[i].label} for i in sorted(order)]
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(rows).to_csv(path, index=False)
    return {"source": data, "train_pool": len(examples), "distinct": len(unique), "rows": wanted}


def study_state(output: Path, study_name: str) -> dict[str, list[int]]:
    """Trial numbers per state of a study on disk (read while its workers write)."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = f"sqlite:///{(output / 'study.db').resolve()}"
    try:
        study = optuna.load_study(study_name=study_name, storage=storage)
    except KeyError:  # not created yet
        return {}
    states: dict[str, list[int]] = {}
    for trial in study.get_trials(deepcopy=False):
        states.setdefault(trial.state.name.lower(), []).append(trial.number)
    return states


def run_killed_then_resumed(
    command: list[str], output: Path, study_name: str, kill_after: int
) -> dict[str, Any]:
    """Run ``command``, SIGKILL it (and its workers) mid-trial once ``kill_after`` trials
    finished, then run it again to resume."""
    started = time.perf_counter()
    process = subprocess.Popen(command, start_new_session=True)
    killed: dict[str, Any] = {}
    while process.poll() is None:
        time.sleep(POLL_SECONDS)
        states = study_state(output, study_name) if (output / "study.db").exists() else {}
        finished = len(states.get("complete", [])) + len(states.get("pruned", []))
        if finished >= kill_after and states.get("running"):
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            killed = {"finished_before_kill": finished, "running_at_kill": states["running"]}
            break
    first = time.perf_counter() - started
    if not killed:
        raise SystemExit(f"the study ended before {kill_after} trials finished: nothing killed")
    resumed = benchlib.run_child(command)
    return {**killed, "first_run_seconds": first, "resume_wall_seconds": resumed["wall_seconds"]}


def best_so_far(output: Path) -> list[float | None]:
    """Best completed validation accuracy after each trial (by trial number)."""
    import pandas as pd

    table = pd.read_csv(output / "trials.csv").sort_values("trial")
    curve: list[float | None] = []
    best: float | None = None
    for row in table.to_dict(orient="records"):
        if row["state"] == "complete" and (best is None or row["value"] > best):
            best = float(row["value"])
        if row["state"] in ("complete", "pruned"):
            curve.append(best)
    return curve


def plot_curves(curves: dict[str, list[float | None]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    for sampler, curve in curves.items():
        points = [(i + 1, v) for i, v in enumerate(curve) if v is not None]
        ax.step(*zip(*points, strict=True), where="post", marker="o", label=sampler)
    ax.set(xlabel="trials finished", ylabel="best validation accuracy", title="IMDB subset")
    ax.grid(alpha=0.3)
    ax.legend()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)


def train_metrics(command: list[str], run_dir: Path) -> dict[str, Any]:
    if run_dir.exists():
        shutil.rmtree(run_dir)
    run = benchlib.run_child(command)
    metrics = json.loads((run_dir / "metrics.json").read_text())
    return {
        "validation_accuracy": metrics["validation"]["accuracy"],
        "validation_n": metrics["validation"]["n"],
        "test_accuracy": metrics.get("test", {}).get("accuracy"),
        "test_macro_f1": metrics.get("test", {}).get("macro_f1"),
        "test_n": metrics.get("test", {}).get("n"),
        "train_seconds": metrics["timings"]["train_seconds"],
        "wall_seconds": run["wall_seconds"],
    }


def retry_check(output: Path, study_name: str, killed: list[int], budget: int) -> dict[str, Any]:
    """After the resume: the killed trials failed, were retried and the budget was finished."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = f"sqlite:///{(output / 'study.db').resolve()}"
    trials = optuna.load_study(study_name=study_name, storage=storage).trials
    retries = {t.system_attrs["failed_trial"]: t.state.name.lower() for t in trials
               if "failed_trial" in t.system_attrs}  # fmt: skip
    finished = sum(t.state.name in ("COMPLETE", "PRUNED") for t in trials)
    return {
        "killed_trials_failed": all(trials[n].state.name == "FAIL" for n in killed),
        "retries": retries,
        "finished": finished,
        "budget": budget,
        "completed": finished >= budget
        and all(r in ("complete", "pruned") for r in retries.values()),
        "worker_pids": sorted({t.user_attrs["pid"] for t in trials if "pid" in t.user_attrs}),
    }


def write_readme(result: dict[str, Any]) -> None:
    s = result["settings"]
    lines = [
        f"Command: `{result['command']}`  ",
        f"Date: {result['date']}; machine: {result['machine']['cpu']} "
        f"({result['machine']['cores']} cores); torch {result['machine'].get('torch')}.  ",
        f"Subset of IMDB train: {s['train_size']:,} train + {s['validation_size']:,} validation "
        f"reviews, max length {s['max_length']}, {s['epochs']} epochs per trial, "
        f"{s['trials']} trials per sampler ({STARTUP_TRIALS} random start-up trials for TPE), "
        f"median pruner, {s['workers']} workers "
        f"(1 thread each). Best configurations retrained on the full train split (10% "
        "validation) and measured once on the full test split.",
        "",
        "| sampler | best val acc (subset) | best trial | parameters | study time (min) "
        "| full-train val acc | test acc | test macro-F1 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for sampler, row in result["samplers"].items():
        params = ", ".join(f"{k.split('.', 1)[1]}={_short(v)}" for k, v in row["params"].items())
        full = row["full_train"]
        lines.append(
            f"| {sampler} | {row['best_value']:.4f} | {row['best_trial']} | {params} | "
            f"{row['study_seconds'] / 60:.1f} | {full['validation_accuracy']:.4f} | "
            f"{full['test_accuracy']:.4f} | {full['test_macro_f1']:.4f} |"
        )
    bar, reproduce, kill = result["bar"], result["reproduce"], result["kill_resume"]
    lines += [
        "",
        "- Best validation accuracy against trials: `bench/results/tuning_imdb_curves.png`.",
        f"- Killed mid-trial (SIGKILL, {s['workers']} workers) after "
        f"{kill['finished_before_kill']} finished trials with trial(s) "
        f"{kill['running_at_kill']} running; the same command resumed the study, retried them "
        f"and finished the budget: {'met' if bar['kill_resume'] else 'NOT met'}.",
        f"- Two workers shared each study (process ids per study: "
        f"{', '.join(str(len(p)) for p in result['worker_pids'].values())}): "
        f"{'met' if bar['two_workers'] else 'NOT met'}.",
        f"- The exported `best_config.toml` of the TPE study retrained with `train`: validation "
        f"accuracy {reproduce['retrained']:.4f} vs {reproduce['trial']:.4f} in the study "
        f"({reproduce['difference_points']:.2f} points; bar {REPRODUCE_POINTS}): "
        f"{'met' if bar['reproduces'] else 'NOT met'}.",
        f"- Whole benchmark: {result['wall_seconds'] / 60:.0f} min.",
    ]
    benchlib.replace_readme_section("tuning", "IMDB: hyperparameter search", lines)


def _short(value: Any) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="aclImdb tarball or folder (train + test)")
    parser.add_argument("--work", default=str(benchlib.ROOT / "bench" / "work" / "tuning"))
    parser.add_argument("--trials", type=int, default=16, help="budget of every sampler (16)")
    parser.add_argument("--train-size", type=int, default=5000)
    parser.add_argument("--validation-size", type=int, default=2500)
    parser.add_argument("--max-length", type=int, default=200)
    parser.add_argument("--epochs", type=int, default=3, help="epochs per trial and retrain")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--kill-after", type=int, default=4, help="kill TPE after N trials")
    parser.add_argument(
        "--set", action="append", default=[], help="extra base override (smoke tests)"
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="write results into --work only (smoke tests)"
    )
    args = parser.parse_args()

    started = time.perf_counter()
    work = Path(args.work)
    if work.exists():
        shutil.rmtree(work)
    subset = work / "imdb_subset.csv"
    subset_info = write_subset(args.data, args.train_size, args.validation_size, subset)
    fraction = args.validation_size / (args.train_size + args.validation_size)
    overrides = [
        f"text.max_length={args.max_length}",
        f"train.epochs={args.epochs}",
        "train.lr_schedule=constant",
        "train.warmup_steps=0",
        f"data.validation_fraction={fraction!r}",
        *args.set,
    ]
    sets = [f"--set={item}" for item in overrides]
    samplers: dict[str, dict[str, Any]] = {}
    curves: dict[str, list[float | None]] = {}
    worker_pids: dict[str, list[int]] = {}
    kill: dict[str, Any] = {}
    for sampler, space in SPACES.items():
        output, name = work / sampler, f"imdb-{sampler}"
        command = lstm_sentiment(
            "tune", "--data", subset, "--config", BASE_CONFIG, *sets, "--space", space,
            "--sampler", sampler, "--pruner", "median", "--trials", args.trials,
            "--startup-trials", STARTUP_TRIALS,
            "--workers", args.workers, "--study-name", name, "--output", output,
        )  # fmt: skip
        study_started = time.perf_counter()
        if sampler == "tpe" and args.kill_after:
            kill = run_killed_then_resumed(command, output, name, args.kill_after)
            kill.update(retry_check(output, name, kill["running_at_kill"], args.trials))
        else:
            benchlib.run_child(command)
        summary = json.loads((output / "summary.json").read_text())
        samplers[sampler] = {
            "best_value": summary["best"]["value"],
            "best_trial": summary["best"]["trial"],
            "params": summary["best"]["params"],
            "trials": summary["trials"],
            "study_seconds": time.perf_counter() - study_started,
        }
        curves[sampler] = best_so_far(output)
        worker_pids[sampler] = retry_check(output, name, [], args.trials)["worker_pids"]

    curves_png = (work if args.dry_run else benchlib.RESULTS_DIR) / "tuning_imdb_curves.png"
    plot_curves(curves, curves_png)

    # The exported best config, retrained as is by `train` on the same subset.
    retrained = train_metrics(
        lstm_sentiment("-q", "train", "--config", work / "tpe" / "best_config.toml",
                       "--output", work / "reproduce"),
        work / "reproduce",
    )  # fmt: skip
    trial_value = samplers["tpe"]["best_value"]
    difference = abs(retrained["validation_accuracy"] - trial_value) * 100
    reproduce = {
        "trial": trial_value,
        "retrained": retrained["validation_accuracy"],
        "difference_points": difference,
    }

    for sampler in SPACES:
        samplers[sampler]["full_train"] = train_metrics(
            lstm_sentiment(
                "-q", "train", "--config", work / sampler / "best_config.toml",
                "--data", args.data, "--set", "data.validation_fraction=0.1",
                "--output", work / f"full_{sampler}",
            ),
            work / f"full_{sampler}",
        )  # fmt: skip

    result = {
        **benchlib.header("tuning_imdb"),
        "settings": {
            "trials": args.trials,
            "train_size": args.train_size,
            "validation_size": args.validation_size,
            "max_length": args.max_length,
            "epochs": args.epochs,
            "workers": args.workers,
            "startup_trials": STARTUP_TRIALS,
            "overrides": overrides,
            "spaces": {name: str(path.relative_to(benchlib.ROOT)) for name, path in SPACES.items()},
            "subset": subset_info,
        },
        "samplers": samplers,
        "curves": curves,
        "kill_resume": kill,
        "worker_pids": worker_pids,
        "reproduce": reproduce,
        "wall_seconds": time.perf_counter() - started,
    }
    result["bar"] = {
        "kill_resume": bool(kill.get("completed") and kill.get("killed_trials_failed")),
        "two_workers": all(len(pids) >= min(2, args.workers) for pids in worker_pids.values()),
        "reproduces": difference <= REPRODUCE_POINTS,
    }
    if args.dry_run:
        (work / "tuning_imdb.json").write_text(json.dumps(result, indent=2) + "\n")
    else:
        benchlib.write_results("tuning_imdb", result)
        write_readme(result)
    print(json.dumps(result["bar"], indent=2))


if __name__ == "__main__":
    main()
