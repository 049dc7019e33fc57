"""Neutral context for issue 18: a sentence beside a neutral one keeps its label.

"The room was dirty." and "We got there on a Sunday. The room was dirty." say the same thing,
but a model that pools over the whole text can let the factual sentence pull its answer toward
one half. This builder pairs each confident short sentence with a copy that has a neutral
sentence before or after it, at the source's own label.

Neutral sentences come from the sentences of the IMDB reviews (training reviews for training,
validation reviews for scoring): plain, four to :data:`MAX_NEUTRAL_WORDS` words, ending in a full
stop, with no word of VADER's lexicon, no modal verb or word of a verdict, not leaning on the
sentence before it ("And then ..."), and read within :data:`NEUTRAL_MARGIN` of one half by
the base model ("The film was shot in Toronto.", "I saw it with my brother."). Like the other
builders this is data, not a rule. Nothing written equals (after normalisation) a GOP tweet or
a behavioural-suite text.

    python bench/everyday_context.py --data ../shared/data/aclImdb.tar.gz \\
        --base runs/previous_default --neutral-output runs/everyday_finetune/neutral
    python bench/everyday_context.py --source runs/everyday_finetune/sentences_soft.csv \\
        --neutral runs/everyday_finetune/neutral/neutral_train.csv \\
        --output runs/everyday_finetune/context.csv
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import everyday_counterfactual as cf
from everyday_contrast import NOT_STARTS
from everyday_frames import plain_sentence
from everyday_tweets import GOP_FILE, SUITE_FILE, forbidden_texts, write_atomic

MIN_NEUTRAL_WORDS = 5
MAX_NEUTRAL_WORDS = 14
NEUTRAL_MARGIN = 0.1
"""A neutral sentence reads within this of one half by the base model."""
LEANING_STARTS = NOT_STARTS | {"if", "but", "yet", "again", "anyway", "besides"}
"""First words of a sentence that leans on the one before it."""
JUDGING_WORDS = frozenset(
    [
        *("should", "would", "could", "must", "might", "ought", "shouldn't", "wouldn't"),
        *("vote", "votes", "rating", "rated", "rate", "stars", "star", "score", "grade"),
        *("recommend", "recommended", "worth"),
    ]
)
"""Modal verbs (a wish or a regret: "It should have been shorter.") and words of a verdict ("My
vote is three."): such sentences judge without a lexicon word."""
MAX_SOURCE_WORDS = 12
"""Sources of at most this many words: the short texts people type."""
DEFAULT_PAIRS = 10_000
BEFORE_SHARE = 0.5
"""How often the neutral sentence comes first (else it follows the source)."""
ENDINGS = (".", "!")


def neutral_candidate(text: str, lexicon: Mapping[str, float]) -> bool:
    """Whether ``text`` could be a neutral sentence: one plain declarative sentence of
    :data:`MIN_NEUTRAL_WORDS`..:data:`MAX_NEUTRAL_WORDS` words, capitalised, ending in a full
    stop, with no word of the lexicon (before the base model is asked)."""
    body = text.strip()
    if not body[:1].isupper() or not body.endswith(".") or not plain_sentence(body):
        return False
    if any(mark in body for mark in ('"', "(", ")", ":", ";", "--", "...", "$")):
        return False
    words = [word.lower() for word in cf.WORD.findall(body)]
    if not MIN_NEUTRAL_WORDS <= len(words) <= MAX_NEUTRAL_WORDS or words[0] in LEANING_STARTS:
        return False
    if JUDGING_WORDS.intersection(words):
        return False
    return not any(word in lexicon or word.strip("'") in lexicon for word in words)


def source_sentence(text: str) -> str | None:
    """``text`` as a short source (stripped), or ``None`` when it is not one plain sentence of
    at most :data:`MAX_SOURCE_WORDS` words ending in a full stop or an exclamation mark."""
    body = text.strip()
    if not body.endswith(ENDINGS) or "?" in body or not body[:1].isupper():
        return None
    if any(mark in body[:-1] for mark in (". ", "! ")):
        return None
    return body if 2 <= len(cf.WORD.findall(body)) <= MAX_SOURCE_WORDS else None


def context_pairs(
    rows: Sequence[tuple[str, float]],
    neutrals: Sequence[str],
    forbidden: set[str],
    pairs: int = DEFAULT_PAIRS,
    seed: int = cf.SEED,
) -> list[tuple[str, float]]:
    """(text, p_positive) rows: a confident short source, then its copy beside a neutral
    sentence at the same label; at most ``pairs`` pairs, the sources in a seeded order."""
    rng = random.Random(seed)
    if not neutrals:
        return []
    order = list(range(len(rows)))
    rng.shuffle(order)

    def make(text: str, p_positive: float) -> cf.Counterfactual | None:
        body = source_sentence(text)
        if body is None:
            return None
        neutral = rng.choice(neutrals).strip()
        joined = f"{neutral} {body}" if rng.random() < BEFORE_SHARE else f"{body} {neutral}"
        return cf.Counterfactual(body, joined, p_positive)

    written: list[tuple[str, float]] = []
    for start in range(0, len(order), pairs):
        chunk = [rows[i] for i in order[start : start + pairs]]
        written += cf.paired(chunk, make, forbidden)
        if len(written) >= 2 * pairs:
            break
    return written[: 2 * pairs]


def read_neutrals(path: Path) -> list[str]:
    import pandas as pd

    return pd.read_csv(path, keep_default_na=False)["text"].astype(str).tolist()


def context_data(
    sources: list[Path], output: Path, neutral_csv: Path, pairs: int = DEFAULT_PAIRS
) -> dict[str, Any]:
    """Write ``output`` (text, label, p_negative, p_positive: each source, then its copy with
    neutral context) and ``<output stem>_negated.csv`` (the copies alone, the name every pair
    builder uses) from soft-labelled CSVs and a file of neutral sentences."""
    rows = cf.read_soft_rows(sources)
    neutrals = read_neutrals(neutral_csv)
    made = context_pairs(rows, neutrals, forbidden_texts(GOP_FILE, SUITE_FILE), pairs)
    _, record = cf.pairs_record(sources, len(rows), made, output)
    return {**record, "neutral_file": str(neutral_csv), "neutral_sentences": len(neutrals)}


def neutral_rows(
    texts: Sequence[str], lexicon: Mapping[str, float], read_positive: Any
) -> list[tuple[str, float]]:
    """(text, p_positive) of the distinct neutral candidates among ``texts`` that
    ``read_positive`` (texts → p(positive) array) reads within :data:`NEUTRAL_MARGIN` of one
    half."""
    candidates = list(dict.fromkeys(t.strip() for t in texts if neutral_candidate(t, lexicon)))
    if not candidates:
        return []
    positive = read_positive(candidates)
    return [
        (text, round(float(p), 4))
        for text, p in zip(candidates, positive, strict=True)
        if abs(float(p) - 0.5) <= NEUTRAL_MARGIN
    ]


def neutral_data(data: str, base: Path, output: Path, config: Path) -> dict[str, Any]:
    """Write ``neutral_train.csv`` (from the training reviews) and ``neutral_validation.csv``
    (from the validation reviews, carved as ``config`` carves them) under ``output``."""
    import pandas as pd

    from everyday_data import imdb_parts
    from lstm_sentiment.predict import SentimentModel

    model = SentimentModel.load(str(base))
    positive = list(model.labels).index("positive")

    def read_positive(texts: list[str]) -> Any:
        return model.predict_proba(texts)[:, positive]

    lexicon = cf.vader_lexicon()
    parts = imdb_parts(data, config, 0)
    output.mkdir(parents=True, exist_ok=True)
    record: dict[str, Any] = {"base": str(base), "margin": NEUTRAL_MARGIN}
    for name, origin in (("train", "train"), ("validation", "validation")):
        texts = [s.text for s in parts[name] if s.origin == origin]
        rows = neutral_rows(texts, lexicon, read_positive)
        path = output / f"neutral_{name}.csv"
        write_atomic(pd.DataFrame(rows, columns=["text", "p_positive"]), path)
        record[name] = str(path)
        record[f"{name}_sentences_read"] = len(texts)
        record[f"{name}_rows"] = len(rows)
    return record


def context_scores(model: Any, pairs: Any) -> dict[str, Any]:
    """A model's (anything with ``labels`` and ``predict_proba``) reading of the pairs frame
    (source, copy, source, copy ...): accuracy on the copies, how often a copy keeps the
    source's predicted label (the suite's invariance), and the mean shift in p(positive)."""
    import numpy as np

    texts = pairs["text"].tolist()
    positive = list(model.labels).index("positive")
    p = np.asarray(model.predict_proba(texts), dtype=np.float64)[:, positive]
    source, copy = p[0::2], p[1::2]
    truth = (pairs["p_positive"].to_numpy()[1::2]) >= 0.5
    return {
        "copies": len(copy),
        "accuracy": float(((copy >= 0.5) == truth).mean()) if len(copy) else 0.0,
        "source_accuracy": float(((source >= 0.5) == truth).mean()) if len(copy) else 0.0,
        "kept_label": float(((copy >= 0.5) == (source >= 0.5)).mean()) if len(copy) else 0.0,
        "mean_shift_toward_half": float((np.abs(source - 0.5) - np.abs(copy - 0.5)).mean())
        if len(copy)
        else 0.0,
    }


def context_accuracy(model_dir: str, pairs_csv: str) -> dict[str, Any]:
    """:func:`context_scores` of a bundle."""
    import pandas as pd

    from lstm_sentiment.predict import SentimentModel

    rows = pd.read_csv(pairs_csv, keep_default_na=False)
    return context_scores(SentimentModel.load(model_dir), rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", action="append", help="soft-labelled CSV (pairs)")
    parser.add_argument("--neutral", help="neutral sentences CSV (pairs)")
    parser.add_argument("--output", help="the pairs CSV to write")
    parser.add_argument("--pairs", type=int, default=DEFAULT_PAIRS)
    parser.add_argument("--data", help="aclImdb tarball or folder (neutral sentences)")
    parser.add_argument("--base", help="the bundle that reads the neutral candidates")
    parser.add_argument("--neutral-output", help="folder for the neutral sentence files")
    args = parser.parse_args()
    if args.neutral_output:
        from everyday_recipe import CONFIG

        if not (args.data and args.base):
            parser.error("--neutral-output needs --data (aclImdb) and --base (a bundle)")
        if not (Path(args.base) / "config.json").is_file():
            parser.error(f"{args.base} is not a model bundle: give --base a saved model folder")
        record = neutral_data(args.data, Path(args.base), Path(args.neutral_output), CONFIG)
        print(json.dumps(record, indent=2))
        return
    if not (args.source and args.neutral and args.output):
        parser.error("give --source, --neutral and --output (or --neutral-output)")
    sources = [Path(source) for source in args.source]
    if problem := next(filter(None, map(cf.source_problem, sources)), None):
        parser.error(problem)
    if not Path(args.neutral).is_file():
        parser.error(f"{args.neutral} does not exist: build it with --neutral-output first")
    record = context_data(sources, Path(args.output), Path(args.neutral), args.pairs)
    print(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
