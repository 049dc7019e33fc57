"""The committed suite (tests/behaviour/cases.jsonl) is what generate.py writes, and it has the
cases issue 18 asks for."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import behaviour_suite as bs

HERE = Path(__file__).resolve().parent
MIN_TESTED = 300
MIN_PER_CATEGORY = 25
ISSUE_EXAMPLES = {
    "The acting was good.": "positive",
    "Not a bad film at all.": "positive",
    "It wasn't terrible.": "positive",
    "The acting was awful but the plot was good.": "positive",
    "The hotel room was dirty and smelled.": "negative",
    "My order arrived late and damaged.": "negative",
    "Customer support solved my problem in minutes.": "positive",
    "sooo good!!!": "positive",
}


@pytest.fixture(scope="module")
def cases() -> list[bs.Case]:
    return bs.load_cases(HERE / "cases.jsonl")


def test_cases_file_is_up_to_date_with_the_generator() -> None:
    spec = importlib.util.spec_from_file_location("behaviour_generate", HERE / "generate.py")
    assert spec is not None and spec.loader is not None
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    expected = bs.dumps(generate.build())
    assert (HERE / "cases.jsonl").read_text(encoding="utf-8") == expected, (
        "cases.jsonl is out of date: run python tests/behaviour/generate.py"
    )


def test_counts_meet_the_issue(cases: list[bs.Case]) -> None:
    counts = bs.counts(cases)
    tested = sum(counts["by_type"].get(kind, 0) for kind in bs.TESTED_TYPES)
    assert tested >= MIN_TESTED
    assert set(counts["by_category"]) == set(bs.CATEGORIES)
    assert min(counts["by_category"].values()) >= MIN_PER_CATEGORY, counts["by_category"]
    assert all(counts["by_type"].get(kind, 0) >= MIN_PER_CATEGORY for kind in bs.TYPES)
    sources = {case.source for case in cases}
    assert sources == {"template", "hand"}


def test_issue_examples_are_in_the_suite(cases: list[bs.Case]) -> None:
    labelled = {case.texts[0]: case.label for case in cases if case.type == bs.MFT}
    assert {text: labelled.get(text) for text in ISSUE_EXAMPLES} == ISSUE_EXAMPLES


def test_invariance_covers_the_perturbations_of_the_issue(cases: list[bs.Case]) -> None:
    capabilities = {case.capability for case in cases if case.type == bs.INV}
    wanted = {"name", "place", "number", "film title", "punctuation", "case", "typo"}
    assert wanted | {"neutral clause added"} <= capabilities
    directions = {case.direction for case in cases if case.type == bs.DIR}
    assert directions == {bs.UP, bs.DOWN}


def test_texts_are_clean_and_not_repeated_within_a_type(cases: list[bs.Case]) -> None:
    for case in cases:
        for text in case.texts:
            assert text == text.strip() and text, case.id
            assert "  " not in text and "{" not in text, case.id
    for kind in bs.TYPES:
        keys = [case.texts for case in cases if case.type == kind]
        assert len(keys) == len(set(keys)), kind
