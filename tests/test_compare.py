"""Every named architecture learns, and ``compare`` trains them side by side from the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import torch

from lstm_sentiment.compare import comparison_entries
from lstm_sentiment.config import ModelConfig, RunConfig
from lstm_sentiment.errors import ConfigError
from lstm_sentiment.inference.forward import predict_probabilities
from lstm_sentiment.models.presets import PRESETS
from lstm_sentiment.models.registry import ARCHITECTURES, build_model
from lstm_sentiment.predict import SentimentModel
from lstm_sentiment.training.trainer import Trainer
from test_cli import assert_input_error, run_cli
from unit.test_trainer import LABELS, toy_data, train_config

TINY_MODEL = {
    "hidden_size": 8,
    "hidden_sizes": [],
    "conv_filters": 8,
    "attention_size": 8,
    "embedding_dropout": 0.0,
    "dropout": 0.0,
}


@pytest.mark.parametrize(
    "overrides",
    [pytest.param({"preset": name}, id=name) for name in sorted(PRESETS)]
    + [pytest.param({"architecture": name}, id=f"arch-{name}") for name in sorted(ARCHITECTURES)],
)
def test_every_preset_and_architecture_learns_the_separable_toy_task(
    tmp_path: Path, toy_rows, overrides: dict
) -> None:
    preset = overrides.get("preset", "")
    data = toy_data(toy_rows)
    overrides = {
        **PRESETS.get(preset, overrides),
        **{k: v for k, v in TINY_MODEL.items() if k not in ("hidden_sizes",)},
    }
    if preset == "stacked_bilstm":
        overrides["hidden_sizes"] = [8, 4]
    torch.manual_seed(0)
    model = build_model(
        ModelConfig(**overrides),
        vocab_size=len(data.vocab),
        embedding_dim=8,
        num_classes=2,
        pad_id=data.vocab.pad_id,
    )
    cfg = train_config(epochs=25, patience=0, lr=0.02)
    Trainer(model, cfg, LABELS, tmp_path).fit(data.train, data.train)
    accuracy = (predict_probabilities(model, data.train).argmax(1) == data.train.labels).mean()
    assert accuracy >= 0.95, f"{overrides} fits the toy training set to {accuracy:.2f} only"


def models_file(path: Path) -> Path:
    path.write_text(
        """
[base.train]
epochs = 3

[models.small_lstm]
preset = "lstm"
model = { hidden_size = 6 }

[models.conv]
preset = "cnn"
train = { lr = 0.01 }
""",
        encoding="utf-8",
    )
    return path


def test_compare_cli_trains_each_model_and_writes_table_and_curves(
    tmp_path: Path, tiny_files, capsys
) -> None:
    output = tmp_path / "cmp"
    args = [
        "compare",
        "--data",
        tiny_files.csv,
        "--config",
        tiny_files.toml,
        "--models",
        "bigru,embedding_pool",
        "--models-file",
        models_file(tmp_path / "models.toml"),
        "--output",
        output,
    ]
    code, out, err = run_cli(capsys, *args)
    assert code == 0, err
    table = pd.read_csv(output / "comparison.csv")
    assert list(table["model"]) == ["small_lstm", "conv", "bigru", "embedding_pool"]
    for column in (
        "validation_accuracy",
        "test_accuracy",
        "validation_macro_f1",
        "parameters",
        "seconds_per_epoch",
        "train_tokens_per_second",
        "best_epoch",
    ):
        assert column in table.columns
    assert table["parameters"].nunique() == 4
    assert table["test_accuracy"].isna().all()  # a CSV has no test split
    assert (table["validation_accuracy"] > 0.5).all()
    assert (output / "comparison.md").read_text().startswith("| model")
    assert (output / "comparison_curves.png").stat().st_size > 10_000
    assert "Comparison (4 models" in out
    # The [base] table applies to every model; each model keeps its own overrides.
    small = json.loads((output / "small_lstm" / "config.json").read_text())
    conv = json.loads((output / "conv" / "config.json").read_text())
    assert small["train"]["epochs"] == conv["train"]["epochs"] == 3
    assert (small["model"]["hidden_size"], small["model"]["bidirectional"]) == (6, False)
    assert conv["model"]["architecture"] == "cnn" and conv["train"]["lr"] == 0.01
    assert small["train"]["seed"] == conv["train"]["seed"]
    # Every model is a bundle that predicts.
    for name in table["model"]:
        model = SentimentModel.load(output / name / "model")
        assert model.predict(["a great and wonderful film"])[0].label in ("positive", "negative")

    # Run again: finished models are reused, not retrained.
    stamp = (output / "conv" / "metrics.json").stat().st_mtime_ns
    code, _, err = run_cli(capsys, *args)
    assert code == 0, err
    assert (output / "conv" / "metrics.json").stat().st_mtime_ns == stamp
    assert "reusing" in err


def test_compare_unknown_preset_lists_valid_ones(tmp_path: Path, tiny_files, capsys) -> None:
    code, _, err = run_cli(
        capsys,
        "compare",
        "--data",
        tiny_files.csv,
        "--models",
        "lstm,transformer",
        "--output",
        tmp_path,
    )
    assert_input_error(code, err, "transformer", "bilstm", "cnn_lstm")


def test_compare_models_may_not_change_data_or_seed(tmp_path: Path) -> None:
    path = tmp_path / "m.toml"
    path.write_text('[models.a]\npreset = "lstm"\ntrain = { seed = 3 }\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="share the data, the split and the seed"):
        comparison_entries(RunConfig(), models_file=path)
    path.write_text("[models.a]\ndata = { limit = 10 }\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"data\.limit"):
        comparison_entries(RunConfig(), models_file=path)


def test_compare_needs_at_least_one_model_and_unique_names() -> None:
    with pytest.raises(ConfigError, match="nothing to compare"):
        comparison_entries(RunConfig(), models=[])
    with pytest.raises(ConfigError, match="listed twice"):
        comparison_entries(RunConfig(), models=["gru", "gru"])


def test_train_writes_tensorboard_hparams_and_projector(tmp_path: Path, tiny_config) -> None:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    from lstm_sentiment.pipeline import train

    config = tiny_config.with_overrides(["train.epochs=2", "train.log_embeddings=10"])
    result = train(config, tmp_path / "run")
    board = tmp_path / "run" / "tensorboard"
    projector = (board / "projector_config.pbtxt").read_text()
    assert "word_embeddings" in projector
    metadata = next(board.rglob("metadata.tsv")).read_text().split()
    assert len(metadata) == 10 and "<pad>" not in metadata
    hparams_runs = [p for p in board.rglob("events.out.tfevents.*") if "hparams" in str(p)]
    assert hparams_runs
    events = EventAccumulator(str(hparams_runs[0].parent))
    events.Reload()
    assert "hparam/validation_accuracy" in events.Tags()["scalars"]
    assert result.metrics["parameters"] > 0
