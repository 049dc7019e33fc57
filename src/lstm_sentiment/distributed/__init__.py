"""Several processes and machines: data-parallel training under torchrun
(:mod:`lstm_sentiment.distributed.ddp`) and batch scoring on Ray Data
(:func:`score_dataset`, imported on first use: Ray is an optional extra)."""

from __future__ import annotations

from typing import Any

__all__ = ["score_dataset"]


def __getattr__(name: str) -> Any:
    if name == "score_dataset":
        from lstm_sentiment.distributed.ray_scoring import score_dataset

        return score_dataset
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
