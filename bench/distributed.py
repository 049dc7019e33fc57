"""Data-parallel training: 2 ranks × 1 thread (torchrun, gloo) against 1 process × 2 threads.

Both train ``configs/imdb_default.toml`` on IMDB, in this run, each in its own child process;
the table has test accuracy, wall time (data loading and test evaluation included), training
time and training tokens/s. With 2 ranks the global batch is the same (64), split 32 + 32, so
both arms train the same model up to dropout draws and rounding.

    python bench/distributed.py --data ../shared/data/aclImdb.tar.gz            # full (slow)
    python bench/distributed.py --data ../shared/data/aclImdb.tar.gz --quick    # 2,000, 1 epoch

A ``--quick`` run writes ``bench/results/distributed_quick.json`` and leaves the README alone.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import benchlib

QUICK = ["data.limit=2000", "train.epochs=1", "train.warmup_steps=20"]


def arms(data: str, config: str, output: Path, extra: list[str]) -> dict[str, list[str]]:
    sets = [f"--set={item}" for item in extra]
    train = ["-m", "lstm_sentiment", "-q", "train", "--data", data, "--config", config]
    torchrun = [sys.executable, "-m", "torch.distributed.run", "--standalone"]
    return {
        "2 ranks × 1 thread (DDP, gloo)": [
            *torchrun,
            "--nproc-per-node=2",
            *train,
            "--output",
            str(output / "ddp"),
            "--set=train.threads=1",
            *sets,
        ],
        "1 process × 2 threads": [
            sys.executable,
            *train,
            "--output",
            str(output / "single"),
            "--set=train.threads=2",
            *sets,
        ],
    }


def measure(name: str, command: list[str], run_dir: Path) -> dict[str, Any]:
    print(f"== {name}", flush=True)
    usage = benchlib.run_child(command)
    metrics = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    return {
        "arm": name,
        "test_accuracy": metrics["test"]["accuracy"],
        "validation_accuracy": metrics["validation"]["accuracy"],
        "wall_seconds": usage["wall_seconds"],
        "train_seconds": metrics["timings"]["train_seconds"],
        "train_tokens_per_second": metrics["train_tokens_per_second"],
        "epochs_run": metrics["epochs_run"],
        "peak_rss_mb_largest_child": usage["peak_rss_mb"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(benchlib.ROOT.parent / "shared/data/aclImdb.tar.gz"))
    parser.add_argument("--config", default=str(benchlib.ROOT / "configs/imdb_default.toml"))
    parser.add_argument("--quick", action="store_true", help="2,000 training reviews, 1 epoch")
    parser.add_argument("--work", help="folder for the runs (default: a temporary one)")
    args = parser.parse_args()
    extra = QUICK if args.quick else []
    work = Path(args.work or tempfile.mkdtemp(prefix="bench-distributed-"))
    os.environ.setdefault("PYTHONPATH", str(benchlib.ROOT / "src"))
    rows = []
    for name, command in arms(args.data, args.config, work, extra).items():
        run_dir = Path(command[command.index("--output") + 1])
        rows.append(measure(name, command, run_dir))
    single = rows[1]
    for row in rows:
        row["speed-up_vs_1x2"] = single["train_seconds"] / row["train_seconds"]
    result = {**benchlib.header("distributed"), "quick": args.quick, "overrides": extra}
    result["rows"] = rows
    path = benchlib.write_results("distributed_quick" if args.quick else "distributed", result)
    lines = [
        f"Command: `{result['command']}`  ",
        f"Date: {result['date']}; machine: {result['machine']['cpu']} "
        f"({result['machine']['cores']} cores).",
        "",
        "| arm | test accuracy | wall (s) | train (s) | train tokens/s | speed-up |",
        "|---|---|---|---|---|---|",
        *(
            f"| {r['arm']} | {r['test_accuracy']:.4f} | {r['wall_seconds']:.0f} | "
            f"{r['train_seconds']:.0f} | {r['train_tokens_per_second']:,.0f} | "
            f"{r['speed-up_vs_1x2']:.2f} |"
            for r in rows
        ),
    ]
    print("\n".join(lines))
    print(f"results: {path}")
    if not args.quick:
        benchlib.replace_readme_section(
            "distributed", "Data-parallel training (torchrun) vs threads", lines
        )


if __name__ == "__main__":
    main()
