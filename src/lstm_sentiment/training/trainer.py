"""The training loop: batches → loss → clip → step, with validation, early stopping and resume.

Side concerns (TensorBoard, metrics.csv, progress) are callbacks; the loop only dispatches.
"""

from __future__ import annotations

import copy
import logging
import math
import time
from collections.abc import Collection, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from torch import nn
from tqdm import tqdm

from lstm_sentiment.config import TrainConfig
from lstm_sentiment.errors import LstmSentimentError
from lstm_sentiment.inference.batching import EncodedDataset
from lstm_sentiment.inference.forward import predict_probabilities
from lstm_sentiment.inference.metrics import classification_metrics
from lstm_sentiment.training.checkpoint import (
    check_fingerprint,
    data_fingerprint,
    has_checkpoint,
    load_checkpoint,
    read_state,
    save_checkpoint,
)
from lstm_sentiment.training.layer_groups import LR_MULTIPLIER, parameter_groups, set_trainable
from lstm_sentiment.training.objective import TrainingObjective
from lstm_sentiment.training.optim import (
    build_optimizer,
    lr_factor,
)
from lstm_sentiment.training.records import Callback, EpochRecord, FitResult
from lstm_sentiment.training.semisup import UnlabelledBatches

if TYPE_CHECKING:
    from lstm_sentiment.distributed.ddp import DataParallel

logger = logging.getLogger(__name__)


CROP_STREAM = 1
"""Third seed word of the random-crop generator (``[seed, epoch, CROP_STREAM]``), apart from
the batch order's ``[seed, epoch]``."""


class TrainingInterrupted(LstmSentimentError):
    """Ctrl-C during training: a checkpoint was saved and ``--resume`` continues from it."""


class Trainer:
    """Fits a classifier on encoded data.

    Args:
        model: Returns logits for ``(ids, lengths)``.
        config: Optimisation settings.
        labels: Label names in id order.
        checkpoint_dir: Where resumable checkpoints are written.
        callbacks: Loggers notified after steps and epochs.
        freeze_embedding_epochs: Keep ``model.embedding`` fixed for the first N epochs.
        class_weights: Loss weight per class id (``None``: all 1).
        pretrained: Names of parameters taken from a language model: they learn at lower
            rates and may be unfrozen gradually (:mod:`.layer_groups`).
        reference: The saved model a fine-tune starts from (``train.retain_weight``).
    """

    def __init__(
        self,
        model: nn.Module,
        config: TrainConfig,
        labels: Sequence[str],
        checkpoint_dir: Path,
        callbacks: Sequence[Callback] = (),
        freeze_embedding_epochs: int = 0,
        class_weights: torch.Tensor | None = None,
        run_config: dict[str, Any] | None = None,
        parallel: DataParallel | None = None,
        pretrained: Collection[str] = (),
        reference: nn.Module | None = None,
    ) -> None:
        self.parallel = parallel
        """The torchrun group this trainer is one rank of (``None``: a single process)."""
        self.model = model
        self.run_config = run_config
        """The whole run configuration, recorded in checkpoints so a resume can check it."""
        self.config = config
        self.labels = list(labels)
        self.checkpoint_dir = checkpoint_dir
        self.callbacks = list(callbacks)
        self.freeze_embedding_epochs = freeze_embedding_epochs
        self.optimizer = build_optimizer(parameter_groups(model, config, pretrained), config)
        self.objective = TrainingObjective(model, config, class_weights, reference)
        self._unlabelled: UnlabelledBatches | None = None

    def _save(
        self, epoch: int, batch: int, state: dict[str, Any], best: dict[str, Any], sync: bool = True
    ) -> None:
        if self.parallel is not None:  # every rank sums its counts in; rank 0 writes
            state = self.parallel.global_state(state) if sync else state
            if not self.parallel.is_main:
                return
        progress = {"epoch": epoch, "batch": batch, **state, "best": best}
        progress["fingerprint"] = self._fingerprint
        save_checkpoint(
            self.checkpoint_dir, self.model, self.optimizer, progress, self._best_weights
        )

    def fit(
        self,
        train: EncodedDataset,
        validation: EncodedDataset,
        *,
        resume: bool = False,
        unlabelled: EncodedDataset | None = None,
    ) -> FitResult:
        """Train until ``epochs`` or early stopping; the best weights are restored at the end.

        ``unlabelled`` texts are batched beside the labelled ones for the semi-supervised
        objectives (``train.vat_epsilon``, ``train.entropy_weight``)."""
        cfg = self.config
        if unlabelled is not None and self.config.semi_supervised:
            self._unlabelled = UnlabelledBatches(
                unlabelled,
                cfg.unlabelled_batch_size or cfg.batch_size,
                cfg.seed,  # one plan on every rank; each runs its share of each batch
                cfg.bucket_size,
            )
        state: dict[str, Any] = {"history": [], "global_step": 0, "elapsed": 0.0, "tokens": 0}
        state.update(lr_scale=1.0, plateau_bad_epochs=0)
        state.update(epoch_loss=0.0, epoch_correct=0, epoch_seen=0, epoch_tokens=0)
        state.update(epoch_seconds=0.0)
        best: dict[str, Any] = {"score": -math.inf, "epoch": 0, "bad_epochs": 0}
        start_epoch, start_batch = 1, 0
        self._fingerprint = {
            "data": data_fingerprint([train, validation, *([unlabelled] if unlabelled else [])]),
            "config": self.run_config,
        }
        best_weights: dict[str, torch.Tensor] | None = None
        if resume and has_checkpoint(self.checkpoint_dir):
            saved = read_state(self.checkpoint_dir)["progress"].get("fingerprint", {})
            check_fingerprint(self.checkpoint_dir, saved, self._fingerprint)
            progress, best_weights = load_checkpoint(
                self.checkpoint_dir, self.model, self.optimizer
            )
            progress.pop("fingerprint", None)
            start_epoch, start_batch = progress.pop("epoch"), progress.pop("batch")
            best = progress.pop("best")
            state.update(progress)
            logger.info("resuming at epoch %d, batch %d", start_epoch, start_batch)
        if self.parallel is not None:
            self.parallel.start(state, cfg.seed)
        self._best = best
        self._best_weights = best_weights
        self._position = (start_epoch, start_batch)
        stopped_early = False
        epoch = start_epoch
        try:
            for epoch in range(start_epoch, cfg.epochs + 1):
                if best["bad_epochs"] >= cfg.patience > 0:
                    stopped_early = True
                    break
                self._position = (epoch, start_batch)
                record = self._run_epoch(epoch, start_batch, train, validation, state)
                start_batch = 0
                score = (
                    -record.val_loss
                    if cfg.monitor == "loss"
                    else (record.val_accuracy if cfg.monitor == "accuracy" else record.val_macro_f1)
                )
                improved = score > best["score"]
                if improved:
                    best.update(score=score, epoch=epoch, bad_epochs=0)
                    best_weights = copy.deepcopy(self.model.state_dict())
                    self._best_weights = best_weights
                else:
                    best["bad_epochs"] += 1
                self._update_plateau(state, improved)
                # Close the epoch in one place so an interrupt never records it twice.
                state["history"].append(asdict(record))
                self._reset_epoch_state(state)
                self._position = (epoch + 1, 0)
                self._save(epoch + 1, 0, state, best)
                for callback in self.callbacks:
                    callback.on_epoch_end(record)
            else:
                stopped_early = best["bad_epochs"] >= cfg.patience > 0 and epoch < cfg.epochs
        except KeyboardInterrupt:
            self._save(*self._position, state, best, sync=False)
            raise TrainingInterrupted(
                f"training interrupted in epoch {epoch}; checkpoint saved in "
                f"{self.checkpoint_dir}: rerun the same command with --resume to continue"
            ) from None
        if best_weights is not None:
            self.model.load_state_dict(best_weights)
        history = [EpochRecord(**r) for r in state["history"]]
        result = FitResult(
            history=history,
            best_epoch=best["epoch"],
            best_score=best["score"] if cfg.monitor != "loss" else -best["score"],
            stopped_early=stopped_early,
            train_seconds=state["elapsed"],
            train_tokens=self._total(state, "tokens")[0],
        )
        for callback in self.callbacks:
            callback.on_train_end(result)
        return result

    def _update_plateau(self, state: dict[str, Any], improved: bool) -> None:
        """``reduce_on_plateau``: scale the rate down after ``plateau_patience`` flat epochs."""
        if self.config.lr_schedule != "reduce_on_plateau":
            return
        state["plateau_bad_epochs"] = 0 if improved else state["plateau_bad_epochs"] + 1
        if state["plateau_bad_epochs"] >= self.config.plateau_patience:
            state["lr_scale"] *= self.config.plateau_factor
            state["plateau_bad_epochs"] = 0
            logger.info("validation plateau: learning rate × %.2f", self.config.plateau_factor)

    def _set_trainable(self, epoch: int) -> None:
        set_trainable(self.optimizer, epoch)
        embedding = getattr(self.model, "embedding", None)
        if (
            self.freeze_embedding_epochs
            and embedding is not None
            and embedding.weight.requires_grad
        ):
            embedding.weight.requires_grad_(epoch > self.freeze_embedding_epochs)

    @property
    def _shard(self) -> tuple[int, int]:
        """``(rank, ranks)`` of this process (``(0, 1)`` without a group)."""
        return (0, 1) if self.parallel is None else self.parallel.shard

    def _total(self, state: dict[str, Any], *keys: str) -> list[float]:
        """``state[key]`` summed over the ranks (this process's own without a group)."""
        values = [state[key] for key in keys]
        return values if self.parallel is None else self.parallel.reduce(values)

    @staticmethod
    def _reset_epoch_state(state: dict[str, Any]) -> None:
        state.update(epoch_loss=0.0, epoch_correct=0, epoch_seen=0, epoch_tokens=0)
        state.update(epoch_seconds=0.0)

    def _run_epoch(
        self,
        epoch: int,
        start_batch: int,
        train: EncodedDataset,
        validation: EncodedDataset,
        state: dict[str, Any],
    ) -> EpochRecord:
        cfg = self.config
        if cfg.crop_probability > 0:
            # Seeded per epoch, so a resumed epoch crops (and batches) exactly as before.
            crop_rng = np.random.default_rng([cfg.seed, epoch, CROP_STREAM])
            train = train.cropped(
                crop_rng, cfg.crop_probability, cfg.crop_min_tokens, cfg.crop_longer_than
            )
        plan = train.batches(
            cfg.batch_size,
            rng=np.random.default_rng([cfg.seed, epoch]),
            bucket_size=cfg.bucket_size,
        )
        self.model.train()
        self._set_trainable(epoch)
        step, scales = self.objective, None
        if self.parallel is not None:  # this rank's share of each batch, DDP over the loss
            weights = self.objective.loss_fn.weight
            plan, scales = self.parallel.shard_plan(plan, train.labels, weights)
            step = self.parallel.wrap(self.model, self.objective)
        unlabelled_plan = None if self._unlabelled is None else self._unlabelled.plan(epoch)
        epoch_start = time.perf_counter()
        elapsed_before = state["elapsed"]
        # the epoch's time so far, before an interruption too (older checkpoints lack it)
        epoch_before = state.get("epoch_seconds", 0.0)
        bar = tqdm(
            total=len(plan),
            initial=start_batch,
            desc=f"epoch {epoch}/{cfg.epochs}",
            unit="batch",
            disable=None if self.parallel is None or self.parallel.is_main else True,
            leave=False,
            dynamic_ncols=True,
        )
        total_steps = cfg.epochs * len(plan)
        for index, batch in enumerate(train.iterate(plan, start_batch), start=start_batch):
            # The rate is a function of the step count, so a resumed run continues the schedule.
            factor = lr_factor(cfg.lr_schedule, state["global_step"], total_steps, cfg.warmup_steps)
            for group in self.optimizer.param_groups:
                group["lr"] = cfg.lr * factor * state["lr_scale"] * group.get(LR_MULTIPLIER, 1.0)
            self.optimizer.zero_grad(set_to_none=True)
            if self.parallel is not None:
                batch = self.parallel.to_device(batch)
            inputs = [batch.ids, batch.lengths, batch.labels]
            if self._unlabelled is not None and unlabelled_plan is not None:
                extra = self._unlabelled.batch(unlabelled_plan, index, self._shard)
                if self.parallel is not None:
                    extra = self.parallel.to_device(extra)
                inputs += [extra.ids, extra.lengths]
            logits, loss, unlabelled_loss = step(*inputs, targets=batch.targets)
            scale = 1.0 if scales is None else scales[index]
            (loss * scale + unlabelled_loss).backward()
            loss = loss + unlabelled_loss.detach()
            if cfg.clip_grad_norm > 0:
                nn.utils.clip_grad_norm_(self.model.parameters(), cfg.clip_grad_norm)
            self.optimizer.step()
            loss_value = loss.detach().item()
            size = len(batch.indices) if scale else 0  # 0: a stand-in example (DDP)
            state["global_step"] += 1
            state["epoch_loss"] += loss_value * size
            state["epoch_correct"] += int((logits.argmax(-1) == batch.labels).sum()) if size else 0
            state["epoch_seen"] += size
            state["epoch_tokens"] += batch.num_tokens if size else 0
            state["tokens"] += batch.num_tokens if size else 0
            self._position = (epoch, index + 1)
            state["elapsed"] = elapsed_before + time.perf_counter() - epoch_start
            state["epoch_seconds"] = epoch_before + time.perf_counter() - epoch_start
            lr = self.optimizer.param_groups[0]["lr"]
            for callback in self.callbacks:
                callback.on_step(state["global_step"], loss_value, lr)
            bar.update(1)
            bar.set_postfix(
                loss=f"{state['epoch_loss'] / state['epoch_seen']:.4f}",
                acc=f"{state['epoch_correct'] / state['epoch_seen']:.4f}",
                **{name: f"{value:.4f}" for name, value in self.objective.last_terms.items()},
            )
            if cfg.checkpoint_every and state["global_step"] % cfg.checkpoint_every == 0:
                self._save(epoch, index + 1, state, self._best)
        bar.close()
        seconds = state["epoch_seconds"]
        if self.parallel is None:
            probabilities = predict_probabilities(self.model, validation)
            metrics = classification_metrics(validation.labels, probabilities, self.labels)
        else:
            metrics = self.parallel.validation_metrics(
                self.model, validation, len(self.labels), predict_probabilities
            )
        loss_sum, correct, seen, tokens = self._total(
            state, "epoch_loss", "epoch_correct", "epoch_seen", "epoch_tokens"
        )
        record = EpochRecord(
            epoch=epoch,
            train_loss=loss_sum / max(1, seen),
            train_accuracy=correct / max(1, seen),
            val_loss=metrics["log_loss"],
            val_accuracy=metrics["accuracy"],
            val_macro_f1=metrics["macro_f1"],
            lr=self.optimizer.param_groups[0]["lr"],
            seconds=seconds,
            tokens_per_second=tokens / seconds if seconds else 0.0,
        )
        logger.info(
            "epoch %d: train loss %.4f acc %.4f | val loss %.4f acc %.4f macro-F1 %.4f | %.0fs",
            epoch,
            record.train_loss,
            record.train_accuracy,
            record.val_loss,
            record.val_accuracy,
            record.val_macro_f1,
            seconds,
        )
        self.model.train()
        return record
