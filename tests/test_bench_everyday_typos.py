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


def test_mention_copies_put_a_seeded_training_handle_in_front(typos) -> None:
    train = ["@united lost my bag", "thanks @Delta!", "mail me at a@b.com"]
    copies = typos.mention_copies(["Great flight.", "Awful food."], train)
    assert copies == typos.mention_copies(["Great flight.", "Awful food."], train)  # seeded
    for copy, text in zip(copies, ["Great flight.", "Awful food."], strict=True):
        handle, _, rest = copy.removeprefix("RT ").partition(": ")
        assert handle in {"@united", "@Delta"} and rest == text
    with pytest.raises(ValueError, match="no @mention"):
        typos.mention_copies(["Great flight."], ["no handles here"])


class _StubModel:
    """p(positive) 0.6 for "good", 0.45 otherwise; a handle in front adds 0.3."""

    labels = ("negative", "positive")

    def predict_proba(self, texts):
        import numpy as np

        positive = [
            (0.6 if "good" in t else 0.45) + (0.3 if t.startswith("RT ") else 0.0) for t in texts
        ]
        return np.array([[1 - p, p] for p in positive])


def test_mention_scores_count_kept_labels_and_the_mean_move(typos) -> None:
    texts = ["good", "bad"]
    scores = typos.mention_scores(_StubModel(), texts, [f"RT @x: {t}" for t in texts])
    assert scores["tweets"] == 2
    assert scores["same_label"] == 0.5  # "bad" 0.45 → 0.75 flips, "good" 0.6 → 0.9 keeps
    assert scores["mean_shift"] == pytest.approx(0.3)
