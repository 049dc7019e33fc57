"""Pieces shared by the model cards (``README.md``) of every kind; each kind renders its own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lstm_sentiment.config import RunConfig


def metric_lines(metrics: dict[str, Any], split: str) -> list[str]:
    """One bullet with the split's accuracy, macro-F1 and log loss (or 'not measured')."""
    values = metrics.get(split)
    if not values:
        return [f"- {split}: not measured"]
    return [
        f"- {split} (n={values['n']:,}): accuracy {values['accuracy']:.4f}, "
        f"macro-F1 {values['macro_f1']:.4f}, log loss {values['log_loss']:.4f}"
    ]


def source_name(source: str) -> str:
    """A data or vectors source as a card shows it: a file's name, never the machine's path."""
    return Path(source).name if source else "(examples given in Python)"


def training_data_lines(cfg: RunConfig) -> list[str]:
    """Where the training data came from and how validation was carved."""
    groups = ""
    if cfg.data.group_validation:
        unit = f"`{cfg.data.group_column}`" if cfg.data.group_column else "movie"
        groups = f" (whole groups: no {unit} on both sides)"
    lines = [
        f"- source: `{source_name(cfg.data.source)}` (split `{cfg.data.train_split}`, "
        f"{cfg.data.validation_fraction:.0%} held out for validation{groups}, "
        f"seed {cfg.validation_seed})",
    ]
    if cfg.data.extra_train:
        extra = ", ".join(f"`{source_name(s)}`" for s in cfg.data.extra_train)
        lines.append(f"- extra training texts (training part only): {extra}")
    return lines


def card_footer(lines: list[str], environment: dict[str, str], notes: str = "") -> str:
    """The card's lines with the environment (and notes) appended, as one Markdown text."""
    lines = [*lines, "", "## Environment", *[f"- {k}: {v}" for k, v in environment.items()]]
    if notes:
        lines += ["", "## Notes", notes]
    return "\n".join(lines) + "\n"
