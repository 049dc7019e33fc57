"""Layer groups of a classifier initialised from a pretrained language model: discriminative
learning rates and gradual unfreezing (Howard & Ruder 2018).

The new layers (pooling, head, NB path) learn at ``lr``, the pretrained encoder at
``lr / f`` and the pretrained embedding at ``lr / f²`` (``f = train.discriminative_lr``). With
``train.gradual_unfreezing`` the new layers train alone in epoch 1, the encoder joins in epoch 2
and the embedding in epoch 3.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import torch
from torch import nn

from lstm_sentiment.config import TrainConfig

LR_MULTIPLIER = "lr_multiplier"
"""Key of a parameter group: its share of the scheduled learning rate."""
UNFREEZE_EPOCH = "unfreeze_epoch"
"""Key of a parameter group: the first epoch it trains in."""
EMBEDDING_PREFIX = "embedding."
ENCODER_EPOCH, EMBEDDING_EPOCH = 2, 3
"""With gradual unfreezing, the epochs the encoder and the embedding start training in."""


def parameter_groups(
    model: nn.Module, config: TrainConfig, pretrained: Collection[str] = ()
) -> list[dict[str, Any]]:
    """The optimizer's parameter groups; one group unless parameters were ``pretrained``."""
    named = [(name, p) for name, p in model.named_parameters() if p.requires_grad]
    if not pretrained:
        return [{"params": [p for _, p in named], LR_MULTIPLIER: 1.0, UNFREEZE_EPOCH: 1}]
    factor, gradual = config.discriminative_lr, config.gradual_unfreezing
    is_embedding = {name: name.startswith(EMBEDDING_PREFIX) for name, _ in named}
    groups = [
        {
            "params": [p for name, p in named if name not in pretrained],
            LR_MULTIPLIER: 1.0,
            UNFREEZE_EPOCH: 1,
        },
        {
            "params": [p for n, p in named if n in pretrained and not is_embedding[n]],
            LR_MULTIPLIER: 1.0 / factor,
            UNFREEZE_EPOCH: ENCODER_EPOCH if gradual else 1,
        },
        {
            "params": [p for n, p in named if n in pretrained and is_embedding[n]],
            LR_MULTIPLIER: 1.0 / factor**2,
            UNFREEZE_EPOCH: EMBEDDING_EPOCH if gradual else 1,
        },
    ]
    return [group for group in groups if group["params"]]


def set_trainable(optimizer: torch.optim.Optimizer, epoch: int) -> None:
    """Let each group train from its first epoch on (frozen before it)."""
    for group in optimizer.param_groups:
        trainable = epoch >= group.get(UNFREEZE_EPOCH, 1)
        for parameter in group["params"]:
            parameter.requires_grad_(trainable)
