"""Faithfulness and speed of explanations (a script, not a test).

Faithfulness (deletion, AOPC): for each text, delete the ``k`` tokens with the highest score
toward the predicted class (k = 1..10; their characters are cut from the raw text, which also
checks the offsets) and, separately, ``k`` tokens drawn at random among the tokens the model
read; re-predict and record the drop in the predicted class's probability. The curves are the
mean drops per ``k``; the bar is a drop with attributions at least twice the random one at
k = 5. Run on N IMDB test reviews and on N single sentences taken from other test reviews.

Speed: the median time to explain one short text and one 400-token review (``--threads``
torch threads, ``--steps`` integration steps).

Completeness (neural models): the first ``--path-texts`` reviews' integration paths are traced on
a fine grid and their gaps compared at each of ``--path-steps`` (:mod:`explain_path`).

    python bench/explain.py --data ../shared/data/aclImdb.tar.gz [--model BUNDLE] [--limit 1000]

Writes ``bench/results/explain.json``, ``bench/results/explain_aopc.png`` and the table in
``bench/README.md``. With ``--results OTHER.json`` (e.g. a quick ``--limit 50`` check) only that
file and a PNG beside it are written and the README is left alone.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

import benchlib
import explain_path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "aclImdb.tar.gz"
DEFAULT_RESULTS = benchlib.RESULTS_DIR / "explain.json"
LABEL_MAP = {"neg": "negative", "pos": "positive"}
K_MAX = 10
BAR_K = 5
BAR_RATIO = 2.0
BAR_SHORT_MS = 50.0
BAR_LONG_MS = 500.0
LONG_TOKENS = 400
CHUNK = 16
SENTENCE_WORDS = (6, 30)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|<br\s*/?>", re.IGNORECASE)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="aclImdb tarball or folder")
    parser.add_argument("--model", default=None, help="bundle (default: the shipped model)")
    parser.add_argument("--limit", type=int, default=1000, help="reviews (and sentences)")
    parser.add_argument("--steps", type=int, default=32, help="integration steps")
    parser.add_argument("--random-draws", type=int, default=3, help="random deletions per k")
    parser.add_argument("--threads", type=int, default=2, help="torch threads")
    parser.add_argument("--repeats", type=int, default=15, help="timed runs per speed test")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--path-texts", type=int, default=100, help="reviews whose integration path is traced"
    )
    parser.add_argument(
        "--path-steps",
        type=step_counts,
        default="32,256",
        help="integration steps compared on those reviews (comma-separated)",
    )
    parser.add_argument("--results", default=str(DEFAULT_RESULTS), help="results JSON path")
    return parser.parse_args(argv)


def step_counts(value: str) -> list[int]:
    """``--path-steps``: comma-separated positive integers."""
    try:
        counts = [int(part) for part in value.split(",")]
    except ValueError:
        counts = []
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError(f"{value!r}: give positive integers, e.g. 32,256")
    return counts


def sample_texts(data: str, limit: int, seed: int) -> tuple[list[str], list[str], list[str]]:
    """``limit`` test reviews, ``limit`` single sentences from other test reviews, and every
    test review (for the long timing text)."""
    from lstm_sentiment.config import DataConfig
    from lstm_sentiment.data import load_split

    texts = [ex.text for ex in load_split(data, "test", DataConfig(label_map=dict(LABEL_MAP)))]
    order = np.random.default_rng(seed).permutation(len(texts))
    reviews = [texts[i] for i in order[:limit]]
    sentences: list[str] = []
    for i in order[limit:]:
        for sentence in _SENTENCE_END.split(texts[i]):
            words = len(sentence.split())
            if SENTENCE_WORDS[0] <= words <= SENTENCE_WORDS[1]:
                sentences.append(sentence.strip())
                break
        if len(sentences) >= limit:
            break
    return reviews, sentences, texts


def without(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with the characters of ``spans`` replaced by one space each."""
    out, position = [], 0
    for start, end in sorted(spans):
        if start < position:
            start = position
        out.append(text[position:start])
        out.append(" ")
        position = max(position, end)
    out.append(text[position:])
    return "".join(out)


def deletion_drops(model: Any, explanation: Any, rng: np.random.Generator, draws: int) -> dict:
    """Drops of the predicted class's probability after deleting the top-k and random k."""
    label = explanation.label
    column = model.labels.index(label)
    scored = [t for t in explanation.tokens if t.scores is not None and t.end > t.start]
    if not scored:
        return {}
    ranked = sorted(scored, key=lambda t: -t.scores[label])
    variants, keys = [], []
    for k in range(1, K_MAX + 1):
        take = min(k, len(scored))
        variants.append(without(explanation.text, [(t.start, t.end) for t in ranked[:take]]))
        keys.append(("top", k))
        for _ in range(draws):
            chosen = rng.choice(len(scored), size=take, replace=False)
            spans = [(scored[i].start, scored[i].end) for i in chosen]
            variants.append(without(explanation.text, spans))
            keys.append(("random", k))
    variants = [v if v.strip() else "." for v in variants]  # deleting everything: no words left
    base = explanation.probabilities[label]
    probabilities = model.predict_proba(variants)[:, column]
    drops: dict[str, np.ndarray] = {"top": np.zeros(K_MAX), "random": np.zeros(K_MAX)}
    for (which, k), p in zip(keys, probabilities, strict=True):
        drops[which][k - 1] += (base - float(p)) / (1 if which == "top" else draws)
    return drops


def faithfulness(model: Any, texts: list[str], steps: int, draws: int, seed: int) -> dict:
    """Mean AOPC curves (attributions vs random), gaps and the bar at k = 5."""
    rng = np.random.default_rng(seed)
    top, random, gaps, relative = [], [], [], []
    started = time.perf_counter()
    explained: list[Any] = []
    for number in range(1, len(texts) + 1):
        if not explained:  # a few texts at a time: short ones are integrated together
            explained = model.explain(texts[number - 1 : number - 1 + CHUNK], steps=steps)[::-1]
        explanation = explained.pop()
        drops = deletion_drops(model, explanation, rng, draws)
        if drops:
            top.append(drops["top"])
            random.append(drops["random"])
        if explanation.completeness_gap is not None:
            gaps.append(explanation.completeness_gap)
            label = explanation.label
            total = abs(sum(t.scores[label] for t in explanation.tokens if t.scores is not None))
            relative.append(explanation.completeness_gap / max(total, 1e-6))
        if number % 100 == 0:
            print(
                f"  {number}/{len(texts)} texts, {time.perf_counter() - started:.0f}s", flush=True
            )
    top_curve = np.mean(top, axis=0)
    random_curve = np.mean(random, axis=0)
    ratio = (
        float(top_curve[BAR_K - 1] / random_curve[BAR_K - 1])
        if random_curve[BAR_K - 1] > 0
        else None
    )
    return {
        "texts": len(texts),
        "explained_with_tokens": len(top),
        "k": list(range(1, K_MAX + 1)),
        "drop_top_k": [round(float(x), 5) for x in top_curve],
        "drop_random_k": [round(float(x), 5) for x in random_curve],
        "aopc_top": float(top_curve.mean()),
        "aopc_random": float(random_curve.mean()),
        f"ratio_at_k{BAR_K}": ratio,
        "bar": f"drop with attributions >= {BAR_RATIO:g}x random at k={BAR_K}",
        "passes": ratio is not None and ratio >= BAR_RATIO,
        "completeness_gap_median": float(np.median(gaps)) if gaps else None,
        "completeness_gap_p90": float(np.percentile(gaps, 90)) if gaps else None,
        "relative_gap_median": float(np.median(relative)) if relative else None,
        "seconds": time.perf_counter() - started,
    }


def long_text(model: Any, texts: list[str]) -> str:
    """A review cut right after its 400th token (tokens of the model's tokenizer)."""
    tokenizer = getattr(model.scorer, "encoder", None)
    tokenizer = tokenizer.tokenizer if tokenizer is not None else model.scorer.tokenizer
    from lstm_sentiment.explain.offsets import locate_tokens

    for text in sorted(texts, key=len):
        if len(text.split()) < LONG_TOKENS * 0.8:
            continue
        tokens = locate_tokens(tokenizer, text)
        if len(tokens) >= LONG_TOKENS:
            return text[: tokens[LONG_TOKENS - 1].end]
    raise SystemExit(f"no test review has {LONG_TOKENS} tokens")


def median_ms(model: Any, text: str, steps: int, repeats: int) -> dict[str, float]:
    model.explain([text], steps=steps)  # warm-up
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        model.explain([text], steps=steps)
        timings.append((time.perf_counter() - started) * 1000)
    return {"median_ms": statistics.median(timings), "min_ms": min(timings), "runs": repeats}


def plot(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for axis, (name, title) in zip(
        axes, (("reviews", "IMDB test reviews"), ("short", "single sentences")), strict=True
    ):
        part = result[name]
        axis.plot(part["k"], part["drop_top_k"], marker="o", label="top-k attributed")
        axis.plot(part["k"], part["drop_random_k"], marker="s", label="random k")
        axis.set_title(f"{title} (n={part['texts']})")
        axis.set_xlabel("tokens deleted (k)")
        axis.grid(alpha=0.3)
    axes[0].set_ylabel("drop in predicted-class probability")
    axes[0].legend()
    figure.suptitle(f"Deletion curves ({result['method']}, {result['steps']} steps)")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def readme_lines(result: dict) -> list[str]:
    reviews, short, speed = result["reviews"], result["short"], result["speed"]
    ratio = f"ratio_at_k{BAR_K}"
    lines = [
        f"`{result['command']}` on {result['machine']['cpu']} ({result['date']}); model "
        f"{result['model']} ({result['method']}, {result['steps']} steps).",
        "",
        f"| texts | n | drop top-{BAR_K} | drop random {BAR_K} | ratio (bar ≥ {BAR_RATIO:g}) | "
        "AOPC top / random | median gap |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, part in (("IMDB reviews", reviews), ("single sentences", short)):
        gap = part["completeness_gap_median"]
        lines.append(
            f"| {name} | {part['texts']} | {part['drop_top_k'][BAR_K - 1]:.3f} | "
            f"{part['drop_random_k'][BAR_K - 1]:.3f} | {part[ratio] or 0:.1f}× "
            f"{'✅' if part['passes'] else '❌'} | {part['aopc_top']:.3f} / "
            f"{part['aopc_random']:.3f} | {'n/a' if gap is None else f'{gap:.2g}'} |"
        )
    lines += [
        "",
        f"Explain one short text: {speed['short']['median_ms']:.0f} ms median (bar "
        f"{BAR_SHORT_MS:.0f} ms); one {LONG_TOKENS}-token review: "
        f"{speed['long']['median_ms']:.0f} ms (bar {BAR_LONG_MS:.0f} ms), "
        f"{result['threads']} threads. Curves: `bench/results/explain_aopc.png`.",
    ]
    if result.get("path"):
        lines += ["", *explain_path.readme_lines(result["path"])]
    return lines


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    import torch

    from lstm_sentiment.predict import SentimentModel

    torch.set_num_threads(args.threads)
    result: dict[str, Any] = benchlib.header("explain")
    from importlib import metadata

    result["machine"]["captum"] = metadata.version("captum")
    model = SentimentModel.load(args.model)
    result |= {
        "model": args.model or "shipped default",
        "kind": model.kind,
        "steps": args.steps,
        "threads": args.threads,
        "limit": args.limit,
        "random_draws": args.random_draws,
        "deletion": "token characters cut from the raw text (replaced by a space), re-predicted",
    }
    reviews, sentences, every = sample_texts(args.data, args.limit, args.seed)
    result["method"] = model.explain([sentences[0]], steps=args.steps)[0].method
    print(f"faithfulness on {len(reviews)} reviews ...", flush=True)
    result["reviews"] = faithfulness(model, reviews, args.steps, args.random_draws, args.seed)
    print(f"faithfulness on {len(sentences)} sentences ...", flush=True)
    result["short"] = faithfulness(model, sentences, args.steps, args.random_draws, args.seed)
    if model.kind == "neural" and args.path_texts > 0:
        print(f"integration paths of {args.path_texts} reviews ...", flush=True)
        result["path"] = explain_path.roughness(model, reviews[: args.path_texts], args.path_steps)
    long = long_text(model, every)
    result["speed"] = {
        "short": {"text": sentences[0], **median_ms(model, sentences[0], args.steps, args.repeats)},
        "long": {"tokens": LONG_TOKENS, **median_ms(model, long, args.steps, args.repeats)},
    }
    result["speed"]["short"]["passes"] = result["speed"]["short"]["median_ms"] <= BAR_SHORT_MS
    result["speed"]["long"]["passes"] = result["speed"]["long"]["median_ms"] <= BAR_LONG_MS
    path = Path(args.results)
    path.parent.mkdir(parents=True, exist_ok=True)
    import json

    path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    png = path.with_name(path.stem + "_aopc.png")
    plot(result, png)
    if path.resolve() == DEFAULT_RESULTS.resolve():
        benchlib.replace_readme_section(
            "explain", "Explanations: faithfulness and speed", readme_lines(result)
        )
    print("\n".join(readme_lines(result)))
    print(f"wrote {path} and {png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
