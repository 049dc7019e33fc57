"""What the training loop reports: per-epoch records, the fit's outcome, the callback hooks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass
class EpochRecord:
    """What one epoch did; a row of ``metrics.csv``."""

    epoch: int
    train_loss: float
    train_accuracy: float
    val_loss: float
    val_accuracy: float
    val_macro_f1: float
    lr: float
    seconds: float
    tokens_per_second: float


@dataclass
class FitResult:
    """Outcome of :meth:`Trainer.fit`."""

    history: list[EpochRecord]
    best_epoch: int
    best_score: float
    stopped_early: bool
    train_seconds: float
    train_tokens: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def tokens_per_second(self) -> float:
        """Real training tokens processed per second of training (data handling included)."""
        return self.train_tokens / self.train_seconds if self.train_seconds else 0.0


class Callback(Protocol):
    """Hooks called by the trainer; implement only what you need."""

    def on_step(self, step: int, loss: float, lr: float) -> None: ...

    def on_epoch_end(self, record: EpochRecord) -> None: ...

    def on_train_end(self, result: FitResult) -> None: ...
