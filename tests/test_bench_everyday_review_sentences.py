"""bench/everyday_review_sentences.py: sentences of the training reviews at their review's
label (the benchmark's length rule, a seeded sample, sure soft labels) and every validation
sentence; bad arguments are one-line usage errors."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from conftest import bench_module

LONG = " ".join(["word"] * 41) + "."


@pytest.fixture(scope="module")
def review_sentences():
    return bench_module("everyday_review_sentences")


@dataclass(frozen=True)
class Review:
    text: str
    label: str
    group: str = "tt0"


def train_rows(count: int = 12) -> list[tuple[str, str]]:
    labels = ["positive", "negative"] * count
    return [(f"Sentence number {i} of a review kept here.", labels[i]) for i in range(count)]


def test_every_sentence_of_the_benchmarks_length_keeps_its_reviews_label(
    review_sentences,
) -> None:
    reviews = [
        Review(f"Too short here. A sentence that is long enough to keep!<br />{LONG}", "positive"),
        Review("Another one long enough to count here? Yes it is surely long enough.", "negative"),
    ]
    assert review_sentences.benchmark_sized(reviews) == [
        ("A sentence that is long enough to keep!", "positive"),
        ("Another one long enough to count here?", "negative"),
        ("Yes it is surely long enough.", "negative"),
    ]


def test_other_films_drops_every_film_with_a_validation_review(review_sentences) -> None:
    fit = [Review("a", "positive", "tt1"), Review("b", "negative", "tt2"), Review("c", "x", "tt3")]
    validation = [Review("d", "positive", "tt2"), Review("e", "negative", "tt4")]
    kept = review_sentences.other_films(fit, validation)
    assert [review.group for review in kept] == ["tt1", "tt3"]


def test_both_files_are_written_with_sure_soft_labels(review_sentences, tmp_path: Path) -> None:
    validation = [("The validation review said this at length.", "negative")]
    record = review_sentences.write_review_sentences(
        train_rows(), validation, tmp_path, 100, 0, "other"
    )
    rows = pd.read_csv(record["train"])
    assert Path(record["train"]).name == "other_train.csv"
    assert len(rows) == record["train_rows"] == record["train_sentences_read"] == 12
    assert (rows["p_positive"] == (rows["label"] == "positive").astype(float)).all()
    assert (rows["p_negative"] + rows["p_positive"] == 1.0).all()
    assert record["train_positive_share"] == pytest.approx(0.5)
    assert pd.read_csv(record["validation"])["text"].tolist() == [validation[0][0]]


def test_the_training_sample_is_seeded_and_keeps_order(review_sentences, tmp_path: Path) -> None:
    def written(folder: str, seed: int) -> list[str]:
        record = review_sentences.write_review_sentences(
            train_rows(), [], tmp_path / folder, 5, seed
        )
        return pd.read_csv(record["train"])["text"].tolist()

    texts = written("a", 3)
    assert len(texts) == 5 and texts == written("b", 3) and texts != written("c", 4)
    numbers = [int(text.split()[2]) for text in texts]
    assert numbers == sorted(numbers)


def test_an_unknown_label_is_refused(review_sentences) -> None:
    with pytest.raises(ValueError, match="neutral"):
        review_sentences.labelled_frame([("A sentence.", "neutral")])


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--data", "{missing}", "--output", "{out}"], "does not exist"),
        (["--data", "{missing}", "--output", "{out}", "--train-sentences", "0"], "at least 1"),
        (["--output", "{out}"], "--data"),
    ],
)
def test_bad_arguments_are_a_one_line_usage_error(
    review_sentences, tmp_path: Path, monkeypatch, capsys, arguments: list[str], message: str
) -> None:
    paths = {"missing": tmp_path / "none.tar.gz", "out": tmp_path / "out"}
    argv = [argument.format(**paths) for argument in arguments]
    monkeypatch.setattr("sys.argv", ["everyday_review_sentences.py", *argv])
    with pytest.raises(SystemExit) as stopped:
        review_sentences.main()
    assert stopped.value.code == 2
    assert message in capsys.readouterr().err
    assert not paths["out"].exists()
