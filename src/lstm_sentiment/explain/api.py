"""Explaining texts with a model of any kind: attributions (by the kind's explainer) plus the
calibrated prediction, as :class:`~lstm_sentiment.explain.result.Explanation` objects."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lstm_sentiment.explain.registry import DEFAULT_STEPS, ExplainOptions, attribute
from lstm_sentiment.explain.result import Explanation, build_explanation
from lstm_sentiment.inference.probabilities import softmax


def explain_texts(
    scorer: Any, texts: Sequence[str], *, steps: int = DEFAULT_STEPS
) -> list[Explanation]:
    """Explanations of non-empty ``texts`` by ``scorer`` (a :class:`~lstm_sentiment.kinds.Scorer`).

    Args:
        scorer: The model.
        texts: The texts (checked by the caller: strings with some non-space character).
        steps: Integration steps of integrated gradients (neural models and their members).
    """
    options = ExplainOptions(steps=steps)
    if not texts:
        return []
    attributions = attribute(scorer, texts, options)
    # An attribution's output is the centred calibrated logits: their softmax is the
    # calibrated prediction (no second forward pass).
    return [
        build_explanation(
            text,
            found,
            list(scorer.labels),
            softmax(found.output[None, :])[0],
            found.completeness_gap,
        )
        for text, found in zip(texts, attributions, strict=True)
    ]
