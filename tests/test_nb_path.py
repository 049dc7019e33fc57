"""The NB-weighted n-gram path through the whole training pipeline."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from lstm_sentiment.config import RunConfig
from lstm_sentiment.kinds.neural_model import load_bundle
from lstm_sentiment.pipeline import train


def test_nb_ngram_path_is_fitted_on_training_texts_and_saved(
    tmp_path: Path, tiny_config: RunConfig
) -> None:
    config = dataclasses.replace(
        tiny_config, model=dataclasses.replace(tiny_config.model, nb_ngrams=2, nb_buckets=64)
    )
    result = train(config, tmp_path / "run")
    assert result.metrics["validation"]["accuracy"] >= 0.95
    nb = load_bundle(result.model_dir).model.nb
    vocab = load_bundle(result.model_dir).encoder.vocab
    positive, negative = vocab.lookup(["great", "awful"])
    assert nb.ratios[positive, 1] > 0 > nb.ratios[negative, 1]  # fitted before training
