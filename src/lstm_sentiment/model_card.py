"""The short model card (README.md) written into every bundle."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lstm_sentiment.models.registry import describe

if TYPE_CHECKING:
    from lstm_sentiment.bundle import Bundle


def _metric_lines(metrics: dict, split: str) -> list[str]:
    values = metrics.get(split)
    if not values:
        return [f"- {split}: not measured"]
    return [
        f"- {split} (n={values['n']:,}): accuracy {values['accuracy']:.4f}, "
        f"macro-F1 {values['macro_f1']:.4f}, log loss {values['log_loss']:.4f}"
    ]


def render_model_card(bundle: Bundle, environment: dict[str, str], notes: str = "") -> str:
    """Markdown describing what the model is, what it was trained on and how well it does."""
    cfg = bundle.config
    lines = [
        "# lstm-sentiment model",
        "",
        f"Architecture `{cfg.model.architecture}`: {describe(cfg.model)}; "
        f"{len(bundle.encoder.vocab):,} vocabulary tokens, "
        f"embeddings initialised from `{cfg.vectors.source}`.",
        "",
        f"Labels: {', '.join(bundle.labels)}.",
        "",
        "## Training data",
        f"- source: `{cfg.data.source}` (split `{cfg.data.train_split}`, "
        f"{cfg.data.validation_fraction:.0%} held out for validation, seed {cfg.train.seed})",
        f"- text: tokenizer `{cfg.text.tokenizer}`, lowercase {cfg.text.lowercase}, max length "
        f"{cfg.text.max_length} tokens ({cfg.text.truncation} truncation)",
        "",
        "## Measured",
        *_metric_lines(bundle.metrics, "validation"),
        *_metric_lines(bundle.metrics, "test"),
        "",
        "## Limits",
        "- Trained on one domain: accuracy on other kinds of text (tweets, support tickets, short",
        "  sentences) is lower than the numbers above; measure on your data with",
        "  `lstm-sentiment evaluate`.",
        "- English only; words outside the vocabulary are read as one unknown token.",
        "",
        "## Environment",
        *[f"- {key}: {value}" for key, value in environment.items()],
    ]
    if notes:
        lines += ["", "## Notes", notes]
    return "\n".join(lines) + "\n"
