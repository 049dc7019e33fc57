"""A model with a subword tokenizer: trained by ``pipeline.train``, saved, reloaded, same output."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from lstm_sentiment import pipeline, preparation
from lstm_sentiment.config import RunConfig
from lstm_sentiment.data import stratified_split
from lstm_sentiment.predict import SentimentModel
from lstm_sentiment.text.subword import MODEL_FILE, SubwordTokenizer

SUBWORD_VOCAB = 60


@pytest.fixture
def subword_config(tiny_config: RunConfig) -> RunConfig:
    return tiny_config.with_overrides(
        [
            "text.tokenizer=subword",
            "text.subword_model=unigram",
            f"text.subword_vocab_size={SUBWORD_VOCAB}",
            "text.max_vocab_size=100",
            "vectors.source=none",
        ]
    )


def test_subword_bundle_predicts_identically_after_reload(
    subword_config: RunConfig, tmp_path: Path, probe_texts: dict[str, str]
) -> None:
    result = pipeline.train(subword_config, tmp_path / "run")
    model_dir = result.model_dir
    assert (model_dir / MODEL_FILE).is_file()
    header = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    assert header["tokenizer"]["name"] == "subword"
    assert header["tokenizer"]["model_type"] == "unigram"
    vocab = json.loads((model_dir / "vocab.json").read_text(encoding="utf-8"))["tokens"]
    assert any(token.startswith("▁") for token in vocab)  # the vocabulary is subword pieces

    # The reloaded bundle scores the validation split exactly as the in-memory model did
    # during training (same pieces, same ids, same weights).
    train_examples, _ = preparation.load_training_data(subword_config)
    _, validation = stratified_split(
        train_examples, subword_config.data.validation_fraction, subword_config.train.seed
    )
    loaded = SentimentModel.load(model_dir)
    assert isinstance(loaded.bundle.encoder.tokenizer, SubwordTokenizer)
    scores = loaded.evaluate([ex.text for ex in validation], [str(ex.label) for ex in validation])
    expected = result.metrics["validation"]
    assert scores["n"] == expected["n"]
    assert scores["accuracy"] == expected["accuracy"]
    assert scores["log_loss"] == pytest.approx(expected["log_loss"], abs=1e-6)

    texts = [*probe_texts, "an unseen wordz!", "?"]
    again = SentimentModel.load(model_dir)
    np.testing.assert_array_equal(loaded.predict_proba(texts), again.predict_proba(texts))
    assert [p.label for p in loaded.predict(list(probe_texts))] == list(probe_texts.values())
