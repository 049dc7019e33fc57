"""Virtual adversarial training, entropy minimisation and unlabelled batches in the trainer."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from test_trainer import LABELS, Recorder, comparable, toy_data, toy_model, train_config

from conftest import toy_texts
from lstm_sentiment.config import ModelConfig
from lstm_sentiment.inference.batching import EncodedDataset
from lstm_sentiment.inference.forward import predict_logits
from lstm_sentiment.models.registry import build_model
from lstm_sentiment.text.encode import TextEncoder
from lstm_sentiment.text.tokenize import WordTokenizer
from lstm_sentiment.training.semisup import (
    UnlabelledBatches,
    kl_to,
    mean_entropy,
    per_text_unit,
    token_mask,
    virtual_adversarial_loss,
)
from lstm_sentiment.training.trainer import Trainer, TrainingInterrupted


def unlabelled_of(data, rows: list[tuple[str, str]]) -> EncodedDataset:
    """The texts of ``rows`` encoded without their labels."""
    encoder = TextEncoder(WordTokenizer(), data.vocab, max_length=16, truncation="head+tail")
    return EncodedDataset(encoder.encode_many([t for t, _ in rows]), None, data.vocab.pad_id)


def test_perturbations_have_norm_one_per_text_and_spare_padding() -> None:
    embedded = torch.randn(3, 5, 4)
    lengths = torch.tensor([5, 2, 1])
    unit = per_text_unit(torch.randn_like(embedded), token_mask(embedded, lengths))
    assert torch.allclose(unit.flatten(1).norm(dim=1), torch.ones(3), atol=1e-6)
    assert torch.count_nonzero(unit[1, 2:]) == 0 and torch.count_nonzero(unit[2, 1:]) == 0


def test_kl_and_entropy_are_the_textbook_quantities() -> None:
    logits = torch.tensor([[2.0, -1.0], [0.0, 0.0]])
    assert kl_to(logits, logits).item() == pytest.approx(0.0, abs=1e-7)
    p = torch.softmax(logits, -1)
    q = torch.softmax(torch.zeros(2, 2), -1)
    expected = (p * (p.log() - q.log())).sum(-1).mean()
    assert kl_to(logits, torch.zeros(2, 2)).item() == pytest.approx(expected.item(), rel=1e-6)
    assert mean_entropy(torch.zeros(4, 2)).item() == pytest.approx(np.log(2), rel=1e-6)


def test_the_virtual_adversarial_direction_beats_random_ones(tmp_path: Path, toy_rows) -> None:
    """Power iteration finds a direction that moves the prediction more than random ones of
    the same size (what makes VAT adversarial rather than noise)."""
    data = toy_data(toy_rows)
    model = toy_model(data, hidden_size=16)
    Trainer(model, train_config(epochs=4, lr=0.05), LABELS, tmp_path).fit(
        data.train, data.validation
    )
    model.eval()
    batch = data.train.make_batch(np.arange(16))
    embedded = model.embed(batch.ids)
    clean = model.classify(embedded, batch.lengths, batch.ids).detach()
    config = train_config(vat_epsilon=2.0, vat_power_iterations=2)
    adversarial = virtual_adversarial_loss(model, embedded, batch.lengths, batch.ids, clean, config)
    mask = token_mask(embedded, batch.lengths)
    random_losses = []
    for seed in range(5):
        torch.manual_seed(100 + seed)
        step = per_text_unit(torch.randn_like(embedded), mask)
        perturbed = model.classify(embedded + 2.0 * step, batch.lengths, batch.ids)
        random_losses.append(kl_to(clean, perturbed).item())
    assert adversarial.item() > 2 * max(random_losses)
    adversarial.backward()  # the loss trains the network
    assert model.head.weight.grad is not None and model.head.weight.grad.abs().sum() > 0


def test_unlabelled_batches_are_seeded_cycled_and_sharded(toy_rows) -> None:
    data = toy_data(toy_rows)
    pool = UnlabelledBatches(unlabelled_of(data, toy_rows[:20]), 8, seed=3, bucket_size=2)
    plan = pool.plan(1)
    assert [list(p) for p in plan] == [list(p) for p in pool.plan(1)]  # a resume sees the same
    assert [list(p) for p in plan] != [list(p) for p in pool.plan(2)]
    assert sorted(np.concatenate(plan)) == list(range(20))
    assert torch.equal(pool.batch(plan, len(plan)).ids, pool.batch(plan, 0).ids)  # cycled
    whole = pool.batch(plan, 0).ids
    shards = [pool.batch(plan, 0, (rank, 2)).ids for rank in range(2)]
    assert sum(len(s) for s in shards) == len(whole)


def test_vat_and_entropy_with_unlabelled_texts_learn_and_resume_identically(
    tmp_path: Path, toy_rows
) -> None:
    data = toy_data(toy_rows)
    unlabelled = unlabelled_of(data, toy_texts(seed=7, n_per_class=20))
    cfg = train_config(epochs=8, lr=0.05, vat_epsilon=1.0, entropy_weight=0.5)
    cfg = replace(cfg, unlabelled_batch_size=6)
    straight = Trainer(toy_model(data), cfg, LABELS, tmp_path / "straight").fit(
        data.train, data.validation, unlabelled=unlabelled
    )
    assert straight.best_score >= 0.9
    model = toy_model(data)
    trainer = Trainer(model, cfg, LABELS, tmp_path / "cut", [Recorder(model, interrupt_at_step=8)])
    with pytest.raises(TrainingInterrupted):
        trainer.fit(data.train, data.validation, unlabelled=unlabelled)
    resumed = Trainer(toy_model(data), cfg, LABELS, tmp_path / "cut").fit(
        data.train, data.validation, resume=True, unlabelled=unlabelled
    )
    assert comparable(resumed.history) == pytest.approx(comparable(straight.history), rel=1e-5)


def test_entropy_minimisation_makes_unlabelled_predictions_confident(
    tmp_path: Path, toy_rows
) -> None:
    data = toy_data(toy_rows)
    unlabelled = unlabelled_of(data, toy_texts(seed=7, n_per_class=20))

    def entropy_after(weight: float) -> float:
        model = toy_model(data)
        cfg = train_config(epochs=3, lr=0.02, entropy_weight=weight)
        Trainer(model, cfg, LABELS, tmp_path / str(weight)).fit(
            data.train, data.validation, unlabelled=unlabelled
        )
        return mean_entropy(torch.from_numpy(predict_logits(model, unlabelled))).item()

    assert entropy_after(2.0) < 0.8 * entropy_after(0.0)


def test_standardized_embeddings_have_weighted_mean_zero_and_variance_one() -> None:
    from lstm_sentiment.models.normalized_embedding import EmbeddingStandardizer

    table = torch.randn(6, 3) * 4 + 2
    counts = [0, 0, 5, 1, 3, 1]  # padding and unknown weigh nothing
    standardizer = EmbeddingStandardizer(6)
    standardizer.set_counts(counts)
    out = standardizer(table, table)
    weights = torch.tensor(counts, dtype=torch.float32).unsqueeze(1) / sum(counts)
    assert torch.allclose((weights * out).sum(0), torch.zeros(3), atol=1e-5)
    assert torch.allclose((weights * out**2).sum(0), torch.ones(3), atol=1e-4)
    with pytest.raises(ValueError, match="positive sum"):
        standardizer.set_counts([0] * 6)


def test_vat_on_standardized_embeddings_learns(tmp_path: Path, toy_rows) -> None:
    data = toy_data(toy_rows)
    config = ModelConfig(hidden_size=8, embedding_standardization=True)
    torch.manual_seed(0)
    model = build_model(
        config, vocab_size=len(data.vocab), embedding_dim=8, num_classes=2, pad_id=0
    )
    counts = np.bincount(np.concatenate(data.train.ids), minlength=len(data.vocab))
    model.standardizer.set_counts(counts.tolist())
    unlabelled = unlabelled_of(data, toy_texts(seed=7, n_per_class=20))
    cfg = train_config(epochs=10, lr=0.05, vat_epsilon=3.0)
    result = Trainer(model, cfg, LABELS, tmp_path).fit(
        data.train, data.validation, unlabelled=unlabelled
    )
    assert result.best_score >= 0.9
