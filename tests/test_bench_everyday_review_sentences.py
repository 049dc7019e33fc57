"""bench/everyday_review_sentences.py: sentences of the training reviews at their review's
label (the benchmark's length rule, a seeded sample, sure soft labels) and every validation
sentence; bad arguments are one-line usage errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from conftest import bench_module

SHORT = "Too short to keep."
LONG = " ".join(["word"] * 41) + "."


@pytest.fixture(scope="module")
def review_sentences():
    return bench_module("everyday_review_sentences")


@pytest.fixture(scope="module")
def sentence_type():
    return bench_module("everyday_data").Sentence


def parts(sentence_type, train: int = 12) -> dict[str, list]:
    made = [
        sentence_type(f"Sentence number {i} of a review kept here.", label, "train")
        for i, label in zip(range(train), ["positive", "negative"] * train, strict=False)
    ]
    made += [
        sentence_type(SHORT, "positive", "train"),
        sentence_type(LONG, "negative", "train"),
        sentence_type("An unlabelled review's sentence of enough words.", None, "unsup"),
    ]
    validation = [
        sentence_type("The validation review said this at length.", "negative", "validation"),
        sentence_type("And this other sentence with enough words too.", "positive", "validation"),
        sentence_type(SHORT, "negative", "validation"),
    ]
    return {"train": made, "validation": validation}


def test_only_labelled_sentences_of_the_benchmarks_length_are_written(
    review_sentences, sentence_type, tmp_path: Path
) -> None:
    record = review_sentences.write_review_sentences(parts(sentence_type), tmp_path, 100, 0)
    train = pd.read_csv(record["train"])
    assert len(train) == record["train_rows"] == record["train_sentences_read"] == 12
    assert SHORT not in set(train["text"]) and LONG not in set(train["text"])
    assert not train["text"].str.contains("unlabelled").any()
    validation = pd.read_csv(record["validation"])
    assert validation["text"].tolist() == [
        "The validation review said this at length.",
        "And this other sentence with enough words too.",
    ]
    assert validation["label"].tolist() == ["negative", "positive"]


def test_labels_are_sure_soft_labels(review_sentences, sentence_type, tmp_path: Path) -> None:
    record = review_sentences.write_review_sentences(parts(sentence_type), tmp_path, 100, 0)
    rows = pd.read_csv(record["train"])
    assert (rows["p_positive"] == (rows["label"] == "positive").astype(float)).all()
    assert (rows["p_negative"] + rows["p_positive"] == 1.0).all()
    assert record["train_positive_share"] == pytest.approx(0.5)


def test_the_training_sample_is_seeded_and_keeps_order(
    review_sentences, sentence_type, tmp_path: Path
) -> None:
    first = review_sentences.write_review_sentences(parts(sentence_type), tmp_path / "a", 5, 3)
    again = review_sentences.write_review_sentences(parts(sentence_type), tmp_path / "b", 5, 3)
    other = review_sentences.write_review_sentences(parts(sentence_type), tmp_path / "c", 5, 4)
    texts = pd.read_csv(first["train"])["text"].tolist()
    assert len(texts) == 5 and texts == pd.read_csv(again["train"])["text"].tolist()
    assert texts != pd.read_csv(other["train"])["text"].tolist()
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
