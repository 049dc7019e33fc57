"""Trainer callbacks: TensorBoard scalars and the per-epoch ``metrics.csv``."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, fields
from pathlib import Path
from typing import Any

import torch

from lstm_sentiment.io_utils import write_text
from lstm_sentiment.training.trainer import EpochRecord, FitResult

HParam = bool | int | float | str


class TensorBoardLogger:
    """Writes step and epoch scalars (loss, accuracy, learning rate) for TensorBoard.

    Args:
        log_dir: Event file folder (``RUN_DIR/tensorboard``).
        every: Log the training loss every ``every`` steps.
    """

    def __init__(self, log_dir: Path, every: int = 10) -> None:
        self.log_dir = log_dir
        self.every = every
        self._writer: Any = None

    @property
    def writer(self) -> Any:
        """The event writer, created on first use: a run refused before training (a resume
        that does not match) leaves no event file behind."""
        if self._writer is None:
            from torch.utils.tensorboard import SummaryWriter

            self._writer = SummaryWriter(log_dir=str(self.log_dir))
        return self._writer

    def on_step(self, step: int, loss: float, lr: float) -> None:
        if step % self.every == 0:
            self.writer.add_scalar("step/train_loss", loss, step)
            self.writer.add_scalar("step/lr", lr, step)

    def on_epoch_end(self, record: EpochRecord) -> None:
        for name in ("train_loss", "val_loss"):
            self.writer.add_scalar(f"loss/{name[:-5]}", getattr(record, name), record.epoch)
        for name in ("train_accuracy", "val_accuracy"):
            self.writer.add_scalar(f"accuracy/{name[:-9]}", getattr(record, name), record.epoch)
        self.writer.add_scalar("val/macro_f1", record.val_macro_f1, record.epoch)
        self.writer.add_scalar("epoch/lr", record.lr, record.epoch)
        self.writer.add_scalar("epoch/tokens_per_second", record.tokens_per_second, record.epoch)
        self.writer.flush()

    def on_train_end(self, result: FitResult) -> None:
        self.writer.flush()

    def log_hparams(self, config: dict[str, Any], metrics: dict[str, float]) -> None:
        """The run's hyperparameters with its final metrics, for TensorBoard's HPARAMS view."""
        self.writer.add_hparams(flatten_hparams(config), metrics, run_name="hparams")

    def log_embeddings(self, matrix: torch.Tensor, words: list[str], step: int = 0) -> None:
        """Learned word vectors with their words as labels, for the embedding projector."""
        self.writer.add_embedding(matrix, metadata=words, tag="word_embeddings", global_step=step)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()


def flatten_hparams(config: dict[str, Any], prefix: str = "") -> dict[str, HParam]:
    """``{"model": {"hidden_size": 128}}`` → ``{"model.hidden_size": 128}``; lists and tables
    become strings (TensorBoard takes numbers, booleans and strings only)."""
    flat: dict[str, HParam] = {}
    for key, value in config.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and not prefix:  # a config section
            flat.update(flatten_hparams(value, f"{name}."))
        elif isinstance(value, bool | int | float | str):
            flat[name] = value
        elif value is None:
            flat[name] = "none"
        else:
            flat[name] = json.dumps(value, ensure_ascii=False)
    return flat


def _number(text: str) -> int | float | str:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


class CsvLogger:
    """Rewrites ``metrics.csv`` atomically after each epoch (one row per epoch)."""

    def __init__(self, path: Path, *, resume: bool = False) -> None:
        self.path = path
        self.rows: list[dict[str, Any]] = []
        if resume and path.is_file():
            with path.open(newline="", encoding="utf-8") as handle:
                self.rows = [
                    {key: _number(value) for key, value in row.items()}
                    for row in csv.DictReader(handle)
                ]

    def on_step(self, step: int, loss: float, lr: float) -> None:
        return None

    def on_epoch_end(self, record: EpochRecord) -> None:
        self.rows = [r for r in self.rows if r["epoch"] < record.epoch] + [asdict(record)]
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=[f.name for f in fields(EpochRecord)])
        writer.writeheader()
        writer.writerows(self.rows)
        write_text(self.path, buffer.getvalue())

    def on_train_end(self, result: FitResult) -> None:
        return None
