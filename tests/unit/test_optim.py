"""Optimizers, schedules, initialisers, penalties and embedding freezing in the trainer."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import pytest
import torch
from test_trainer import LABELS, toy_data, toy_model, train_config

from lstm_sentiment.config import (
    INITIALIZERS,
    LR_SCHEDULES,
    OPTIMIZERS,
    ModelConfig,
    RunConfig,
    TrainConfig,
)
from lstm_sentiment.errors import ConfigError
from lstm_sentiment.models.init import initialize
from lstm_sentiment.models.registry import build_model
from lstm_sentiment.training.optim import (
    build_optimizer,
    lr_factor,
    penalized_weights,
    weight_penalty,
)
from lstm_sentiment.training.trainer import Trainer


def one_epoch(tmp_path: Path, toy_rows, model_changes: dict | None = None, **train_changes):
    data = toy_data(toy_rows)
    torch.manual_seed(0)
    model = build_model(
        ModelConfig(hidden_size=8, **(model_changes or {})),
        vocab_size=len(data.vocab),
        embedding_dim=8,
        num_classes=2,
        pad_id=data.vocab.pad_id,
    )
    before = {k: v.clone() for k, v in model.state_dict().items()}
    cfg = train_config(epochs=1, **train_changes)
    result = Trainer(model, cfg, LABELS, tmp_path).fit(data.train, data.validation)
    return model, before, result


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_every_optimizer_takes_a_finite_training_step(tmp_path: Path, toy_rows, optimizer) -> None:
    model, before, result = one_epoch(tmp_path, toy_rows, optimizer=optimizer, lr=0.01)
    assert math.isfinite(result.history[0].train_loss)
    changed = [k for k, v in model.state_dict().items() if not torch.equal(v, before[k])]
    assert "head.weight" in changed
    assert all(torch.isfinite(v).all() for v in model.state_dict().values())


@pytest.mark.parametrize("schedule", LR_SCHEDULES)
def test_every_schedule_trains_and_checkpoints(tmp_path: Path, toy_rows, schedule) -> None:
    _, _, result = one_epoch(tmp_path, toy_rows, lr_schedule=schedule, warmup_steps=2)
    assert math.isfinite(result.history[0].train_loss)
    assert result.history[0].lr > 0


@pytest.mark.parametrize("scheme", INITIALIZERS)
def test_every_initialiser_builds_and_trains(tmp_path: Path, toy_rows, scheme) -> None:
    recurrent = "orthogonal" if scheme != "default" else "default"
    _, _, result = one_epoch(tmp_path, toy_rows, {"init": scheme, "recurrent_init": recurrent})
    assert math.isfinite(result.history[0].train_loss)


def test_initialize_applies_keras_conventions() -> None:
    torch.manual_seed(0)
    model = build_model(
        ModelConfig(hidden_size=4, bidirectional=False, dense_size=3),
        vocab_size=10,
        embedding_dim=5,
        num_classes=2,
        pad_id=0,
    )
    embedding = model.embedding.weight.clone()
    initialize(model, "zeros", "orthogonal")
    lstm = model.encoder.forward_layers[0]
    assert torch.count_nonzero(lstm.weight_ih_l0) == 0
    hh = lstm.weight_hh_l0.detach()  # [4H, H]: orthonormal columns
    assert torch.allclose(hh.T @ hh, torch.eye(4), atol=1e-5)
    assert torch.equal(lstm.bias_ih_l0[4:8], torch.ones(4))  # forget gate
    assert torch.count_nonzero(lstm.bias_hh_l0) == 0
    assert torch.equal(model.embedding.weight, embedding)


def test_unknown_optimizer_schedule_and_initialiser_list_valid_names() -> None:
    with pytest.raises(ConfigError, match="adamw"):
        TrainConfig(optimizer="lbfgs")
    with pytest.raises(ConfigError, match="one_cycle"):
        TrainConfig(lr_schedule="exponential")
    with pytest.raises(ConfigError, match="glorot_uniform"):
        ModelConfig(init="xavier")
    with pytest.raises(ConfigError, match="hard_sigmoid"):
        ModelConfig(dense_activation="swish")
    with pytest.raises(ConfigError, match="attention"):
        RunConfig().with_overrides(["model.pooling=min"])


def test_build_optimizer_passes_momentum_and_weight_decay() -> None:
    param = torch.nn.Parameter(torch.zeros(2, 2))
    sgd = build_optimizer([param], TrainConfig(optimizer="sgd", momentum=0.8, weight_decay=0.1))
    assert isinstance(sgd, torch.optim.SGD)
    assert sgd.param_groups[0]["momentum"] == 0.8
    assert sgd.param_groups[0]["weight_decay"] == 0.1
    assert isinstance(build_optimizer([param], TrainConfig(optimizer="nadam")), torch.optim.NAdam)


def test_one_cycle_rises_to_the_peak_then_anneals() -> None:
    factors = [lr_factor("one_cycle", step, 100, 0) for step in range(100)]
    peak = factors.index(max(factors))
    assert 25 <= peak <= 35
    assert factors[0] == pytest.approx(1 / 25)
    assert max(factors) == pytest.approx(1.0)
    assert factors[-1] < 0.01
    rising, falling = factors[: peak + 1], factors[peak:]
    assert all(a <= b for a, b in itertools.pairwise(rising))
    assert all(a >= b for a, b in itertools.pairwise(falling))


def test_linear_and_cosine_decay_after_warmup() -> None:
    assert lr_factor("linear", 0, 100, 10) == pytest.approx(0.1)
    assert lr_factor("linear", 10, 100, 10) == pytest.approx(1.0)
    assert lr_factor("linear", 55, 100, 10) == pytest.approx(0.5)
    assert lr_factor("cosine", 55, 100, 10) == pytest.approx(0.5)
    assert lr_factor("reduce_on_plateau", 99, 100, 0) == 1.0


def test_warmup_takes_at_most_a_tenth_of_the_steps() -> None:
    # 100 warm-up steps asked for a 50-step run: 5 steps of warm-up, then the decay.
    assert lr_factor("linear", 0, 50, 100) == pytest.approx(1 / 5)
    assert lr_factor("linear", 5, 50, 100) == pytest.approx(1.0)
    assert lr_factor("constant", 30, 50, 100) == 1.0


def test_reduce_on_plateau_scales_the_rate_after_flat_epochs(tmp_path: Path, toy_rows) -> None:
    data = toy_data(toy_rows, flip_validation=True)  # validation gets worse as training works
    model = toy_model(data)
    cfg = train_config(
        epochs=4, lr=0.02, lr_schedule="reduce_on_plateau", plateau_patience=1, plateau_factor=0.5
    )
    result = Trainer(model, cfg, LABELS, tmp_path).fit(data.train, data.validation)
    rates = [r.lr for r in result.history]
    assert rates[0] == pytest.approx(0.02)
    assert min(rates) < 0.02
    assert all(r in (0.02, 0.01, 0.005, 0.0025) for r in rates)


def test_l1_l2_penalty_covers_weight_matrices_but_not_embeddings_or_biases() -> None:
    model = toy_model(toy_data([("good film", "positive"), ("bad film", "negative")] * 30))
    weights = penalized_weights(model)
    assert all(p.dim() >= 2 for p in weights)
    assert all(w is not model.embedding.weight for w in weights)
    with torch.no_grad():
        expected = sum(0.1 * w.abs().sum() + 0.2 * w.pow(2).sum() for w in weights)
    with torch.no_grad():
        penalty = weight_penalty(weights, 0.1, 0.2)
    assert penalty.item() == pytest.approx(expected.item(), rel=1e-5)


def test_l2_penalty_shrinks_weights(tmp_path: Path, toy_rows) -> None:
    plain, _, _ = one_epoch(tmp_path / "a", toy_rows)
    shrunk, _, _ = one_epoch(tmp_path / "b", toy_rows, l2=0.05)
    norm = lambda m: sum(float(w.detach().pow(2).sum()) for w in penalized_weights(m))  # noqa: E731
    assert norm(shrunk) < norm(plain)


def test_freeze_embeddings_for_first_epochs_then_fine_tune(tmp_path: Path, toy_rows) -> None:
    data = toy_data(toy_rows)
    model = toy_model(data)
    initial = model.embedding.weight.detach().clone()
    snapshots = []

    class Snapshot:
        def on_step(self, step, loss, lr):
            return None

        def on_epoch_end(self, record):
            snapshots.append(model.embedding.weight.detach().clone())

        def on_train_end(self, result):
            return None

    cfg = train_config(epochs=3)
    Trainer(model, cfg, LABELS, tmp_path, [Snapshot()], freeze_embedding_epochs=2).fit(
        data.train, data.validation
    )
    assert torch.equal(snapshots[0], initial)
    assert torch.equal(snapshots[1], initial)
    assert not torch.equal(snapshots[2], initial)


def test_weight_drop_masks_recurrent_weights_only_while_training() -> None:
    torch.manual_seed(0)
    model = build_model(
        ModelConfig(hidden_size=6, recurrent_dropout=0.5, embedding_dropout=0.0, dropout=0.0),
        vocab_size=12,
        embedding_dim=4,
        num_classes=2,
        pad_id=0,
    )
    ids = torch.randint(1, 12, (3, 7))
    lengths = torch.tensor([7, 5, 2])
    model.eval()
    assert torch.equal(model(ids, lengths), model(ids, lengths))
    model.train()
    assert not torch.equal(model(ids, lengths), model(ids, lengths))
    weight = model.encoder.forward_layers[0].weight_hh_l0
    model(ids, lengths).sum().backward()
    assert weight.grad is not None and torch.isfinite(weight.grad).all()


def test_attention_penalty_is_added_to_the_loss() -> None:
    torch.manual_seed(0)
    config = ModelConfig(
        hidden_size=4, pooling=["attention"], attention_heads=3, attention_penalty=2.0
    )
    model = build_model(config, vocab_size=12, embedding_dim=4, num_classes=2, pad_id=0)
    model.eval()
    ids = torch.randint(1, 12, (2, 6))
    model(ids, torch.tensor([6, 3]))
    penalty = model.auxiliary_loss()
    attention = model.pooler.attention.weights  # [batch, heads, time]
    gram = attention @ attention.transpose(1, 2)
    expected = 2.0 * ((gram - torch.eye(3)) ** 2).sum(dim=(1, 2)).mean()
    assert penalty.item() == pytest.approx(expected.item(), rel=1e-5)
    assert torch.allclose(attention.sum(-1), torch.ones(2, 3))
    assert torch.count_nonzero(attention[1, :, 3:]) == 0  # nothing on padding


def test_sigmoid_output_needs_two_classes() -> None:
    with pytest.raises(ConfigError, match="2 classes"):
        build_model(
            ModelConfig(output="sigmoid"), vocab_size=5, embedding_dim=4, num_classes=3, pad_id=0
        )


@pytest.mark.parametrize("freeze", [False, True])
def test_adversarial_training_adds_the_loss_at_the_worst_nearby_embeddings(
    tmp_path: Path, toy_rows, freeze: bool
) -> None:
    data = toy_data(toy_rows)
    model = toy_model(data)
    model.embedding.weight.requires_grad_(not freeze)
    batch = data.train.make_batch(list(range(8)))
    model.eval()  # no dropout: the clean and the perturbed passes are comparable
    trainer = Trainer(model, train_config(adversarial_epsilon=1.0), LABELS, tmp_path)
    logits, loss, _ = trainer.objective(batch.ids, batch.lengths, batch.labels)
    clean = trainer.objective.loss_fn(logits, batch.labels)
    assert loss.item() > 2 * clean.item()  # the perturbed term is larger than the clean one
    loss.backward()
    assert model.head.weight.grad is not None
    plain = Trainer(model, train_config(), LABELS, tmp_path / "plain")
    _, plain_loss, _ = plain.objective(batch.ids, batch.lengths, batch.labels)
    assert plain_loss.item() == pytest.approx(clean.item(), rel=1e-6)


def test_adversarial_training_learns_the_toy_task(tmp_path: Path, toy_rows) -> None:
    data = toy_data(toy_rows)
    model = toy_model(data)
    cfg = train_config(epochs=12, lr=0.05, adversarial_epsilon=0.5)
    result = Trainer(model, cfg, LABELS, tmp_path).fit(data.train, data.validation)
    assert result.best_score >= 0.9


@pytest.mark.parametrize("name", ["sgd", "adagrad", "adam", "adamw"])
def test_fused_optimizers_take_the_same_steps_as_the_plain_ones(name: str) -> None:
    torch.manual_seed(0)
    start = torch.randn(6, 4)
    config = TrainConfig(optimizer=name, lr=0.01, weight_decay=0.01, momentum=0.9)
    fused_param, plain_param = torch.nn.Parameter(start.clone()), torch.nn.Parameter(start.clone())
    fused = build_optimizer([fused_param], config)
    assert fused.param_groups[0]["fused"] is True
    plain_class = type(fused)
    extra = {"momentum": 0.9} if name == "sgd" else {}
    plain = plain_class([plain_param], lr=0.01, weight_decay=0.01, **extra)
    for step in range(3):
        gradient = torch.randn(6, 4)
        for param, optimizer in ((fused_param, fused), (plain_param, plain)):
            param.grad = gradient.clone()
            optimizer.step()
        assert torch.allclose(fused_param, plain_param, atol=1e-6), step
    assert not torch.equal(fused_param, start)


def test_a_checkpoint_of_plain_steps_resumes_with_fused_ones(tmp_path: Path) -> None:
    from lstm_sentiment.training.checkpoint import load_checkpoint, save_checkpoint

    torch.manual_seed(0)
    model = torch.nn.Linear(4, 2)
    plain = torch.optim.Adam(model.parameters(), lr=0.01)
    model(torch.randn(3, 4)).sum().backward()
    plain.step()
    save_checkpoint(tmp_path, model, plain, {"epoch": 1})
    resumed = build_optimizer(model.parameters(), TrainConfig(optimizer="adam", lr=0.01))
    progress, _ = load_checkpoint(tmp_path, model, resumed)
    assert progress == {"epoch": 1} and resumed.param_groups[0]["fused"] is True
    saved_moment = plain.state[model.weight]["exp_avg"]
    assert torch.equal(resumed.state[model.weight]["exp_avg"], saved_moment)
    resumed.step()  # the plain run's state works with the fused kernel
