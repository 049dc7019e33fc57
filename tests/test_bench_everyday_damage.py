"""bench/everyday_damage.py: the damage is the GOP file's (bytes 0x80-0x9F written as ``?``),
and the project's reader keeps it from reading as question marks, where a plain
``errors="replace"`` decode does not."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import bench_module


@pytest.fixture(scope="module")
def damage():
    return bench_module("everyday_damage")


class QuestionMarkModel:
    """p(positive) 0.8 for "good", 0.2 otherwise; each "?" takes 0.2 off (as film reviews
    taught the shipped model to read doubt)."""

    labels = ("negative", "positive")

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        p = np.array([(0.8 if "good" in t else 0.2) - 0.2 * t.count("?") for t in texts])
        p = p.clip(0.0, 1.0)
        return np.stack([1.0 - p, p], axis=1)


def test_damage_writes_question_marks_for_the_lost_bytes(damage) -> None:
    assert damage.damage("ok 😂") == b"ok \xf0???"  # F0 9F 98 82
    assert damage.damage("…") == b"\xe2?\xa6"  # E2 80 A6
    assert damage.damage("plain ascii?") == b"plain ascii?"
    copies = damage.damaged_copies(["a", "b", "c"], seed=3)
    assert copies == damage.damaged_copies(["a", "b", "c"], seed=3)
    assert [copy[:2] for copy in copies] == [b"a ", b"b ", b"c "]


def test_the_project_reader_keeps_a_damaged_emoji_from_moving_the_prediction(damage) -> None:
    texts = ["good film", "so good", "bad film", "meh"]
    labels = ["positive", "positive", "negative", "negative"]
    got = damage.scores(QuestionMarkModel(), texts, labels, damage.damaged_copies(texts))
    assert got["accuracy"] == 1.0
    plain, project = got["plain replace"], got["project reader"]
    assert "??" in plain["example"] and "?" not in project["example"]
    assert plain["same_label"] == 0.5 and plain["accuracy"] == 0.5  # the positives flip
    assert project["same_label"] == 1.0 and project["mean_change"] == pytest.approx(0.0)
    lines = damage.table({"tweets": got})
    assert len(lines) == 4
    assert "| tweets | 4 | 1.0000 | project reader | 1.0000 | 1.0000 |" in lines[3]


def test_a_study_without_its_held_out_files_stops_with_a_usage_error(
    damage, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    results = damage.benchlib.ROOT / "bench" / "results" / "everyday_damage.json"
    before = results.stat().st_mtime_ns if results.exists() else None
    monkeypatch.setattr("sys.argv", ["everyday_damage.py", "--study", str(tmp_path)])
    with pytest.raises(SystemExit) as stopped:
        damage.main()
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "tweets_validation.csv does not exist: run bench/everyday_finetune.py" in err
    assert (results.stat().st_mtime_ns if results.exists() else None) == before
