"""bench/feature_probe.py: pooled features ignore padding, and a probe of a model's own word
vectors separates the toy sentiment."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from conftest import bench_module, toy_texts
from lstm_sentiment.config import RunConfig
from lstm_sentiment.pipeline import train
from lstm_sentiment.predict import SentimentModel


@pytest.fixture(scope="module")
def feature_probe():
    return bench_module("feature_probe")


def test_pooling_reads_each_text_alone_and_a_probe_separates_toy_texts(
    feature_probe, tiny_files, tmp_path: Path
) -> None:
    config = RunConfig.from_file(tiny_files.toml).with_overrides(
        [f"data.source={tiny_files.csv}", "train.epochs=1"]
    )
    model_dir = train(config, tmp_path / "run").model_dir
    bundle = SentimentModel.load(model_dir, runtime="torch")
    texts = ["a great film", "an awful , boring and long film i hated"]
    together = feature_probe.pooled_features(bundle.scorer, "embedding", texts)
    alone = np.concatenate(
        [feature_probe.pooled_features(bundle.scorer, "embedding", [text]) for text in texts]
    )
    assert np.allclose(together, alone, atol=1e-6)  # padding is never pooled
    ids = bundle.scorer.encoder.encode(texts[0])
    vectors = bundle.scorer.model.embedding.weight.detach().numpy()[ids]
    width = vectors.shape[1]
    assert np.allclose(together[0, :width], vectors.mean(0), atol=1e-6)
    assert np.allclose(together[0, width:], vectors.max(0), atol=1e-6)
    rows = toy_texts(seed=1)
    fit = ([text for text, _ in rows], [label for _, label in rows])
    held_rows = toy_texts(seed=2)
    held = ([text for text, _ in held_rows], [label for _, label in held_rows])
    record = feature_probe.probe(str(model_dir), "embedding", fit, held)
    assert record["width"] == width and record["validation_accuracy"] >= 0.9
