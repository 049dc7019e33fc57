"""The sentence-labelling rules of bench/everyday_data.py, on a stub teacher."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import everyday_data as ed


def test_sentences_are_cut_at_sentence_ends_and_filtered_by_length() -> None:
    found = ed.sentences([("Great film.<br />I loved every minute of it! Ok.", "positive")], "t")
    assert [s.text for s in found] == ["I loved every minute of it!"]
    assert found[0].label == "positive" and found[0].origin == "t"


def test_labelled_sentences_keep_the_review_label_only_when_teacher_or_vader_agree() -> None:
    found = [
        ed.Sentence("a", "positive", "train"),  # teacher sure and agrees
        ed.Sentence("b", "positive", "train"),  # teacher unsure, VADER agrees
        ed.Sentence("c", "positive", "train"),  # both disagree
        ed.Sentence("d", None, "unsup"),  # teacher sure, VADER silent
        ed.Sentence("e", None, "unsup"),  # teacher sure, VADER disagrees strongly
        ed.Sentence("f", None, "unsup"),  # teacher unsure
    ]
    teacher = np.array([0.9, 0.55, 0.2, 0.1, 0.95, 0.6])
    compound = np.array([0.0, 0.8, -0.9, 0.1, -0.7, 0.9])
    kept = ed.label_sentences(found, teacher, compound, min_teacher=0.7, min_vader=0.5)
    assert [(s.text, label) for s, label, _ in kept] == [
        ("a", "positive"),
        ("b", "positive"),
        ("d", "negative"),
    ]
    assert kept[2][2] == 0.9  # the teacher's confidence in its label


def test_build_writes_one_file_per_part(tmp_path: Path) -> None:
    parts = {
        "train": ed.sentences([("This is truly great and lovely.", "positive")], "train"),
        "validation": ed.sentences([("This was dull and awful.", "negative")], "validation"),
    }

    def teacher(texts: list[str]) -> np.ndarray:
        return np.array([0.9 if "great" in t else 0.1 for t in texts])

    summary = ed.build(parts, teacher, tmp_path, min_teacher=0.7, min_vader=0.5)
    assert summary["train"]["train/positive"] == 1
    with (tmp_path / "sentences_validation.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows == [{"text": "This was dull and awful.", "label": "negative",
                     "confidence": "0.9000", "origin": "validation"}]  # fmt: skip


def test_negated_sentences_take_vaders_label_when_vader_is_sure() -> None:
    found = [
        ed.Sentence("The film was not bad at all.", "negative", "train"),
        ed.Sentence("It wasn't terrible.", None, "unsup"),
        ed.Sentence("I didn't see it.", "negative", "train"),  # VADER silent: the usual rules
    ]
    teacher = np.array([0.1, 0.1, 0.1])
    compound = np.array([0.6, 0.7, 0.0])
    plain = ed.label_sentences(found, teacher, compound, min_teacher=0.7, min_vader=0.5)
    assert [label for _, label, _ in plain] == ["negative", "negative"]  # teacher agrees
    kept = ed.label_sentences(
        found, teacher, compound, min_teacher=0.7, min_vader=0.5, vader_negation=True
    )
    assert [(s.text, label) for s, label, _ in kept] == [
        ("The film was not bad at all.", "positive"),
        ("It wasn't terrible.", "positive"),
        ("I didn't see it.", "negative"),
    ]
    assert kept[0][2] == 0.8
