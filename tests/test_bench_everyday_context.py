"""bench/everyday_context.py: a confident short sentence gets a copy beside a neutral sentence
at its own label; neutral sentences are plain, lexicon-free and read near one half; the score
says how often a model keeps its label when the neutral sentence is added."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import bench_module

LEXICON = {"great": 3.1, "awful": -2.0, "dirty": -1.9, "friendly": 2.2, "like": 2.0}
NEUTRALS = ["We got there on a Sunday.", "The film was shot in Toronto."]
ADJECTIVES = ["old", "new", "big", "small", "blue", "red", "upper", "lower", "front", "back"]
NOUNS = ["room", "sink", "rug", "desk", "bed", "floor", "lamp", "door", "hall", "chair"]


@pytest.fixture(scope="module")
def context():
    return bench_module("everyday_context")


def test_a_source_and_its_copy_share_the_label(context) -> None:
    rows = [("The room was dirty.", 0.1), ("The staff was friendly!", 0.9)]
    written = context.context_pairs(rows, NEUTRALS, set())
    assert len(written) == 4
    for (source, p_source), (copy, p_copy) in zip(written[0::2], written[1::2], strict=True):
        assert p_copy == p_source
        rest = copy.replace(source, "", 1).strip()
        assert rest in NEUTRALS, copy
        assert copy.startswith(source) or copy.endswith(source)


def test_the_neutral_sentence_comes_before_and_after(context) -> None:
    rows = [(f"The {a} {b} was dirty.", 0.1) for a in ADJECTIVES for b in NOUNS]
    copies = [text for text, _ in context.context_pairs(rows, NEUTRALS, set())[1::2]]
    before = sum(copy.startswith(tuple(NEUTRALS)) for copy in copies)
    assert 0.3 < before / len(copies) < 0.7


@pytest.mark.parametrize(
    ("text", "p_positive", "why"),
    [
        ("The room was dirty.", 0.6, "unsure"),
        ("Was the room dirty?", 0.1, "a question"),
        ("The room was dirty. The bed was awful.", 0.1, "two sentences"),
        ("the room was dirty.", 0.1, "not capitalised"),
        ("The room was dirty", 0.1, "no end mark"),
        ("The room was dirty and the bed was hard and the food was cold and late.", 0.1, "long"),
    ],
)
def test_sources_that_do_not_qualify_are_left_out(
    context, text: str, p_positive: float, why: str
) -> None:
    assert context.context_pairs([(text, p_positive)], NEUTRALS, set()) == [], why


def test_forbidden_sources_and_a_missing_neutral_set_write_nothing(context) -> None:
    rows = [("The room was dirty.", 0.1), ("The staff was friendly.", 0.9)]
    written = context.context_pairs(rows, NEUTRALS, {"the room was dirty"})
    assert [text for text, _ in written[0::2]] == ["The staff was friendly."]
    assert context.context_pairs(rows, [], set()) == []


def test_pairs_stop_at_the_asked_number(context) -> None:
    rows = [(f"The {a} {b} was dirty.", 0.1) for a in ADJECTIVES for b in NOUNS]
    assert len(context.context_pairs(rows, NEUTRALS, set(), pairs=7)) == 14


@pytest.mark.parametrize(
    ("text", "neutral"),
    [
        ("The film was shot in Toronto.", True),
        ("I saw it with my brother last week.", True),
        ("The film was great.", False),  # a lexicon word
        ("I did not see it.", False),  # a negation
        ("Tom made it this year.", True),
        ("Tom made it this year?", False),  # a question
        ("It was shot in Toronto (mostly).", False),  # brackets
        ("We went there.", False),  # too short
        ("And then they went home.", False),  # leans on the sentence before
        ("It should have been shorter.", False),  # a regret
        ("My vote is three out of ten.", False),  # a verdict
        ("the film was shot in Toronto.", False),  # not capitalised
        ('He said "we went there on a Sunday".', False),  # a quotation
    ],
)
def test_neutral_candidates(context, text: str, neutral: bool) -> None:
    assert context.neutral_candidate(text, LEXICON) is neutral


def test_neutral_rows_keep_distinct_candidates_read_near_one_half(context) -> None:
    texts = [
        "The film was shot in Toronto.",
        "The film was shot in Toronto.",
        "I saw it with my brother.",
        "The film was great.",
        "We walked out after twenty minutes.",
    ]
    reads = {"The film was shot in Toronto.": 0.52, "I saw it with my brother.": 0.58}
    reads["We walked out after twenty minutes."] = 0.08

    def read_positive(candidates: list[str]) -> np.ndarray:
        assert "The film was great." not in candidates
        return np.array([reads[text] for text in candidates])

    rows = context.neutral_rows(texts, LEXICON, read_positive)
    assert rows == [("The film was shot in Toronto.", 0.52), ("I saw it with my brother.", 0.58)]


class Lexical:
    """A stub model: p(positive) from its lexicon's words, diluted by every other word."""

    labels = ("negative", "positive")

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        rows = []
        for text in texts:
            words = [word.strip(".!").lower() for word in text.split()]
            score = sum(LEXICON.get(word, 0.0) for word in words) / len(words)
            p = 1 / (1 + np.exp(-4 * score))
            rows.append([1 - p, p])
        return np.array(rows)


def test_scores_count_kept_labels_and_the_shift_toward_one_half(context) -> None:
    texts = ["Great.", "We got there on a Sunday. Great.", "Awful.", "Awful. We got there."]
    frame = pd.DataFrame({"text": texts, "p_positive": [0.9, 0.9, 0.1, 0.1]})
    scores = context.context_scores(Lexical(), frame)
    assert scores["copies"] == 2
    assert scores["accuracy"] == scores["kept_label"] == scores["source_accuracy"] == 1.0
    assert scores["mean_shift_toward_half"] > 0  # the neutral words dilute the stub's reading


def test_the_csv_holds_pairs_and_the_copies_alone(context, tmp_path: Path) -> None:
    source = tmp_path / "source.csv"
    texts = ["The upper hall was dirty.", "The desk clerk was friendly.", "Unsure words here."]
    pd.DataFrame({"text": texts, "p_positive": [0.1, 0.9, 0.55]}).to_csv(source, index=False)
    neutral = tmp_path / "neutral.csv"
    pd.DataFrame({"text": NEUTRALS, "p_positive": [0.5, 0.5]}).to_csv(neutral, index=False)
    record = context.context_data([source], tmp_path / "out" / "context.csv", neutral)
    frame = pd.read_csv(record["file"])
    copies = pd.read_csv(record["negated_file"])
    assert record["pairs"] == len(copies) == 2 and len(frame) == 4
    assert record["neutral_sentences"] == 2
    assert list(frame.columns) == ["text", "label", "p_negative", "p_positive"]
    assert sorted(copies["label"]) == ["negative", "positive"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["--source", "{missing}", "--neutral", "{neutral}", "--output", "{out}"],
            "does not exist",
        ),
        (
            ["--source", "{source}", "--neutral", "{missing}", "--output", "{out}"],
            "--neutral-output",
        ),
        (["--source", "{source}", "--output", "{out}"], "give --source, --neutral and --output"),
        (["--neutral-output", "{out}"], "needs --data"),
        (["--neutral-output", "{out}", "--data", "x", "--base", "{missing}"], "not a model bundle"),
    ],
)
def test_bad_arguments_are_a_one_line_usage_error(
    context, tmp_path: Path, monkeypatch, capsys, arguments: list[str], message: str
) -> None:
    source = tmp_path / "source.csv"
    pd.DataFrame({"text": ["The room was dirty."], "p_positive": [0.1]}).to_csv(source, index=False)
    neutral = tmp_path / "neutral.csv"
    pd.DataFrame({"text": NEUTRALS}).to_csv(neutral, index=False)
    paths = {"missing": tmp_path / "none.csv", "neutral": neutral, "source": source}
    paths["out"] = tmp_path / "context.csv"
    argv = [argument.format(**paths) for argument in arguments]
    monkeypatch.setattr("sys.argv", ["everyday_context.py", *argv])
    with pytest.raises(SystemExit) as stopped:
        context.main()
    assert stopped.value.code == 2
    assert message in capsys.readouterr().err
    assert not paths["out"].exists()
