"""Optimizers by name, learning-rate schedules as functions of the step, and weight penalties."""

from __future__ import annotations

import math
from collections.abc import Iterable

import torch
from torch import nn

from lstm_sentiment.config import OPTIMIZERS, TrainConfig
from lstm_sentiment.errors import ConfigError

MAX_WARMUP_FRACTION = 0.1
"""Warm-up never takes more than this share of the run's steps."""
ONE_CYCLE_WARM_FRACTION = 0.3
"""Share of the steps spent rising to the peak rate (PyTorch's ``OneCycleLR`` default)."""
ONE_CYCLE_START_DIVISOR = 25.0
"""The cycle starts at ``lr / 25`` (``OneCycleLR``'s ``div_factor``)."""
ONE_CYCLE_END_DIVISOR = 1e4
"""...and ends at ``lr / 25 / 1e4`` (``final_div_factor``)."""
FUSED = {"fused": True}
"""PyTorch's fused kernels for the optimizers that have them (one pass over each tensor
instead of a dozen elementwise operations: Adam's step over a 60,000 x 256 table was measured
7x faster on 2 cores); the same update rule."""


def build_optimizer(params: Iterable[nn.Parameter], config: TrainConfig) -> torch.optim.Optimizer:
    """The optimizer ``config.optimizer`` names, with the config's rate and weight decay."""
    params = list(params)
    lr, decay = config.lr, config.weight_decay
    name = config.optimizer
    if name == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=config.momentum, weight_decay=decay, **FUSED)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, momentum=config.momentum, weight_decay=decay)
    classes: dict[str, type[torch.optim.Optimizer]] = {
        "adagrad": torch.optim.Adagrad,
        "adadelta": torch.optim.Adadelta,
        "adam": torch.optim.Adam,
        "adamw": torch.optim.AdamW,
        "adamax": torch.optim.Adamax,
        "nadam": torch.optim.NAdam,
    }
    if name not in classes:
        raise ConfigError(f"unknown train.optimizer {name!r}; valid: {', '.join(OPTIMIZERS)}")
    fused = FUSED if name in ("adagrad", "adam", "adamw") else {}
    return classes[name](params, lr=lr, weight_decay=decay, **fused)


def lr_factor(schedule: str, step: int, total_steps: int, warmup_steps: int) -> float:
    """Multiplier of the base learning rate at optimisation ``step`` (0-based).

    A pure function of the step, so a resumed run continues exactly where it stopped.
    ``reduce_on_plateau`` is epoch-driven: it is constant here and scaled by the trainer.
    """
    if schedule == "one_cycle":
        return _one_cycle(step, total_steps)
    warmup_steps = min(warmup_steps, int(MAX_WARMUP_FRACTION * total_steps))
    if warmup_steps and step < warmup_steps:
        return (step + 1) / warmup_steps
    if schedule in ("constant", "reduce_on_plateau") or total_steps <= warmup_steps:
        return 1.0
    progress = min(1.0, (step - warmup_steps) / (total_steps - warmup_steps))
    if schedule == "linear":
        return 1.0 - progress
    return 0.5 * (1.0 + math.cos(math.pi * progress))


def _one_cycle(step: int, total_steps: int) -> float:
    start = 1.0 / ONE_CYCLE_START_DIVISOR
    end = start / ONE_CYCLE_END_DIVISOR
    peak_step = max(1, round(ONE_CYCLE_WARM_FRACTION * total_steps))
    if step < peak_step:
        return _cosine_between(start, 1.0, step / peak_step)
    progress = min(1.0, (step - peak_step) / max(1, total_steps - peak_step))
    return _cosine_between(1.0, end, progress)


def _cosine_between(begin: float, finish: float, progress: float) -> float:
    return finish + (begin - finish) * 0.5 * (1.0 + math.cos(math.pi * progress))


def penalized_weights(model: nn.Module) -> list[nn.Parameter]:
    """Weight matrices that L1/L2 penalties apply to: not biases, not embedding tables."""
    embedding_ids = {
        id(p) for m in model.modules() if isinstance(m, nn.Embedding) for p in m.parameters()
    }
    return [
        p
        for p in model.parameters()
        if p.requires_grad and p.dim() >= 2 and id(p) not in embedding_ids
    ]


def weight_penalty(weights: list[nn.Parameter], l1: float, l2: float) -> torch.Tensor:
    """``l1 · Σ|w| + l2 · Σw²`` over ``weights`` (Keras' kernel regularizers)."""
    total = torch.zeros(())
    for weight in weights:
        if l1:
            total = total + l1 * weight.abs().sum()
        if l2:
            total = total + l2 * weight.pow(2).sum()
    return total
