"""bench/everyday_typos.py: a misspelling is one edit that keeps the first letter,
and typo copies misspell the first long sentiment word of confident sentences only, out of the
vocabulary."""

from __future__ import annotations

import random

import pytest

from conftest import bench_module
from lstm_sentiment.text.typos import one_edit_away

LEXICON = {"terrible": -2.1, "good": 1.9, "wonderful": 2.7}


@pytest.fixture(scope="module")
def typos():
    return bench_module("everyday_typos")


def test_a_misspelling_is_one_edit_inside_the_word(typos) -> None:
    rng = random.Random(0)
    for _ in range(200):
        typo = typos.misspell("wonderful", rng)
        assert typo != "wonderful"  # no two neighbouring letters are equal
        assert "wonderful" in set(one_edit_away(typo))
        assert typo[0] == "w"


def test_copies_take_the_first_long_sentiment_word_of_confident_rows(typos) -> None:
    rows = [
        ("A good and terrible film.", "negative", 0.1),  # "good" is too short: "terrible"
        ("A wonderful film.", "positive", 0.6),  # unsure
        ("It rained all day.", "positive", 0.9),  # no sentiment word
    ]
    copies = typos.typo_copies(rows, LEXICON, known=lambda word: False)
    assert len(copies) == 1
    source, typo, label = copies[0]
    assert source == rows[0][0] and label == "negative"
    assert typo.startswith("A good and ") and typo.endswith(" film.") and "terrible" not in typo


def test_a_misspelling_the_vocabulary_knows_is_not_a_typo_copy(typos) -> None:
    rows = [("A wonderful film.", "positive", 0.95)]
    assert typos.typo_copies(rows, LEXICON, known=lambda word: True) == []


def test_a_missing_study_stops_with_one_line(
    typos, tmp_path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["everyday_typos.py", "--data", "x", "--model", "m", "--study", str(tmp_path)]
    monkeypatch.setattr("sys.argv", argv)
    with pytest.raises(SystemExit) as stopped:
        typos.main()
    assert stopped.value.code == 2
    assert "holds no finished everyday study" in capsys.readouterr().err
    assert not (tmp_path / "steps").exists()
