"""Ensembles: members of different kinds and tokenizers, fitted weights, one bundle to load."""

from __future__ import annotations

import csv
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from conftest import tamper_consistently, toy_texts
from lstm_sentiment import pipeline
from lstm_sentiment.config import RunConfig
from lstm_sentiment.ensemble.build import ValidationData, build_ensemble
from lstm_sentiment.ensemble.model import EnsembleMember, EnsembleModel, label_columns
from lstm_sentiment.ensemble.weights import (
    equal_weights,
    fit_weights,
    parse_weights,
    true_class_probabilities,
    weighted_log_loss,
)
from lstm_sentiment.errors import BundleError, ConfigError
from lstm_sentiment.predict import SentimentModel
from test_cli import assert_input_error, run_cli

NBSVM = ["model.architecture=nbsvm", "nbsvm.min_df=1", "nbsvm.c_values=0.3,1"]


@dataclass(frozen=True)
class Members:
    csv: Path
    lstm: Path
    cnn_tweet: Path
    nbsvm: Path
    base: RunConfig
    root: Path


@pytest.fixture(scope="module")
def members(tmp_path_factory: pytest.TempPathFactory, tiny_files) -> Members:
    """Three members trained once: a word-token LSTM, a tweet-token CNN and an NBSVM."""
    root = tmp_path_factory.mktemp("ensemble")
    raw = RunConfig.from_file(tiny_files.toml).to_dict()
    raw["data"]["source"] = str(tiny_files.csv)
    base = RunConfig.from_dict(raw)
    paths = {}
    for name, overrides in (
        ("lstm", []),
        ("cnn_tweet", ["model.architecture=cnn", "text.tokenizer=tweet"]),
        ("nbsvm", NBSVM),
    ):
        paths[name] = pipeline.train(base.with_overrides(overrides), root / name).model_dir
    return Members(tiny_files.csv, paths["lstm"], paths["cnn_tweet"], paths["nbsvm"], base, root)


def all_members(m: Members) -> list[Path]:
    return [m.lstm, m.cnn_tweet, m.nbsvm]


# --- weights (no models needed) ---


def test_fitted_weights_beat_equal_ones_on_the_simplex() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 200)
    good = np.where(y[:, None] == np.arange(2), 0.9, 0.1)
    noise = rng.dirichlet([1, 1], size=200)
    probabilities = np.stack([good, noise, 0.5 * good + 0.5 * noise])
    true = true_class_probabilities(probabilities, y)
    weights = fit_weights(true)
    assert np.all(weights >= 0) and weights.sum() == pytest.approx(1.0)
    assert weighted_log_loss(weights, true) <= weighted_log_loss(equal_weights(3), true)
    assert weights[0] > 0.9  # the informative member


def test_parse_weights() -> None:
    assert parse_weights("fit", 2) == ("fit", None)
    method, weights = parse_weights("2,1,1", 3)
    assert method == "given" and weights.tolist() == [0.5, 0.25, 0.25]
    for bad in ("1,2", "a,b,c", "-1,1,1", "0,0,0"):
        with pytest.raises(ConfigError, match="--weights"):
            parse_weights(bad, 3)


@dataclass
class FixedScorer:
    """A stand-in member with fixed logits."""

    labels: list[str]
    logit_rows: np.ndarray
    kind: str = "fake"
    temperature: float = 1.0
    config: RunConfig | None = None
    label_map: dict | None = None
    calibration_bins: int = 15
    metrics: dict | None = None
    description: str = "fake"

    def logits(self, texts: list[str], batch_size: int) -> np.ndarray:
        return self.logit_rows[: len(texts)]


def test_members_with_labels_in_another_order_are_aligned_by_name() -> None:
    logits = np.array([[2.0, 0.0], [0.0, 1.0]])
    forward = FixedScorer(["negative", "positive"], logits)
    backward = FixedScorer(["positive", "negative"], logits[:, ::-1].copy())
    labels = ["negative", "positive"]
    ensemble = EnsembleModel(
        labels,
        [
            EnsembleMember("members/00", forward, 0.5, label_columns(forward.labels, labels)),
            EnsembleMember("members/01", backward, 0.5, label_columns(backward.labels, labels)),
        ],
    )
    single = EnsembleMember("x", forward, 1.0, np.array([0, 1])).probabilities(["a", "b"], 8)
    np.testing.assert_allclose(ensemble.probabilities(["a", "b"], 8), single, rtol=1e-6)
    assert label_columns(["positive", "negative"], labels).tolist() == [1, 0]
    with pytest.raises(ValueError, match="not the ensemble's"):
        label_columns(["good", "bad"], labels)


# --- the bundle end to end ---


def test_ensemble_cli_fits_weights_and_loads_like_any_model(
    members: Members,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    probe_texts: dict[str, str],
) -> None:
    output = tmp_path / "ensemble"
    code, out, err = run_cli(
        capsys, "-q", "ensemble", "--models", *all_members(members), "--output", output,
        "--weights", "fit", "--data", members.csv, "--split", "train",
    )  # fmt: skip
    assert code == 0, err
    assert "Ensemble (fit weights)" in out and "equal weights" in out

    header = json.loads((output / "config.json").read_text(encoding="utf-8"))
    assert header["kind"] == "ensemble" and header["format"] == "lstm-sentiment-bundle"
    assert [m["path"] for m in header["members"]] == ["members/00", "members/01", "members/02"]
    assert [m["kind"] for m in header["members"]] == ["neural", "neural", "nbsvm"]
    assert (output / "members" / "02" / "ngrams.json").is_file()
    assert (output / "README.md").read_text(encoding="utf-8").startswith("# lstm-sentiment")
    saved = json.loads((output / "weights.json").read_text(encoding="utf-8"))
    weights = np.array(saved["weights"])
    assert np.all(weights >= 0) and weights.sum() == pytest.approx(1.0)
    validation = saved["validation"]
    assert validation["carved"] and validation["n"] == 15  # 25% of the 60 toy texts
    assert validation["log_loss"] <= validation["log_loss_equal_weights"] + 1e-12

    # The bundle is self-contained: it works after moving, without the original members.
    moved = Path(shutil.copytree(output, tmp_path / "moved"))
    model = SentimentModel.load(moved)
    assert model.kind == "ensemble" and model.config is None and model.temperature == 1.0
    assert [p.label for p in model.predict(list(probe_texts))] == list(probe_texts.values())
    texts = [text for text, _ in toy_texts(seed=4, n_per_class=4)]
    expected = sum(
        w * SentimentModel.load(path).predict_proba(texts)
        for w, path in zip(weights, all_members(members), strict=True)
    )
    np.testing.assert_allclose(model.predict_proba(texts), expected, rtol=1e-5, atol=1e-6)

    code, out, _ = run_cli(capsys, "predict", "--model", moved, "--format", "json", "great film")
    assert code == 0
    row = json.loads(out.strip())
    assert row["label"] == "positive" and set(row["probabilities"]) == {"negative", "positive"}
    code, out, _ = run_cli(
        capsys, "evaluate", "--model", moved, "--data", members.csv, "--format", "json"
    )
    assert code == 0
    assert json.loads(out)["accuracy"] >= 0.95


def test_ensemble_api_equal_weights_without_data(members: Members, tmp_path: Path) -> None:
    result = build_ensemble([members.lstm, members.nbsvm], tmp_path / "e")
    assert result.method == "equal" and "validation" not in result.metrics
    assert SentimentModel.load(tmp_path / "e").scorer.weights.tolist() == [0.5, 0.5]
    # Building again over an existing ensemble replaces it.
    again = build_ensemble([members.lstm, members.nbsvm], tmp_path / "e", weights="3,1")
    assert again.model.weights.tolist() == [0.75, 0.25]


def test_ensemble_with_explicit_held_out_file(members: Members, tmp_path: Path) -> None:
    held_out = tmp_path / "held_out.csv"
    with held_out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(toy_texts(seed=9, n_per_class=6))
    source = ValidationData(held_out=str(held_out))
    result = build_ensemble(all_members(members), tmp_path / "e", weights="fit", validation=source)
    assert result.metrics["validation"]["n"] == 12
    assert result.metrics["weights"]["validation"]["carved"] is False

    training_file = ValidationData(held_out=str(members.csv))
    with pytest.raises(ConfigError, match="was trained on"):
        build_ensemble(
            all_members(members), tmp_path / "x", weights="fit", validation=training_file
        )


def test_ensemble_refuses_members_with_other_labels(
    members: Members, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    relabelled = members.base.with_overrides(
        [*NBSVM, 'data.label_map={"positive": "good", "negative": "bad"}']
    )
    other = pipeline.train(relabelled, tmp_path / "other").model_dir
    code, _, err = run_cli(
        capsys, "ensemble", "--models", members.lstm, other, "--output", tmp_path / "e"
    )
    assert_input_error(code, err, "same labels", "bad, good")


def test_ensemble_refuses_a_validation_split_the_members_do_not_share(
    members: Members, tmp_path: Path
) -> None:
    other_split = members.base.with_overrides([*NBSVM, "data.validation_fraction=0.3"])
    other = pipeline.train(other_split, tmp_path / "other").model_dir
    with pytest.raises(ConfigError, match=r"different data\.validation_fraction"):
        build_ensemble([members.lstm, other], tmp_path / "e", weights="fit")

    wrong_split = ValidationData(data=str(members.csv), split="test")
    with pytest.raises(ConfigError, match="trained on split 'train', not 'test'"):
        build_ensemble([members.lstm, members.nbsvm], tmp_path / "e", validation=wrong_split)

    refit = pipeline.train(
        members.base.with_overrides([*NBSVM, "nbsvm.refit=true"]), tmp_path / "r"
    )
    with pytest.raises(ConfigError, match="refitted on its validation split"):
        build_ensemble([members.lstm, refit.model_dir], tmp_path / "e", weights="fit")


def test_ensemble_corrupt_member_is_a_bundle_error(
    members: Members, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "e"
    build_ensemble([members.lstm, members.nbsvm], output)
    (output / "members" / "01" / "model.safetensors").write_bytes(b"broken")
    with pytest.raises(BundleError, match="corrupt"):
        SentimentModel.load(output)
    code, _, err = run_cli(capsys, "predict", "--model", output, "great film")
    assert_input_error(code, err, "members/01", "corrupt")

    shutil.copy(members.nbsvm / "model.safetensors", output / "members" / "01")
    SentimentModel.load(output)  # restored
    (output / "weights.json").write_text('{"weights": [0.2, 0.2]}', encoding="utf-8")
    with pytest.raises(BundleError, match=r"weights\.json is corrupt or changed"):
        SentimentModel.load(output)
    tamper_consistently(output)
    with pytest.raises(BundleError, match="sum to 1"):
        SentimentModel.load(output)


def test_ensemble_cli_usage_errors(
    members: Members, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(capsys, "ensemble", "--models", members.lstm, "--output", tmp_path / "e")
    assert_input_error(code, err, "at least 2")
    not_ensemble = tmp_path / "occupied"
    not_ensemble.mkdir()
    (not_ensemble / "notes.txt").write_text("mine", encoding="utf-8")
    code, _, err = run_cli(
        capsys, "ensemble", "--models", members.lstm, members.nbsvm, "--output", not_ensemble
    )
    assert_input_error(code, err, "not an ensemble bundle")
    assert (not_ensemble / "notes.txt").is_file()
    code, _, err = run_cli(
        capsys, "ensemble", "--models", members.lstm, members.nbsvm, "--output", tmp_path / "e",
        "--text-column", "review",
    )  # fmt: skip
    assert_input_error(code, err, "--validation-data")


def test_seed_ensemble_shares_a_split_through_data_split_seed(
    members: Members, tmp_path: Path
) -> None:
    def nbsvm(name: str, *overrides: str) -> Path:
        config = members.base.with_overrides([*NBSVM, *overrides])
        return pipeline.train(config, tmp_path / name).model_dir

    # The LSTM member carved its split with train.seed 7; these reuse that split.
    one = nbsvm("one", "train.seed=1", "data.split_seed=7")
    two = nbsvm("two", "train.seed=2", "data.split_seed=7")
    result = build_ensemble([members.lstm, one, two], tmp_path / "e", weights="fit")
    assert result.metrics["weights"]["validation"]["n"] == 15

    other = nbsvm("other", "train.seed=2")
    with pytest.raises(ConfigError, match="different split seed"):
        build_ensemble([members.lstm, other], tmp_path / "e2", weights="fit")
