"""bench/sentence_ceiling.py: review sentences keep their review's label under the benchmark's
length rule; the linear system learns a toy task with C chosen on the given split; bad
arguments are one-line usage errors."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import bench_module


@dataclass(frozen=True)
class Review:
    text: str
    label: str


@pytest.fixture(scope="module")
def ceiling():
    return bench_module("sentence_ceiling")


def test_every_sentence_of_the_benchmarks_length_takes_its_reviews_label(ceiling) -> None:
    reviews = [
        Review("Short one. This sentence has enough words to count here!<br />Too short.", "pos"),
        Review("Another review sentence that is long enough to keep? " + "x " * 41, "neg"),
    ]
    texts, labels = ceiling.review_sentences(reviews)
    assert texts == [
        "This sentence has enough words to count here!",
        "Another review sentence that is long enough to keep?",
    ]
    assert labels == ["pos", "neg"]


def test_the_linear_system_learns_a_toy_task(ceiling) -> None:
    good = [f"a truly great and lovely day number {i}" for i in range(40)]
    bad = [f"an awful and dreadful day number {i}" for i in range(40)]
    train = (good + bad, ["positive"] * 40 + ["negative"] * 40)
    held_out = (["great lovely film", "awful dreadful film"], ["positive", "negative"])
    predict, info = ceiling.linear_system(train, held_out)
    assert ceiling.accuracy(predict, *held_out) == 1.0
    assert info["C"] in ceiling.C_GRID and info["train_texts"] == 80


def test_the_table_has_a_row_per_system(ceiling) -> None:
    systems = {
        "A": {"trained_on": "x", "validation_one": 0.7, "validation_all": 0.71, "test": 0.72},
        "B": {"trained_on": "y", "validation_one": 0.6, "validation_all": 0.61, "test": 0.62},
    }
    lines = ceiling.table(systems)
    assert len(lines) == 4 and "| B | y | 0.6000 | 0.6100 | 0.6200 |" in lines


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--data", "{missing}"], "does not exist"),
        (["--data", "{here}", "--model", "{here}"], "not a model bundle"),
    ],
)
def test_bad_arguments_are_a_one_line_usage_error(
    ceiling, tmp_path: Path, monkeypatch, capsys, arguments: list[str], message: str
) -> None:
    paths = {"missing": tmp_path / "none.tar.gz", "here": tmp_path}
    monkeypatch.setattr(
        "sys.argv", ["sentence_ceiling.py", *[a.format(**paths) for a in arguments]]
    )
    with pytest.raises(SystemExit) as stopped:
        ceiling.main()
    assert stopped.value.code == 2
    assert message in capsys.readouterr().err
