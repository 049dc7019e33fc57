"""model.lexicon: VADER's lexicon as fixed per-token features learned from, saved, exported."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from conftest import tiny_config_dict, to_toml
from lstm_sentiment import pipeline
from lstm_sentiment.config import RunConfig
from lstm_sentiment.errors import ConfigError
from lstm_sentiment.explain.registry import ExplainOptions, attribute
from lstm_sentiment.export.onnx_export import export_onnx
from lstm_sentiment.kinds.neural_model import load_bundle
from lstm_sentiment.predict import SentimentModel
from lstm_sentiment.vectors.lexicon import LEXICON_FEATURES, load_lexicon
from test_onnx import tiny_bundle, varied_texts

PARITY = 1e-4
UNSEEN_POSITIVE, UNSEEN_NEGATIVE = "delightful", "horrendous"
"""Lexicon words the toy training texts never use."""


def test_vader_table_has_valence_negation_and_intensity() -> None:
    lexicon = load_lexicon("vader")
    table = lexicon.table(["<pad>", "good", "terrible", "not", "n't", "never", "very", "slightly"])
    assert table.shape == (8, LEXICON_FEATURES)
    assert not table[0].any()
    assert table[1, 0] > 0.3 and table[2, 0] < -0.3
    assert table[3:6, 1].tolist() == [1.0, 1.0, 1.0]
    assert table[6, 2] == 1.0 and table[7, 2] == -1.0
    assert np.abs(table[:, 0]).max() <= 1.0


def test_unknown_lexicon_is_a_config_error() -> None:
    raw = tiny_config_dict("tiny.csv", "vectors.txt")
    raw["model"]["lexicon"] = "vadr"
    with pytest.raises(ConfigError, match=r"model\.lexicon must be one of none, vader"):
        RunConfig.from_dict(raw)


@pytest.fixture(scope="module")
def lexicon_run(tmp_path_factory: pytest.TempPathFactory, tiny_files) -> Path:
    raw = RunConfig.from_file(tiny_files.toml).to_dict()
    raw["data"]["source"] = str(tiny_files.csv)
    raw["model"]["lexicon"] = "vader"
    root = tmp_path_factory.mktemp("lexicon")
    (root / "config.toml").write_text(to_toml(raw), encoding="utf-8")
    return pipeline.train(RunConfig.from_dict(raw), root / "run").model_dir


def test_training_adds_lexicon_words_and_saves_their_features(lexicon_run: Path) -> None:
    bundle = load_bundle(lexicon_run)
    vocab = bundle.encoder.vocab
    assert UNSEEN_POSITIVE in vocab and UNSEEN_NEGATIVE in vocab
    table = bundle.model.lexicon.table  # type: ignore[union-attr]
    positive, negative = vocab.lookup([UNSEEN_POSITIVE, UNSEEN_NEGATIVE])
    assert table[positive, 0] > 0 > table[negative, 0]
    assert not table[vocab.pad_id].any()


def test_lexicon_model_learns_and_reloads_identically(lexicon_run: Path) -> None:
    model = SentimentModel.load(lexicon_run, runtime="torch")
    texts = ["a great and wonderful film", "awful boring plot", f"a {UNSEEN_POSITIVE} story"]
    first = model.predict_proba(texts)
    assert first[0, 1] > 0.5 > first[1, 1]
    again = SentimentModel.load(lexicon_run, runtime="torch").predict_proba(texts)
    assert np.abs(first - again).max() < 1e-6


def test_lexicon_model_explains_with_small_completeness_gap(lexicon_run: Path) -> None:
    model = SentimentModel.load(lexicon_run, runtime="torch")
    explanation = model.explain(["i hate this terrible film"])[0]
    assert explanation.completeness_gap < 0.05
    scores = {token.token: explanation.score_of(token, "positive") for token in explanation.tokens}
    assert scores["terrible"] < 0


def test_lexicon_model_exports_to_onnx_with_parity(tmp_path: Path) -> None:
    path = tiny_bundle(tmp_path / "model", {"lexicon": "vader", "nb_ngrams": 2, "nb_buckets": 32})
    assert torch.count_nonzero(load_bundle(path).model.lexicon.table)  # type: ignore[union-attr]
    export_onnx(path)
    texts = varied_texts()
    reference = SentimentModel.load(path, runtime="torch").predict_proba(texts)
    onnx = SentimentModel.load(path, runtime="onnx", threads=1).predict_proba(texts)
    assert np.abs(onnx - reference).max() < PARITY


def test_lexicon_model_scores_are_the_path_integral_of_its_token_features(
    lexicon_run: Path,
) -> None:
    """The two-layer integral (embedding and lexicon) gives each token what an independent
    Gauss-Legendre integral over the concatenated token features gives it."""
    steps = 16
    bundle = load_bundle(lexicon_run)
    model, encoder = bundle.model, bundle.encoder
    model.eval()
    text = f"a {UNSEEN_POSITIVE} story but awful boring plot"
    found = attribute(bundle, [text], ExplainOptions(steps=steps))[0]
    ids = encoder.lookup([token.text for token in found.tokens], text)
    inputs, lengths = torch.tensor([ids]), torch.tensor([len(ids)])
    with torch.no_grad():
        features = model.embed(inputs)
        reference = model.embed(torch.full_like(inputs, encoder.vocab.pad_id))
    nodes, weights = np.polynomial.legendre.leggauss(steps)
    integral = torch.zeros_like(features)
    for node, weight in zip(nodes, weights, strict=True):
        point = (reference + 0.5 * (1 + node) * (features - reference)).requires_grad_(True)
        logits = model.classify(point, lengths, inputs)[0]
        (gradient,) = torch.autograd.grad(logits[1] - logits.mean(), point)
        integral += 0.5 * weight * gradient
    expected = ((integral * (features - reference)).sum(-1)[0] / bundle.temperature).numpy()
    np.testing.assert_allclose(found.scores[:, 1], expected, rtol=1e-4, atol=1e-5)
