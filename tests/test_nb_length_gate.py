"""``model.nb_length_gate``: the NB n-gram path scaled by a learned function of the text's
length; a fine-tune can add it to a saved model, starting open."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from conftest import PROBE_TEXTS, toy_texts, write_rows
from lstm_sentiment.config import RunConfig
from lstm_sentiment.errors import ConfigError
from lstm_sentiment.kinds.neural_init import fine_tuning_config
from lstm_sentiment.models.nb_ngrams import GATE_OPEN_LOGIT, NbNgramLogits
from lstm_sentiment.pipeline import train
from lstm_sentiment.predict import SentimentModel
from test_region_embedding import assert_exports_to_onnx, assert_train_refused

NB = ["model.nb_ngrams=2", "model.nb_buckets=64"]


def test_the_gate_scales_the_ngram_sum_by_a_function_of_length() -> None:
    torch.manual_seed(0)
    plain = NbNgramLogits(30, 41, 2, 2, pad_id=0, init=0.5, dropout=0.0)
    gated = NbNgramLogits(30, 41, 2, 2, pad_id=0, init=0.5, dropout=0.0, length_gate=True)
    plain.ratios.copy_(torch.randn_like(plain.ratios))
    plain.bias.data.copy_(torch.tensor([0.2, -0.1]))
    gated.load_state_dict(plain.state_dict(), strict=False)
    gated.gate_slope.data.fill_(2.0)
    gated.gate_offset.data.fill_(-3.0)
    ids = torch.tensor([[3, 4, 5, 0, 0, 0, 0, 0], [6, 7, 8, 9, 10, 11, 12, 13]])
    lengths = torch.tensor([3, 8])
    with torch.no_grad():
        sums = plain(ids, lengths) - plain.bias
        got = gated(ids, lengths) - gated.bias
    share = torch.sigmoid(2.0 * torch.log(lengths.double()) - 3.0).unsqueeze(-1)
    np.testing.assert_allclose(got.numpy(), (sums.double() * share).numpy(), rtol=1e-5)
    assert share[0] < 0.5 < share[1]  # this gate quiets the short text, not the long one


def test_a_gate_needs_the_ngram_path(
    capsys: pytest.CaptureFixture[str], tiny_files, tmp_path: Path
) -> None:
    message = "model.nb_length_gate scales the NB n-gram path: set model.nb_ngrams too"
    assert_train_refused(capsys, tiny_files, tmp_path / "out", message, "model.nb_length_gate=true")
    config = RunConfig.from_file(tiny_files.toml).with_overrides(
        [f"data.source={tiny_files.csv}", "train.epochs=1"]
    )
    without_path = train(config, tmp_path / "plain").model_dir
    gated = config.with_overrides(["model.nb_length_gate=true", f"train.init_from={without_path}"])
    with pytest.raises(ConfigError, match="has none: leave the gate out"):
        fine_tuning_config(gated)


@pytest.fixture(scope="module")
def base_model(tmp_path_factory: pytest.TempPathFactory, tiny_files) -> Path:
    """A tiny model with an ungated NB path."""
    root = tmp_path_factory.mktemp("nb-base")
    config = RunConfig.from_file(tiny_files.toml).with_overrides(
        [f"data.source={tiny_files.csv}", *NB]
    )
    return train(config, root / "run").model_dir


def test_a_fine_tune_adds_an_open_gate_and_learns_it(
    base_model: Path, tiny_files, tmp_path: Path
) -> None:
    source = write_rows(tmp_path / "new.csv", toy_texts(seed=4))
    changes = [f"data.source={source}", f"train.init_from={base_model}"]
    config = RunConfig.from_file(tiny_files.toml).with_overrides(
        [*changes, "model.nb_length_gate=true", "train.lr=1e-12", "train.epochs=1"]
    )
    still = train(config, tmp_path / "still").model_dir
    weights = load_file(str(still / "model.safetensors"))
    assert weights["nb.gate_offset"].item() == pytest.approx(GATE_OPEN_LOGIT)
    assert weights["nb.gate_slope"].item() == pytest.approx(0.0, abs=1e-9)
    saved = load_file(str(base_model / "model.safetensors"))
    assert all(torch.equal(saved[name], weights[name]) for name in saved)
    tuned = SentimentModel.load(still, runtime="torch")
    assert tuned.config.model.nb_length_gate
    probes = list(PROBE_TEXTS)
    before = SentimentModel.load(base_model).predict_proba(probes)
    assert np.abs(tuned.predict_proba(probes) - before).max() < 0.05  # the gate starts open

    moving = config.with_overrides(["train.lr=0.05", "train.epochs=2"])
    learned = train(moving, tmp_path / "learned")
    gate = load_file(str(learned.model_dir / "model.safetensors"))
    assert abs(gate["nb.gate_offset"].item() - GATE_OPEN_LOGIT) > 1e-3
    assert learned.metrics["validation"]["accuracy"] >= 0.9


def test_a_gated_model_exports_to_onnx_with_the_same_probabilities(
    tiny_files, tmp_path: Path
) -> None:
    config = RunConfig.from_file(tiny_files.toml).with_overrides(
        [f"data.source={tiny_files.csv}", *NB, "model.nb_length_gate=true", "train.lr=0.05"]
    )
    model_dir = train(config, tmp_path / "run").model_dir
    gate = load_file(str(model_dir / "model.safetensors"))
    assert not math.isclose(gate["nb.gate_slope"].item(), 0.0)
    assert_exports_to_onnx(model_dir, PROBE_TEXTS)
