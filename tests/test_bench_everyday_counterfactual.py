"""bench/everyday_counterfactual.py: a negation goes after the one auxiliary only when every
sentiment word is in its scope, the label flips by the stated shrink, and sentences that
already negate, ask, or disagree with their lexicon words are left out."""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest

from conftest import bench_module

LEXICON = {"good": 1.9, "superb": 2.9, "awful": -2.0, "terrible": -2.1, "hope": 1.9}
LEXICON |= {"love": 3.2, "loved": 2.9, "enjoy": 2.2, "enjoyed": 2.3, "suck": -1.9, "sucks": -1.5}
LEXICON |= {"talent": 1.9, "talented": 2.3}


@pytest.fixture(scope="module")
def counterfactual():
    return bench_module("everyday_counterfactual")


def negate(module, text: str, p_positive: float):
    return module.negate(text, p_positive, LEXICON, random.Random(0), shrink=(0.8, 0.5))


def test_praise_is_negated_in_place_and_its_label_flips(counterfactual) -> None:
    made = negate(counterfactual, "The acting was superb.", 0.9)
    assert made is not None
    assert made.text in {
        "The acting was not superb.",
        "The acting wasn't superb.",
        "The acting was never superb.",
    }
    assert made.p_positive == pytest.approx(0.5 - 0.8 * 0.4)


def test_negated_criticism_moves_less_far_and_keeps_capitals(counterfactual) -> None:
    made = negate(counterfactual, "It was terrible", 0.1)
    assert made is not None and made.p_positive == pytest.approx(0.5 + 0.5 * 0.4)
    upper = counterfactual.negate("Was terrible", 0.1, LEXICON, random.Random(0), (0.8, 0.5))
    assert upper is not None and upper.text[0] == "W" and "terrible" in upper.text


@pytest.mark.parametrize(
    ("text", "p_positive", "why"),
    [
        ("The acting was not superb.", 0.2, "already negated"),
        ("Was the acting superb?", 0.9, "a question"),
        ("The acting was superb and the plot is good.", 0.9, "two auxiliaries"),
        ("A good cast, the plot was awful.", 0.2, "a sentiment word before the auxiliary"),
        ("The plot was dull, but the cast was good.", 0.6, "two auxiliaries"),
        ("The plot was awful, and the hope died.", 0.2, "sentiment after the scope"),
        ("The acting was superb.", 0.2, "the lexicon disagrees with the label"),
        ("The acting was in the end after many scenes superb.", 0.9, "sentiment too far"),
        ("The day was Tuesday.", 0.9, "no sentiment word"),
    ],
)
def test_sentences_that_do_not_qualify_are_left_out(
    counterfactual, text: str, p_positive: float, why: str
) -> None:
    assert negate(counterfactual, text, p_positive) is None, why


def test_pairs_skip_unsure_forbidden_and_repeated_sources(counterfactual) -> None:
    rows = [
        ("The acting was superb.", 0.95),
        ("The acting was superb!", 0.95),  # the same text once normalised
        ("The food was good.", 0.55),  # unsure
        ("The room was awful.", 0.05),
        ("The hotel was terrible.", 0.05),
    ]
    forbidden = {"the hotel was not terrible", "the hotel wasn t terrible"}
    forbidden |= {"the hotel was never terrible", "the hotel was terrible"}
    pairs = counterfactual.counterfactuals(rows, LEXICON, forbidden, (0.8, 0.5), 0.3, seed=1)
    sources = [text for text, _ in pairs[::2]]
    assert sources == ["The acting was superb.", "The room was awful."]
    assert [p for _, p in pairs] == pytest.approx([0.95, 0.5 - 0.8 * 0.45, 0.05, 0.725])


def test_the_csv_has_soft_labels_that_training_reads(counterfactual, tmp_path: Path) -> None:
    source = tmp_path / "source.csv"
    pd.DataFrame(
        {
            "text": ["The acting was superb.", "The plot was awful.", "It rained."],
            "label": ["positive", "negative", "positive"],
            "p_negative": [0.1, 0.9, 0.4],
            "p_positive": [0.9, 0.1, 0.6],
        }
    ).to_csv(source, index=False)
    output = tmp_path / "out" / "counterfactual.csv"
    record = counterfactual.counterfactual_data([source], output, (0.8, 0.5))
    frame = pd.read_csv(output)
    assert list(frame.columns) == ["text", "label", "p_negative", "p_positive"]
    assert record["pairs"] == 2 and len(frame) == 4
    assert list(frame["label"]) == ["positive", "negative", "negative", "positive"]
    assert (frame["p_negative"] + frame["p_positive"]).round(9).eq(1.0).all()
    negated = pd.read_csv(record["negated_file"])
    assert list(negated["text"]) == list(frame["text"][1::2])
    assert not list(output.parent.glob("*.tmp"))


class Stub:
    labels = ("negative", "positive")

    def predict_proba(self, texts: list[str]) -> list[list[float]]:
        return [[0.8, 0.2] if " not " in text else [0.3, 0.7] for text in texts]


def test_copies_are_scored_apart_for_negated_praise_and_criticism(counterfactual) -> None:
    rows = pd.DataFrame(
        {
            "text": ["it was not good", "it was not bad", "it wasn't great"],
            "p_positive": [0.2, 0.7, 0.1],
        }
    )
    scores = counterfactual.counterfactual_scores(Stub(), rows)
    assert scores["copies"] == 3
    assert scores["accuracy"] == pytest.approx(1 / 3)
    assert scores["negated_praise_accuracy"] == 0.5
    assert scores["negated_criticism_accuracy"] == 0.0


@pytest.mark.parametrize(
    ("text", "p_positive", "negated"),
    [
        ("I loved this phone.", 0.9, {"I did not love this phone.", "I didn't love this phone."}),
        ("We enjoyed it", 0.9, {"We did not enjoy it", "We didn't enjoy it"}),
        ("They love it!", 0.9, {"They do not love it!", "They don't love it!"}),
        ("It sucks.", 0.1, {"It does not suck.", "It doesn't suck."}),
    ],
)
def test_verbs_after_a_pronoun_are_negated_when_asked(
    counterfactual, text: str, p_positive: float, negated: set[str]
) -> None:
    assert negate(counterfactual, text, p_positive) is None  # verbs are off by default
    forms = set()
    for seed in range(12):
        rng = random.Random(seed)
        made = counterfactual.negate(text, p_positive, LEXICON, rng, (0.8, 0.5), verbs=True)
        assert made is not None
        forms.add(made.text)
    never = text.replace(" ", " never ", 1)
    assert forms == negated | {never}


@pytest.mark.parametrize("text", ["A talented cast.", "Loved it.", "The cast enjoyed it."])
def test_a_sentiment_word_that_is_not_a_pronouns_verb_is_left_alone(
    counterfactual, text: str
) -> None:
    rng = random.Random(0)
    assert counterfactual.negate(text, 0.9, LEXICON, rng, (0.8, 0.5), verbs=True) is None
