"""NBSVM as a model kind: learns the toy task, saves without pickle, reloads identically."""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from safetensors.numpy import load_file, save_file
from scipy import sparse

from conftest import FILLER_WORDS, tamper_consistently, toy_texts
from lstm_sentiment import pipeline
from lstm_sentiment.cli import main
from lstm_sentiment.config import RunConfig
from lstm_sentiment.data import Example
from lstm_sentiment.errors import BundleError
from lstm_sentiment.kinds import load_model as load_nbsvm
from lstm_sentiment.kinds import save_model as save_nbsvm
from lstm_sentiment.kinds.neural_model import load_bundle
from lstm_sentiment.linear.nbsvm import log_count_ratios
from lstm_sentiment.linear.ngrams import NgramFeaturizer, fit_ngrams, ngram_orders, ngrams
from lstm_sentiment.predict import SentimentModel
from lstm_sentiment.text.tokenize import WordTokenizer

NBSVM_SETTINGS = ["model.architecture=nbsvm", "nbsvm.min_df=1", "nbsvm.c_values=0.3,1"]
BUNDLE_FILES = {
    "config.json",
    "model.safetensors",
    "ngrams.json",
    "metrics.json",
    "README.md",
    "manifest.json",
}


@pytest.fixture(scope="module")
def nbsvm_run(tmp_path_factory: pytest.TempPathFactory, tiny_files) -> pipeline.TrainResult:
    """One NBSVM trained on the toy corpus for the whole module."""
    raw = json.loads(json.dumps(RunConfig.from_file(tiny_files.toml).to_dict()))
    raw["data"]["source"] = str(tiny_files.csv)
    config = RunConfig.from_dict(raw).with_overrides(NBSVM_SETTINGS)
    return pipeline.train(config, tmp_path_factory.mktemp("nbsvm") / "run")


def test_ngrams_lists_every_order() -> None:
    assert ngrams(["a", "b", "c"], 2) == ["a", "b", "c", "a b", "b c"]
    assert ngrams(["a", "b", "c"], 3)[-1] == "a b c"
    assert ngrams(["a"], 3) == ["a"]
    assert ngram_orders(["a", "a b", "a b c"]).tolist() == [1, 2, 3]


@given(st.lists(st.sampled_from(FILLER_WORDS), max_size=12), st.integers(1, 4))
def test_ngrams_count_property(tokens: list[str], max_order: int) -> None:
    grams = ngrams(tokens, max_order)
    expected = sum(max(0, len(tokens) - n + 1) for n in range(1, max_order + 1))
    assert len(grams) == expected
    assert all(ngram_orders(grams) <= max_order) if grams else True


def test_featurizer_matches_the_training_vectorizer() -> None:
    tokenizer = WordTokenizer()
    texts = [text for text, _ in toy_texts(seed=2, n_per_class=6)] + ["unseen words only"]
    vectorizer, matrix = fit_ngrams([tokenizer.tokenize(t) for t in texts[:-1]], 3, min_df=1)
    featurizer = NgramFeaturizer(tokenizer, vectorizer.get_feature_names_out().tolist(), 3)
    features = featurizer.transform(texts)
    assert (features[:-1] != matrix).nnz == 0
    assert features[-1].nnz == 0 and set(features.data) == {1.0}


def test_log_count_ratio_by_hand() -> None:
    # Three texts, two n-grams; the second n-gram only occurs in the positive text.
    x = sparse.csr_matrix(np.array([[1, 0], [1, 0], [1, 1]], dtype=np.float32))
    y = np.array([0, 0, 1])
    r = log_count_ratios(x, y, num_classes=2, alpha=1.0)
    p, q = np.array([2.0, 2.0]), np.array([3.0, 1.0])  # α + counts per class
    assert r.shape == (1, 2)
    np.testing.assert_allclose(r[0], np.log(p / p.sum()) - np.log(q / q.sum()))
    assert log_count_ratios(x, np.array([0, 1, 2]), num_classes=3, alpha=1.0).shape == (3, 2)


def test_nbsvm_learns_the_toy_task(
    nbsvm_run: pipeline.TrainResult, probe_texts: dict[str, str]
) -> None:
    assert nbsvm_run.metrics["validation"]["accuracy"] >= 0.95
    assert {row["c"] for row in nbsvm_run.metrics["grid"]} == {0.3, 1.0}
    assert nbsvm_run.metrics["nbsvm"]["max_order"] in (2, 3)
    model = SentimentModel.load(nbsvm_run.model_dir)
    assert model.kind == "nbsvm"
    assert model.labels == ["negative", "positive"]
    predicted = [p.label for p in model.predict(list(probe_texts))]
    assert predicted == list(probe_texts.values())
    metrics = model.evaluate(list(probe_texts), list(probe_texts.values()))
    assert metrics["accuracy"] == 1.0 and metrics["temperature"] == model.temperature


def test_nbsvm_bundle_has_no_pickle_and_round_trips(
    nbsvm_run: pipeline.TrainResult, tmp_path: Path
) -> None:
    files = {path.name for path in nbsvm_run.model_dir.iterdir()}
    assert files == BUNDLE_FILES
    for path in nbsvm_run.model_dir.iterdir():
        if path.suffix == ".json":
            json.loads(path.read_text(encoding="utf-8"))
        assert not path.read_bytes().startswith(b"\x80")  # pickle's protocol marker
    assert set(load_file(str(nbsvm_run.model_dir / "model.safetensors"))) == {
        "log_count_ratio",
        "coef",
        "intercept",
    }
    header = json.loads((nbsvm_run.model_dir / "config.json").read_text(encoding="utf-8"))
    assert (header["kind"], header["format"]) == ("nbsvm", "lstm-sentiment-bundle")
    assert header["validation_held_out"] is True

    texts = [text for text, _ in toy_texts(seed=3, n_per_class=5)]
    loaded = load_nbsvm(nbsvm_run.model_dir)
    save_nbsvm(tmp_path / "again", loaded, "card")
    again = SentimentModel.load(tmp_path / "again")
    first = SentimentModel.load(nbsvm_run.model_dir).predict_proba(texts)
    assert np.array_equal(first, again.predict_proba(texts))
    one_by_one = np.vstack([again.predict_proba([text]) for text in texts])
    np.testing.assert_allclose(first, one_by_one, rtol=0, atol=1e-9)  # batch shapes differ
    assert np.allclose(first.sum(axis=1), 1.0)


def test_nbsvm_multiclass_is_one_vs_rest(tmp_path: Path, tiny_config: RunConfig) -> None:
    rng = random.Random(0)
    neutral = [(" ".join(rng.sample(FILLER_WORDS, 4)), "neutral") for _ in range(30)]
    rows = toy_texts(0) + neutral
    examples = [Example(text, label) for text, label in rows]
    config = tiny_config.with_overrides(NBSVM_SETTINGS)
    result = pipeline.train(config, tmp_path / "run", examples=(examples, []))
    model = SentimentModel.load(result.model_dir)
    assert model.labels == ["negative", "neutral", "positive"]
    assert load_nbsvm(result.model_dir).ratios.shape[0] == 3
    probabilities = model.predict_proba(["a great film", "the story was the plot", "awful dull"])
    assert np.allclose(probabilities.sum(axis=1), 1.0)
    assert probabilities.argmax(axis=1).tolist() == [2, 1, 0]
    header = json.loads((result.model_dir / "config.json").read_text(encoding="utf-8"))
    assert header["outputs"] == "one-vs-rest"


def test_nbsvm_refit_records_that_validation_was_used(
    tmp_path: Path, tiny_config: RunConfig
) -> None:
    config = tiny_config.with_overrides([*NBSVM_SETTINGS, "nbsvm.refit=true"])
    result = pipeline.train(config, tmp_path / "run")
    header = json.loads((result.model_dir / "config.json").read_text(encoding="utf-8"))
    assert header["validation_held_out"] is False
    assert result.metrics["train_examples"] == 60


def copy_of(run: pipeline.TrainResult, tmp_path: Path) -> Path:
    return Path(shutil.copytree(run.model_dir, tmp_path / "model"))


def test_nbsvm_corrupt_bundles_are_bundle_errors(
    nbsvm_run: pipeline.TrainResult, tmp_path: Path
) -> None:
    bundle = copy_of(nbsvm_run, tmp_path)
    (bundle / "model.safetensors").write_bytes(b"not safetensors")
    with pytest.raises(BundleError, match="corrupt"):
        SentimentModel.load(bundle)

    arrays = load_file(str(nbsvm_run.model_dir / "model.safetensors"))
    arrays["coef"] = arrays["coef"][:, :-1].copy()
    save_file(arrays, str(bundle / "model.safetensors"))
    with pytest.raises(BundleError, match="does not match the bundle's manifest"):
        SentimentModel.load(bundle)
    tamper_consistently(bundle)
    with pytest.raises(BundleError, match=r"coef \(1, \d+\).*do not fit"):
        SentimentModel.load(bundle)

    (bundle / "ngrams.json").unlink()
    with pytest.raises(BundleError, match=r"missing ngrams\.json"):
        SentimentModel.load(bundle)
    tamper_consistently(bundle)
    with pytest.raises(BundleError, match=r"missing ngrams\.json"):
        SentimentModel.load(bundle)

    with pytest.raises(BundleError, match="not a neural one"):
        load_bundle(nbsvm_run.model_dir)


def test_unknown_model_kind_asks_for_an_upgrade(
    nbsvm_run: pipeline.TrainResult, tmp_path: Path
) -> None:
    bundle = copy_of(nbsvm_run, tmp_path)
    header = json.loads((bundle / "config.json").read_text(encoding="utf-8"))
    header["kind"] = "transformer"
    (bundle / "config.json").write_text(json.dumps(header), encoding="utf-8")
    tamper_consistently(bundle)
    with pytest.raises(BundleError, match=r"kind 'transformer'.*upgrade"):
        SentimentModel.load(bundle)


def test_cli_trains_and_evaluates_nbsvm(
    tmp_path: Path, tiny_files, capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "run"
    settings = [arg for item in NBSVM_SETTINGS for arg in ("--set", item)]
    argv = ["-q", "train", "--data", str(tiny_files.csv), "--config", str(tiny_files.toml)]
    assert main([*argv, *settings, "--output", str(run)]) == 0
    out = capsys.readouterr().out
    assert "NBSVM" in out and "chosen setting" in out
    code = main(["-q", "evaluate", "--model", str(run / "model"), "--data", str(tiny_files.csv)])
    assert code == 0
    code = main(
        [
            "evaluate",
            "--model",
            str(run / "model"),
            "--data",
            str(tiny_files.csv),
            "--format",
            "json",
        ]
    )
    assert code == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["accuracy"] >= 0.95
