"""How much a text's probability depends on the batch it is scored in, per ONNX precision.

int8 quantises activations at run time with one scale per batch, so a text's probability can
move with the texts beside it; fp32 should not move. Scored alone (one call per text) and all
together (length-sorted batches), on IMDB test reviews and on short sentences cut from them:

    python bench/int8_batches.py --data ../shared/data/aclImdb.tar.gz
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

import benchlib

NAME = "int8_batches"
PRECISIONS = ("int8", "fp32")


def compare(model: Any, texts: list[str]) -> dict[str, Any]:
    """Largest, 99th-percentile and median change of p(positive), and labels that changed."""
    alone = np.concatenate([model.predict_proba([text]) for text in texts])
    batched = model.predict_proba(texts)
    change = np.abs(alone - batched).max(axis=1)
    return {
        "texts": len(texts),
        "max": round(float(change.max()), 5),
        "p99": round(float(np.percentile(change, 99)), 5),
        "median": round(float(np.median(change)), 6),
        "labels_changed": int((alone.argmax(1) != batched.argmax(1)).sum()),
    }


def main() -> None:
    from lstm_sentiment.config import DataConfig
    from lstm_sentiment.data import load_split
    from lstm_sentiment.predict import SentimentModel, default_model_path

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="aclImdb.tar.gz")
    parser.add_argument("--model", default=str(default_model_path()))
    parser.add_argument("--texts", type=int, default=2000, help="texts of each kind")
    args = parser.parse_args()
    test = load_split(
        args.data, "test", DataConfig(label_map={"neg": "negative", "pos": "positive"})
    )
    reviews = [ex.text for ex in test[:: max(1, len(test) // args.texts)]][: args.texts]
    short = [text for text, _ in benchlib.short_texts(test, seed=1)][: args.texts]
    result: dict[str, Any] = {**benchlib.header(NAME), "model": args.model, "precisions": {}}
    for precision in PRECISIONS:
        model = SentimentModel.load(args.model, runtime="onnx", precision=precision, threads=1)
        result["precisions"][precision] = {
            "reviews": compare(model, reviews),
            "short_texts": compare(model, short),
        }
        print(precision, result["precisions"][precision], flush=True)
    print(f"wrote {benchlib.write_results(NAME, result)}")


if __name__ == "__main__":
    main()
