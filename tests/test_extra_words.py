"""Pretrained words the training texts lack still get ids (``vectors.extra_words``)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from conftest import VECTOR_DIM, write_tiny_vectors
from lstm_sentiment.config import RunConfig
from lstm_sentiment.kinds.neural_model import load_bundle
from lstm_sentiment.pipeline import train
from lstm_sentiment.predict import SentimentModel

UNSEEN_POSITIVE = "marvellous"
UNSEEN_NEGATIVE = "dreadful"
UNSEEN_CAPITALISED = "Paris"


def vectors_with_unseen_words(path: Path) -> tuple[Path, dict[str, np.ndarray]]:
    """The toy vectors plus three words the toy training texts never use."""
    write_tiny_vectors(path)
    extra = {
        UNSEEN_POSITIVE: np.eye(VECTOR_DIM)[0],
        UNSEEN_NEGATIVE: -np.eye(VECTOR_DIM)[0],
        UNSEEN_CAPITALISED: np.eye(VECTOR_DIM)[1],
    }
    with path.open("a", encoding="utf-8") as handle:
        for word, vector in extra.items():
            handle.write(word + " " + " ".join(f"{v:.5f}" for v in vector) + "\n")
    return path, extra


def with_extra_words(config: RunConfig, vectors: Path, extra_words: int) -> RunConfig:
    return dataclasses.replace(
        config,
        vectors=dataclasses.replace(config.vectors, source=str(vectors), extra_words=extra_words),
    )


@pytest.mark.parametrize("extra_words", [0, 1, 10])
def test_extra_words_get_ids_and_keep_their_vectors(
    tmp_path: Path, tiny_config: RunConfig, extra_words: int
) -> None:
    vectors, extra = vectors_with_unseen_words(tmp_path / "vectors.txt")
    config = with_extra_words(tiny_config, vectors, extra_words)
    result = train(config, tmp_path / "run")
    bundle = load_bundle(result.model_dir)
    vocab = bundle.encoder.vocab

    added = [UNSEEN_POSITIVE, UNSEEN_NEGATIVE][:extra_words]
    assert [w for w in (UNSEEN_POSITIVE, UNSEEN_NEGATIVE) if w in vocab] == added
    assert UNSEEN_CAPITALISED not in vocab  # lowercased text never produces it
    weight = bundle.model.embedding.weight.detach().numpy()
    for word in added:  # never in a training text: the pretrained vector is kept as it is
        row = vocab.lookup([word])[0]
        np.testing.assert_allclose(weight[row], extra[word], atol=1e-5)
    # The coverage describes the training vocabulary, not the added words.
    assert result.metrics["coverage_types"] == pytest.approx(1.0)


def test_extra_words_carry_their_meaning_to_prediction(
    tmp_path: Path, tiny_config: RunConfig
) -> None:
    vectors, _ = vectors_with_unseen_words(tmp_path / "vectors.txt")
    result = train(with_extra_words(tiny_config, vectors, 10), tmp_path / "run")
    model = SentimentModel.load(result.model_dir)
    positive, negative = model.predict_proba(
        [f"the movie was {UNSEEN_POSITIVE}", f"the movie was {UNSEEN_NEGATIVE}"]
    )
    index = model.labels.index("positive")
    assert positive[index] > negative[index]
