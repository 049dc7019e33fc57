"""Coverage-guided fuzzing (atheris) of the entry points user input reaches: the CSV/TSV/JSONL
readers, the tokenizers and the bundle loader (see ``fuzz_targets.py``).

    pip install atheris==3.0.0
    python bench/fuzz.py --minutes 30                 # every target in turn, equal shares
    python bench/fuzz.py --minutes 5 --target bundle

A crash (an exception other than the project's one-line errors) stops the run and prints the
input; the summary (minutes, inputs tried per target, crashes) is written to
``bench/results/fuzz.json``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import header, write_results

SEEDS = {
    "table.csv": [b"text,label\ngreat film,positive\nawful,negative\n"],
    "table.tsv": [b"review\tsentiment\ngood\tpos\nbad\tneg\n"],
    "table.jsonl": [b'{"text": "great", "label": "positive"}\n{"text": "bad", "label": "n"}\n'],
    "tokenize": [b"RT @bob: sooo good!!! #MakeItGreat :) http://x.co 12.5", b"It wasn't bad."],
    "bundle": [b"\x00\x01\x01" + b"{}" * 8, b"\x03\x00\x00garbage"],
}


def tiny_bundle(root: Path) -> Path:
    """A tiny neural bundle trained on a toy CSV (the loader's fuzzing subject)."""
    from lstm_sentiment import pipeline
    from lstm_sentiment.config import RunConfig

    root.mkdir(parents=True, exist_ok=True)
    data = root / "toy.csv"
    rows = [f"{w} film {i},{lab}" for i in range(20) for w, lab in
            (("great", "positive"), ("awful", "negative"))]  # fmt: skip
    data.write_text("text,label\n" + "\n".join(rows) + "\n", encoding="utf-8")
    config = RunConfig().with_overrides(
        [f"data.source={data}", "vectors.source=none", "model.hidden_size=4", "train.epochs=1",
         "text.max_length=16", "text.max_vocab_size=50", "train.batch_size=8",
         "train.threads=1"]
    )  # fmt: skip
    return pipeline.train(config, root / "run").model_dir


COUNT_EVERY = 25
"""Inputs between two writes of the running count (libFuzzer ends the process at its deadline
without Python's clean-up, so the count is kept in a file)."""


def fuzz_one(name: str, seconds: float, count_file: Path) -> None:
    """Run one target under atheris for ``seconds`` (in its own process: atheris owns it)."""
    import logging

    import atheris

    logging.disable(logging.CRITICAL)  # the readers' warnings would drown the fuzzer's output
    with atheris.instrument_imports(include=["lstm_sentiment"]):
        from fuzz_targets import scratch_folder, targets

    workdir = scratch_folder()
    bundle = tiny_bundle(workdir / "model") if name == "bundle" else workdir
    target = targets(bundle, workdir)[name]
    corpus = workdir / "corpus"
    corpus.mkdir()
    for i, seed in enumerate(SEEDS[name]):
        (corpus / f"seed{i}").write_bytes(seed)
    count = 0

    def one_input(data: bytes) -> None:
        nonlocal count
        count += 1
        if count % COUNT_EVERY == 0:
            count_file.write_text(str(count), encoding="utf-8")
        target(data)

    flags = [f"-max_total_time={max(1, int(seconds))}", "-rss_limit_mb=4096", "-timeout=60"]
    atheris.Setup([sys.argv[0], str(corpus), *flags], one_input)
    atheris.Fuzz()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0, help="total fuzzing time")
    parser.add_argument("--target", choices=sorted(SEEDS), action="append", help="default: all")
    args = parser.parse_args()
    names = args.target or sorted(SEEDS)
    seconds = 60 * args.minutes / len(names)
    runs = []
    for name in names:
        count_file = Path(tempfile.mkdtemp(prefix="fuzz-count-")) / "count"
        process = multiprocessing.get_context("spawn").Process(
            target=fuzz_one, args=(name, seconds, count_file)
        )
        started = time.monotonic()
        process.start()
        process.join()
        inputs = int(count_file.read_text()) if count_file.is_file() else 0
        result = {"target": name, "inputs": inputs, "crashes": int(process.exitcode != 0)}
        result["exit_code"] = process.exitcode
        result["seconds"] = round(time.monotonic() - started, 1)
        runs.append(result)
        print(json.dumps(result), flush=True)
    summary = {
        **header("fuzz"),
        "minutes": args.minutes,
        "targets": runs,
        "inputs": sum(r.get("inputs") or 0 for r in runs),
        "crashes": sum(r["crashes"] for r in runs),
    }
    write_results("fuzz", summary)
    print(json.dumps({k: summary[k] for k in ("minutes", "inputs", "crashes")}))


if __name__ == "__main__":
    main()
