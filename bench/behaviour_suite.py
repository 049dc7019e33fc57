"""The behavioural suite (issue 18): load its cases and score any two-class model on them.

A CheckList-style suite (Ribeiro et al., 2020, "Beyond Accuracy: Behavioral Testing of NLP
Models with CheckList") of short everyday texts, written in ``tests/behaviour/cases.jsonl`` by
``tests/behaviour/generate.py``. One JSON object per line:

* ``MFT`` (minimum functionality): one text and its expected label; passes when the model's
  top label is that label.
* ``INV`` (invariance): two texts that differ by something that must not change the sentiment
  (a name, a place, a number, a title, punctuation, case, a typo, a neutral clause); passes
  when the model's top label is the same for both (whatever it is).
* ``DIR`` (directional): two texts where the second must move the probability of the positive
  label one way (``direction`` ``up`` or ``down``): an intensifier, a diminisher, a negation, a
  negative or positive clause appended. Passes when p(positive) of the second text is more than
  :data:`DIR_TOLERANCE` beyond the first's in the expected direction, or the second text is
  already within :data:`DIR_TOLERANCE` of the end of the scale (p ≥ 1 - tolerance for ``up``,
  ≤ tolerance for ``down``: a model cannot be more sure than sure). Standing still fails (a
  model that ignores "very" does not pass a test about "very"); CheckList's own, more lenient
  rule (not the wrong way by more than a tolerance) is reported beside it as ``wrong_way``.
* ``NEUTRAL``: a factual text without sentiment. Not passed or failed: a two-class model should
  be unsure on them, so the report gives their mean top probability and how many a prediction
  with ``min_confidence`` (default :data:`ABSTAIN_CONFIDENCE`) abstains on.

A model is any object with ``labels`` (class names in output order) and
``predict_proba(texts) -> np.ndarray`` of shape ``[len(texts), len(labels)]``; its predicted
label is the most probable one. Numpy only, so the tests can score stub models.
"""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

MFT, INV, DIR, NEUTRAL = "MFT", "INV", "DIR", "NEUTRAL"
TESTED_TYPES = (MFT, INV, DIR)
TYPES = (*TESTED_TYPES, NEUTRAL)
UP, DOWN = "up", "down"
TESTED_CATEGORIES = (
    "plain",
    "negation",
    "contrast",
    "intensity",
    "products",
    "restaurants",
    "hotels",
    "apps",
    "customer_service",
    "tweets",
)
"""The suite's categories of pass/fail cases, in report order."""
CATEGORIES = (*TESTED_CATEGORIES, "neutral")
DIR_TOLERANCE = 0.02
"""How far p(positive) must move for a DIR case to pass (and how close to 0 or 1 counts as the
end of the scale)."""
ABSTAIN_CONFIDENCE = 0.7
"""The ``min_confidence`` of the neutral set's abstention count."""
SAMPLE_SIZE = 30
SAMPLE_SEED = 18
MAX_EXAMPLES = 5
"""Failed cases listed per category and type in a report."""
CASES_FILE = Path(__file__).resolve().parents[1] / "tests" / "behaviour" / "cases.jsonl"


class ProbabilityModel(Protocol):
    """What the suite needs from a model."""

    @property
    def labels(self) -> Sequence[str]: ...

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class Case:
    """One test case of the suite."""

    id: str
    type: str
    category: str
    texts: tuple[str, ...]
    label: str | None = None
    """Expected label (MFT)."""
    direction: str | None = None
    """``up`` or ``down`` (DIR): how the second text must move p(positive)."""
    capability: str = ""
    """What the case checks (``negated positive``, ``name swap``, ...)."""
    source: str = "template"
    """``template`` (generated from a template and fillers) or ``hand`` (written by hand)."""

    def __post_init__(self) -> None:
        expected_texts = 2 if self.type in (INV, DIR) else 1
        if self.type not in TYPES:
            raise ValueError(f"case {self.id}: unknown type {self.type!r}")
        if len(self.texts) != expected_texts:
            raise ValueError(f"case {self.id}: a {self.type} case has {expected_texts} text(s)")
        if self.type == MFT and not self.label:
            raise ValueError(f"case {self.id}: an MFT case needs its expected label")
        if self.type == DIR and self.direction not in (UP, DOWN):
            raise ValueError(f"case {self.id}: a DIR case needs direction 'up' or 'down'")
        if self.type == INV and self.texts[0] == self.texts[1]:
            raise ValueError(f"case {self.id}: an INV case needs two different texts")

    def to_dict(self) -> dict[str, Any]:
        """The JSON-lines form (fields that do not apply left out)."""
        out: dict[str, Any] = {"id": self.id, "type": self.type, "category": self.category}
        out["texts"] = list(self.texts)
        if self.label is not None:
            out["label"] = self.label
        if self.direction is not None:
            out["direction"] = self.direction
        out |= {"capability": self.capability, "source": self.source}
        return out

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> Case:
        return cls(
            id=row["id"],
            type=row["type"],
            category=row["category"],
            texts=tuple(row["texts"]),
            label=row.get("label"),
            direction=row.get("direction"),
            capability=row.get("capability", ""),
            source=row.get("source", "template"),
        )


def dumps(cases: Iterable[Case]) -> str:
    """The cases as JSON lines (the file format)."""
    return "".join(json.dumps(case.to_dict(), ensure_ascii=False) + "\n" for case in cases)


def load_cases(path: str | Path = CASES_FILE) -> list[Case]:
    """Every case of a JSON-lines file (ids must be unique)."""
    cases = [
        Case.from_dict(json.loads(line))
        for line in Path(path).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    duplicates = [name for name, k in Counter(c.id for c in cases).items() if k > 1]
    if duplicates:
        raise ValueError(f"duplicate case ids: {', '.join(sorted(duplicates))}")
    return cases


def counts(cases: Iterable[Case]) -> dict[str, dict[str, int]]:
    """Number of cases per type, per category and per category and type."""
    cases = list(cases)
    by_category: dict[str, Counter[str]] = defaultdict(Counter)
    for case in cases:
        by_category[case.category][case.type] += 1
    return {
        "total": {"cases": len(cases)},
        "by_type": dict(sorted(Counter(c.type for c in cases).items())),
        "by_category": {k: sum(v.values()) for k, v in sorted(by_category.items())},
        "by_category_and_type": {
            k: dict(sorted(v.items())) for k, v in sorted(by_category.items())
        },
    }


def fixed_sample(cases: Sequence[Case], size: int = SAMPLE_SIZE, seed: int = SAMPLE_SEED) -> list:
    """A fixed sample of ``size`` tested (non-neutral) cases, each type in proportion (largest
    remainders), in id order."""
    rng = random.Random(seed)
    tested = sorted((c for c in cases if c.type in TESTED_TYPES), key=lambda c: c.id)
    size = min(size, len(tested))
    pools = {kind: [c for c in tested if c.type == kind] for kind in TESTED_TYPES}
    exact = {kind: size * len(pool) / len(tested) for kind, pool in pools.items()}
    shares = {kind: int(share) for kind, share in exact.items()}
    by_remainder = sorted(TESTED_TYPES, key=lambda k: shares[k] - exact[k])  # largest first
    for kind in by_remainder[: size - sum(shares.values())]:
        shares[kind] += 1
    picked: list[Case] = []
    for kind in TESTED_TYPES:
        picked += rng.sample(pools[kind], shares[kind])
    return sorted(picked, key=lambda c: c.id)


def _probabilities(model: ProbabilityModel, cases: Sequence[Case]) -> dict[str, np.ndarray]:
    """Each distinct text of the cases → its probability row, in one ``predict_proba`` call."""
    texts = list(dict.fromkeys(text for case in cases for text in case.texts))
    rows = np.asarray(model.predict_proba(texts), dtype=np.float64) if texts else np.zeros((0,))
    if len(texts) and rows.shape != (len(texts), len(model.labels)):
        raise ValueError(f"predict_proba gave shape {rows.shape} for {len(texts)} texts")
    return dict(zip(texts, rows, strict=True))


def score_case(
    case: Case, rows: Sequence[np.ndarray], labels: Sequence[str], positive: int, tolerance: float
) -> dict[str, Any]:
    """One case's verdict (``passed``; ``None`` for neutral cases) and what the model said."""
    predicted = [labels[int(np.argmax(row))] for row in rows]
    p_pos = [float(row[positive]) for row in rows]
    out: dict[str, Any] = {"id": case.id, "predicted": predicted, "p_positive": p_pos}
    if case.type == MFT:
        out["passed"] = predicted[0] == case.label
    elif case.type == INV:
        out["passed"] = predicted[0] == predicted[1]
    elif case.type == DIR:
        sign = 1.0 if case.direction == UP else -1.0
        moved = sign * (p_pos[1] - p_pos[0])
        at_end = p_pos[1] >= 1 - tolerance if sign > 0 else p_pos[1] <= tolerance
        out["passed"] = moved > tolerance or at_end
        out["wrong_way"] = moved < -tolerance
    else:
        out["passed"] = None
        out["confidence"] = float(np.max(rows[0]))
    return out


def _rate(results: Sequence[dict[str, Any]]) -> dict[str, Any]:
    passed = sum(bool(r["passed"]) for r in results)
    return {"passed": passed, "total": len(results), "rate": passed / len(results)}


def _failure(case: Case, result: dict[str, Any]) -> dict[str, Any]:
    out = {"id": case.id, "texts": list(case.texts), "predicted": result["predicted"]}
    out["p_positive"] = [round(p, 4) for p in result["p_positive"]]
    if case.label is not None:
        out["expected"] = case.label
    if case.direction is not None:
        out["expected"] = f"p(positive) {case.direction}"
    return out


def score_suite(
    model: ProbabilityModel,
    cases: Sequence[Case],
    *,
    positive_label: str = "positive",
    tolerance: float = DIR_TOLERANCE,
    min_confidence: float = ABSTAIN_CONFIDENCE,
    max_examples: int = MAX_EXAMPLES,
) -> dict[str, Any]:
    """Pass rates overall, per type, per category and per category and type; failures with
    examples; the neutral set's confidence; and every case's own result (``cases``)."""
    labels = list(model.labels)
    if positive_label not in labels:
        raise ValueError(f"the model's labels {labels} have no {positive_label!r}")
    positive = labels.index(positive_label)
    table = _probabilities(model, cases)
    results = [
        score_case(case, [table[t] for t in case.texts], labels, positive, tolerance)
        for case in cases
    ]
    tested = [(c, r) for c, r in zip(cases, results, strict=True) if c.type != NEUTRAL]
    if not tested:
        raise ValueError("no MFT, INV or DIR case to score")
    by_type: dict[str, list] = defaultdict(list)
    by_category: dict[str, list] = defaultdict(list)
    cells: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    failures: dict[str, list] = defaultdict(list)
    for case, result in tested:
        by_type[case.type].append(result)
        by_category[case.category].append(result)
        cells[case.category][case.type].append(result)
        if not result["passed"]:
            failures[f"{case.category}/{case.type}"].append(_failure(case, result))
    dirs = by_type.get(DIR, [])
    report: dict[str, Any] = {
        "overall": _rate([r for _, r in tested]),
        "by_type": {k: _rate(by_type[k]) for k in TESTED_TYPES if by_type[k]},
        "by_category": {k: _rate(v) for k, v in sorted(by_category.items())},
        "by_category_and_type": {
            category: {k: _rate(row[k]) for k in TESTED_TYPES if row[k]}
            for category, row in sorted(cells.items())
        },
        "dir_wrong_way": {"count": sum(r["wrong_way"] for r in dirs), "total": len(dirs)},
        "rules": {"dir_tolerance": tolerance, "positive_label": positive_label},
        "failures": {
            "count": sum(len(v) for v in failures.values()),
            "examples": {k: v[:max_examples] for k, v in sorted(failures.items())},
            "ids": sorted(f["id"] for v in failures.values() for f in v),
        },
        "cases": results,
    }
    neutral = [r for c, r in zip(cases, results, strict=True) if c.type == NEUTRAL]
    if neutral:
        confidence = np.array([r["confidence"] for r in neutral])
        abstained = int((confidence < min_confidence).sum())
        report["neutral"] = {
            "n": len(neutral),
            "mean_top_probability": float(confidence.mean()),
            "min_confidence": min_confidence,
            "abstained": abstained,
            "abstain_rate": abstained / len(neutral),
            "predicted": dict(sorted(Counter(r["predicted"][0] for r in neutral).items())),
        }
    return report


def pass_rate(model: ProbabilityModel, cases: Sequence[Case], **options: Any) -> float:
    """The overall pass rate of ``model`` on ``cases`` (neutral cases do not count)."""
    return float(score_suite(model, cases, **options)["overall"]["rate"])
