"""bench/everyday_comparatives.py: a predicate adjective after "be" becomes "could not be" (or
"could not have been") and its comparative, the copy keeps its source's side further from one
half, sentences that do not qualify are left out, and copies are scored on their source's
side."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from conftest import bench_module

LEXICON = {"good": 1.9, "bad": -2.5, "friendly": 2.2, "boring": -1.3, "happy": 2.7}
LEXICON |= {"disaster": -3.1, "great": 3.1, "awful": -2.0}
BOOSTERS = {"very": 0.293, "somewhat": -0.293}


@pytest.fixture(scope="module")
def comparatives():
    return bench_module("everyday_comparatives")


def make(module, rows: list[tuple[str, float]], forbidden: set[str] | None = None) -> list:
    return module.comparative_pairs(rows, LEXICON, BOOSTERS, forbidden or set(), margin=0.3)


def test_a_past_predicate_becomes_could_not_have_been_and_its_comparative(comparatives) -> None:
    (source, copy) = make(comparatives, [("The staff were friendly.", 0.9)])
    assert source == ("The staff were friendly.", 0.9)
    assert copy[0] in {
        "The staff couldn't have been friendlier.",
        "The staff could not have been friendlier.",
    }
    intensity = bench_module("everyday_intensity")
    assert copy[1] == pytest.approx(0.9 + 0.1 * intensity.INTENSIFY)


@pytest.mark.parametrize(
    ("text", "p_positive", "expected"),
    [
        ("I am happy with it.", 0.95, "be happier with it."),
        ("The food is good.", 0.9, "be better."),
        ("The ending was bad.", 0.1, "have been worse."),
        ("The movie is boring.", 0.1, "be more boring."),
        ("The hotel is GREAT!", 0.95, "be GREATER!"),
    ],
)
def test_the_comparative_fits_the_tense_and_the_word(
    comparatives, text: str, p_positive: float, expected: str
) -> None:
    (_, copy) = make(comparatives, [(text, p_positive)])
    assert copy[0].endswith(f" {expected}")
    assert ("could not" in copy[0]) != ("couldn't" in copy[0])
    assert (copy[1] - 0.5) * (p_positive - 0.5) > 0  # the same side
    assert abs(copy[1] - 0.5) > abs(p_positive - 0.5)  # further from one half


@pytest.mark.parametrize(
    ("text", "p_positive", "why"),
    [
        ("It was a disaster.", 0.05, "an article stands before the sentiment word"),
        ("The film seems good.", 0.9, "the copula is not a form of be"),
        ("The film was not good.", 0.1, "already negated"),
        ("The plot was good, but the acting was awful.", 0.3, "a contrast"),
        ("Was it good?", 0.9, "a question"),
        ("The film was good.", 0.6, "unsure"),
        ("The film was very good.", 0.9, "a degree word already"),
        ("The awful film was good.", 0.9, "a sentiment word against the label"),
        ("They were great actors.", 0.9, "a noun follows the adjective"),
        ("He is good naturally.", 0.9, "an adverb follows the adjective"),
    ],
)
def test_sentences_that_do_not_qualify_are_left_out(
    comparatives, text: str, p_positive: float, why: str
) -> None:
    assert make(comparatives, [(text, p_positive)]) == [], why


def test_repeated_and_forbidden_sources_are_skipped(comparatives) -> None:
    rows = [("The food was good.", 0.9), ("The food was good!", 0.9), ("It is great.", 0.95)]
    written = make(comparatives, rows, {"it is great"})
    assert [text for text, _ in written[::2]] == ["The food was good."]


def test_the_csv_holds_pairs_and_the_copies_alone(comparatives, tmp_path: Path) -> None:
    source = tmp_path / "source.csv"
    texts = ["The acting was superb.", "The room was awful.", "It rained."]
    pd.DataFrame({"text": texts, "p_positive": [0.9, 0.1, 0.95]}).to_csv(source, index=False)
    record = comparatives.comparative_data([source], tmp_path / "out" / "comparatives.csv")
    frame = pd.read_csv(record["file"])
    copies = pd.read_csv(record["negated_file"])
    assert record["pairs"] == len(copies) == 2 and len(frame) == 4
    assert list(frame.columns) == ["text", "label", "p_negative", "p_positive"]
    assert list(copies["label"]) == ["positive", "negative"]
    assert copies["text"][1].endswith("more awful.")
    assert record["positive_share"] == 0.5


def test_copies_are_scored_on_their_sources_side(
    comparatives, monkeypatch: pytest.MonkeyPatch
) -> None:
    scores = {"copies": 4, "accuracy": 0.75}
    scores |= {"negated_praise_accuracy": 0.5, "negated_criticism_accuracy": 1.0}
    monkeypatch.setattr(comparatives.cf, "counterfactual_accuracy", lambda *_: scores)
    assert comparatives.comparative_accuracy("model", "copies.csv") == {
        "copies": 4,
        "accuracy": 0.75,
        "praise_accuracy": 1.0,  # copies labelled positive: praise made stronger
        "criticism_accuracy": 0.5,
    }
