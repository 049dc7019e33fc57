"""bench/explain_path.py: the integration path traced on a fine grid, and its summary."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import explain_path
from lstm_sentiment.predict import SentimentModel
from test_onnx import tiny_bundle, varied_texts


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> SentimentModel:
    root = tmp_path_factory.mktemp("explain_path")
    path = tiny_bundle(root / "model", {"lexicon": "vader", "nb_ngrams": 2, "nb_buckets": 32})
    return SentimentModel.load(path, runtime="torch")


def test_the_path_ends_at_the_explained_output(model: SentimentModel) -> None:
    text = varied_texts()[7]
    values = explain_path.path_values(model, text, grid=16)
    explanation = model.explain([text])[0]
    assert len(values) == 17
    probabilities = np.array([explanation.probabilities[label] for label in model.labels])
    log_p = np.log(probabilities)
    assert values[-1] == pytest.approx(log_p.max() - log_p.mean(), abs=1e-4)


def test_a_smooth_path_has_no_steep_steps_and_a_small_gap(model: SentimentModel) -> None:
    texts = varied_texts()[5:9]
    found = explain_path.roughness(model, texts, steps=[8, 32], grid=64)
    assert found["texts"] == 4 and found["texts_with_steep_steps"] == 0
    assert found["steep_positions_by_tenth_of_path"] == []
    assert found["gap_median_by_steps"]["32"] < 0.01
    assert found["gap_median_8_steps_with_steep"] is None
    line = explain_path.readme_lines(found)[0]
    assert (
        "0 reviews have steep transitions (> 0.05 logits within 1/64 of the path)." in line
        and "32 steps" in line
    )


def test_path_steps_must_be_positive_integers(capsys: pytest.CaptureFixture[str]) -> None:
    import explain

    assert explain.parse_args(["--path-steps", "8,64"]).path_steps == [8, 64]
    for bad in ("", "8,x", "0,32"):
        with pytest.raises(SystemExit) as stopped:
            explain.parse_args(["--path-steps", bad])
        assert stopped.value.code == 2
        assert "give positive integers" in capsys.readouterr().err
