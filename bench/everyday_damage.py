"""Does a damaged emoji move a prediction? Measured on the everyday study's held-out texts.

Exports often pass UTF-8 through a tool that writes ``?`` for the bytes 0x80-0x9F it cannot
map (the GOP tweets file is one: 3,824 of its 10,729 positive/negative tweets carry such
damage). An emoji ``F0 9F 98 82`` then arrives as ``F0 ? ? ?``. Read with a plain
``errors="replace"`` that is ``U+FFFD ? ? ?``: the model reads question marks, which
film reviews taught it to read as doubt. The project's reader (``data/encoding.py``) takes the
stand-ins as part of the broken character (one U+FFFD, which the tokenizer skips).

Each held-out text (tweets, snippets, product texts of ``bench/everyday_finetune.py``'s study)
gets a seeded emoji at its end, damaged the same way, and is read both ways; the numbers say
how often the prediction keeps the undamaged text's label and how far p(positive) moves.

    python bench/everyday_damage.py --study runs/everyday_finetune
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path
from typing import Any

import numpy as np

import benchlib

NAME = "everyday_damage"
TITLE = "Damaged emoji"
SEED = 0
EMOJI = "😂😍😊👍🙏🔥😭😩😡👏💯🙄😒🎉❤️🤔😬👎😱🤣"
HELD_OUT = {
    "tweets": "tweets/tweets_validation.csv",
    "snippets": "snippets/snippets_validation.csv",
    "products": "products/products_validation.csv",
}
LOST_BYTES = range(0x80, 0xA0)
"""The bytes a lossy transcoding wrote as ``?``."""


def damage(text: str) -> bytes:
    """``text`` as UTF-8 with every byte 0x80-0x9F written as ``?``."""
    return bytes(ord("?") if byte in LOST_BYTES else byte for byte in text.encode("utf-8"))


def damaged_copies(texts: list[str], seed: int = SEED) -> list[bytes]:
    """Each text with a seeded emoji appended, damaged."""
    rng = random.Random(seed)
    emoji = [e for e in EMOJI if not 0xFE00 <= ord(e) <= 0xFE0F]  # whole characters only
    return [damage(f"{text} {rng.choice(emoji)}") for text in texts]


def readings(copies: list[bytes]) -> dict[str, list[str]]:
    """The copies as a plain ``errors="replace"`` decode reads them, and as the project's
    reader does."""
    from lstm_sentiment.data.encoding import decode_replacing

    return {
        "plain replace": [raw.decode("utf-8", errors="replace") for raw in copies],
        "project reader": [decode_replacing(raw, "utf-8") for raw in copies],
    }


def scores(model: Any, texts: list[str], labels: list[str], copies: list[bytes]) -> dict:
    """Accuracy of the texts and of each reading of their damaged copies; how often a copy
    keeps its text's predicted label; mean change of p(positive)."""
    positive = model.labels.index("positive")
    original = model.predict_proba(texts)[:, positive]
    truth = np.asarray(labels) == "positive"
    accuracy = float(((original >= 0.5) == truth).mean())
    out: dict[str, Any] = {"texts": len(texts), "accuracy": accuracy}
    for name, read in readings(copies).items():
        p = model.predict_proba(read)[:, positive]
        out[name] = {
            "accuracy": float(((p >= 0.5) == truth).mean()),
            "same_label": float(((p >= 0.5) == (original >= 0.5)).mean()),
            "mean_change": float((p - original).mean()),
            "example": read[0],
        }
    return out


def table(sets: dict[str, dict[str, Any]]) -> list[str]:
    lines = [
        "| held-out texts | n | accuracy | reading | accuracy of damaged copies | same label "
        "| mean change of p(positive) |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, got in sets.items():
        for reading in ("plain replace", "project reader"):
            row = got[reading]
            lines.append(
                f"| {name} | {got['texts']:,} | {got['accuracy']:.4f} | {reading} | "
                f"{row['accuracy']:.4f} | {row['same_label']:.4f} | {row['mean_change']:+.3f} |"
            )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--study", required=True, help="bench/everyday_finetune.py's work folder")
    parser.add_argument(
        "--model", default=str(benchlib.ROOT / "src/lstm_sentiment/pretrained/default")
    )
    args = parser.parse_args()
    study = Path(args.study)
    missing = [str(study / f) for f in HELD_OUT.values() if not (study / f).is_file()]
    if missing:
        parser.error(f"{missing[0]} does not exist: run bench/everyday_finetune.py's data steps")
    import pandas as pd

    from lstm_sentiment.predict import SentimentModel

    model = SentimentModel.load(args.model)
    sets = {}
    for name, file in HELD_OUT.items():
        rows = pd.read_csv(study / file, keep_default_na=False)
        texts, labels = rows["text"].tolist(), rows["label"].tolist()
        sets[name] = scores(model, texts, labels, damaged_copies(texts))
    lines = table(sets)
    print("\n".join(lines))
    result = {**benchlib.header(NAME), "model": args.model, "sets": sets}
    path = benchlib.write_results(NAME, result)
    note = (
        f"`{result['command']}` ({result['date']}, {result['machine']['cpu']}). Each held-out "
        "text with a seeded emoji appended, its bytes 0x80-0x9F written as `?` (the GOP file's "
        'damage); "same label": the copy keeps the undamaged text\'s predicted label.'
    )
    benchlib.replace_readme_section(NAME, TITLE, [*lines, "", note])
    print(f"results: {path}")


if __name__ == "__main__":
    main()
