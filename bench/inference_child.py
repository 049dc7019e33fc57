"""One system of bench/inference.py, measured in its own process (so imports, memory and thread
pools never mix): accuracy, batch texts/s, single-text latency; or ``--cold``: load and predict
one sentence, the cold start of systems without a command line.

    python bench/inference_child.py --system onnx-fp32 --threads 2 --work WORK --model BUNDLE
    python bench/inference_child.py --cold tfidf-lr --work WORK --model BUNDLE

WORK holds the texts prepared by bench/inference.py (``test.json``, ``train.json``,
``latency.json``); results go to ``WORK/result-<system>-<threads>.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

WARMUP_CALLS = 50
LATENCY_CALLS = 1000
BATCH_PASSES = 3
TFIDF_C = 64.0
"""The C that bench/imdb.py chose on validation for TF-IDF + LR (bench/results/imdb.json)."""
ONE_SENTENCE = "one sentence"


def clean_for_fasttext(text: str) -> str:
    return " ".join(text.replace("<br />", " ").lower().split())


def set_threads(threads: int) -> None:
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[name] = str(threads)


def ours(system: str, model: str, threads: int | None) -> Callable[[list[str]], np.ndarray]:
    """Positive-class probability of each text, by one of this package's runtimes."""
    from lstm_sentiment.predict import SentimentModel

    if system.startswith("onnx"):
        loaded = SentimentModel.load(model, "onnx", precision=system[5:], threads=threads)
    else:
        loaded = SentimentModel.load(model, "torch", threads=threads)
    if system == "torch-int8":
        import warnings

        import torch
        from torch import nn

        bundle = loaded.bundle
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch.ao.quantization is deprecated (torchao)
            bundle.model = torch.ao.quantization.quantize_dynamic(
                bundle.model, {nn.LSTM, nn.Linear}, dtype=torch.qint8
            )
    positive = loaded.labels.index("positive")
    return lambda texts: loaded.predict_proba(texts)[:, positive]


def tfidf(work: Path, train: bool) -> Callable[[list[str]], np.ndarray]:
    path = work / "tfidf-lr.pkl"
    if train:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        data = json.loads((work / "train.json").read_text())
        pipeline = make_pipeline(
            TfidfVectorizer(ngram_range=(1, 2), min_df=2, max_df=0.95, sublinear_tf=True),
            LogisticRegression(C=TFIDF_C, max_iter=2000),
        )
        pipeline.fit(data["texts"], data["labels"])
        path.write_bytes(pickle.dumps(pipeline))
    pipeline = pickle.loads(path.read_bytes())  # our own file, written just above
    column = list(pipeline.classes_).index("positive")
    return lambda texts: pipeline.predict_proba(texts)[:, column]


def fasttext_model(work: Path, train: bool) -> Callable[[list[str]], np.ndarray]:
    import fasttext

    path = work / "fasttext.bin"
    if train:
        data = json.loads((work / "train.json").read_text())
        source = work / "fasttext-train.txt"
        lines = [
            f"__label__{label} {clean_for_fasttext(text)}\n"
            for text, label in zip(data["texts"], data["labels"], strict=True)
        ]
        random.Random(0).shuffle(lines)  # the readers give one class after the other
        source.write_text("".join(lines))
        fasttext.train_supervised(str(source), wordNgrams=2, epoch=10, verbose=0).save_model(
            str(path)
        )
    model = fasttext.load_model(str(path))

    def score(texts: list[str]) -> np.ndarray:
        labels, probabilities = model.predict([clean_for_fasttext(t) for t in texts], k=1)
        return np.array(
            [
                p[0] if lb[0] == "__label__positive" else 1 - p[0]
                for lb, p in zip(labels, probabilities, strict=True)
            ]
        )

    return score


def vader() -> Callable[[list[str]], np.ndarray]:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()
    return lambda texts: np.array(
        [(analyzer.polarity_scores(t)["compound"] + 1) / 2 for t in texts]
    )


def scorer(system: str, work: Path, model: str, threads: int | None, train: bool) -> Callable:
    if system == "tfidf-lr":
        return tfidf(work, train)
    if system == "fasttext":
        return fasttext_model(work, train)
    if system == "vader":
        return vader()
    return ours(system, model, threads)


def latency(score: Callable[[list[str]], Any], texts: list[str]) -> dict[str, float]:
    """p50 and p99 in ms of one-text calls, after a warm-up."""
    for text in texts[:WARMUP_CALLS]:
        score([text])
    times = []
    for i in range(LATENCY_CALLS):
        started = time.perf_counter()
        score([texts[i % len(texts)]])
        times.append((time.perf_counter() - started) * 1000)
    quantiles = np.percentile(times, [50, 99])
    return {"p50_ms": round(float(quantiles[0]), 3), "p99_ms": round(float(quantiles[1]), 3)}


def measure(args: argparse.Namespace) -> dict[str, Any]:
    work = Path(args.work)
    started = time.perf_counter()
    score = scorer(args.system, work, args.model, args.threads, train=True)
    load_seconds = time.perf_counter() - started
    test = json.loads((work / "test.json").read_text())
    texts, labels = test["texts"], np.array(test["labels"]) == "positive"
    score(texts[:200])  # warm-up
    passes, positive = [], np.array([])
    for _ in range(BATCH_PASSES):
        started = time.perf_counter()
        positive = np.asarray(score(texts))
        passes.append(time.perf_counter() - started)
    seconds = statistics.median(passes)
    short = json.loads((work / "latency.json").read_text())
    return {
        "system": args.system,
        "threads": args.threads,
        "load_or_train_seconds": round(load_seconds, 3),
        "accuracy": round(float(((positive >= 0.5) == labels).mean()), 5),
        "texts": len(texts),
        "batch_seconds": round(seconds, 3),
        "batch_texts_per_second": round(len(texts) / seconds, 1),
        "latency_short": latency(score, short["short"]),
        "latency_review140": latency(score, short["review140"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--system")
    parser.add_argument("--cold", help="load SYSTEM and predict one sentence (cold start)")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--work", required=True)
    parser.add_argument("--model", required=True)
    args = parser.parse_args()
    if args.threads:
        set_threads(args.threads)
    if args.cold:
        score = scorer(args.cold, Path(args.work), args.model, args.threads, train=False)
        print(float(score([ONE_SENTENCE])[0]))
        return
    result = measure(args)
    out = Path(args.work) / f"result-{args.system}-{args.threads}.json"
    out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
