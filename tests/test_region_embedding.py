"""Two-view region embeddings (``pretrain.objective = "region"``) and classifiers that read
them as fixed per-token features (``model.region_init``)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file
from torch import nn

from lstm_sentiment.config import RunConfig
from lstm_sentiment.errors import ConfigError
from lstm_sentiment.models.region import RegionFeatures, region_sums
from lstm_sentiment.pipeline import train
from lstm_sentiment.predict import SentimentModel
from lstm_sentiment.pretraining.region_artefact import region_table
from lstm_sentiment.pretraining.region_model import RegionModel
from lstm_sentiment.pretraining.run import pretrain
from test_cli import assert_input_error, run_cli
from test_pretrain import lm_config

REGION_SETTINGS = {
    "objective": "region",
    "region_size": 3,
    "region_dim": 6,
    "negative_draws": 16,
    "epochs": 6,
    "lr": 0.05,
}


@pytest.fixture(scope="module")
def regions(tmp_path_factory: pytest.TempPathFactory, tiny_files) -> tuple[RunConfig, Path]:
    root = tmp_path_factory.mktemp("region")
    base = RunConfig.from_file(tiny_files.toml).with_overrides([f"data.source={tiny_files.csv}"])
    config = lm_config(base, root, **REGION_SETTINGS)
    return config, pretrain(config, root / "run").model_dir


def classifier_config(
    config: RunConfig, model_dir: Path | str, *changes: str, setting: str = "model.region_init"
) -> RunConfig:
    """The pretraining's tiny config as a classifier's that reads ``model_dir`` as
    ``setting``, without its unlabelled text."""
    classifier = config.with_overrides([f"{setting}={model_dir}", *changes])
    return dataclasses.replace(classifier, data=dataclasses.replace(classifier.data, unlabelled=[]))


def test_region_sums_add_each_positions_centred_neighbours() -> None:
    vectors = torch.arange(1.0, 6.0).reshape(1, 5, 1)  # 1 2 3 4 5
    assert region_sums(vectors, 3)[0, :, 0].tolist() == [3.0, 6.0, 9.0, 12.0, 9.0]
    assert region_sums(vectors, 1)[0, :, 0].tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert region_sums(vectors, 5)[0, :, 0].tolist() == [6.0, 10.0, 15.0, 14.0, 12.0]


def test_the_objective_predicts_only_neighbours_inside_each_text() -> None:
    counts = np.ones(20)
    model = RegionModel(20, 4, 3, 0, counts, negative_draws=8)
    ids = torch.tensor([[3, 4, 5, 6, 7, 8], [9, 10, 11, 0, 0, 0]])
    lengths = torch.tensor([6, 3])
    torch.manual_seed(0)
    loss, count = model(ids, lengths)
    # the words 2 to 4 places away on each side, counted inside each text only
    expected = sum(
        1
        for length in (6, 3)
        for t in range(length)
        for offset in model.offsets
        if 0 <= t + offset < length
    )
    assert count == expected and loss.item() > 0
    torch.manual_seed(0)
    other_padding = torch.tensor([[3, 4, 5, 6, 7, 8], [9, 10, 11, 12, 13, 14]])
    padded_differently, _ = model(other_padding, lengths)
    assert padded_differently.item() == pytest.approx(loss.item(), rel=1e-5)


def loss_by_definition(
    views: list[tuple[torch.Tensor, list[int]]],
    model: nn.Module,
    ids: torch.Tensor,
    lengths: torch.Tensor,
    draws: torch.Tensor,
    skipped: tuple[int, ...] = (),
) -> tuple[float, int]:
    """The two-view loss and count computed word by word: each word at a view's offsets inside
    the text (and not ``skipped``) is a positive; each position weighs ``negatives`` times the
    mean noise loss over the batch's shared ``draws``, once per positive it has."""
    context, bias = model.context.weight, model.context_bias
    expected, positives = 0.0, 0
    with torch.no_grad():
        for hidden, offsets in views:
            for b, length in enumerate(lengths.tolist()):
                for t in range(length):
                    own = 0
                    for offset in offsets:
                        if 0 <= t + offset < length and int(ids[b, t + offset]) not in skipped:
                            word = ids[b, t + offset]
                            score = hidden[b, t] @ context[word] + bias[word]
                            expected -= nn.functional.logsigmoid(score).item()
                            own += 1
                    noise = hidden[b, t] @ context[draws].T + bias[draws]
                    mean_noise = (-nn.functional.logsigmoid(-noise).mean()).item()
                    expected += model.negatives * own * mean_noise
                    positives += own
    return expected, positives


def word_by_word(
    skipped: tuple[int, ...] = (),
) -> tuple[RegionModel, torch.Tensor, tuple[torch.Tensor, int], float, int]:
    """A small model, the noise words it draws, its loss and count, and both computed by the
    definition (:func:`loss_by_definition`)."""
    torch.manual_seed(3)
    model = RegionModel(
        30, 4, 3, 0, np.ones(30), negatives=2, negative_draws=6, skipped_ids=skipped
    )
    nn.init.normal_(model.context.weight)
    nn.init.normal_(model.context_bias.unsqueeze(0))
    ids = torch.tensor([[3, 4, 5, 6, 7, 8, 9], [9, 10, 11, 12, 0, 0, 0]])
    lengths = torch.tensor([7, 4])
    torch.manual_seed(0)
    loss, count = model(ids, lengths)
    torch.manual_seed(0)
    draws = torch.multinomial(model.noise, 6, replacement=True)
    with torch.no_grad():
        views = [(model.embed(ids), model.offsets)]
    expected, positives = loss_by_definition(views, model, ids, lengths, draws, skipped)
    return model, draws, (loss, count), expected, positives


def test_the_objective_equals_its_definition_word_by_word() -> None:
    _, _, (loss, count), expected, positives = word_by_word()
    assert count == positives
    assert loss.item() == pytest.approx(expected, rel=1e-5)


def test_pretraining_lowers_the_loss_and_writes_region_tensors(regions) -> None:
    _, model_dir = regions
    history = json.loads((model_dir.parent / "metrics.json").read_text())["history"]
    assert len(history) == REGION_SETTINGS["epochs"]
    assert history[-1]["train_loss"] < 0.8 * history[0]["train_loss"]
    weights = load_file(str(model_dir / "model.safetensors"))
    assert set(weights) == {"region.table", "region.bias"}
    assert weights["region.table"].shape[1] == REGION_SETTINGS["region_dim"]
    assert torch.count_nonzero(weights["region.table"][0]) == 0  # padding adds nothing
    header = json.loads((model_dir / "config.json").read_text())
    assert header["objective"] == "region" and header["region_size"] == 3


def test_the_table_follows_the_classifiers_own_vocabulary(regions) -> None:
    _, model_dir = regions
    own = json.loads((model_dir / "vocab.json").read_text())["tokens"]
    weights = load_file(str(model_dir / "model.safetensors"))
    tokens = ["<pad>", "<unk>", own[5], "never-seen-word", own[2]]
    table, bias = region_table([model_dir], tokens, 0)
    assert np.allclose(table[2], weights["region.table"][5].numpy())
    assert np.allclose(table[4], weights["region.table"][2].numpy())
    assert not table[0].any() and not table[3].any()
    assert np.allclose(bias, weights["region.bias"].numpy())


def test_a_classifier_reads_the_regions_learns_and_keeps_them_fixed(
    regions, tmp_path: Path, probe_texts: dict[str, str]
) -> None:
    config, model_dir = regions
    result = train(classifier_config(config, model_dir), tmp_path / "run")
    assert result.metrics["validation"]["accuracy"] >= 0.9
    model = SentimentModel.load(result.model_dir)
    assert model.config.model.region_dim == [REGION_SETTINGS["region_dim"]]
    assert model.config.model.region_size == [REGION_SETTINGS["region_size"]]
    assert "region embeddings 6-d (3 words)" in (result.model_dir / "README.md").read_text()
    assert not Path(model.config.model.region_init[0]).is_absolute()
    assert [p.label for p in model.predict(list(probe_texts))] == list(probe_texts.values())
    saved = load_file(str(result.model_dir / "model.safetensors"))
    tokens = json.loads((result.model_dir / "vocab.json").read_text())["tokens"]
    table, _ = region_table([model_dir], tokens, 0)
    assert np.allclose(saved["region.table"].numpy(), table)  # never trained


def test_region_features_are_explained_per_token(regions, tmp_path: Path) -> None:
    config, model_dir = regions
    result = train(classifier_config(config, model_dir, "train.epochs=1"), tmp_path / "run")
    model = SentimentModel.load(result.model_dir)
    explanation = model.explain(["a great and wonderful film"])[0]
    assert len(explanation.tokens) == 5
    assert abs(explanation.completeness_gap) < 0.05


def assert_train_refused(
    capsys: pytest.CaptureFixture[str], tiny_files, output: Path, message: str, *settings: str
) -> None:
    """``train`` on the tiny data with ``settings`` exits 2 with ``message`` and writes
    nothing."""
    args = ["-q", "train", "--data", tiny_files.csv, "--config", tiny_files.toml]
    for setting in settings:
        args += ["--set", setting]
    code, _, err = run_cli(capsys, *args, "--output", output)
    assert_input_error(code, err, message)
    assert not output.exists()


def test_a_language_model_folder_is_refused_as_regions_and_back(
    regions, tiny_files, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, model_dir = regions
    refused = [
        ("model.region_init instead", f"model.encoder_init={model_dir}"),
        ("model.region_init", f"model.region_init={tiny_files.csv}"),
        ("text.lowercase", f"model.region_init={model_dir}", "text.lowercase=false"),
    ]
    for name, (message, *settings) in zip("abc", refused, strict=True):
        assert_train_refused(capsys, tiny_files, tmp_path / name, message, *settings)


def test_region_width_without_its_folder_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"comes from model\.region_init"):
        RunConfig.from_dict({"model": {"region_dim": 4}})
    with pytest.raises(ConfigError, match="one width per folder"):
        RunConfig.from_dict({"model": {"region_init": ["a", "b"], "region_dim": [4]}})
    with pytest.raises(ConfigError, match="one size per"):
        RunConfig.from_dict({"model": {"region_init": "a", "region_dim": 4, "region_size": []}})


def test_configs_saved_with_one_region_still_load() -> None:
    """Before several regions, the settings were one folder, one width and one size."""
    one = RunConfig.from_dict({"model": {"region_init": "r", "region_dim": 6, "region_size": 3}})
    assert (one.model.region_init, one.model.region_dim, one.model.region_size) == (
        ["r"],
        [6],
        [3],
    )
    none = RunConfig.from_dict({"model": {"region_init": "", "region_dim": 0, "region_size": 5}})
    assert (none.model.region_init, none.model.region_dim, none.model.region_size) == ([], [], [])
    assert RunConfig().model.region_width == 0 and one.model.region_width == 6


def test_several_region_blocks_are_each_summed_over_their_own_size() -> None:
    torch.manual_seed(0)
    both = RegionFeatures(7, [3, 2], [1, 5])
    both.set_table(torch.randn(7, 5).numpy(), torch.randn(5).numpy())
    first, second = RegionFeatures(7, [3], [1]), RegionFeatures(7, [2], [5])
    first.set_table(both.table[:, :3].numpy(), both.bias[:3].numpy())
    second.set_table(both.table[:, 3:].numpy(), both.bias[3:].numpy())
    ids = torch.tensor([[1, 2, 3, 4, 5, 6], [6, 5, 4, 0, 0, 0]])
    expected = torch.cat([first(ids), second(ids)], dim=-1)
    assert torch.allclose(both(ids), expected)


def test_an_unknown_pretraining_objective_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"pretrain\.objective must be one of"):
        RunConfig.from_dict({"pretrain": {"objective": "masked"}})
    with pytest.raises(ConfigError, match="region_dim"):
        RunConfig.from_dict({"pretrain": {"objective": "region", "region_dim": 0}})


def test_features_wrong_shape_are_refused() -> None:
    features = RegionFeatures(5, [3], [3])
    with pytest.raises(ValueError, match="do not fit"):
        features.set_table(np.zeros((4, 3)), np.zeros(3))


def assert_exports_to_onnx(model_dir: Path, probe_texts: dict[str, str]) -> None:
    """The model exported (with an int8 file) predicts as on torch."""
    from lstm_sentiment.export.onnx_export import export_onnx

    export_onnx(model_dir, quantize="int8")
    texts = [*probe_texts, "film", "a great plot but an awful and boring ending , i hate it"]
    reference = SentimentModel.load(model_dir, runtime="torch").predict_proba(texts)
    got = SentimentModel.load(model_dir, runtime="onnx").predict_proba(texts)
    assert np.abs(got - reference).max() < 1e-4


def test_a_region_model_exports_to_onnx_with_the_same_probabilities(
    regions, tmp_path: Path, probe_texts: dict[str, str]
) -> None:
    config, model_dir = regions
    result = train(classifier_config(config, model_dir, "train.epochs=1"), tmp_path / "run")
    assert_exports_to_onnx(result.model_dir, probe_texts)


@pytest.fixture(scope="module")
def wide_regions(tmp_path_factory: pytest.TempPathFactory, regions) -> Path:
    """A second region embedding of the same text: wider regions, fewer dimensions."""
    config, _ = regions
    wide = config.with_overrides(["pretrain.region_size=5", "pretrain.region_dim=4"])
    root = tmp_path_factory.mktemp("wide-region")
    return pretrain(wide, root / "run").model_dir


def test_a_classifier_reads_several_region_embeddings_side_by_side(
    regions, wide_regions: Path, tmp_path: Path, probe_texts: dict[str, str]
) -> None:
    config, model_dir = regions
    both = f"{model_dir},{wide_regions}"  # as --set model.region_init=A,B gives them
    result = train(classifier_config(config, both), tmp_path / "run")
    model = SentimentModel.load(result.model_dir, runtime="torch")
    assert model.config.model.region_dim == [6, 4]
    assert model.config.model.region_size == [3, 5]
    assert (
        "region embeddings 6-d (3 words) + 4-d (5 words)"
        in (result.model_dir / "README.md").read_text()
    )
    tokens = json.loads((result.model_dir / "vocab.json").read_text())["tokens"]
    saved = load_file(str(result.model_dir / "model.safetensors"))
    first, _ = region_table([model_dir], tokens, 0)
    second, _ = region_table([wide_regions], tokens, 0)
    assert np.allclose(saved["region.table"].numpy(), np.concatenate([first, second], axis=1))
    assert [p.label for p in model.predict(list(probe_texts))] == list(probe_texts.values())
    assert_exports_to_onnx(result.model_dir, probe_texts)
