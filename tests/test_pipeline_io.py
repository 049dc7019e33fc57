"""``pipeline.train`` end to end on toy data: overfit, write the run folder, reload, predict.

After spaCy's ``test_overfitting_IO``: learn a tiny task, round-trip through disk, and check that
batched prediction equals one-by-one prediction.
"""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from lstm_sentiment import pipeline
from lstm_sentiment.bundle import read_header
from lstm_sentiment.config import RunConfig
from lstm_sentiment.errors import ConfigError, DataError
from lstm_sentiment.predict import SentimentModel

BUNDLE_FILES = ("model.safetensors", "config.json", "vocab.json", "metrics.json", "README.md")


def test_pipeline_overfitting_io(
    tiny_config: RunConfig, tmp_path: Path, probe_texts: dict[str, str]
) -> None:
    result = pipeline.train(tiny_config, tmp_path / "run")
    run = tmp_path / "run"

    # The run folder contract.
    assert result.run_dir == run
    assert result.model_dir == run / "model"
    for name in BUNDLE_FILES:
        assert (run / "model" / name).is_file(), name
    for name in ("metrics.json", "config.json", "metrics.csv"):
        assert (run / name).is_file(), name
    plots = sorted(p.name for p in (run / "plots").glob("*.png"))
    assert plots == [
        "confusion_matrix_validation.png",
        "reliability_validation.png",
        "training_curves.png",
    ]
    assert any((run / "tensorboard").glob("events.out.tfevents.*"))
    assert (run / "checkpoints").is_dir() and any((run / "checkpoints").iterdir())

    # What was written matches what was returned.
    assert RunConfig.from_file(run / "config.json") == tiny_config
    metrics = json.loads((run / "metrics.json").read_text(encoding="utf-8"))
    assert metrics == json.loads(json.dumps(result.metrics))
    assert metrics["validation"]["accuracy"] >= 0.95
    assert metrics["vectors"] == Path(tiny_config.vectors.source).name
    assert metrics["coverage_types"] > 0.9
    assert metrics["epochs_run"] == len(result.fit.history)
    assert "test" not in metrics  # a single CSV has no test split
    with (run / "metrics.csv").open(encoding="utf-8", newline="") as handle:
        assert len(list(csv.DictReader(handle))) == metrics["epochs_run"]
    card = (run / "model" / "README.md").read_text(encoding="utf-8")
    assert "LSTM" in card

    # Reload and predict: unseen toy texts come out right.
    model = SentimentModel.load(result.model_dir)
    assert model.labels == ["negative", "positive"]
    texts = list(probe_texts)
    predictions = model.predict(texts)
    assert [p.label for p in predictions] == [probe_texts[t] for t in texts]
    for p in predictions:
        assert sum(p.probabilities.values()) == pytest.approx(1.0, abs=1e-5)
        assert p.confidence == max(p.probabilities.values())

    # Batched prediction equals one text at a time (different lengths, different batches).
    batched = model.predict_proba(texts + ["great"] * 3)
    single = np.concatenate([model.predict_proba([t]) for t in texts + ["great"] * 3])
    np.testing.assert_allclose(batched, single, atol=1e-6)
    small_batches = SentimentModel(model.bundle, batch_size=2).predict_proba(texts)
    np.testing.assert_allclose(small_batches, batched[: len(texts)], atol=1e-6)

    # Reloading gives identical probabilities on the same batch (across batch shapes float
    # rounding may differ by CPU, hence the tolerance above).
    again = SentimentModel.load(run / "model").predict_proba(texts)
    np.testing.assert_array_equal(again, model.predict_proba(texts))
    np.testing.assert_allclose(again, batched[: len(texts)], atol=1e-6)

    # The bundle's evaluation agrees with the metrics written during training.
    with Path(tiny_config.data.source).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    scores = model.evaluate([r["text"] for r in rows], [r["label"] for r in rows])
    assert scores["accuracy"] >= 0.95
    assert scores["n"] == len(rows)


def test_pipeline_folder_source_evaluates_test_split(
    tiny_folder: Path, tiny_config: RunConfig, tmp_path: Path
) -> None:
    config = tiny_config.with_overrides(
        [
            f"data.source={tiny_folder}",
            'data.label_map={"neg": "negative", "pos": "positive"}',
            "vectors.source=none",
            "train.epochs=2",
        ]
    )
    result = pipeline.train(config, tmp_path / "run")
    assert result.metrics["vectors"] == "none"
    assert result.metrics["test"]["n"] == 12
    assert result.metrics["test"]["labels"] == ["negative", "positive"]
    assert (tmp_path / "run" / "plots" / "confusion_matrix_test.png").is_file()
    bundle = SentimentModel.load(result.model_dir).bundle
    assert bundle.model.embedding.embedding_dim == config.vectors.embedding_dim
    assert read_header(result.model_dir)["embedding_dim"] == config.vectors.embedding_dim


def test_pipeline_resume_keeps_all_epochs_in_metrics_csv(
    tiny_config: RunConfig, tmp_path: Path
) -> None:
    two = replace(tiny_config, train=replace(tiny_config.train, epochs=2, patience=0))
    pipeline.train(two, tmp_path / "run")
    four = replace(tiny_config, train=replace(tiny_config.train, epochs=4, patience=0))
    result = pipeline.train(four, tmp_path / "run", resume=True)
    assert len(result.fit.history) == 4
    with (tmp_path / "run" / "metrics.csv").open(encoding="utf-8", newline="") as handle:
        epochs = [int(row["epoch"]) for row in csv.DictReader(handle)]
    assert epochs == [1, 2, 3, 4]


def test_pipeline_without_data_source_fails(tiny_config: RunConfig, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--data"):
        pipeline.train(tiny_config.with_overrides(["data.source="]), tmp_path / "run")


def test_pipeline_without_validation_split_fails(tiny_config: RunConfig, tmp_path: Path) -> None:
    config = tiny_config.with_overrides(["data.validation_fraction=0"])
    with pytest.raises(ConfigError, match="validation_fraction"):
        pipeline.train(config, tmp_path / "run")


def test_pipeline_single_label_fails(tmp_path: Path, tiny_config: RunConfig) -> None:
    path = tmp_path / "one.csv"
    rows = "".join(f"great film {i},positive\n" for i in range(8))  # distinct: not duplicates
    path.write_text("text,label\n" + rows, encoding="utf-8")
    with pytest.raises(DataError, match="only one label"):
        pipeline.train(tiny_config.with_overrides([f"data.source={path}"]), tmp_path / "run")
