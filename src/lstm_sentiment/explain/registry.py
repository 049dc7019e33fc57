"""Which explainer explains which kind of model, keyed by the scorer's ``kind``.

An explainer is ``explain(scorer, texts, options, attribute) -> list[Attribution]``; it gets
:func:`attribute` itself so that a kind holding other models (an ensemble) explains its members
without importing this registry. Explainer modules are imported on first use (explaining an
NBSVM model never imports torch or Captum).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from lstm_sentiment.errors import ConfigError
from lstm_sentiment.explain.result import Attribution

DEFAULT_STEPS = 32
"""Integration steps of integrated gradients (the completeness gap says whether they suffice)."""
MAX_STEPS = 1024


@dataclass(frozen=True)
class ExplainOptions:
    """How to explain: ``steps`` of integrated gradients, texts integrated together (padded
    to one length) and the most path points per forward pass."""

    steps: int = DEFAULT_STEPS
    texts_per_pass: int = 4
    internal_batch_size: int = 256

    def __post_init__(self) -> None:
        if not 1 <= self.steps <= MAX_STEPS:
            raise ConfigError(f"steps must be between 1 and {MAX_STEPS}, got {self.steps}")


Attribute = Callable[[Any, Sequence[str], ExplainOptions], list[Attribution]]
Explainer = Callable[[Any, Sequence[str], ExplainOptions, Attribute], list[Attribution]]

EXPLAINERS: dict[str, tuple[str, str]] = {
    "neural": ("lstm_sentiment.explain.neural", "explain_neural"),
    "nbsvm": ("lstm_sentiment.explain.linear", "explain_nbsvm"),
    "ensemble": ("lstm_sentiment.explain.ensemble", "explain_ensemble"),
}
"""Kind name → (module, function) of its explainer."""


def explainer_for(kind: str) -> Explainer:
    """The explainer of models of ``kind``."""
    if kind not in EXPLAINERS:
        raise ConfigError(
            f"models of kind {kind!r} cannot be explained yet (explainable kinds: "
            f"{', '.join(EXPLAINERS)})"
        )
    module, name = EXPLAINERS[kind]
    explainer: Explainer = getattr(importlib.import_module(module), name)
    return explainer


def attribute(scorer: Any, texts: Sequence[str], options: ExplainOptions) -> list[Attribution]:
    """Token attributions of ``texts`` by any model (a :class:`~lstm_sentiment.kinds.Scorer`)."""
    return explainer_for(scorer.kind)(scorer, texts, options, attribute)
