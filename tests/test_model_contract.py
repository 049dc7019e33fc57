"""One contract for every registered architecture: shapes, padding, batching and save/load."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_sentiment.config import ModelConfig, RunConfig
from lstm_sentiment.errors import ConfigError
from lstm_sentiment.inference.batching import pad_batch
from lstm_sentiment.kinds.neural_model import Bundle, load_bundle, save_bundle
from lstm_sentiment.models.registry import ARCHITECTURES, build_model
from lstm_sentiment.predict import SentimentModel
from lstm_sentiment.text.encode import TextEncoder
from lstm_sentiment.text.vocab import Vocabulary

WORDS = (
    "the movie was great wonderful love excellent awful boring hate terrible plot acting "
    "story film really a this i it and but not so very bad good fine"
)
VOCAB = Vocabulary.build([WORDS.split(" ")])
EMBEDDING_DIM = 8
HIDDEN_SIZE = 8
NUM_CLASSES = 3
POOLINGS = [["last"], ["mean"], ["max"], ["attention"], ["max", "mean", "last", "attention"]]
RECURRENT = ("lstm", "gru", "cnn_lstm", "cnn_gru")


def _variants() -> list:
    """Every registered architecture, with the options that change its structure."""
    variants: list[tuple[str, dict]] = []
    for arch in sorted(ARCHITECTURES):
        if arch in RECURRENT:
            for bidirectional, layers, pooling in itertools.product(
                [False, True], [1, 2], POOLINGS if arch in ("lstm", "gru") else POOLINGS[2:]
            ):
                bi = "bi" if bidirectional else "uni"
                variants.append(
                    (
                        f"{arch}-{bi}-{layers}l-{'+'.join(pooling)}",
                        {
                            "architecture": arch,
                            "bidirectional": bidirectional,
                            "num_layers": layers,
                            "pooling": pooling,
                        },
                    )
                )
        else:
            for pooling in POOLINGS:
                variants.append(
                    (f"{arch}-{'+'.join(pooling)}", {"architecture": arch, "pooling": pooling})
                )
    extras = {
        "lstm-stacked-64-32": {"hidden_sizes": [8, 4]},
        "lstm-residual": {"num_layers": 3, "layer_connection": "residual"},
        "gru-highway-sizes": {
            "architecture": "gru",
            "hidden_sizes": [8, 6],
            "layer_connection": "highway",
        },
        "lstm-attention-heads": {
            "pooling": ["attention"],
            "attention_heads": 3,
            "attention_penalty": 1.0,
        },
        "lstm-dense-sigmoid": {"dense_size": 6, "dense_activation": "tanh", "output": "sigmoid"},
        "lstm-weight-drop": {"recurrent_dropout": 0.5, "num_layers": 2},
        "cnn-widths": {"architecture": "cnn", "conv_kernel_sizes": [2, 3, 4], "conv_filters": 5},
        "cnn_lstm-pool3": {"architecture": "cnn_lstm", "conv_pool_size": 3, "conv_filters": 4},
        "lstm-keras-init": {"init": "glorot_uniform", "recurrent_init": "orthogonal"},
        "gru-bigrams": {"architecture": "gru", "ngram_buckets": 50, "ngram_dim": 4},
        "embedding_pool-bigrams": {"architecture": "embedding_pool", "ngram_buckets": 7},
        "lstm-nb-trigrams": {"nb_ngrams": 3, "nb_buckets": 31, "nb_dropout": 0.3},
        "gru-nb-bigrams-sigmoid": {"architecture": "gru", "nb_ngrams": 2, "output": "sigmoid"},
        "lstm-nb-shared": {"nb_ngrams": 2, "nb_buckets": 31, "nb_weights": "shared"},
        "lstm-nb-length-gate": {"nb_ngrams": 2, "nb_buckets": 31, "nb_length_gate": True},
    }
    variants += list(extras.items())
    return [pytest.param(overrides, id=name) for name, overrides in variants]


VARIANTS = _variants()


def num_classes_for(overrides: dict) -> int:
    return 2 if overrides.get("output") == "sigmoid" else NUM_CLASSES


def model_config(overrides: dict) -> ModelConfig:
    settings = {
        "hidden_size": HIDDEN_SIZE,
        "conv_filters": 6,
        "conv_pool_size": 2,
        "attention_size": 5,
        # The combined variant also exercises the lexical (embedding pooling) path.
        "embedding_pooling": ["max", "mean"] if len(overrides.get("pooling", [])) > 1 else [],
        "embedding_dropout": 0.2,
        "dropout": 0.2,  # must be inactive in eval mode
        **overrides,
    }
    return ModelConfig(**settings)


def make_model(overrides: dict) -> torch.nn.Module:
    torch.manual_seed(0)
    model = build_model(
        model_config(overrides),
        vocab_size=len(VOCAB),
        embedding_dim=EMBEDDING_DIM,
        num_classes=num_classes_for(overrides),
        pad_id=VOCAB.pad_id,
    )
    if getattr(model, "nb", None) is not None:  # as if fitted: every n-gram counts
        with torch.no_grad():
            model.nb.ratios.normal_()
    return model.eval()


def random_sequences(rng: np.random.Generator, lengths: list[int]) -> list[np.ndarray]:
    # Real tokens never use the padding id.
    real = [i for i in range(len(VOCAB)) if i != VOCAB.pad_id]
    return [rng.choice(real, size=n).astype(np.int64) for n in lengths]


def logits(model: torch.nn.Module, sequences: list[np.ndarray], extra: int = 0) -> torch.Tensor:
    ids, lengths = pad_batch(sequences, VOCAB.pad_id)
    if extra:
        pad = torch.full((ids.size(0), extra), VOCAB.pad_id, dtype=ids.dtype)
        ids = torch.cat([ids, pad], dim=1)
    with torch.no_grad():
        return model(ids, lengths)


@pytest.mark.parametrize("overrides", VARIANTS)
def test_model_output_shape_is_batch_by_classes(overrides: dict) -> None:
    model = make_model(overrides)
    sequences = random_sequences(np.random.default_rng(0), [5, 1, 9, 3])
    out = logits(model, sequences)
    assert out.shape == (4, num_classes_for(overrides))
    assert out.dtype == torch.float32
    assert torch.isfinite(out).all()
    # Logits, not probabilities: softmax belongs to post-processing.
    assert not torch.allclose(out.sum(dim=-1), torch.ones(4))


@pytest.mark.parametrize("overrides", VARIANTS)
def test_model_is_padding_invariant(overrides: dict) -> None:
    model = make_model(overrides)

    @settings(max_examples=12)
    @given(
        st.lists(st.integers(min_value=1, max_value=12), min_size=1, max_size=5),
        st.integers(min_value=1, max_value=6),
        st.integers(min_value=0, max_value=2**16),
    )
    def check(lengths: list[int], extra: int, seed: int) -> None:
        sequences = random_sequences(np.random.default_rng(seed), lengths)
        base = logits(model, sequences)
        padded = logits(model, sequences, extra=extra)
        assert torch.allclose(base, padded, atol=1e-5, rtol=0)

    check()


@pytest.mark.parametrize("overrides", VARIANTS)
def test_model_ignores_what_is_in_the_padding(overrides: dict) -> None:
    """Padded positions must be masked, not merely zero: garbage there changes nothing."""
    model = make_model(overrides)
    rng = np.random.default_rng(1)
    sequences = random_sequences(rng, [2, 7, 4, 1])
    ids, lengths = pad_batch(sequences, VOCAB.pad_id)
    garbage = ids.clone()
    positions = torch.arange(ids.size(1)).unsqueeze(0) >= lengths.unsqueeze(1)
    garbage[positions] = torch.from_numpy(rng.integers(2, len(VOCAB), int(positions.sum())))
    with torch.no_grad():
        assert torch.allclose(model(ids, lengths), model(garbage, lengths), atol=1e-5, rtol=0)


@pytest.mark.parametrize("overrides", VARIANTS)
def test_model_batch_equals_single_examples(overrides: dict) -> None:
    model = make_model(overrides)
    sequences = random_sequences(np.random.default_rng(2), [6, 1, 11, 3, 6])
    batched = logits(model, sequences)
    single = torch.cat([logits(model, [seq]) for seq in sequences])
    assert torch.allclose(batched, single, atol=1e-5, rtol=0)


@pytest.mark.parametrize("overrides", VARIANTS)
def test_model_bundle_save_load_gives_identical_probabilities(
    tmp_path: Path, overrides: dict
) -> None:
    config = RunConfig(model=model_config(overrides))
    config.text.max_length, config.text.truncation = 6, "head+tail"
    model = make_model(overrides)
    encoder = TextEncoder.from_config(config.text, VOCAB)
    labels = ["negative", "neutral", "positive"][: num_classes_for(overrides)]
    saved = Bundle(model=model, encoder=encoder, labels=labels, config=config, metrics={"n": 1})
    save_bundle(tmp_path / "bundle", saved, card="# tiny")

    loaded = load_bundle(tmp_path / "bundle")
    assert loaded.labels == labels
    assert loaded.config == config
    assert loaded.metrics == {"n": 1}
    assert loaded.encoder.tokenizer == encoder.tokenizer
    assert loaded.encoder.vocab.tokens == VOCAB.tokens
    assert (loaded.encoder.max_length, loaded.encoder.truncation) == (6, "head+tail")
    assert not loaded.model.training
    texts = ["the movie was great", "awful boring plot and bad acting all the way", "zzz", "!"]
    before = SentimentModel(saved).predict_proba(texts)
    after = SentimentModel(loaded).predict_proba(texts)
    np.testing.assert_array_equal(before, after)
    for name, tensor in model.state_dict().items():
        assert torch.equal(tensor, loaded.model.state_dict()[name]), name


def test_bundle_keeps_the_encoder_it_was_saved_with(tmp_path: Path) -> None:
    config = RunConfig.from_dict(
        {"text": {"max_length": 400}, "model": {"hidden_size": HIDDEN_SIZE, "pooling": ["max"]}}
    )
    model = make_model({"pooling": ["max"], "embedding_dropout": 0.3, "dropout": 0.3})
    encoder = TextEncoder.from_config(config.text, VOCAB)
    encoder.max_length, encoder.truncation = 3, "tail"
    save_bundle(tmp_path / "b", Bundle(model, encoder, ["a", "b", "c"], config), card="")
    loaded = load_bundle(tmp_path / "b")
    assert (loaded.encoder.max_length, loaded.encoder.truncation) == (3, "tail")


def test_build_model_unknown_architecture_lists_valid_names() -> None:
    with pytest.raises(ConfigError, match=r"unknown model\.architecture 'transformer'") as info:
        build_model(
            ModelConfig(architecture="transformer"),
            vocab_size=len(VOCAB),
            embedding_dim=EMBEDDING_DIM,
            num_classes=2,
            pad_id=VOCAB.pad_id,
        )
    for name in ARCHITECTURES:
        assert name in str(info.value)


def test_build_model_uses_pretrained_embeddings_and_freezes_them() -> None:
    matrix = np.random.default_rng(0).normal(size=(len(VOCAB), EMBEDDING_DIM)).astype(np.float32)
    model = build_model(
        ModelConfig(hidden_size=HIDDEN_SIZE),
        vocab_size=len(VOCAB),
        embedding_dim=EMBEDDING_DIM,
        num_classes=2,
        pad_id=VOCAB.pad_id,
        embeddings=matrix,
        freeze_embeddings=True,
    )
    np.testing.assert_array_equal(model.embedding.weight.detach().numpy(), matrix)
    assert not model.embedding.weight.requires_grad
    assert model.embedding.padding_idx == VOCAB.pad_id
