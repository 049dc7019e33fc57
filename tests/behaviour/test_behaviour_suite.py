"""The behavioural suite's loader and scorer (bench/behaviour_suite.py) on a stub model whose
every probability is known, so the pass rates are exact."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import behaviour_suite as bs

LEXICON = {"good": 2.0, "great": 2.0, "bad": -2.0, "awful": -2.0}


class LexiconModel:
    """Score = sum of word scores; "very" doubles the next sentiment word, "not" flips it;
    p(positive) = sigmoid(score). A score of 0 gives [0.5, 0.5]: the first label wins."""

    def __init__(self, labels: tuple[str, ...] = ("negative", "positive")) -> None:
        self.labels = labels
        self.calls = 0

    @staticmethod
    def p_positive(text: str) -> float:
        score, factor = 0.0, 1.0
        for word in text.lower().replace("!", " ").replace(".", " ").split():
            if word == "very":
                factor *= 2.0
            elif word == "not":
                factor *= -1.0
            elif word in LEXICON:
                score += factor * LEXICON[word]
                factor = 1.0
        return 1.0 / (1.0 + math.exp(-score))

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        p = np.array([self.p_positive(text) for text in texts])
        rows = np.stack([1.0 - p, p], axis=1)
        return rows if self.labels[1] == "positive" else rows[:, ::-1]


def mft(case_id: str, text: str, label: str, category: str = "plain") -> bs.Case:
    return bs.Case(case_id, bs.MFT, category, (text,), label=label)


def inv(case_id: str, first: str, second: str, category: str = "plain") -> bs.Case:
    return bs.Case(case_id, bs.INV, category, (first, second))


def dir_(case_id: str, first: str, second: str, direction: str) -> bs.Case:
    return bs.Case(case_id, bs.DIR, "intensity", (first, second), direction=direction)


CASES = [
    mft("m1", "A good film.", "positive"),
    mft("m2", "A bad film.", "negative"),
    mft("m3", "Not bad.", "positive", "negation"),
    mft("m4", "Not good.", "negative", "negation"),
    mft("m5", "Awful but good.", "positive", "contrast"),  # score 0: negative wins, fails
    inv("i1", "A good film.", "A good movie."),
    inv("i2", "A good film.", "A bad film."),  # label flips: fails
    dir_("d1", "good", "very good", bs.UP),  # p 0.881 → 0.982: passes
    dir_("d2", "bad", "very bad", bs.DOWN),  # passes
    dir_("d3", "good", "good film", bs.UP),  # does not move: fails (not the wrong way)
    dir_("d4", "great great great", "great great great film", bs.UP),  # p ≥ 0.98: at the end
    dir_("d5", "good", "bad", bs.UP),  # the wrong way: fails
    bs.Case("n1", bs.NEUTRAL, "neutral", ("The package arrived.",)),  # top p 0.5
    bs.Case("n2", bs.NEUTRAL, "neutral", ("A good package.",)),  # top p 0.881
]


def test_pass_rates_are_exact() -> None:
    report = bs.score_suite(LexiconModel(), CASES)
    assert report["overall"] == {"passed": 8, "total": 12, "rate": 8 / 12}
    assert {k: (v["passed"], v["total"]) for k, v in report["by_type"].items()} == {
        "MFT": (4, 5),
        "INV": (1, 2),
        "DIR": (3, 5),
    }
    assert {k: (v["passed"], v["total"]) for k, v in report["by_category"].items()} == {
        "contrast": (0, 1),
        "intensity": (3, 5),
        "negation": (2, 2),
        "plain": (3, 4),
    }
    assert report["by_category_and_type"]["plain"]["INV"]["rate"] == 0.5
    assert report["dir_wrong_way"] == {"count": 1, "total": 5}
    assert report["failures"]["ids"] == ["d3", "d5", "i2", "m5"]
    assert report["failures"]["count"] == 4


def test_neutral_set_reports_confidence_and_abstentions() -> None:
    neutral = bs.score_suite(LexiconModel(), CASES)["neutral"]
    assert neutral["n"] == 2
    assert neutral["mean_top_probability"] == pytest.approx((0.5 + 1 / (1 + math.exp(-2))) / 2)
    assert neutral["abstained"] == 1
    assert neutral["abstain_rate"] == 0.5
    assert neutral["predicted"] == {"negative": 1, "positive": 1}


def test_failures_give_examples_with_what_the_model_said() -> None:
    report = bs.score_suite(LexiconModel(), CASES, max_examples=1)
    examples = report["failures"]["examples"]
    assert set(examples) == {"contrast/MFT", "intensity/DIR", "plain/INV"}
    assert len(examples["intensity/DIR"]) == 1  # two failed, one shown
    shown = examples["contrast/MFT"][0]
    assert shown["expected"] == "positive"
    assert shown["predicted"] == ["negative"]
    assert shown["p_positive"] == [0.5]


def test_each_text_is_scored_once_in_one_call() -> None:
    model = LexiconModel()
    report = bs.score_suite(model, CASES)
    assert model.calls == 1
    assert len(report["cases"]) == len(CASES)


def test_positive_label_is_found_by_name() -> None:
    reversed_labels = bs.score_suite(LexiconModel(("positive", "negative")), CASES)
    # The tie of m5 now goes to the first label, "positive": it passes; nothing else changes.
    assert reversed_labels["overall"]["passed"] == 9
    assert reversed_labels["by_type"]["MFT"]["passed"] == 5
    assert reversed_labels["by_type"]["INV"]["passed"] == 1
    assert reversed_labels["by_type"]["DIR"]["passed"] == 3


def test_the_tolerance_sets_both_the_move_and_the_end_of_the_scale() -> None:
    loose = bs.score_suite(LexiconModel(), CASES, tolerance=0.2)
    # d1 moves 0.10 (< 0.2) but ends at 0.98 (≥ 0.8); d3 does not move but sits at 0.88.
    assert loose["by_type"]["DIR"]["passed"] == 4
    assert loose["failures"]["ids"] == ["d5", "i2", "m5"]
    strict = bs.score_suite(LexiconModel(), CASES, tolerance=0.001)
    # d4 stays at 0.9975, short of the end of the scale (0.999): it fails with d3 and d5.
    assert strict["by_type"]["DIR"]["passed"] == 2
    assert [i for i in strict["failures"]["ids"] if i.startswith("d")] == ["d3", "d4", "d5"]


def test_model_without_the_positive_label_or_with_wrong_shape_is_an_error() -> None:
    with pytest.raises(ValueError, match="no 'positive'"):
        bs.score_suite(LexiconModel(("neg", "pos")), CASES)

    class Broken(LexiconModel):
        def predict_proba(self, texts: list[str]) -> np.ndarray:
            return np.zeros((len(texts), 3))

    with pytest.raises(ValueError, match="shape"):
        bs.score_suite(Broken(), CASES)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"type": "MFT", "texts": ("a",)}, "expected label"),
        ({"type": "DIR", "texts": ("a", "b")}, "direction"),
        ({"type": "DIR", "texts": ("a", "b"), "direction": "sideways"}, "direction"),
        ({"type": "INV", "texts": ("a", "a")}, "two different texts"),
        ({"type": "INV", "texts": ("a",)}, "2 text"),
        ({"type": "XYZ", "texts": ("a",)}, "unknown type"),
    ],
)
def test_malformed_cases_are_rejected(fields: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        bs.Case(id="x", category="plain", **fields)


def test_cases_round_trip_through_the_file(tmp_path: Path) -> None:
    path = tmp_path / "cases.jsonl"
    path.write_text(bs.dumps(CASES), encoding="utf-8")
    assert bs.load_cases(path) == CASES
    path.write_text(bs.dumps([*CASES, CASES[0]]), encoding="utf-8")
    with pytest.raises(ValueError, match="duplicate case ids: m1"):
        bs.load_cases(path)


def test_counts_and_fixed_sample() -> None:
    counts = bs.counts(CASES)
    assert counts["total"] == {"cases": 14}
    assert counts["by_type"] == {"DIR": 5, "INV": 2, "MFT": 5, "NEUTRAL": 2}
    assert counts["by_category"]["intensity"] == 5
    sample = bs.fixed_sample(CASES, size=6)
    assert sample == bs.fixed_sample(CASES, size=6)  # deterministic
    assert all(case.type != bs.NEUTRAL for case in sample)
    # 6 × (5, 2, 5)/12 = (2.5, 1, 2.5): the spare place goes to the first largest remainder.
    assert [[c.type for c in sample].count(kind) for kind in bs.TESTED_TYPES] == [3, 1, 2]
    assert bs.pass_rate(LexiconModel(), CASES) == pytest.approx(8 / 12)


def test_labelled_metrics_rank_as_well_as_classify() -> None:
    import everyday

    texts = ["good", "very good", "not good", "bad", "good film", "awful"]
    labels = ["positive", "positive", "positive", "negative", "negative", "negative"]
    got = everyday.metrics_on(LexiconModel(), texts, labels)
    # p(positive): 0.881, 0.982, 0.119 | 0.119, 0.881, 0.119: 4 of 6 right at 0.5
    assert got["n"] == 6 and got["accuracy"] == pytest.approx(4 / 6)
    # ranking: 5 of the 9 positive-negative pairs in order, 3 ties (each counts a half)
    assert got["roc_auc"] == pytest.approx(6.5 / 9)
    one_class = everyday.metrics_on(LexiconModel(), texts[:2], labels[:2])
    assert "roc_auc" not in one_class
