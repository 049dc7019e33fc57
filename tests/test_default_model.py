"""The English model shipped inside the package works offline right after install."""

from __future__ import annotations

import pytest

from lstm_sentiment.cli import main
from lstm_sentiment.predict import SentimentModel, default_model_path

MAX_BUNDLE_BYTES = 30_000_000
"""30 MB: the safetensors weights, the vocabulary and the fp32 and int8 ONNX graphs (their large
float tensors read from the safetensors file)."""


@pytest.fixture(scope="module")
def default_model() -> SentimentModel:
    return SentimentModel.load()


def test_default_bundle_is_small() -> None:
    size = sum(p.stat().st_size for p in default_model_path().iterdir())
    assert size <= MAX_BUNDLE_BYTES


def test_default_model_labels_and_obvious_reviews(default_model: SentimentModel) -> None:
    assert default_model.labels == ["negative", "positive"]
    predictions = default_model.predict(
        [
            "A wonderful, moving film with brilliant acting. I loved every minute of it!",
            "Awful. Boring plot, terrible acting, a complete waste of two hours.",
        ]
    )
    assert [p.label for p in predictions] == ["positive", "negative"]
    for p in predictions:
        assert sum(p.probabilities.values()) == pytest.approx(1.0, abs=1e-5)


def test_default_model_card_states_test_metrics() -> None:
    card = (default_model_path() / "README.md").read_text(encoding="utf-8")
    assert "test (n=25,000)" in card


def test_predict_without_model_uses_default(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-q", "predict", "--format", "json", "a truly great movie"]) == 0
    out = capsys.readouterr().out
    assert '"label": "positive"' in out
