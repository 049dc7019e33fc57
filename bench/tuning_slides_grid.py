"""The seed slides' grid search reproduced: batch size {10, 20, 40} × epochs {1, 2, 3} (a script).

The slides grid-search a Keras LSTM on the GOP debate tweets with scikit-learn's
``GridSearchCV``. Here ``lstm-sentiment tune --sampler grid`` runs the same 9 points on the
slides' training split (``bench/gop_tweets.py``'s ``train_test_split(test_size=0.33,
random_state=42)``; the test rows are not even written), with the slides' model
(``configs/gop_slides.toml``) and ``configs/tune_slides_grid.toml``, scoring each point on the
validation split carved from the training rows:

    python bench/tuning_slides_grid.py --data ../shared/data/gop_debate_tweets.csv

Writes ``bench/results/tuning_slides_grid.json`` and its table in ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path
from typing import Any

import benchlib
import gop_tweets

CONFIG = benchlib.ROOT / "configs" / "gop_slides.toml"
SPACE = benchlib.ROOT / "configs" / "tune_slides_grid.toml"
NAME = "tuning_slides_grid"
TITLE = "The slides' grid search (GOP tweets)"
GRID_POINTS = 9


def run_grid(train_csv: Path, output: Path, metric: str) -> dict[str, Any]:
    """Run the 9-point grid with the CLI; its cost and the trials table."""
    import pandas as pd

    command = [sys.executable, "-m", "lstm_sentiment", "-q", "tune", "--data", str(train_csv)]
    command += ["--config", str(CONFIG), "--space", str(SPACE), "--sampler", "grid"]
    command += ["--trials", str(GRID_POINTS), "--metric", metric, "--output", str(output)]
    cost = benchlib.run_child(command)
    trials = pd.read_csv(output / "trials.csv")
    summary = json.loads((output / "summary.json").read_text())
    return {"command": shlex.join(command), **cost, "trials": trials, "summary": summary}


def write_readme_table(result: dict[str, Any]) -> None:
    """Replace this benchmark's section of bench/README.md."""
    lines = [
        f"Command: `{result['command']}`  ",
        f"Date: {result['date']}; machine: {result['machine']['cpu']} "
        f"({result['machine']['cores']} cores); torch {result['machine'].get('torch')}.  ",
        f"The slides' model (`configs/gop_slides.toml`) on the slides' training split "
        f"({result['data']['train_rows']:,} rows, validation carved from them), grid "
        f"`configs/tune_slides_grid.toml`, scored by validation {result['metric']}:",
        "",
        "| batch size | epochs | val accuracy | val macro-F1 | val log loss | seconds |",
        "|---|---|---|---|---|---|",
    ]
    for row in result["trials"]:
        lines.append(
            f"| {row['train.batch_size']:.0f} | {row['train.epochs']:.0f} | "
            f"{row['validation_accuracy']:.4f} | {row['validation_macro_f1']:.4f} | "
            f"{row['validation_log_loss']:.4f} | {row['seconds']:.0f} |"
        )
    best = result["best"]
    lines += [
        "",
        f"- Best point: batch size {best['train.batch_size']}, {best['train.epochs']} epochs "
        f"(validation {result['metric']} {result['best_value']:.4f}); exported as "
        "`best_config.toml` for `train`.",
        "- Rows in the order the grid sampler ran them. Early stopping keeps the best epoch, so "
        "a 3-epoch point whose best epoch was 2 scores like the 2-epoch point (batch 10).",
        f"- All {GRID_POINTS} points evaluated: {result['complete']}; whole grid "
        f"{result['wall_seconds'] / 60:.1f} min.",
    ]
    benchlib.replace_readme_section(NAME, TITLE, lines)


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="gop_debate_tweets.csv")
    parser.add_argument("--metric", default="accuracy", help="the slides score accuracy")
    parser.add_argument("--work", default=str(benchlib.ROOT / "bench" / "work" / NAME))
    args = parser.parse_args()

    work = Path(args.work)
    rows, _ = gop_tweets.read_rows(Path(args.data), 0)
    train_rows, _ = gop_tweets.slides_split(rows)
    train_csv = gop_tweets.write_csv(work / "train.csv", train_rows)
    run = run_grid(train_csv, work / "grid", args.metric)
    trials = run.pop("trials")
    summary = run.pop("summary")
    points = trials[["train.batch_size", "train.epochs"]].drop_duplicates()
    result = {
        **benchlib.header(NAME),
        "config": str(CONFIG.relative_to(benchlib.ROOT)),
        "space": str(SPACE.relative_to(benchlib.ROOT)),
        "metric": args.metric,
        "data": {"source": args.data, "train_rows": len(train_rows)},
        **run,
        "trials": trials.to_dict(orient="records"),
        "best": summary["best"]["params"],
        "best_value": summary["best"]["value"],
        "complete": bool((trials["state"] == "complete").sum() == GRID_POINTS)
        and len(points) == GRID_POINTS,
    }
    benchlib.write_results(NAME, result)
    write_readme_table(result)
    print(json.dumps({k: result[k] for k in ("best", "best_value", "complete")}, indent=2))


if __name__ == "__main__":
    main()
