"""Data-parallel training under ``torchrun``: one model, N processes (ranks).

``torchrun --nproc-per-node N -m lstm_sentiment train ...`` starts N copies of the command with
``RANK``/``WORLD_SIZE`` set; :func:`process_group` joins them (gloo on CPU, NCCL when a GPU is
present) and the trainer asks :func:`current` whether it runs in a group.

How the work is split (the trainer's side is :class:`DataParallel`):

- every rank reads the same data and split, and builds the same batch plan (same seed);
- ``train.batch_size`` is the **global** batch: each step's batch is split between the ranks,
  interleaved (rank r takes examples r, r+N, ... of the length-sorted batch, so the ranks get
  texts of similar length). Every rank runs every step, so all run the same number of steps,
  and the union of an epoch's batches is the training set exactly once. A batch smaller than
  N leaves some ranks without an example: they run one example of it with loss weight 0;
- each rank's loss is scaled by its share of the batch's (class-)weight, so the gradients
  DistributedDataParallel averages equal those of one process on the whole batch: N ranks
  train the same model as one process, up to floating-point rounding;
- dropout draws from a per-rank seed; random crops come from the shared ``[seed, epoch]``
  stream (the crops decide the length buckets, so all ranks must agree on them; each text is
  still cropped independently, by whichever rank trains it);
- validation is sharded: each rank scores every N-th text, and the confusion matrix, the
  summed log loss and the counts are all-reduced;
- rank 0 alone writes logs, TensorBoard, metrics, checkpoints and the bundle.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import os
import re
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.distributed as dist
from torch import nn

from lstm_sentiment.errors import ConfigError, LstmSentimentError

logger = logging.getLogger(__name__)

TIMEOUT_ENV = "LSTM_SENTIMENT_DDP_TIMEOUT"
DEFAULT_TIMEOUT_SECONDS = 900
"""How long a rank waits in a collective for the others (rank 0 evaluating the test split while
the others wait at the last barrier included). A rank that *dies* is noticed at once: its
connections close, and torchrun stops the others."""
RANK_SEED_STREAM = 2
"""Word of the per-rank dropout seed ``[seed, RANK_SEED_STREAM, rank, step]``."""
SUMMED_STATE = ("epoch_loss", "epoch_correct", "epoch_seen", "epoch_tokens", "tokens")
"""Loop-state counts each rank keeps for its own share of the batches."""


class DistributedError(LstmSentimentError):
    """A training process of the group failed, was killed or did not answer in time."""


@dataclass(frozen=True)
class World:
    """This process's place in the group."""

    rank: int
    size: int
    local_rank: int
    local_size: int
    device: torch.device

    @property
    def is_main(self) -> bool:
        """Rank 0: the one that writes files."""
        return self.rank == 0


_WORLD: World | None = None


def requested_world_size() -> int:
    """Processes torchrun started (1 without torchrun)."""
    try:
        return int(os.environ.get("WORLD_SIZE", "1"))
    except ValueError:
        raise ConfigError(f"WORLD_SIZE={os.environ['WORLD_SIZE']!r} is not a number") from None


def current() -> World | None:
    """The group this process trains in (``None``: a single process)."""
    return _WORLD


def timeout_seconds() -> float:
    """Collective timeout: :data:`TIMEOUT_ENV` or :data:`DEFAULT_TIMEOUT_SECONDS`."""
    raw = os.environ.get(TIMEOUT_ENV, "")
    try:
        value = float(raw) if raw else DEFAULT_TIMEOUT_SECONDS
    except ValueError:
        value = -1.0
    if value <= 0:
        raise ConfigError(f"{TIMEOUT_ENV}={raw!r}: give the timeout in seconds, > 0")
    return value


def _device(local_rank: int) -> torch.device:
    """A GPU per rank where there are GPUs, else the CPU (the backend follows the device)."""
    if torch.cuda.is_available():
        torch.cuda.set_device(local_rank % torch.cuda.device_count())
        return torch.device("cuda", torch.cuda.current_device())
    return torch.device("cpu")


def rank_threads(configured: int, world: World) -> int:
    """Torch threads of a rank: ``train.threads`` when set, else an equal share of the cores
    among this machine's ranks (torchrun's ``OMP_NUM_THREADS=1`` is overridden)."""
    if configured:
        return configured
    return max(1, (os.cpu_count() or 1) // max(1, world.local_size))


def is_collective_failure(exc: BaseException) -> bool:
    """Whether ``exc`` says another rank is gone or silent (not a bug of this rank)."""
    if isinstance(exc, dist.DistError):
        return True
    text = str(exc).lower()
    words = ("gloo", "nccl", "connection closed", "connection reset", "timed out", "broken pipe")
    return isinstance(exc, RuntimeError) and any(word in text for word in words)


@contextlib.contextmanager
def process_group() -> Iterator[World]:
    """Join the torchrun group for the ``with`` block; collective failures (a killed rank, a
    timeout) become one-line :class:`DistributedError` messages."""
    global _WORLD
    if not dist.is_available():
        raise ConfigError("this torch build has no torch.distributed: train in one process")
    size = requested_world_size()
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    local_size = int(os.environ.get("LOCAL_WORLD_SIZE", str(size)))
    device = _device(local_rank)
    backend = "nccl" if device.type == "cuda" else "gloo"
    timeout = datetime.timedelta(seconds=timeout_seconds())
    dist.init_process_group(backend=backend, timeout=timeout)
    _WORLD = World(rank, size, local_rank, local_size, device)
    previous = _stop_on_sigterm(rank)
    if rank != 0:  # rank 0 alone logs; the others only report errors
        logging.getLogger().setLevel(logging.ERROR)
    else:
        logger.info("DDP: %d ranks (%s), %s", size, backend, device)
    try:
        yield _WORLD
    except Exception as exc:
        if not is_collective_failure(exc):
            raise
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        first = re.sub(r"^\[[^\]]*\]\s*", "", first)[:160]  # gloo's source position
        raise DistributedError(
            f"rank {rank}: another training process stopped or stopped answering ({first}); "
            "the run was stopped: fix the cause and rerun with --resume"
        ) from None
    finally:
        _WORLD = None
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        with contextlib.suppress(Exception):
            dist.destroy_process_group()


def _stop_on_sigterm(rank: int) -> Any:
    """torchrun stops the other ranks with SIGTERM when one fails: say so in one line (and let
    the run folder keep its checkpoint) instead of dying silently."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def stop(signum: int, frame: Any) -> None:
        raise DistributedError(
            f"rank {rank}: stopped by torchrun because another training process failed or was "
            "killed (see its message); rerun with --resume to continue from the last checkpoint"
        )

    return signal.signal(signal.SIGTERM, stop)


def barrier() -> None:
    """Wait for every rank."""
    dist.barrier()


def broadcast_error(message: str | None) -> None:
    """Rank 0 tells the others whether it could start (``None``) or why not; on other ranks
    an error message is raised as a :class:`ConfigError` so every rank exits alike."""
    box: list[Any] = [message]
    dist.broadcast_object_list(box, src=0)
    if box[0] is not None and dist.get_rank() != 0:
        raise ConfigError(box[0])


def all_reduce_sum(values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Element-wise sums over the ranks (float64)."""
    world = current()
    array = np.asarray(values, dtype=np.float64)
    if world is None:
        return array
    tensor = torch.from_numpy(array.copy()).to(world.device)
    dist.all_reduce(tensor, op=dist.ReduceOp.SUM)
    return tensor.cpu().numpy()


class _Step(nn.Module):
    """What DistributedDataParallel wraps: the model and the trainer's loss function."""

    def __init__(self, model: nn.Module, step: Callable[..., Any]) -> None:
        super().__init__()
        self.model = model
        self._step = step

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        return self._step(*args, **kwargs)


class DataParallel:
    """The trainer's view of the group: sharded batches, scaled losses, reduced metrics."""

    def __init__(self, world: World) -> None:
        self.world = world

    @property
    def is_main(self) -> bool:
        return self.world.is_main

    def wrap(self, model: nn.Module, step: Callable[..., Any]) -> nn.Module:
        """DistributedDataParallel over ``step`` (built again each epoch: the trainable
        parameters may change when frozen embeddings thaw)."""
        from torch.nn.parallel import DistributedDataParallel

        device_ids = [self.world.device.index] if self.world.device.type == "cuda" else None
        return DistributedDataParallel(_Step(model, step), device_ids=device_ids)

    def shard_plan(
        self, plan: list[np.ndarray], labels: np.ndarray, class_weights: torch.Tensor | None
    ) -> tuple[list[np.ndarray], list[float]]:
        """This rank's part of every batch, and the factor of its loss (0 for a stand-in)."""
        rank, size = self.world.rank, self.world.size
        weights = None if class_weights is None else class_weights.detach().cpu().numpy()
        local, scales = [], []
        for positions in plan:
            mine = positions[rank::size]
            if weights is None:
                total, own = float(len(positions)), float(len(mine))
            else:
                total = float(weights[labels[positions]].sum())
                own = float(weights[labels[mine]].sum())
            if len(mine) == 0:  # a batch smaller than the group: run one example, weight 0
                local.append(positions[:1])
                scales.append(0.0)
            else:
                local.append(mine)
                scales.append(size * own / total if total else 0.0)
        return local, scales

    def reduce(self, values: Sequence[float]) -> list[float]:
        """Sums over the ranks (counts come back as ints)."""
        summed = all_reduce_sum(values)
        pairs = zip(values, summed, strict=True)
        return [round(t) if isinstance(v, int) else float(t) for v, t in pairs]

    def global_state(self, state: dict[str, Any]) -> dict[str, Any]:
        """The loop state with the counts of every rank summed (what rank 0 checkpoints)."""
        summed = self.reduce([state[key] for key in SUMMED_STATE])
        return {**state, **dict(zip(SUMMED_STATE, summed, strict=True))}

    def start(self, state: dict[str, Any], seed: int) -> None:
        """Before the first step: this rank's dropout seed; a checkpoint's counts (sums over
        the ranks) are kept by rank 0 alone, so sums over the ranks stay right."""
        self.reseed(seed, int(state["global_step"]))
        if not self.is_main:
            state.update({key: type(state[key])(0) for key in SUMMED_STATE})

    @property
    def shard(self) -> tuple[int, int]:
        """``(rank, ranks)``: this rank takes every ``ranks``-th example of a batch from
        ``rank`` on."""
        return self.world.rank, self.world.size

    def to_device(self, batch: Any) -> Any:
        """``batch`` on this rank's device (the CPU batch itself on CPU)."""
        device = self.world.device
        if device.type == "cpu":
            return batch
        labels = None if batch.labels is None else batch.labels.to(device)
        targets = None if batch.targets is None else batch.targets.to(device)
        return type(batch)(
            batch.ids.to(device), batch.lengths.to(device), labels, batch.indices, targets
        )

    def reseed(self, seed: int, step: int) -> None:
        """A dropout stream of this rank's own (also after a resume, whose checkpoint holds
        rank 0's generator)."""
        state = np.random.SeedSequence([seed, RANK_SEED_STREAM, self.world.rank, step])
        torch.manual_seed(int(state.generate_state(1)[0]))

    def validation_metrics(
        self, model: nn.Module, data: Any, num_classes: int, predict: Callable[..., np.ndarray]
    ) -> dict[str, float]:
        """Accuracy, macro-F1 and log loss of the whole split from each rank's share."""
        positions = np.arange(self.world.rank, len(data), self.world.size)
        confusion = np.zeros((num_classes, num_classes), dtype=np.float64)
        loss = 0.0
        if len(positions):
            part = data.subset(positions)
            probabilities = predict(model, part)
            truth = part.labels
            np.add.at(confusion, (truth, probabilities.argmax(axis=1)), 1.0)
            # As classification_metrics: probabilities clipped to 1e-12 and renormalised.
            clipped = np.clip(probabilities, 1e-12, 1.0)
            clipped = clipped / clipped.sum(axis=1, keepdims=True)
            loss = float(-np.log(clipped[np.arange(len(truth)), truth]).sum())
        summed = all_reduce_sum([*confusion.ravel(), loss])
        return metrics_from_confusion(summed[:-1].reshape(confusion.shape), float(summed[-1]))


def metrics_from_confusion(confusion: np.ndarray, loss_sum: float) -> dict[str, float]:
    """Accuracy, macro-F1 (every class, 0 where undefined) and mean log loss."""
    n = float(confusion.sum())
    true_positive = np.diag(confusion)
    predicted, actual = confusion.sum(axis=0), confusion.sum(axis=1)
    zeros = np.zeros_like(true_positive)
    precision = np.divide(true_positive, predicted, out=zeros.copy(), where=predicted > 0)
    recall = np.divide(true_positive, actual, out=zeros.copy(), where=actual > 0)
    both = precision + recall
    f1 = np.divide(2 * precision * recall, both, out=np.zeros_like(both), where=both > 0)
    return {
        "accuracy": float(true_positive.sum() / n) if n else 0.0,
        "macro_f1": float(f1.mean()),
        "log_loss": loss_sum / n if n else 0.0,
    }
