"""Profile ``lstm-sentiment predict`` end to end with cProfile: reading a CSV of IMDB test
reviews, cleaning, tokenizing, vocabulary lookup, batching, the forward pass (NB n-gram features
included: they are inside the network), softmax and writing the CSV output.

    python bench/profile_predict.py --data ../shared/data/aclImdb.tar.gz --reviews 5000 \
        --label before [--runtime onnx] [--model BUNDLE]

Writes bench/results/profile_predict_<label>.txt (the top functions by own and by cumulative
time) and adds a summary to bench/results/profile_predict.json.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import io
import json
import pstats
import sys
import tempfile
import time
from pathlib import Path

import benchlib

TOP = 30


def stage_totals(stats: pstats.Stats) -> dict[str, float]:
    """Cumulative seconds of the functions that stand for each stage of prediction."""
    stages = {
        "read input": ("tables.py", "_table_rows"),
        "encode (clean+tokenize+lookup)": ("encode.py", "encode_"),  # _many, then _flat
        "tokenize": ("word.py", "tokenize"),
        "onnxruntime run": ("~", "<built-in method onnxruntime"),
        "torch forward": ("module.py", "_call_impl"),
        "format output": ("predict.py", "format_predictions"),
        "predict (Prediction objects)": ("predict.py", "predict"),
    }
    totals: dict[str, float] = {}
    for (filename, _, name), (_, _, _, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        for stage, (file_part, function) in stages.items():
            if filename.endswith(file_part) and name.startswith(function):
                totals[stage] = max(totals.get(stage, 0.0), cumulative)
    return {stage: round(seconds, 3) for stage, seconds in totals.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="aclImdb.tar.gz")
    parser.add_argument("--reviews", type=int, default=5000)
    parser.add_argument("--label", required=True, help="name of this profile (before/after)")
    parser.add_argument("--runtime", default="auto")
    parser.add_argument("--model", default=None)
    args = parser.parse_args()

    from lstm_sentiment.cli import main as cli_main
    from lstm_sentiment.config import DataConfig
    from lstm_sentiment.data import load_split

    examples = load_split(args.data, "test", DataConfig())
    step = max(1, len(examples) // args.reviews)
    texts = [ex.text for ex in examples[::step][: args.reviews]]
    with tempfile.TemporaryDirectory() as work:
        source, output = Path(work) / "reviews.csv", Path(work) / "out.csv"
        with source.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["text"])
            writer.writerows([t] for t in texts)
        argv = ["-q", "predict", "--input", str(source), "--output", str(output)]
        argv += ["--format", "csv", "--runtime", args.runtime]
        if args.model:
            argv += ["--model", args.model]
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        code = cli_main(argv)
        profiler.disable()
        wall = time.perf_counter() - started
        if code != 0:
            raise SystemExit(f"predict failed with exit code {code}")
    buffer = io.StringIO()
    stats = pstats.Stats(profiler, stream=buffer)
    buffer.write(f"predict on {len(texts)} IMDB test reviews ({args.label}): {wall:.2f} s\n")
    stats.sort_stats("tottime").print_stats(TOP)
    stats.sort_stats("cumulative").print_stats(TOP)
    text_path = benchlib.RESULTS_DIR / f"profile_predict_{args.label}.txt"
    text_path.write_text(buffer.getvalue())
    top = sorted(stats.stats.items(), key=lambda item: -item[1][2])[:15]  # type: ignore[attr-defined]
    summary = {
        **benchlib.header("profile_predict"),
        "reviews": len(texts),
        "runtime": args.runtime,
        "wall_seconds_under_profiler": round(wall, 3),
        "stages_cumulative_seconds": stage_totals(stats),
        "top_own_time": [
            {"function": f"{Path(f).name}:{line}({name})", "calls": calls, "own_s": round(own, 3)}
            for (f, line, name), (_, calls, own, _, _) in top
        ],
    }
    results = benchlib.RESULTS_DIR / "profile_predict.json"
    everything = json.loads(results.read_text()) if results.exists() else {}
    everything[args.label] = summary
    results.write_text(json.dumps(everything, indent=2) + "\n")
    print(json.dumps(summary["stages_cumulative_seconds"], indent=2), file=sys.stderr)
    print(f"wrote {text_path} and {results}", file=sys.stderr)


if __name__ == "__main__":
    main()
