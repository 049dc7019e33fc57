"""bench/everyday_quantifiers.py: "no" replaces a quantifier, "Not" opens an article fragment,
"Nobody"/"Nothing" replace an opening universal subject — only when every sentiment word is in
the negation's scope — and the label flips by the stated shrink."""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd
import pytest

from conftest import bench_module

LEXICON = {"good": 1.9, "great": 3.1, "problems": -1.7, "complaints": -1.5, "fun": 2.3}
LEXICON |= {"friendly": 2.2, "perfectly": 3.2, "awful": -2.0, "loved": 2.9}


@pytest.fixture(scope="module")
def quantifiers():
    return bench_module("everyday_quantifiers")


def negate(module, text: str, p_positive: float, seed: int = 0):
    return module.negate_phrase(text, p_positive, LEXICON, random.Random(seed), (0.8, 0.5))


@pytest.mark.parametrize(
    ("text", "p_positive", "negated"),
    [
        ("There were many problems with the room.", 0.1, {"There were no problems with the room."}),
        ("I have a few complaints.", 0.2, {"I have no complaints."}),
        ("Some scenes were great.", 0.9, {"No scenes were great."}),
        ("A lot of fun.", 0.9, {"No fun."}),
        ("Everyone was friendly.", 0.9, {"Nobody was friendly.", "No one was friendly."}),
        ("Everything worked perfectly.", 0.9, {"Nothing worked perfectly."}),
        ("A great film.", 0.9, {"Not a great film.", "Not a great film at all."}),
    ],
)
def test_each_rule_negates_in_place(
    quantifiers, text: str, p_positive: float, negated: set[str]
) -> None:
    made = negate(quantifiers, text, p_positive)
    assert made is not None and made.text in negated
    factor = 0.8 if p_positive > 0.5 else 0.5
    assert made.p_positive == pytest.approx(0.5 - factor * (p_positive - 0.5))


def test_some_fragments_end_in_at_all(quantifiers) -> None:
    texts = {negate(quantifiers, "A great film.", 0.9, seed).text for seed in range(30)}
    assert texts == {"Not a great film.", "Not a great film at all."}


@pytest.mark.parametrize(
    ("text", "p_positive", "why"),
    [
        ("There were no problems.", 0.8, "already negated"),
        ("Were there many problems?", 0.1, "a question"),
        ("Some of the scenes were great.", 0.9, "some of"),
        ("There were too many problems.", 0.1, "too many"),
        ("It was good in some ways.", 0.9, "in some ways"),
        ("I loved some scenes.", 0.9, "a sentiment word before the quantifier"),
        ("Some scenes were great, but the end was awful.", 0.6, "sentiment after the scope"),
        ("Some scenes were great.", 0.1, "the lexicon disagrees with the label"),
        ("A great cast makes this film.", 0.9, "an article opening a sentence, not a fragment"),
        ("Many people in the town were great.", 0.9, "sentiment too far"),
        ("The room had many windows.", 0.9, "no sentiment word"),
    ],
)
def test_sentences_that_do_not_qualify_are_left_out(
    quantifiers, text: str, p_positive: float, why: str
) -> None:
    assert negate(quantifiers, text, p_positive) is None, why


def test_the_csv_pairs_sources_with_copies_and_counts_rules(quantifiers, tmp_path: Path) -> None:
    source = tmp_path / "source.csv"
    texts = ["We had a few complaints.", "A great film.", "Everyone was friendly.", "It rained."]
    pd.DataFrame({"text": texts, "p_positive": [0.1, 0.9, 0.9, 0.9]}).to_csv(source, index=False)
    record = quantifiers.quantifier_data([source], tmp_path / "out" / "quantifiers.csv")
    frame = pd.read_csv(record["file"])
    assert record["pairs"] == 3 and len(frame) == 6
    assert record["by_rule"] == {"no": 1, "not_a": 1, "nobody_nothing": 1, "no_article": 0}
    assert list(frame["label"]) == ["negative", "positive", "positive", "negative"] * 1 + [
        "positive",
        "negative",
    ]
    negated = pd.read_csv(record["negated_file"])
    assert list(negated["text"]) == list(frame["text"][1::2])


def test_forbidden_and_repeated_texts_are_skipped(quantifiers) -> None:
    rows = [("I have a few complaints.", 0.1), ("I have a few complaints!", 0.1)]
    rows += [("Lots of problems.", 0.1)]
    pairs = quantifiers.phrase_counterfactuals(rows, LEXICON, {"no problems"})
    assert [text for text, _ in pairs] == ["I have a few complaints.", "I have no complaints."]


def test_an_article_after_a_verb_of_having_is_negated_only_when_asked(quantifiers) -> None:
    made = quantifiers.negate_phrase(
        "I had a problem with the room.",
        0.1,
        LEXICON | {"problem": -1.7},
        random.Random(0),
        (0.8, 0.5),
        articles=True,
    )
    assert made is not None and made.text == "I had no problem with the room."
    assert made.p_positive == pytest.approx(0.7)
    lexicon = LEXICON | {"problem": -1.7}
    assert negate(quantifiers, "I had a problem with the room.", 0.1) is None
    # "a lot of" stays the quantifier's: "had no fun", never "had no lot of fun"
    lot = quantifiers.negate_phrase(
        "I had a lot of fun.", 0.9, lexicon, random.Random(0), (0.8, 0.5), articles=True
    )
    assert lot is not None and lot.text == "I had no fun."
