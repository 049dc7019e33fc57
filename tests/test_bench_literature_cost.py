"""bench/literature_cost.py: training speed of published networks and the hours they imply."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import literature_cost as cost

CORPUS = {
    "labelled_reviews": 100,
    "labelled_tokens": 30_000,
    "labelled_tokens_cut_400": 20_000,
    "unlabelled_reviews": 300,
    "unlabelled_tokens": 90_000,
}


def tiny(name: str, objective: str, corpus: str, **training: float) -> cost.Setup:
    build = cost.language_model(16, 6) if objective == "tokens" else cost.classifier(8, 6)
    return cost.Setup(name, "test", build, objective, corpus, **training)


def test_every_objective_trains_and_the_hours_follow_from_speed() -> None:
    setups = [
        tiny("plain", "classify", "labelled", epochs=2),
        tiny("cut", "classify", "labelled", epochs=2, max_length=400, share=0.5),
        tiny("mixed", "mixed", "labelled", epochs=1),
        tiny("lm", "tokens", "unlabelled", epochs=3),
        tiny("vat", "vat", "fixed", fixed_tokens=1e6),
    ]
    rows = {row["setup"]: row for row in cost.measure(setups, CORPUS, 4, 12, 1)}
    assert [rows[name]["tokens_to_train"] for name in rows] == [
        60_000,
        20_000,
        30_000,
        270_000,
        1e6,
    ]
    for row in rows.values():
        assert row["tokens_per_second"] == pytest.approx(4 * 12 / row["step_seconds"])
        hours = row["tokens_to_train"] / row["tokens_per_second"] / 3600
        assert row["hours_needed"] == pytest.approx(hours)
        assert row["times_the_budget"] == pytest.approx(hours / cost.BUDGET_HOURS)
        assert row["parameters"] > 0


def test_a_step_changes_the_weights_for_each_kind_of_model() -> None:
    import torch

    for build, objective in [
        (cost.classifier(8, 6), "mixed"),
        (cost.language_model(16, 6), "tokens"),
        (cost.tv_embeddings(8), "tokens"),
    ]:
        torch.manual_seed(0)
        model = build()
        before = [p.detach().clone() for p in model.parameters()]
        cost.step_function(model, objective)(torch.randint(1, cost.VOCAB, (3, 10)))
        assert any(
            not torch.equal(a, b.detach()) for a, b in zip(before, model.parameters(), strict=True)
        )


def test_the_readme_table_has_a_row_per_setup_and_the_check_line() -> None:
    rows = [
        {
            "setup": "this_recipe",
            "paper": "here",
            "tokens_per_second": 40_000.0,
            "tokens_to_train": 2.4e7,
            "hours_needed": 0.1667,
            "times_the_budget": 0.0556,
        }
    ]
    lines = cost.readme_lines({"setups": rows, "check_recorded_seconds": 680.2})
    assert lines[2] == "| this_recipe | here | 40,000 | 24,000,000 | 0.2 | 0.1 |"
    assert "predicts 600 s" in lines[-1] and "recorded 680 s" in lines[-1]
    assert len(cost.readme_lines({"setups": rows, "check_recorded_seconds": None})) == 3


def test_bad_arguments_stop_with_a_one_line_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = str(tmp_path)
    assert cost.parse_args(["--data", data, "--setups", "sachan_ml"]).setups == ["sachan_ml"]
    for bad in (["--setups", "gpt"], ["--setups", ","], ["--steps", "0"]):
        with pytest.raises(SystemExit) as stopped:
            cost.parse_args(["--data", data, *bad])
        assert stopped.value.code == 2
    assert "valid:" in capsys.readouterr().err
    with pytest.raises(SystemExit) as stopped:
        cost.parse_args(["--data", str(tmp_path / "missing.tar.gz")])
    assert stopped.value.code == 2
    assert "does not exist: give the aclImdb tarball or folder" in capsys.readouterr().err
