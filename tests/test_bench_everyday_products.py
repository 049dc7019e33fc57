"""bench/everyday_products.py: the labelled Amazon and Yelp sentences and the clothing reviews
are read from checked package files into soft-labelled rows, with a held-out tenth per domain;
a file with the wrong checksum stops with a message."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from conftest import bench_module


@pytest.fixture(scope="module")
def products():
    return bench_module("everyday_products")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


WORDS = [a + b for a in "abcde" for b in "fghij"]
"""Distinct words (texts that differ only in digits normalise to the same key)."""


def sentences_tarball(folder: Path, per_domain: int = 20) -> Path:
    path = folder / "sentiment-5.0.2.tgz"
    files = {
        "package/test/fixtures/amazon.json": [
            *(
                {"text": f"Phone case {WORDS[k]} is great.", "class": k % 2}
                for k in range(per_domain)
            ),
            {"text": "A row without a label."},
        ],
        "package/test/fixtures/yelp.json": [
            {"text": f"Dish {WORDS[k]} was tasty.", "class": k % 2} for k in range(per_domain)
        ],
        "package/test/fixtures/imdb.json": [{"text": "A film.", "class": 1}],
    }
    with tarfile.open(path, "w:gz") as archive:
        for name, items in files.items():
            data = json.dumps(items).encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def clothing_wheel(folder: Path, products) -> Path:
    reviews = pd.DataFrame(
        {
            "Title": ["Love it", "Runs small", "Meh", "Itchy", "Great fit", "Cute", None],
            "Review Text": [
                "Soft and warm.",
                "Way too tight in the chest.",
                "Fine.",
                " ".join(["itchy"] * (products.CLOTHING_MAX_WORDS + 1)),
                "Fits well.",
                "Adorable top.",
                "No title here but a text.",
            ],
            "Rating": [5, 1, 3, 2, 4, 5, 5],
            "Recommended IND": [1, 0, 1, 0, 1, 0, 1],
        }
    )
    buffer = io.BytesIO()
    reviews.to_parquet(buffer)
    path = folder / products.CLOTHING_WHEEL
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(products.CLOTHING_FILE, buffer.getvalue())
    return path


@pytest.fixture
def sources(products, tmp_path: Path, monkeypatch) -> tuple[Path, Path]:
    tarball, wheel = sentences_tarball(tmp_path), clothing_wheel(tmp_path, products)
    monkeypatch.setattr(products, "SENTENCES_SHA256", sha256(tarball))
    monkeypatch.setattr(products, "CLOTHING_SHA256", sha256(wheel))
    return tarball, wheel


def test_labelled_sentences_get_soft_labels_and_the_imdb_file_is_left_out(
    products, sources
) -> None:
    rows = products.sentence_rows(sources[0])
    assert {row["domain"] for row in rows} == {"phones", "restaurants"}
    assert len(rows) == 40  # the row without a label is skipped, the film file never read
    positive = next(row for row in rows if row["label"] == "positive")
    negative = next(row for row in rows if row["label"] == "negative")
    assert positive["p_positive"] == products.SENTENCE_P
    assert negative["p_positive"] == pytest.approx(1 - products.SENTENCE_P)


def test_clothing_rows_need_an_agreeing_recommendation_and_are_balanced(products, sources) -> None:
    rows = pd.DataFrame(products.clothing_rows(sources[1]))
    texts = set(rows["text"])
    assert "Meh" not in texts and "Fine." not in texts  # three stars
    assert "Cute" not in texts and "Adorable top." not in texts  # 5 stars, not recommended
    assert not any(text.startswith("itchy itchy") for text in texts)  # too long a text
    assert "Itchy" in texts and "Runs small" in texts
    for _, part in rows.groupby("domain"):
        assert (part["label"] == "positive").sum() == (part["label"] == "negative").sum()
    runs_small = rows[rows["text"] == "Runs small"].iloc[0]
    assert runs_small["p_positive"] == products.RATING_P[1]


def test_a_file_with_another_checksum_stops_with_what_to_do(products, tmp_path: Path) -> None:
    tarball = sentences_tarball(tmp_path)
    with pytest.raises(SystemExit, match="download it again"):
        products.sentence_rows(tarball)


def test_a_missing_local_file_is_a_one_line_usage_error(
    products, tmp_path: Path, monkeypatch, capsys
) -> None:
    missing = tmp_path / "sentiment-5.0.2.tgz"
    argv = ["everyday_products.py", "--output", str(tmp_path / "out")]
    monkeypatch.setattr("sys.argv", [*argv, "--sentences-tgz", str(missing)])
    with pytest.raises(SystemExit) as stopped:
        products.main()
    assert stopped.value.code == 2
    assert f"{missing} does not exist" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_product_data_holds_out_a_tenth_of_each_domain(products, sources, tmp_path) -> None:
    record = products.product_data(tmp_path / "out", *sources, None)
    train = pd.read_csv(record["train"])
    validation = pd.read_csv(record["validation"])
    assert record["train_rows"] == len(train) and record["validation_rows"] == len(validation)
    assert set(validation["domain"]) == {"phones", "restaurants"}  # 2 of 20 each; the rest < 10
    assert not set(train["text"]) & set(validation["text"])
    assert list(train.columns) == ["text", "label", "p_negative", "p_positive", "domain"]
