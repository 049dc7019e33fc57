"""Inference benchmark: this package's runtimes against simple peers, each system in its own
process, on the same IMDB test reviews and the same short texts.

Systems: torch fp32, torch dynamic int8 (``torch.ao.quantization.quantize_dynamic`` on LSTM and
Linear), ONNX fp32 and ONNX int8 on onnxruntime (each with 1 and 2 threads); peers trained here on
IMDB train: TF-IDF (1-2 grams) + logistic regression, fastText (bigrams, 10 epochs), and VADER.
Measured: accuracy, batch texts/s (median of 3 passes), single-text latency p50/p99 over 1,000
calls after a warm-up (a short sentence; a 140-word review), command-line cold start (median
of 5), peak RSS; ratios against TF-IDF + LR; and a streaming check (RSS sampled while
``predict --input big.csv --output out.csv`` scores a generated CSV of ``--stream-mb`` MB).

    python bench/inference.py --data ../shared/data/aclImdb.tar.gz [--limit 500] \
        [--stream-mb 2048] [--update-card]

Writes bench/results/inference.json and the "Inference" table of bench/README.md;
``--update-card`` writes the speed line of the shipped model's card (full runs only).
Needs the bench extra (``pip install -e .[bench]``: fastText, VADER).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from importlib import metadata
from pathlib import Path
from typing import Any

import benchlib

CHILD = Path(__file__).with_name("inference_child.py")
OURS = ("torch-fp32", "torch-int8", "onnx-fp32", "onnx-int8")
PEERS = ("tfidf-lr", "fasttext", "vader")
BASELINE = "tfidf-lr"
COLD_RUNS = 5
REVIEW_WORDS = 140
SHORT_TEXTS = 1000
RSS_INTERVAL = 0.5


def prepare(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Write the texts every child reads: test and train reviews, short texts, 140-word
    reviews."""
    from lstm_sentiment.config import DataConfig
    from lstm_sentiment.data import load_split

    options = DataConfig(label_map={"neg": "negative", "pos": "positive"})
    test = load_split(args.data, "test", options)
    train = load_split(args.data, "train", options)
    if args.limit:
        test, train = (
            test[:: max(1, len(test) // args.limit)],
            train[:: max(1, len(train) // (4 * args.limit))],
        )
    short = [text for text, _ in benchlib.short_texts(test, seed=1)][:SHORT_TEXTS]
    long = [
        " ".join(ex.text.split()[:REVIEW_WORDS])
        for ex in test
        if len(ex.text.split()) >= REVIEW_WORDS
    ]
    for name, texts, labels in (
        ("test", [ex.text for ex in test], [ex.label for ex in test]),
        ("train", [ex.text for ex in train], [ex.label for ex in train]),
    ):
        (work / f"{name}.json").write_text(json.dumps({"texts": texts, "labels": labels}))
    (work / "latency.json").write_text(json.dumps({"short": short, "review140": long[:200]}))
    return {"test_reviews": len(test), "train_reviews": len(train), "short_texts": len(short)}


def available_runtimes(model: str) -> list[str]:
    """The systems of :data:`OURS` the bundle can run (an ONNX precision it carries)."""
    from lstm_sentiment.bundle import read_header
    from lstm_sentiment.export.files import onnx_info

    info = onnx_info(read_header(model)) or {"files": {}}
    return [s for s in OURS if not s.startswith("onnx") or s[5:] in info["files"]]


def child(args: argparse.Namespace, work: Path, system: str, threads: int) -> dict[str, Any]:
    command = [sys.executable, str(CHILD), "--system", system, "--threads", str(threads)]
    usage = benchlib.run_child([*command, "--work", str(work), "--model", args.model])
    result = json.loads((work / f"result-{system}-{threads}.json").read_text())
    result["peak_rss_mb"] = round(usage["peak_rss_mb"], 1)
    return result


def cold_start(args: argparse.Namespace, work: Path, system: str) -> dict[str, Any]:
    """Median wall time of a fresh process that loads the system and predicts one sentence
    (this package's command line where it has one), after one untimed run."""
    if system in ("torch-fp32", "onnx-fp32", "onnx-int8"):
        runtime = ["--runtime", system[:4] if system.startswith("onnx") else "torch"]
        if system.startswith("onnx"):
            runtime += ["--precision", system[5:]]
        command = [sys.executable, "-m", "lstm_sentiment", "-q", "predict", "--model", args.model]
        command += [*runtime, "--format", "json", "one sentence"]
        how = "lstm-sentiment predict"
    else:
        command = [sys.executable, str(CHILD), "--cold", system, "--work", str(work)]
        command += ["--model", args.model]
        how = "python: import, load, predict one sentence"
    times = []
    for run in range(COLD_RUNS + 1):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        if run:
            times.append(time.perf_counter() - started)
    return {"cold_start_seconds": round(statistics.median(times), 3), "cold_start_how": how}


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def streaming_check(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """RSS of ``predict --input big.csv --output out.csv`` sampled while it runs."""
    texts = json.loads((work / "test.json").read_text())["texts"]
    source, output = work / "big.csv", work / "big-out.csv"
    target = args.stream_mb * 1024 * 1024
    rows = 0
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text"])
        while handle.tell() < target:
            writer.writerow([rows, texts[rows % len(texts)]])
            rows += 1
    command = [sys.executable, "-m", "lstm_sentiment", "-q", "predict", "--model", args.model]
    command += ["--input", str(source), "--output", str(output), "--format", "csv"]
    samples: list[tuple[float, float]] = []
    started = time.perf_counter()
    process = subprocess.Popen(command)

    def sample() -> None:
        while process.poll() is None:
            samples.append((time.perf_counter() - started, rss_mb(process.pid)))
            time.sleep(RSS_INTERVAL)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    if process.wait() != 0:
        raise SystemExit("the streaming check failed")
    sampler.join()
    wall = time.perf_counter() - started
    values = [rss for _, rss in samples if rss > 0]
    quarter = values[len(values) // 4 :] or values
    return {
        "input_mb": round(source.stat().st_size / 2**20, 1),
        "rows": rows,
        "wall_seconds": round(wall, 1),
        "rows_per_second": round(rows / wall, 1),
        "rss_mb_peak": round(max(values, default=0.0), 1),
        "rss_mb_after_first_quarter": {
            "min": round(min(quarter, default=0.0), 1),
            "max": round(max(quarter, default=0.0), 1),
        },
        "rss_samples": [
            (round(t, 1), round(r, 1)) for t, r in samples[:: max(1, len(samples) // 40)]
        ],
        "output_rows_ok": sum(1 for _ in output.open(encoding="utf-8")) > rows,
    }


def with_ratios(systems: list[dict[str, Any]]) -> None:
    base = next(s for s in systems if s["system"] == BASELINE)
    for s in systems:
        s["vs_tfidf_lr"] = {
            "batch_speed": round(s["batch_texts_per_second"] / base["batch_texts_per_second"], 3),
            "short_p50": round(s["latency_short"]["p50_ms"] / base["latency_short"]["p50_ms"], 3),
            "accuracy_points": round(100 * (s["accuracy"] - base["accuracy"]), 2),
        }


def versions() -> dict[str, str]:
    found = {}
    for package in ("onnx", "onnxruntime", "fasttext-numpy2-wheel", "vaderSentiment"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "not installed"
    return found


def table(result: dict[str, Any]) -> list[str]:
    lines = [
        f"`{result['command']}` on {result['date']} ({result['machine']['cpu']}, "
        f"{result['machine']['cores']} cores); {result['data']['test_reviews']:,} test reviews.",
        "",
        "| system | threads | accuracy | texts/s | × TF-IDF | short p50 / p99 ms "
        "| 140-word p50 / p99 ms | cold start s | peak RSS MB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for s in result["systems"]:
        lines.append(
            f"| {s['system']} | {s['threads']} | {s['accuracy']:.4f} | "
            f"{s['batch_texts_per_second']:,.0f} | {s['vs_tfidf_lr']['batch_speed']:.2f} | "
            f"{s['latency_short']['p50_ms']:.2f} / {s['latency_short']['p99_ms']:.2f} | "
            f"{s['latency_review140']['p50_ms']:.2f} / {s['latency_review140']['p99_ms']:.2f} | "
            f"{s.get('cold_start_seconds', float('nan')):.2f} | {s['peak_rss_mb']:,.0f} |"
        )
    stream = result.get("streaming")
    if stream:
        lines += [
            "",
            f"Streaming: {stream['input_mb']:,} MB CSV ({stream['rows']:,} rows) scored by "
            f"`predict --input --output` at {stream['rows_per_second']:,.0f} rows/s; RSS "
            f"{stream['rss_mb_after_first_quarter']['min']:,.0f}–"
            f"{stream['rss_mb_after_first_quarter']['max']:,.0f} MB after the first quarter "
            f"(peak {stream['rss_mb_peak']:,.0f} MB).",
        ]
    return lines


def update_card(args: argparse.Namespace, result: dict[str, Any]) -> None:
    from lstm_sentiment.export.card import SPEED_KEY, record_measurements

    by = {(s["system"], s["threads"]): s for s in result["systems"]}
    parts = [
        f"{name} {by[(name, 2)]['batch_texts_per_second']:,.0f} reviews/s, IMDB test "
        f"accuracy {by[(name, 2)]['accuracy']:.4f}, cold start "
        f"{by[(name, 2)].get('cold_start_seconds', 0):.2f} s"
        for name in ("torch-fp32", "onnx-fp32", "onnx-int8")
        if (name, 2) in by
    ]
    line = "; ".join(parts) + f" (2 threads; bench/inference.py on {result['date'][:10]})"
    record_measurements(args.model, {SPEED_KEY: line})


def main() -> None:
    from lstm_sentiment.predict import default_model_path

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="aclImdb.tar.gz")
    parser.add_argument("--model", default=str(default_model_path()))
    parser.add_argument("--limit", type=int, default=0, help="test reviews (0: all 25,000)")
    parser.add_argument("--stream-mb", type=int, default=2048, help="size of the streamed CSV")
    parser.add_argument("--threads", default="1,2", help="thread counts of this package's runtimes")
    parser.add_argument("--update-card", action="store_true")
    args = parser.parse_args()
    result = {**benchlib.header("inference"), "versions": versions()}
    with tempfile.TemporaryDirectory(prefix="bench-inference-") as tmp:
        work = Path(tmp)
        result["data"] = prepare(args, work)
        systems = []
        ours = available_runtimes(args.model)
        for system in ours:
            for threads in (int(t) for t in args.threads.split(",")):
                print(f"measuring {system} with {threads} thread(s)", file=sys.stderr)
                systems.append(child(args, work, system, threads))
        systems += [child(args, work, peer, 1) for peer in PEERS]
        cold = {name: cold_start(args, work, name) for name in (*ours, *PEERS)}
        for s in systems:
            s.update(cold[s["system"]])
        with_ratios(systems)
        result["systems"] = systems
        print("streaming check", file=sys.stderr)
        result["streaming"] = streaming_check(args, work)
    result["settings"] = {"limit": args.limit, "stream_mb": args.stream_mb, "cores": os.cpu_count()}
    path = benchlib.write_results("inference", result)
    benchlib.replace_readme_section("inference", "Inference: runtimes and peers", table(result))
    if args.update_card and not args.limit:
        update_card(args, result)
    print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
