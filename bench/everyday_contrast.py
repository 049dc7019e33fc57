"""Contrast pairs for issue 18: two confident short sentences of opposite labels joined so that
the later clause decides ("The plot was dull, but the cast is superb.").

The joined text takes the later sentence's probability of positive shrunk toward one half
(the earlier clause still counts a little). Sources carry no contrast word already and no
question; each source sentence is used once at most; nothing written equals (after
normalisation) a GOP tweet or a behavioural-suite text. Like ``everyday_counterfactual.py``
this is data, not a rule: the model must learn what "but" and "although" do.

    python bench/everyday_contrast.py --source runs/everyday_finetune/sentences_soft.csv \\
        --output runs/everyday_finetune/contrast.csv
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from everyday_counterfactual import read_soft_rows, soft_frame, source_problem
from everyday_tweets import GOP_FILE, SUITE_FILE, forbidden_texts, normalised, write_atomic

CONTRAST = re.compile(r"(?i)\b(?:but|although|though|however|yet|while|whereas|despite)\b")
TEMPLATES = ("{A}, but {b}", "{A} but {b}", "Although {a}, {b}", "{A}. However, {b}")
"""How the earlier sentence ``a`` and the later one ``b`` are joined (``A``: ``a`` capitalised)."""
LOWER_STARTS = frozenset(
    [
        "the",
        "this",
        "that",
        "these",
        "those",
        "it",
        "its",
        "it's",
        "a",
        "an",
        "my",
        "our",
        "your",
        "his",
        "her",
        "their",
        "we",
        "they",
        "you",
        "he",
        "she",
        "there",
        "everything",
        "everyone",
    ]
)
"""First words lower-cased inside a joined sentence; any other first word (a name) keeps its
case."""
NOT_STARTS = frozenset(
    ["and", "or", "so", "because", "also", "just", "then", "which", "who", "plus"]
)
"""A sentence that opens with one of these leans on the one before it: not a clause here."""
MAX_WORDS = 15
MARGIN = 0.3
"""Sources must be at least this far from one half."""
SHRINK = 0.8
"""The joined text's label: the later sentence's, this much of its distance from one half."""
DEFAULT_PAIRS = 10_000
SEED = 0


def clause(text: str) -> str | None:
    """The sentence as a clause (no end punctuation, a common first word lower-cased), or
    ``None`` when it cannot be one."""
    text = text.strip()
    if not text.endswith((".", "!")) or CONTRAST.search(text) or "?" in text:
        return None
    body = text.rstrip(".!").strip()
    words = body.split()
    if not 3 <= len(words) <= MAX_WORDS:
        return None
    first = words[0].lower()
    if first in NOT_STARTS or not first[0].isalpha():
        return None
    if first in LOWER_STARTS:
        body = body[0].lower() + body[1:]
    return body


def join(a: str, b: str, template: str) -> str:
    """Clauses ``a`` then ``b`` joined by ``template``, as one sentence."""
    return template.format(a=a, A=a[0].upper() + a[1:], b=b) + "."


def contrast_pairs(
    rows: Sequence[tuple[str, float]],
    forbidden: set[str],
    pairs: int = DEFAULT_PAIRS,
    seed: int = SEED,
) -> list[tuple[str, float]]:
    """(text, p_positive): ``pairs`` joined texts, half ending positive and half negative."""
    rng = random.Random(seed)
    clauses: dict[bool, list[tuple[str, float]]] = {True: [], False: []}
    for text, p_positive in rows:
        if abs(p_positive - 0.5) >= MARGIN and (body := clause(text)) is not None:
            clauses[p_positive > 0.5].append((body, p_positive))
    for side in clauses.values():
        rng.shuffle(side)
    written: list[tuple[str, float]] = []
    for k in range(min(pairs, len(clauses[True]), len(clauses[False]))):
        later_positive = k % 2 == 0
        (a, _), (b, p_b) = clauses[not later_positive][k], clauses[later_positive][k]
        text = join(a, b, rng.choice(TEMPLATES))
        if normalised(text) in forbidden:
            continue
        written.append((text, 0.5 + SHRINK * (p_b - 0.5)))
    return written


def contrast_data(sources: list[Path], output: Path, pairs: int = DEFAULT_PAIRS) -> dict[str, Any]:
    """Write ``output`` (text, label, p_negative, p_positive) from soft-labelled CSVs."""
    rows = read_soft_rows(sources)
    frame = soft_frame(contrast_pairs(rows, forbidden_texts(GOP_FILE, SUITE_FILE), pairs))
    output.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(frame, output)
    return {
        "sources": [str(path) for path in sources],
        "source_rows": len(rows),
        "pairs": len(frame),
        "positive_share": float((frame["p_positive"] >= 0.5).mean()),
        "shrink": SHRINK,
        "margin": MARGIN,
        "file": str(output),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", action="append", required=True, help="soft-labelled CSV")
    parser.add_argument("--output", required=True, help="the CSV to write")
    parser.add_argument("--pairs", type=int, default=DEFAULT_PAIRS)
    args = parser.parse_args()
    sources = [Path(source) for source in args.source]
    if problem := next(filter(None, map(source_problem, sources)), None):
        parser.error(problem)
    print(json.dumps(contrast_data(sources, Path(args.output), args.pairs), indent=2))


if __name__ == "__main__":
    main()
