"""bench/everyday_contrast.py: opposite sentences are joined so the later clause decides, the
label follows it at the stated shrink, and sentences that cannot be clauses are left out."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from conftest import bench_module


@pytest.fixture(scope="module")
def contrast():
    return bench_module("everyday_contrast")


@pytest.mark.parametrize(
    ("text", "clause"),
    [
        ("The plot was dull.", "the plot was dull"),
        ("Tom Hanks is superb!", "Tom Hanks is superb"),
        ("I loved every minute.", "I loved every minute"),
        ("The plot was dull but the cast shines.", None),
        ("Was it any good?", None),
        ("And the ending is awful.", None),
        ("Great.", None),
        ("the ending is awful", None),
    ],
)
def test_a_sentence_becomes_a_clause_or_is_left_out(
    contrast, text: str, clause: str | None
) -> None:
    assert contrast.clause(text) == clause


def test_the_later_clause_decides_the_label(contrast) -> None:
    rows = [
        ("The plot was dull.", 0.1),
        ("The cast is superb.", 0.9),
        ("The music was lovely.", 0.95),
        ("This film is a mess.", 0.05),
        ("It was fine I guess.", 0.55),  # unsure: never used
    ]
    pairs = contrast.contrast_pairs(rows, forbidden=set(), pairs=10, seed=0)
    assert len(pairs) == 2
    for text, p_positive in pairs:
        later_positive = p_positive > 0.5
        assert any(word in text for word in ("but", "However", "Although"))
        later = text.split(", ")[-1] if "Although" in text else text.split("but ")[-1]
        later = later.split("However, ")[-1]
        assert ("superb" in later or "lovely" in later) == later_positive
        expected = [0.5 + 0.8 * d for d in (0.4, 0.45, -0.4, -0.45)]
        assert min(abs(p_positive - e) for e in expected) < 1e-9
    assert "It was fine" not in " ".join(text for text, _ in pairs)


def test_forbidden_texts_are_not_written(contrast, tmp_path: Path) -> None:
    rows = [("The plot was dull.", 0.1), ("The cast is superb.", 0.9)]
    every_join = {
        contrast.normalised(contrast.join("the plot was dull", "the cast is superb", template))
        for template in contrast.TEMPLATES
    }
    assert contrast.contrast_pairs(rows, forbidden=every_join, pairs=5) == []
    source = tmp_path / "source.csv"
    pd.DataFrame({"text": [t for t, _ in rows], "p_positive": [p for _, p in rows]}).to_csv(
        source, index=False
    )
    record = contrast.contrast_data([source], tmp_path / "contrast.csv", pairs=5)
    frame = pd.read_csv(record["file"])
    assert record["pairs"] == len(frame) == 1
    assert list(frame.columns) == ["text", "label", "p_negative", "p_positive"]
    assert frame["label"][0] == "positive"


@pytest.mark.parametrize(
    "module_name",
    [
        "everyday_comparatives",
        "everyday_contrast",
        "everyday_frames",
        "everyday_counterfactual",
        "everyday_intensity",
        "everyday_quantifiers",
    ],
)
def test_a_missing_or_unlabelled_source_stops_with_one_line(
    module_name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    module = bench_module(module_name)
    plain = tmp_path / "plain.csv"
    plain.write_text("text,label\nGood.,positive\n", encoding="utf-8")
    output = tmp_path / "out.csv"
    for source, message in ((tmp_path / "none.csv", "does not exist"), (plain, "no p_positive")):
        argv = [module_name, "--source", str(source), "--output", str(output)]
        monkeypatch.setattr("sys.argv", argv)
        with pytest.raises(SystemExit) as stopped:
            module.main()
        assert stopped.value.code == 2
        assert message in capsys.readouterr().err
        assert not output.exists()
