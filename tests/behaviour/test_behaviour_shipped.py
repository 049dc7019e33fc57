"""The shipped model on the suite's fixed 30-case sample: not below the pass rate that
bench/everyday.py recorded for it (tests/behaviour/shipped_sample.json) minus 5 points."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import behaviour_suite as bs
from lstm_sentiment import SentimentModel

HERE = Path(__file__).resolve().parent
MARGIN = 0.05


def test_shipped_model_keeps_its_recorded_pass_rate_on_the_sample() -> None:
    record = json.loads((HERE / "shipped_sample.json").read_text(encoding="utf-8"))
    cases = {case.id: case for case in bs.load_cases(HERE / "cases.jsonl")}
    assert record["path"] == "default" and record["total"] == len(record["case_ids"]) == 30
    assert [case.id for case in bs.fixed_sample(list(cases.values()))] == record["case_ids"], (
        "the sample changed with the cases: re-run bench/everyday.py to record it again"
    )
    sample = [cases[case_id] for case_id in record["case_ids"]]
    report = bs.score_suite(SentimentModel.load(), sample, tolerance=record["dir_tolerance"])
    rate = report["overall"]["rate"]
    assert rate >= record["pass_rate"] - MARGIN, report["failures"]["examples"]
