"""The model-kind contract, run over every registered kind: train on tiny data → save → load →
identical probabilities; batch == single; description and model card name the architecture;
the scikit-learn estimator fits, predicts and survives ``clone`` for every trainable kind."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone

from conftest import toy_texts
from lstm_sentiment import LSTMSentimentClassifier, pipeline
from lstm_sentiment.config import ModelConfig, RunConfig
from lstm_sentiment.ensemble.build import build_ensemble
from lstm_sentiment.kinds import (
    KIND_ENSEMBLE,
    KIND_NBSVM,
    KIND_NEURAL,
    bundle_kind,
    describe,
    kind_names,
    load_model,
    save_model,
)
from lstm_sentiment.models.registry import ARCHITECTURES
from lstm_sentiment.predict import SentimentModel

TRAINED_KINDS = {KIND_NEURAL: ["model.architecture=gru"], KIND_NBSVM: ["model.architecture=nbsvm"]}
"""Overrides that train each kind trained from a configuration (ensembles are built)."""
NBSVM_TINY = ["nbsvm.min_df=1", "nbsvm.c_values=1"]
ARCHITECTURE_WORDS = {KIND_NEURAL: "GRU", KIND_NBSVM: "NBSVM", KIND_ENSEMBLE: "ensemble"}
TEXTS = [text for text, _ in toy_texts(seed=5, n_per_class=4)] + ["great", "awful dull"]


@dataclass(frozen=True)
class KindBundles:
    paths: dict[str, Path]


@pytest.fixture(scope="module")
def bundles(tmp_path_factory: pytest.TempPathFactory, tiny_files) -> KindBundles:
    """One bundle of every kind, trained (or built) once for the module."""
    root = tmp_path_factory.mktemp("kinds")
    raw = RunConfig.from_file(tiny_files.toml).to_dict()
    raw["data"]["source"] = str(tiny_files.csv)
    base = RunConfig.from_dict(raw).with_overrides(NBSVM_TINY)
    paths = {
        kind: pipeline.train(base.with_overrides(overrides), root / kind).model_dir
        for kind, overrides in TRAINED_KINDS.items()
    }
    paths[KIND_ENSEMBLE] = build_ensemble(
        [paths[KIND_NEURAL], paths[KIND_NBSVM]], root / KIND_ENSEMBLE
    ).model_dir
    return KindBundles(paths)


def test_every_registered_kind_is_covered() -> None:
    assert set(kind_names()) == {KIND_NEURAL, KIND_NBSVM, KIND_ENSEMBLE}
    assert set(ARCHITECTURE_WORDS) == set(kind_names())


@pytest.mark.parametrize("kind", [KIND_NEURAL, KIND_NBSVM, KIND_ENSEMBLE])
def test_kind_save_load_round_trip(bundles: KindBundles, kind: str, tmp_path: Path) -> None:
    path = bundles.paths[kind]
    assert bundle_kind(path) == kind
    model = SentimentModel.load(path)
    first = model.predict_proba(TEXTS)
    assert first.shape == (len(TEXTS), 2)
    np.testing.assert_allclose(first.sum(axis=1), 1.0, atol=1e-6)

    save_model(tmp_path / "again", load_model(path))
    again = SentimentModel.load(tmp_path / "again")
    assert again.labels == model.labels
    np.testing.assert_array_equal(again.predict_proba(TEXTS), first)

    one_by_one = np.vstack([model.predict_proba([text]) for text in TEXTS])
    np.testing.assert_allclose(one_by_one, first, rtol=0, atol=1e-6)


@pytest.mark.parametrize("kind", [KIND_NEURAL, KIND_NBSVM, KIND_ENSEMBLE])
def test_kind_description_and_card_name_the_architecture(bundles: KindBundles, kind: str) -> None:
    scorer = load_model(bundles.paths[kind])
    word = ARCHITECTURE_WORDS[kind]
    assert word.lower() in scorer.description.lower(), scorer.description
    card = (bundles.paths[kind] / "README.md").read_text(encoding="utf-8")
    assert word.lower() in card.lower()
    assert scorer.kind == kind


def test_describe_names_the_kind_of_each_architecture() -> None:
    """Regression: ``describe`` of an NBSVM configuration described a BiLSTM."""
    nbsvm = describe(ModelConfig(architecture="nbsvm"))
    assert "NBSVM" in nbsvm and "LSTM" not in nbsvm and "units" not in nbsvm
    for architecture in ARCHITECTURES:
        line = describe(ModelConfig(architecture=architecture))
        assert "NBSVM" not in line, (architecture, line)


@pytest.mark.parametrize("kind", list(TRAINED_KINDS))
def test_estimator_fits_predicts_and_clones_every_trainable_kind(
    kind: str, tiny_files, tmp_path: Path
) -> None:
    """Regression: ``LSTMSentimentClassifier(architecture="nbsvm").fit`` raised "it has no
    neural bundle"."""
    rows = toy_texts(0)
    texts, labels = [t for t, _ in rows], [label for _, label in rows]
    architecture = TRAINED_KINDS[kind][0].split("=")[1]
    config = RunConfig.from_file(tiny_files.toml).with_overrides(NBSVM_TINY).to_dict()
    estimator = LSTMSentimentClassifier(architecture=architecture, config=config, epochs=4)
    fitted = estimator.fit(texts, labels)
    assert fitted is estimator
    assert fitted.model_.kind == kind
    assert (fitted.predict(texts) == np.array(labels)).mean() >= 0.9
    copy = clone(fitted)
    assert copy.get_params() == fitted.get_params()
    assert not hasattr(copy, "model_")
    np.testing.assert_allclose(copy.fit(texts, labels).predict_proba(texts[:6]),
                               fitted.predict_proba(texts[:6]), atol=1e-6)  # fmt: skip
