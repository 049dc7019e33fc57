"""Batch scoring on Ray Data against single-process prediction, in one run.

1,000,000 texts (IMDB test reviews, repeated and cut to varied lengths: a random span of each
review, 3 words to the whole review, log-uniform) in one Parquet file, scored by the shipped
model (or ``--model``):

- single process (``SentimentModel.predict_proba`` in chunks), 1 and 2 torch threads;
- ``predict --engine ray`` (``score_files``: local Ray, read → actors → Parquet) with 1 and 2
  actors of 1 thread each.

Each arm runs in its own child process; texts/s counts the whole arm (Ray start-up, reading and
writing included). Peak RSS is sampled from /proc for every process of the arm (the driver and
each actor). Scaling efficiency = (2-actor rate / 1-actor rate) / 2.

    python bench/ray_scoring.py --data ../shared/data/aclImdb.tar.gz              # 1,000,000
    python bench/ray_scoring.py --data ../shared/data/aclImdb.tar.gz --limit 20000

A ``--limit`` run writes ``bench/results/ray_scoring_quick.json`` and leaves the README alone.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import benchlib

FULL = 1_000_000
CHUNK = 20_000


def make_texts(data: str, n: int, seed: int = 0) -> list[str]:
    import numpy as np

    from lstm_sentiment.data import load_split

    reviews = [ex.text for ex in load_split(data, "test")]
    rng = np.random.default_rng(seed)
    texts = []
    for i in range(n):
        words = reviews[i % len(reviews)].split()
        span = int(np.exp(rng.uniform(np.log(3), np.log(max(4, len(words))))))
        start = int(rng.integers(0, max(1, len(words) - span + 1)))
        texts.append(" ".join(words[start : start + span]))
    return texts


def child_local(args: argparse.Namespace) -> dict[str, Any]:
    import pandas as pd
    import torch

    from lstm_sentiment.predict import SentimentModel

    torch.set_num_threads(args.threads)
    frame = pd.read_parquet(args.input)
    model = SentimentModel.load(args.model, threads=args.threads)  # onnxruntime's threads too
    texts = frame["text"].tolist()
    parts = [model.predict_proba(texts[i : i + CHUNK]) for i in range(0, len(texts), CHUNK)]
    return {"rows": sum(len(p) for p in parts)}


def child_ray(args: argparse.Namespace) -> dict[str, Any]:
    from lstm_sentiment.distributed.ray_scoring import score_files

    return score_files(args.input, args.output, args.model, cpus=args.actors, progress=False)


def process_tree(root: int) -> dict[int, tuple[int, str]]:
    """Descendants of ``root`` (and itself): pid → (RSS in kB, command line)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int(
                    (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
                )
            except (OSError, IndexError, ValueError):
                continue
    tree, frontier = {root}, [root]
    while frontier:
        current = frontier.pop()
        children = [pid for pid, parent in parents.items() if parent == current]
        tree.update(children)
        frontier.extend(children)
    out = {}
    for pid in tree:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            rss = next(
                int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS")
            )
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:80]
            out[pid] = (rss, cmd)
        except (OSError, StopIteration):
            continue
    return out


def run_arm(command: list[str]) -> dict[str, Any]:
    """Run a child; wall time and the peak RSS of each of its processes (sampled)."""
    peaks: dict[int, tuple[int, str]] = {}
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            for pid, (rss, cmd) in process_tree(process.pid).items():
                if rss > peaks.get(pid, (0, ""))[0]:
                    peaks[pid] = (rss, cmd)
            done.wait(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = process.communicate()
    done.set()
    sampler.join()
    wall = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"benchmark arm failed: {command}")
    actors = [rss / 1024 for rss, cmd in peaks.values() if "MapWorker" in cmd]
    driver = peaks.get(process.pid, (0, ""))[0] / 1024
    return {
        "wall_seconds": wall,
        "child": json.loads(out.strip().splitlines()[-1]),
        "peak_rss_mb_driver": driver,
        "peak_rss_mb_per_actor": actors,
        "peak_rss_mb_all_processes": sum(rss for rss, _ in peaks.values()) / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(benchlib.ROOT.parent / "shared/data/aclImdb.tar.gz"))
    parser.add_argument("--model", default=None, help="bundle (default: the shipped model)")
    parser.add_argument("--limit", type=int, default=None, help=f"texts (default {FULL:,})")
    parser.add_argument("--work", help="folder for the input and outputs (default: temporary)")
    parser.add_argument("--child", choices=("local", "ray"), help=argparse.SUPPRESS)
    parser.add_argument("--input", help=argparse.SUPPRESS)
    parser.add_argument("--output", help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--actors", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = child_local(args) if args.child == "local" else child_ray(args)
        print(json.dumps(result))
        return

    import pandas as pd

    n = args.limit or FULL
    work = Path(args.work or tempfile.mkdtemp(prefix="bench-ray-"))
    work.mkdir(parents=True, exist_ok=True)
    source = work / "texts.parquet"
    texts = make_texts(args.data, n)
    pd.DataFrame({"id": range(n), "text": texts}).to_parquet(source)
    os.environ.setdefault("PYTHONPATH", str(benchlib.ROOT / "src"))
    base = [sys.executable, __file__, "--input", str(source)]
    base += ["--model", args.model] if args.model else []
    arms = {
        "single process, 1 thread": [*base, "--child", "local", "--threads", "1"],
        "single process, 2 threads": [*base, "--child", "local", "--threads", "2"],
        "Ray, 1 actor": [*base, "--child", "ray", "--actors", "1", "--output", str(work / "a1")],
        "Ray, 2 actors": [*base, "--child", "ray", "--actors", "2", "--output", str(work / "a2")],
    }
    rows = []
    for name, command in arms.items():
        print(f"== {name}", flush=True)
        row = {"arm": name, **run_arm(command)}
        row["texts_per_second"] = n / row["wall_seconds"]
        startup = row["child"].get("startup_seconds", 0.0)
        row["texts_per_second_after_startup"] = n / (row["wall_seconds"] - startup)
        rows.append(row)
    rate = {row["arm"]: row["texts_per_second"] for row in rows}
    efficiency = rate["Ray, 2 actors"] / rate["Ray, 1 actor"] / 2
    after = {row["arm"]: row["texts_per_second_after_startup"] for row in rows}
    efficiency_after = after["Ray, 2 actors"] / after["Ray, 1 actor"] / 2
    result = {**benchlib.header("ray_scoring"), "texts": n, "rows": rows}
    result["scaling_efficiency_2_actors"] = efficiency
    result["scaling_efficiency_2_actors_after_startup"] = efficiency_after
    path = benchlib.write_results("ray_scoring_quick" if args.limit else "ray_scoring", result)

    def rss(row: dict[str, Any]) -> str:
        actors = row["peak_rss_mb_per_actor"]
        per_actor = ", ".join(f"{mb:.0f}" for mb in actors) if actors else "-"
        return f"{row['peak_rss_mb_driver']:.0f} | {per_actor}"

    lines = [
        f"Command: `{result['command']}`  ",
        f"Date: {result['date']}; machine: {result['machine']['cpu']} "
        f"({result['machine']['cores']} cores); {n:,} texts.",
        "",
        "| arm | texts/s | texts/s after Ray start-up | wall (s) | peak RSS driver (MB) "
        "| peak RSS per actor (MB) |",
        "|---|---|---|---|---|---|",
        *(
            f"| {r['arm']} | {r['texts_per_second']:,.0f} | "
            f"{r['texts_per_second_after_startup']:,.0f} | {r['wall_seconds']:.0f} | {rss(r)} |"
            for r in rows
        ),
        "",
        f"- Scaling efficiency of 2 actors over 1: {efficiency:.2f} "
        f"({efficiency_after:.2f} after Ray's start-up).",
    ]
    print("\n".join(lines))
    print(f"results: {path}")
    if not args.limit:
        benchlib.replace_readme_section("ray_scoring", "Batch scoring on Ray Data", lines)


if __name__ == "__main__":
    main()
