"""Should a model read misspelt words (``text.typo_distance = 1``)? Measured on validation data.

The bundle is scored twice, as it is and with the typo reading on (a copy whose configuration
differs in that one setting): on the validation reviews (its own held-out split of IMDB train,
accuracy and log loss), on the everyday study's validation sets (``everyday_finetune.py``:
sentences of the validation reviews, held-out tweets and snippets, negated copies, intensity
triplets), on typo copies of the confident validation sentences: the first sentiment word
of at least five letters (VADER's lexicon) takes one seeded random edit (a letter dropped,
doubled, swapped with the next or replaced) that leaves the vocabulary, and on mention copies
of the held-out tweets: each behind ``RT @handle:``, a seeded handle of the training tweets (a
name must not move a prediction; the typo reading leaves @mentions alone). The choice is made
on these numbers, never on the suite or test.

    python bench/everyday_typos.py --data ../shared/data/aclImdb.tar.gz \\
        --model src/lstm_sentiment/pretrained/default --study runs/everyday_finetune
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shlex
import shutil
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import benchlib
from everyday_counterfactual import DEFAULT_MARGIN, MIN_VALENCE, WORD, vader_lexicon
from everyday_finetune import held_out_scores
from everyday_study_data import study_data
from imdb_best_steps import Steps

NAME = "everyday_typos"
MIN_TYPO_WORD = 5
"""Only sentiment words this long are misspelt (shorter ones have too many neighbours)."""
SEED = 0
LETTERS = "abcdefghijklmnopqrstuvwxyz"
MENTION = re.compile(r"(?<![\w@])@[A-Za-z0-9_]+")
POSITIVE = "positive"


def misspell(word: str, rng: random.Random) -> str:
    """``word`` with one random edit: a letter dropped, doubled, swapped with the next or
    replaced."""
    i = rng.randrange(1, len(word) - 1)  # the first letter stays, as in most typos
    edit = rng.choice(("drop", "double", "swap", "replace"))
    if edit == "drop":
        return word[:i] + word[i + 1 :]
    if edit == "double":
        return word[: i + 1] + word[i:]
    if edit == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + rng.choice(LETTERS.replace(word[i], "")) + word[i + 1 :]


def typo_copies(
    rows: list[tuple[str, str, float]],
    lexicon: Mapping[str, float],
    known: Callable[[str], bool],
    seed: int = SEED,
) -> list[tuple[str, str, str]]:
    """(source, typo copy, label) for every confident (text, label, p_positive) row whose first
    sentiment word of :data:`MIN_TYPO_WORD` letters can be misspelt out of the vocabulary
    (``known`` tells whether a word has an id)."""
    rng = random.Random(seed)
    copies = []
    for text, label, p_positive in rows:
        if abs(p_positive - 0.5) < DEFAULT_MARGIN:
            continue
        for match in WORD.finditer(text):
            word = match.group()
            if len(word) < MIN_TYPO_WORD or abs(lexicon.get(word.lower(), 0.0)) < MIN_VALENCE:
                continue
            typo = misspell(word, rng)
            if not known(typo.lower()):
                copies.append((text, text[: match.start()] + typo + text[match.end() :], label))
            break
    return copies


def with_typo_reading(bundle: Path, folder: Path) -> Path:
    """A copy of ``bundle`` in ``folder`` with ``text.typo_distance = 1`` (manifest rewritten)."""
    from lstm_sentiment.bundle import write_manifest

    copy = folder / "typos_on"
    shutil.copytree(bundle, copy)
    config_path = copy / "config.json"
    header = json.loads(config_path.read_text())
    header["config"]["text"]["typo_distance"] = 1
    config_path.write_text(json.dumps(header, indent=2))
    write_manifest(copy)
    return copy


def mention_copies(texts: list[str], train_texts: list[str], seed: int = SEED) -> list[str]:
    """Each text behind ``RT @handle:``, the handle drawn (seeded) from ``train_texts``'
    @mentions."""
    handles = sorted({m.group() for text in train_texts for m in MENTION.finditer(text)})
    if not handles:
        raise ValueError("the training tweets hold no @mention to draw handles from")
    rng = random.Random(seed)
    return [f"RT {rng.choice(handles)}: {text}" for text in texts]


def mention_scores(model: Any, texts: list[str], copies: list[str]) -> dict[str, Any]:
    """How often a tweet keeps its label behind a handle, and the mean move of p(positive)."""
    import numpy as np

    column = list(model.labels).index(POSITIVE)
    alone = np.asarray(model.predict_proba(texts))[:, column]
    behind = np.asarray(model.predict_proba(copies))[:, column]
    return {
        "tweets": len(texts),
        "same_label": float(((alone >= 0.5) == (behind >= 0.5)).mean()),
        "mean_shift": float((behind - alone).mean()),
    }


def validation_reviews(bundle: Path, data: str) -> list[Any]:
    """The bundle's own validation split of ``data`` (its configuration's fraction and seed)."""
    from lstm_sentiment.config import RunConfig
    from lstm_sentiment.preparation import prepare_data

    config = RunConfig.from_dict(json.loads((bundle / "config.json").read_text())["config"])
    config.data.source, config.data.extra_train = data, []
    return prepare_data(config).validation


def review_scores(model: Any, examples: list[Any]) -> dict[str, Any]:
    """Accuracy and log loss on the validation reviews."""
    import numpy as np

    probabilities = np.asarray(model.predict_proba([ex.text for ex in examples]))
    truth = np.array([list(model.labels).index(str(ex.label)) for ex in examples])
    chosen = probabilities[np.arange(len(truth)), truth]
    return {
        "reviews": len(examples),
        "accuracy": float((probabilities.argmax(axis=1) == truth).mean()),
        "log_loss": float(-np.log(np.clip(chosen, 1e-12, 1.0)).mean()),
    }


def typo_scores(model: Any, copies: list[tuple[str, str, str]]) -> dict[str, Any]:
    """Accuracy on the sources and on their typo copies, and how often the two agree."""
    import numpy as np

    labels = np.asarray(model.labels)
    sources = labels[np.asarray(model.predict_proba([c[0] for c in copies])).argmax(axis=1)]
    typos = labels[np.asarray(model.predict_proba([c[1] for c in copies])).argmax(axis=1)]
    truth = np.array([c[2] for c in copies])
    return {
        "copies": len(copies),
        "source_accuracy": float((sources == truth).mean()),
        "typo_accuracy": float((typos == truth).mean()),
        "same_label": float((sources == typos).mean()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True, help="aclImdb tarball or folder")
    parser.add_argument("--model", required=True, help="a neural bundle folder")
    parser.add_argument("--study", required=True, help="everyday_finetune.py's work folder")
    args = parser.parse_args()
    import pandas as pd

    from lstm_sentiment.predict import SentimentModel

    study = Path(args.study)
    if not (study / "steps" / "sentences.json").is_file():
        parser.error(f"{study} holds no finished everyday study: run everyday_finetune.py first")
    files, validation, _ = study_data(args.data, Path(args.model), study, Steps(study, True), None)
    tweets = pd.read_csv(validation["tweets"], keep_default_na=False)["text"].tolist()
    train_tweets = pd.read_csv(files["tweets"], keep_default_na=False)["text"]
    mentioned = mention_copies(tweets, train_tweets.tolist())
    sentences = pd.read_csv(validation["sentences"], keep_default_na=False)
    confidence = pd.to_numeric(sentences["confidence"], errors="coerce").fillna(1.0)
    p_positive = confidence.where(sentences["label"] == "positive", 1 - confidence)
    rows = list(zip(sentences["text"], sentences["label"], p_positive, strict=True))
    vocabulary = set(json.loads((Path(args.model) / "vocab.json").read_text())["tokens"])
    copies = typo_copies(rows, vader_lexicon(), vocabulary.__contains__)
    reviews = validation_reviews(Path(args.model), args.data)
    settings: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as folder:
        on = with_typo_reading(Path(args.model), Path(folder))
        for name, path in (("typos_off", Path(args.model)), ("typos_on", on)):
            model = SentimentModel.load(path)
            settings[name] = {
                "validation_reviews": review_scores(model, reviews),
                "typo_copies": typo_scores(model, copies),
                "mention_copies": mention_scores(model, tweets, mentioned),
                **held_out_scores(str(path), validation),
            }
    result = {
        **benchlib.header(NAME),
        "command": shlex.join([sys.executable, *sys.argv]),
        "model": args.model,
        "typo_examples": [{"source": s, "typo": t} for s, t, _ in copies[:10]],
        "mention_examples": mentioned[:5],
        "settings": settings,
    }
    keys = ("typo_copies", "mention_copies")
    print(json.dumps({name: {k: scores[k] for k in keys} for name, scores in settings.items()}))
    print(f"results: {benchlib.write_results(NAME, result)}")


if __name__ == "__main__":
    main()
