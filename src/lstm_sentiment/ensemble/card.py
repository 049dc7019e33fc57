"""The model card of an ensemble bundle: members, weights and validation measurements."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from lstm_sentiment.ensemble.model import EnsembleModel


def ensemble_card_lines(
    model: EnsembleModel, metric_lines: Callable[[dict[str, Any], str], list[str]]
) -> list[str]:
    """The card's Markdown lines (the environment is appended by the caller)."""
    weights = model.metrics.get("weights", {})
    validation = weights.get("validation", {})
    how = {
        "fit": "fitted on validation (non-negative, summing to 1, minimising the log loss)",
        "equal": "equal",
        "given": "given by the builder (normalised to sum to 1)",
    }.get(weights.get("method", ""), "?")
    rows = []
    for index, member in enumerate(model.members):
        recorded = model.metrics.get("members", [{}] * len(model.members))[index]
        own = recorded.get("validation") or {}
        accuracy = f"{own['accuracy']:.4f}" if "accuracy" in own else "-"
        rows.append(
            f"| `{member.path}` | {member.scorer.description} | {member.weight:.3f} | {accuracy} |"
        )
    if validation:
        where = f"`{validation.get('source')}` split `{validation.get('split')}`"
        if validation.get("carved"):
            where += (
                f", the {validation['validation_fraction']:.0%} validation part carved with seed "
                f"{validation['seed']} exactly as the members' training did (never trained on)"
            )
        else:
            where += " (held-out texts)"
        data_lines = [
            f"- validation: {where}; n = {validation.get('n', 0):,}",
            f"- log loss {validation.get('log_loss', float('nan')):.4f} with these weights, "
            f"{validation.get('log_loss_equal_weights', float('nan')):.4f} with equal weights",
        ]
    else:
        data_lines = ["- no validation data was given: weights not checked on held-out texts"]
    lines = [
        "# lstm-sentiment model (ensemble)",
        "",
        f"Ensemble of {len(model.members)} models: the {model.combination}; weights {how}. "
        "Each member reads the raw text with its own tokenizer.",
        "",
        f"Labels: {', '.join(model.labels)}.",
        "",
        "## Members",
        "| bundle | model | weight | validation accuracy |",
        "| --- | --- | ---: | ---: |",
        *rows,
        "",
        "## Measured",
        *data_lines,
        *metric_lines(model.metrics, "validation"),
        "- test: measure with `lstm-sentiment evaluate --model <this folder> --data <test data>`",
        "",
        "## Limits",
        "- As slow as all its members together, and as domain-bound as they are.",
    ]
    return lines
