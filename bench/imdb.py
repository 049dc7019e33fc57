"""IMDB benchmark of the default configuration (a script, not a test).

Trains ``configs/imdb_default.toml`` on the full IMDB train split (validation carved from it) for
several seeds, each in its own process, and measures on the full 25,000-review test split:
accuracy, macro-F1, training wall time, training tokens/s, prediction throughput and peak memory.
In the same run: a TF-IDF (uni+bigram) logistic-regression baseline tuned on the same validation
split, and the raw ``torch.nn.LSTM`` forward+backward throughput at the training batch shapes.

    python bench/imdb.py --data ../shared/data/aclImdb.tar.gz [--seeds 13 14 15]

Writes ``bench/results/imdb.json`` and the IMDB table in ``bench/README.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import torch

import benchlib

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "configs" / "imdb_default.toml"
RESULTS = ROOT / "bench" / "results" / "imdb.json"
BENCH_README = ROOT / "bench" / "README.md"
RAW_SAMPLE_BATCHES = 40
THREADS = 2


def run_training(data: str, seed: int, run_dir: Path) -> dict[str, Any]:
    """Train one seed through the CLI in a child process; wall time and peak RSS of that child."""
    if run_dir.exists():
        shutil.rmtree(run_dir)
    command = [
        sys.executable,
        "-m",
        "lstm_sentiment",
        "-q",
        "train",
        "--config",
        str(CONFIG),
        "--data",
        data,
        "--set",
        f"train.seed={seed}",
        "--output",
        str(run_dir),
    ]
    cost = benchlib.run_child(command)
    metrics = json.loads((run_dir / "metrics.json").read_text())
    return {
        "seed": seed,
        "command": shlex.join(command),
        **cost,
        "train_seconds": metrics["timings"]["train_seconds"],
        "train_tokens_per_second": metrics["train_tokens_per_second"],
        "best_epoch": metrics["best_epoch"],
        "epochs_run": metrics["epochs_run"],
        "validation_accuracy": metrics["validation"]["accuracy"],
        "test_accuracy": metrics["test"]["accuracy"],
        "test_macro_f1": metrics["test"]["macro_f1"],
        "test_log_loss": metrics["test"]["log_loss"],
        "coverage": metrics.get("coverage"),
        "model_dir": str(run_dir / "model"),
    }


def raw_kernel_throughput(config: Any, train_data: Any, input_size: int) -> dict[str, float]:
    """Real tokens/s of a bare fused ``nn.LSTM`` forward+backward on the trainer's batch shapes."""
    torch.set_num_threads(THREADS)
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(
        input_size,
        config.model.hidden_size,
        num_layers=config.model.num_layers,
        bidirectional=config.model.bidirectional,
        batch_first=True,
    )
    plan = train_data.batches(
        config.train.batch_size, rng=np.random.default_rng(0), bucket_size=config.train.bucket_size
    )
    sample = [plan[i] for i in np.random.default_rng(1).choice(len(plan), RAW_SAMPLE_BATCHES)]
    real_tokens, padded_tokens, seconds = 0, 0, 0.0
    for positions in sample:
        lengths = train_data.lengths[positions]
        inputs = torch.randn(len(positions), int(lengths.max()), input_size)
        started = time.perf_counter()
        outputs, _ = lstm(inputs)
        outputs.sum().backward()
        seconds += time.perf_counter() - started
        real_tokens += int(lengths.sum())
        padded_tokens += inputs.shape[0] * inputs.shape[1]
    return {
        "tokens_per_second": real_tokens / seconds,
        "padding_share": 1 - real_tokens / padded_tokens,
        "batches_sampled": RAW_SAMPLE_BATCHES,
    }


def summarise(values: list[float]) -> dict[str, float]:
    """Median, min and max."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def write_readme_table(result: dict[str, Any]) -> None:
    """Replace the IMDB section of bench/README.md."""
    runs = result["runs"]
    lines = [
        "<!-- imdb:start -->",
        f"Command: `{result['command']}`  ",
        f"Date: {result['date']}; machine: {result['machine']['cpu']} "
        f"({result['machine']['cores']} cores); torch {result['machine']['torch']}, "
        f"Python {result['machine']['python']}.",
        "",
        "| model | seed | test accuracy | test macro-F1 | train time (s) | train tokens/s "
        "| best epoch | peak RSS (MB) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        lines.append(
            f"| default BiLSTM | {run['seed']} | {run['test_accuracy']:.4f} | "
            f"{run['test_macro_f1']:.4f} | {run['train_seconds']:.0f} | "
            f"{run['train_tokens_per_second']:,.0f} | {run['best_epoch']} | "
            f"{run['peak_rss_mb']:.0f} |"
        )
    base = result["tfidf_baseline"]
    lines += [
        f"| TF-IDF + LR (C={base['C']:g}) | - | {base['test_accuracy']:.4f} | "
        f"{base['test_macro_f1']:.4f} | {base['train_seconds']:.0f} | - | - | - |",
        "",
        f"- Test accuracy over seeds: median {result['test_accuracy']['median']:.4f} "
        f"(min {result['test_accuracy']['min']:.4f}, max {result['test_accuracy']['max']:.4f}).",
        f"- Training time: median {result['train_seconds']['median']:.0f} s; wall time per run "
        f"including data loading and test evaluation: median "
        f"{result['wall_seconds']['median']:.0f} s.",
        f"- Efficiency: end-to-end training "
        f"{result['efficiency']['end_to_end_tokens_per_second']:,.0f} tokens/s vs raw fused "
        "`nn.LSTM` forward+backward "
        f"{result['efficiency']['raw_kernel_tokens_per_second']:,.0f} tokens/s at the same batch "
        f"shapes: ratio {result['efficiency']['ratio']:.2f} (padding share "
        f"{result['efficiency']['padding_share']:.1%}).",
        f"- Prediction: {result['prediction']['reviews_per_second']:,.0f} reviews/s "
        f"(batch prediction from raw text, {THREADS} threads).",
        "<!-- imdb:end -->",
    ]
    text = BENCH_README.read_text() if BENCH_README.exists() else "# Benchmarks\n"
    if "<!-- imdb:start -->" in text:
        head, rest = text.split("<!-- imdb:start -->", 1)
        tail = rest.split("<!-- imdb:end -->", 1)[1]
        text = head + "\n".join(lines) + tail
    else:
        text = text.rstrip() + "\n\n## IMDB: default configuration\n\n" + "\n".join(lines) + "\n"
    BENCH_README.write_text(text)


def ship_default(model_dir: Path, result: dict[str, Any]) -> None:
    """Copy a bundle into the package as the default model, with the benchmark in its card."""
    from lstm_sentiment.predict import default_model_path

    target = default_model_path()
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(model_dir, target)
    accuracy = result["test_accuracy"]
    notes = (
        f"Trained by `{result['command']}` on {result['date']} ({result['machine']['cpu']}, "
        f"{result['machine']['cores']} cores). This bundle is the seed-{result['runs'][0]['seed']}"
        f" run. Over seeds {', '.join(str(r['seed']) for r in result['runs'])} the IMDB test "
        f"accuracy was median {accuracy['median']:.4f} (min {accuracy['min']:.4f}, max "
        f"{accuracy['max']:.4f}); TF-IDF + logistic regression in the same run: "
        f"{result['tfidf_baseline']['test_accuracy']:.4f}. See bench/README.md.\n"
    )
    card = target / "README.md"
    card.write_text(card.read_text() + "\n## Benchmark\n" + notes)


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="aclImdb tarball or folder, or 'imdb'")
    parser.add_argument("--seeds", type=int, nargs="+", default=[13, 14, 15])
    parser.add_argument("--work", default=str(ROOT / "bench" / "work"), help="run folders")
    parser.add_argument(
        "--ship-default",
        action="store_true",
        help="copy the first seed's bundle into the package as the shipped default model",
    )
    args = parser.parse_args()

    from lstm_sentiment.bundle import package_version
    from lstm_sentiment.config import RunConfig
    from lstm_sentiment.data import stratified_split
    from lstm_sentiment.inference.batching import EncodedDataset
    from lstm_sentiment.preparation import load_training_data
    from lstm_sentiment.text.encode import TextEncoder
    from lstm_sentiment.text.vocab import Vocabulary

    work = Path(args.work)
    runs = [run_training(args.data, seed, work / f"seed{seed}") for seed in args.seeds]

    config = RunConfig.from_file(CONFIG).with_overrides([f"data.source={args.data}"])
    train_examples, test_examples = load_training_data(config)
    fit, validation = stratified_split(
        train_examples, config.data.validation_fraction, config.train.seed
    )
    baseline = benchlib.tfidf_baseline(fit, validation, test_examples)

    first = runs[0]
    prediction = benchlib.prediction_speed(
        first["model_dir"], [ex.text for ex in test_examples], THREADS
    )
    bundle_encoder = TextEncoder.from_config(
        config.text,
        Vocabulary.from_dict(json.loads((Path(first["model_dir"]) / "vocab.json").read_text())),
    )
    train_data = EncodedDataset(bundle_encoder.encode_many([ex.text for ex in fit]), None, 0)
    embedding_dim = json.loads((Path(first["model_dir"]) / "config.json").read_text())[
        "embedding_dim"
    ]
    raw = raw_kernel_throughput(config, train_data, embedding_dim)
    end_to_end = statistics.median(r["train_tokens_per_second"] for r in runs)

    result = {
        "benchmark": "imdb_default",
        "command": shlex.join([Path(sys.executable).name, "bench/imdb.py", *sys.argv[1:]]),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpu": benchlib.cpu_name(),
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "torch": torch.__version__,
            "lstm_sentiment": package_version(),
            "numpy": np.__version__,
        },
        "config": config.to_dict(),
        "runs": runs,
        "test_accuracy": summarise([r["test_accuracy"] for r in runs]),
        "test_macro_f1": summarise([r["test_macro_f1"] for r in runs]),
        "train_seconds": summarise([r["train_seconds"] for r in runs]),
        "wall_seconds": summarise([r["wall_seconds"] for r in runs]),
        "prediction": prediction,
        "efficiency": {
            "end_to_end_tokens_per_second": end_to_end,
            "raw_kernel_tokens_per_second": raw["tokens_per_second"],
            "ratio": end_to_end / raw["tokens_per_second"],
            "padding_share": raw["padding_share"],
        },
        "tfidf_baseline": baseline,
        "bar": {
            "test_accuracy_min_required": 0.90,
            "train_minutes_max": 15,
            "met": min(r["test_accuracy"] for r in runs) >= 0.90
            and max(r["train_seconds"] for r in runs) <= 15 * 60,
        },
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    write_readme_table(result)
    if args.ship_default:
        ship_default(Path(first["model_dir"]), result)
    print(json.dumps({k: result[k] for k in ("test_accuracy", "efficiency", "bar")}, indent=2))


if __name__ == "__main__":
    main()
