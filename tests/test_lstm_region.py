"""LSTM region embeddings (``pretrain.objective = "lstm_region"``, Johnson & Zhang 2016) and
classifiers that read them as fixed per-token features (``model.lstm_region_init``)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file
from torch import nn

from lstm_sentiment.config import RunConfig
from lstm_sentiment.errors import ConfigError
from lstm_sentiment.models.lstm_region import LstmRegionFeatures
from lstm_sentiment.pipeline import train
from lstm_sentiment.predict import SentimentModel
from lstm_sentiment.pretraining.lstm_region_artefact import lstm_region_tensors
from lstm_sentiment.pretraining.lstm_region_model import TRANSFERRED, LstmRegionModel
from lstm_sentiment.pretraining.run import pretrain
from test_pretrain import lm_config
from test_region_embedding import (
    REGION_SETTINGS,
    assert_exports_to_onnx,
    assert_train_refused,
    classifier_config,
    loss_by_definition,
)

LSTM_SETTINGS = {**REGION_SETTINGS, "objective": "lstm_region", "region_dim": 5, "lr": 0.02}
IDS = torch.tensor([[3, 4, 5, 6, 7, 8, 9], [9, 10, 11, 12, 0, 0, 0]])
LENGTHS = torch.tensor([7, 4])
SETTING = "model.lstm_region_init"


@pytest.fixture(scope="module")
def lstm_regions(tmp_path_factory: pytest.TempPathFactory, tiny_files) -> tuple[RunConfig, Path]:
    root = tmp_path_factory.mktemp("lstm-region")
    base = RunConfig.from_file(tiny_files.toml).with_overrides([f"data.source={tiny_files.csv}"])
    config = lm_config(base, root, **LSTM_SETTINGS)
    return config, pretrain(config, root / "run").model_dir


def small_model() -> LstmRegionModel:
    torch.manual_seed(3)
    model = LstmRegionModel(30, 4, 2, 0, np.ones(30), negatives=2, negative_draws=6)
    nn.init.normal_(model.context.weight)
    return model.eval()


def test_each_state_reads_only_its_own_side_of_the_text_and_never_padding() -> None:
    model = small_model()
    with torch.no_grad():
        forward, backward = model.states(IDS, LENGTHS)
        changed = IDS.clone()
        changed[0, 5] = 20  # a later word: earlier forward states, later backward ones unchanged
        forward2, backward2 = model.states(changed, LENGTHS)
        alone_forward, alone_backward = model.states(IDS[1:, :4], LENGTHS[1:])
    assert torch.allclose(forward[0, :5], forward2[0, :5])
    assert not torch.allclose(forward[0, 5:], forward2[0, 5:])
    assert torch.allclose(backward[0, 6:], backward2[0, 6:])
    assert not torch.allclose(backward[0, :6], backward2[0, :6])
    # the padded row reads exactly as the text alone
    assert torch.allclose(forward[1, :4], alone_forward[0], atol=1e-6)
    assert torch.allclose(backward[1, :4], alone_backward[0], atol=1e-6)


def test_the_objective_equals_its_definition_word_by_word() -> None:
    model = small_model()
    torch.manual_seed(0)
    loss, count = model(IDS, LENGTHS)
    torch.manual_seed(0)
    draws = torch.multinomial(model.noise, 6, replacement=True)
    with torch.no_grad():
        states = dict(zip(("forward", "backward"), model.states(IDS, LENGTHS), strict=True))
    views = [(states[direction], model.offsets[direction]) for direction in states]
    expected, positives = loss_by_definition(views, model, IDS, LENGTHS, draws)
    # 7 words: 6 + 5 after (and before) them; 4 words: 3 + 2; in both directions
    assert count == positives == 2 * (11 + 5)
    assert loss.item() == pytest.approx(expected, rel=1e-5)


def test_pretraining_lowers_the_loss_and_writes_the_lstms(lstm_regions) -> None:
    _, model_dir = lstm_regions
    history = json.loads((model_dir.parent / "metrics.json").read_text())["history"]
    assert history[-1]["train_loss"] < 0.8 * history[0]["train_loss"]
    weights = load_file(str(model_dir / "model.safetensors"))
    assert set(weights) == set(TRANSFERRED)
    units = LSTM_SETTINGS["region_dim"]
    assert weights["lstm_region.forward.weight_hh"].shape == (4 * units, units)
    assert torch.count_nonzero(weights["lstm_region.table"][0]) == 0  # padding adds nothing
    header = json.loads((model_dir / "config.json").read_text())
    assert header["objective"] == "lstm_region" and header["region_dim"] == units
    assert "model.lstm_region_init" in (model_dir / "README.md").read_text()


def test_the_table_follows_the_classifiers_own_vocabulary(lstm_regions) -> None:
    _, model_dir = lstm_regions
    own = json.loads((model_dir / "vocab.json").read_text())["tokens"]
    weights = load_file(str(model_dir / "model.safetensors"))
    tensors = lstm_region_tensors(model_dir, ["<pad>", "<unk>", own[5], "never-seen-word"], 0)
    assert torch.allclose(tensors["table"][2], weights["lstm_region.table"][5])
    assert not tensors["table"][3].any()
    assert torch.equal(tensors["backward.bias_hh"], weights["lstm_region.backward.bias_hh"])


def test_a_classifier_reads_the_lstms_learns_keeps_them_fixed_and_exports(
    lstm_regions, tmp_path: Path, probe_texts: dict[str, str]
) -> None:
    config, model_dir = lstm_regions
    result = train(classifier_config(config, model_dir, setting=SETTING), tmp_path / "run")
    assert result.metrics["validation"]["accuracy"] >= 0.9
    model = SentimentModel.load(result.model_dir, runtime="torch")
    assert model.config.model.lstm_region_dim == LSTM_SETTINGS["region_dim"]
    assert "LSTM region embeddings 2x5-d" in (result.model_dir / "README.md").read_text()
    assert not Path(model.config.model.lstm_region_init).is_absolute()
    assert [p.label for p in model.predict(list(probe_texts))] == list(probe_texts.values())
    saved = load_file(str(result.model_dir / "model.safetensors"))
    pretrained = load_file(str(model_dir / "model.safetensors"))
    for name in ("forward_weight_ih", "backward_weight_hh", "backward_bias_ih"):
        direction, weight = name.split("_", 1)
        expected = pretrained[f"lstm_region.{direction}.{weight}"]
        assert torch.equal(saved[f"lstm_region.{name}"], expected)  # never trained
    assert_exports_to_onnx(result.model_dir, probe_texts)
    explanation = model.explain(["a great and wonderful film"])[0]
    assert len(explanation.tokens) == 5
    assert abs(explanation.completeness_gap) < 0.05


def test_wrong_folders_and_settings_are_refused_in_one_line(
    lstm_regions, tiny_files, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, model_dir = lstm_regions
    refused = [
        ("pretrain.objective=region", f"model.region_init={model_dir}"),
        ("model.lstm_region_init instead", f"model.encoder_init={model_dir}"),
        ("text.lowercase", f"model.lstm_region_init={model_dir}", "text.lowercase=false"),
    ]
    for name, (message, *settings) in zip("abc", refused, strict=True):
        assert_train_refused(capsys, tiny_files, tmp_path / name, message, *settings)
    with pytest.raises(ConfigError, match=r"comes from model\.lstm_region_init"):
        RunConfig.from_dict({"model": {"lstm_region_dim": 8}})


def test_features_of_the_wrong_shape_are_refused() -> None:
    features = LstmRegionFeatures(5, 3, 3, 0)
    tensors = {name.split(".", 1)[1]: torch.zeros(1) for name in TRANSFERRED}
    with pytest.raises(ValueError, match="does not fit"):
        features.set_weights(tensors)


def test_the_word_table_can_start_from_the_vectors(lstm_regions, tmp_path: Path) -> None:
    config, _ = lstm_regions
    width = 8  # the tiny vectors' width
    seeded = config.with_overrides(
        ["pretrain.region_vectors=true", f"pretrain.region_dim={width}", "pretrain.epochs=1"]
    )
    model_dir = pretrain(seeded, tmp_path / "run").model_dir
    metrics = json.loads((model_dir.parent / "metrics.json").read_text())
    assert metrics["coverage_types"] > 0  # the vectors were read for the table
    assert "started from the vectors" in (model_dir / "README.md").read_text()
    table = np.arange(12.0).reshape(3, 4)
    started = LstmRegionModel(3, 4, 2, 0, np.ones(3), table=table)
    assert np.allclose(started.table.weight.detach().numpy(), table)
    with pytest.raises(ConfigError, match=r"needs vectors\.source of 5 dimensions"):
        pretrain(seeded.with_overrides(["pretrain.region_dim=5"]), tmp_path / "narrow")
    with pytest.raises(ConfigError, match=r"needs pretrain\.objective"):
        RunConfig.from_dict({"pretrain": {"objective": "region", "region_vectors": True}})
