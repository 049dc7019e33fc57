"""Tests for the training loop: learning, early stopping, checkpoints, resume and Ctrl-C."""

from __future__ import annotations

import copy
import csv
import time
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file, save_file

from lstm_sentiment.config import ModelConfig, TrainConfig
from lstm_sentiment.errors import CheckpointError
from lstm_sentiment.inference.batching import EncodedDataset
from lstm_sentiment.inference.forward import predict_probabilities
from lstm_sentiment.models.registry import build_model
from lstm_sentiment.text.encode import TextEncoder
from lstm_sentiment.text.tokenize import WordTokenizer
from lstm_sentiment.text.vocab import Vocabulary
from lstm_sentiment.training.callbacks import CsvLogger
from lstm_sentiment.training.checkpoint import WEIGHTS_FILE, load_checkpoint, read_state
from lstm_sentiment.training.trainer import (
    EpochRecord,
    FitResult,
    Trainer,
    TrainingInterrupted,
)

LABELS = ["negative", "positive"]
N_TRAIN = 44  # 6 batches of 8 (the last one short)
BATCHES_PER_EPOCH = 6
TIMING_FIELDS = ("seconds", "tokens_per_second")


@dataclass
class ToyData:
    vocab: Vocabulary
    train: EncodedDataset
    validation: EncodedDataset


def toy_data(rows: list[tuple[str, str]], *, flip_validation: bool = False) -> ToyData:
    tokenizer = WordTokenizer()
    train_rows, val_rows = rows[:N_TRAIN], rows[N_TRAIN:]
    if flip_validation:  # the better the model fits, the worse it does on validation
        val_rows = [(text, LABELS[1 - LABELS.index(label)]) for text, label in train_rows]
    vocab = Vocabulary.build(tokenizer.tokenize(text) for text, _ in train_rows)
    encoder = TextEncoder(tokenizer, vocab, max_length=16, truncation="head+tail")

    def encode(part: list[tuple[str, str]]) -> EncodedDataset:
        labels = np.array([LABELS.index(label) for _, label in part], dtype=np.int64)
        return EncodedDataset(encoder.encode_many([t for t, _ in part]), labels, vocab.pad_id)

    return ToyData(vocab, encode(train_rows), encode(val_rows))


def toy_model(data: ToyData, seed: int = 0, hidden_size: int = 8) -> torch.nn.Module:
    torch.manual_seed(seed)
    config = ModelConfig(hidden_size=hidden_size, embedding_dropout=0.1, dropout=0.1)
    return build_model(
        config, vocab_size=len(data.vocab), embedding_dim=8, num_classes=2, pad_id=data.vocab.pad_id
    )


def train_config(**changes: object) -> TrainConfig:
    base = TrainConfig(
        epochs=3,
        batch_size=8,
        lr=0.02,
        lr_schedule="constant",  # the rate must not depend on the epoch budget (resume tests)
        warmup_steps=0,
        patience=0,
        seed=3,
        checkpoint_every=0,
        bucket_size=2,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def comparable(history: list[EpochRecord]) -> list[float]:
    """History values without the wall-clock fields, flattened for ``pytest.approx``."""
    return [v for r in history for k, v in asdict(r).items() if k not in TIMING_FIELDS]


@dataclass
class Recorder:
    """Callback that snapshots the weights after every epoch and can raise Ctrl-C."""

    model: torch.nn.Module
    interrupt_at_step: int = 0
    interrupt_at_epoch_end: int = 0
    steps: list[int] = field(default_factory=list)
    weights: dict[int, dict[str, torch.Tensor]] = field(default_factory=dict)
    ended: list[FitResult] = field(default_factory=list)

    def on_step(self, step: int, loss: float, lr: float) -> None:
        self.steps.append(step)
        if step == self.interrupt_at_step:
            raise KeyboardInterrupt

    def on_epoch_end(self, record: EpochRecord) -> None:
        self.weights[record.epoch] = copy.deepcopy(self.model.state_dict())
        if record.epoch == self.interrupt_at_epoch_end:
            raise KeyboardInterrupt

    def on_train_end(self, result: FitResult) -> None:
        self.ended.append(result)


def same_weights(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_trainer_learns_separable_toy_task(tmp_path: Path, toy_rows) -> None:
    data = toy_data(toy_rows)
    model = toy_model(data)
    recorder = Recorder(model)
    result = Trainer(
        model, train_config(epochs=15, patience=3, lr=0.05), LABELS, tmp_path, [recorder]
    ).fit(data.train, data.validation)

    assert result.best_score >= 0.95
    probabilities = predict_probabilities(model, data.validation)
    accuracy = (probabilities.argmax(1) == data.validation.labels).mean()
    assert accuracy >= 0.95
    assert result.history[-1].train_loss < result.history[0].train_loss
    assert [r.epoch for r in result.history] == list(range(1, len(result.history) + 1))
    assert recorder.ended == [result]
    assert result.train_tokens > 0 and result.tokens_per_second > 0


def test_trainer_early_stopping_restores_best_weights(tmp_path: Path, toy_rows) -> None:
    data = toy_data(toy_rows, flip_validation=True)
    model = toy_model(data)
    recorder = Recorder(model)
    cfg = train_config(epochs=15, patience=2)
    result = Trainer(model, cfg, LABELS, tmp_path, [recorder]).fit(data.train, data.validation)

    scores = [r.val_accuracy for r in result.history]
    assert result.stopped_early
    assert len(result.history) < cfg.epochs
    assert result.best_epoch == 1 + scores.index(max(scores))
    assert result.best_score == max(scores)
    assert result.history[-1].epoch - result.best_epoch == cfg.patience
    assert same_weights(model.state_dict(), recorder.weights[result.best_epoch])
    assert not same_weights(model.state_dict(), recorder.weights[result.history[-1].epoch])


def test_trainer_monitor_loss_reports_loss_as_best_score(tmp_path: Path, toy_rows) -> None:
    data = toy_data(toy_rows)
    result = Trainer(toy_model(data), train_config(epochs=3, monitor="loss"), LABELS, tmp_path).fit(
        data.train, data.validation
    )
    losses = [r.val_loss for r in result.history]
    assert result.best_score == pytest.approx(min(losses))
    assert result.best_epoch == 1 + losses.index(min(losses))


def test_trainer_resume_continues_from_checkpoint(tmp_path: Path, toy_rows) -> None:
    data = toy_data(toy_rows)
    first = Trainer(toy_model(data), train_config(epochs=2), LABELS, tmp_path / "ckpt").fit(
        data.train, data.validation
    )
    assert len(first.history) == 2

    # A fresh model with other initial weights: resuming must overwrite them.
    resumed = Trainer(
        toy_model(data, seed=99), train_config(epochs=4), LABELS, tmp_path / "ckpt"
    ).fit(data.train, data.validation, resume=True)
    assert len(resumed.history) == 4
    assert [asdict(r) for r in resumed.history[:2]] == [asdict(r) for r in first.history]
    assert [r.epoch for r in resumed.history] == [1, 2, 3, 4]

    # Same as never stopping: weights, optimizer and RNG state all came back.
    straight = Trainer(toy_model(data), train_config(epochs=4), LABELS, tmp_path / "other").fit(
        data.train, data.validation
    )
    assert comparable(resumed.history) == pytest.approx(comparable(straight.history), rel=1e-6)


def test_trainer_resume_without_checkpoint_starts_anew(tmp_path: Path, toy_rows) -> None:
    data = toy_data(toy_rows)
    result = Trainer(toy_model(data), train_config(epochs=1), LABELS, tmp_path / "none").fit(
        data.train, data.validation, resume=True
    )
    assert [r.epoch for r in result.history] == [1]


def test_trainer_checkpoint_every_steps(tmp_path: Path, toy_rows) -> None:
    data = toy_data(toy_rows)
    cfg = train_config(epochs=1, checkpoint_every=4)
    model = toy_model(data)
    trainer = Trainer(model, cfg, LABELS, tmp_path, [Recorder(model, interrupt_at_step=5)])
    with pytest.raises(TrainingInterrupted):
        trainer.fit(data.train, data.validation)
    # The step-4 checkpoint was overwritten by the interrupt's; both are in epoch 1.
    progress = read_state(tmp_path)["progress"]
    assert progress["epoch"] == 1
    assert progress["global_step"] == 5


@pytest.mark.parametrize(
    "corrupt",
    ["garbage_weights", "truncated_weights", "truncated_state", "other_model"],
)
def test_trainer_corrupt_checkpoint_raises_checkpoint_error(
    tmp_path: Path, toy_rows, corrupt: str
) -> None:
    data = toy_data(toy_rows)
    Trainer(toy_model(data), train_config(epochs=1), LABELS, tmp_path).fit(
        data.train, data.validation
    )
    model = toy_model(data)
    if corrupt == "garbage_weights":
        (tmp_path / WEIGHTS_FILE).write_bytes(b"\x00not a safetensors file" * 10)
    elif corrupt == "truncated_weights":
        blob = (tmp_path / WEIGHTS_FILE).read_bytes()
        (tmp_path / WEIGHTS_FILE).write_bytes(blob[: len(blob) // 2])
    elif corrupt == "truncated_state":
        tensors = load_file(str(tmp_path / WEIGHTS_FILE))
        save_file(tensors, str(tmp_path / WEIGHTS_FILE), metadata={"state": '{"progress": {'})
    else:
        model = toy_model(data, hidden_size=16)
    trainer = Trainer(model, train_config(epochs=2), LABELS, tmp_path)
    with pytest.raises(CheckpointError, match="corrupt or from another configuration"):
        trainer.fit(data.train, data.validation, resume=True)


def test_load_checkpoint_missing_raises_checkpoint_error(tmp_path: Path, toy_rows) -> None:
    data = toy_data(toy_rows)
    model = toy_model(data)
    optimizer = torch.optim.Adam(model.parameters())
    with pytest.raises(CheckpointError, match="no checkpoint"):
        load_checkpoint(tmp_path, model, optimizer)


@pytest.mark.parametrize("step", [1, BATCHES_PER_EPOCH + 2])
def test_trainer_keyboard_interrupt_saves_checkpoint_and_resumes(
    tmp_path: Path, toy_rows, step: int
) -> None:
    data = toy_data(toy_rows)
    model = toy_model(data)
    trainer = Trainer(
        model, train_config(epochs=3), LABELS, tmp_path, [Recorder(model, interrupt_at_step=step)]
    )
    with pytest.raises(TrainingInterrupted, match="--resume"):
        trainer.fit(data.train, data.validation)
    assert (tmp_path / WEIGHTS_FILE).is_file()
    assert read_state(tmp_path)["progress"]["global_step"] == step

    result = Trainer(toy_model(data, seed=5), train_config(epochs=3), LABELS, tmp_path).fit(
        data.train, data.validation, resume=True
    )
    assert [r.epoch for r in result.history] == [1, 2, 3]
    assert result.best_epoch in (1, 2, 3)


def test_trainer_resume_after_interrupt_matches_uninterrupted_run(tmp_path: Path, toy_rows) -> None:
    data = toy_data(toy_rows)
    cfg = train_config(epochs=3)
    straight = Trainer(toy_model(data), cfg, LABELS, tmp_path / "straight").fit(
        data.train, data.validation
    )
    model = toy_model(data)
    trainer = Trainer(model, cfg, LABELS, tmp_path / "cut", [Recorder(model, interrupt_at_step=8)])
    with pytest.raises(TrainingInterrupted):
        trainer.fit(data.train, data.validation)
    recorder = Recorder(toy_model(data))
    resumed = Trainer(toy_model(data), cfg, LABELS, tmp_path / "cut", [recorder]).fit(
        data.train, data.validation, resume=True
    )
    # Every batch is trained exactly once: steps 9..18 remain after step 8.
    assert recorder.steps == list(range(9, 3 * BATCHES_PER_EPOCH + 1))
    assert comparable(resumed.history) == pytest.approx(comparable(straight.history), rel=1e-6)


@dataclass
class SlowRecorder(Recorder):
    """A recorder whose steps take ``STEP_SECONDS`` longer."""

    def on_step(self, step: int, loss: float, lr: float) -> None:
        time.sleep(STEP_SECONDS)
        super().on_step(step, loss, lr)


STEP_SECONDS = 0.1


def test_an_interrupted_epoch_reports_its_time_before_the_interruption_too(
    tmp_path: Path, toy_rows
) -> None:
    data = toy_data(toy_rows)
    cfg = train_config(epochs=2)
    model = toy_model(data)
    interrupt = BATCHES_PER_EPOCH + 5  # five slow steps into epoch 2
    trainer = Trainer(
        model, cfg, LABELS, tmp_path / "cut", [SlowRecorder(model, interrupt_at_step=interrupt)]
    )
    with pytest.raises(TrainingInterrupted):
        trainer.fit(data.train, data.validation)
    resumed = Trainer(toy_model(data), cfg, LABELS, tmp_path / "cut").fit(
        data.train, data.validation, resume=True
    )
    second = resumed.history[1]
    assert second.seconds >= 4 * STEP_SECONDS  # the slow steps before the interruption count
    assert second.tokens_per_second == pytest.approx(data.train.num_tokens / second.seconds)


def test_trainer_random_crops_learn_and_resume_identically(tmp_path: Path, toy_rows) -> None:
    data = toy_data(toy_rows)
    cfg = train_config(epochs=12, lr=0.05, crop_probability=0.5, crop_min_tokens=2)
    straight = Trainer(toy_model(data), cfg, LABELS, tmp_path / "straight").fit(
        data.train, data.validation
    )
    assert straight.best_score >= 0.9
    assert straight.train_tokens < 12 * data.train.num_tokens  # some texts were cropped

    model = toy_model(data)
    trainer = Trainer(model, cfg, LABELS, tmp_path / "cut", [Recorder(model, interrupt_at_step=8)])
    with pytest.raises(TrainingInterrupted):
        trainer.fit(data.train, data.validation)
    resumed = Trainer(toy_model(data), cfg, LABELS, tmp_path / "cut").fit(
        data.train, data.validation, resume=True
    )
    assert comparable(resumed.history) == pytest.approx(comparable(straight.history), rel=1e-6)


def test_trainer_interrupt_at_epoch_end_resumes_without_duplicate_epochs(
    tmp_path: Path, toy_rows
) -> None:
    data = toy_data(toy_rows)
    model = toy_model(data)
    trainer = Trainer(
        model, train_config(epochs=3), LABELS, tmp_path, [Recorder(model, interrupt_at_epoch_end=1)]
    )
    with pytest.raises(TrainingInterrupted):
        trainer.fit(data.train, data.validation)
    result = Trainer(toy_model(data), train_config(epochs=3), LABELS, tmp_path).fit(
        data.train, data.validation, resume=True
    )
    assert [r.epoch for r in result.history] == [1, 2, 3]


def test_csv_logger_writes_one_row_per_epoch(tmp_path: Path, toy_rows) -> None:
    data = toy_data(toy_rows)
    path = tmp_path / "metrics.csv"
    result = Trainer(
        toy_model(data), train_config(epochs=3), LABELS, tmp_path / "ckpt", [CsvLogger(path)]
    ).fit(data.train, data.validation)
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    assert reader.fieldnames == [f.name for f in fields(EpochRecord)]
    assert len(rows) == len(result.history) == 3
    assert [int(row["epoch"]) for row in rows] == [1, 2, 3]
    for row, record in zip(rows, result.history, strict=True):
        assert float(row["val_accuracy"]) == pytest.approx(record.val_accuracy)
        assert float(row["train_loss"]) == pytest.approx(record.train_loss)


def test_csv_logger_keeps_earlier_history_and_replaces_rerun_epochs(tmp_path: Path) -> None:
    def record(epoch: int, loss: float) -> EpochRecord:
        return EpochRecord(epoch, loss, 0.5, loss, 0.5, 0.5, 0.01, 1.0, 10.0)

    path = tmp_path / "metrics.csv"
    first = CsvLogger(path)
    first.on_epoch_end(record(1, 0.9))
    first.on_epoch_end(record(2, 0.8))
    logger = CsvLogger(path, resume=True)  # a resumed run reads the rows already written
    logger.on_epoch_end(record(2, 0.7))  # epoch 2 rerun after a resume
    logger.on_epoch_end(record(3, 0.6))
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(int(r["epoch"]), float(r["train_loss"])) for r in rows] == [
        (1, 0.9),
        (2, 0.7),
        (3, 0.6),
    ]


def test_predict_probabilities_rows_sum_to_one_in_dataset_order(toy_rows) -> None:
    data = toy_data(toy_rows)
    model = toy_model(data)
    model.train()
    probabilities = predict_probabilities(model, data.validation, batch_size=3)
    assert probabilities.shape == (len(data.validation), 2)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)
    assert not model.training  # evaluation mode: dropout off
    one_by_one = np.concatenate(
        [
            predict_probabilities(
                model, EncodedDataset([data.validation.ids[i]], None, data.vocab.pad_id)
            )
            for i in range(len(data.validation))
        ]
    )
    np.testing.assert_allclose(probabilities, one_by_one, atol=1e-6)
