"""Terminal output for the CLI: summary tables rendered with rich."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from lstm_sentiment.compare import ComparisonResult
    from lstm_sentiment.pipeline import TrainResult
    from lstm_sentiment.predict import Prediction


def _console(file: Any = None) -> Console:
    return Console(file=file or sys.stdout, soft_wrap=False)


def _render(table: Table) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=120, force_terminal=False).print(table)
    return buffer.getvalue()


def print_train_summary(result: TrainResult) -> None:
    """Per-epoch table and final metrics of a training run."""
    table = Table(title=f"Training summary: {result.run_dir}")
    for column in (
        "epoch",
        "train loss",
        "train acc",
        "val loss",
        "val acc",
        "val macro-F1",
        "seconds",
        "tokens/s",
    ):
        table.add_column(column, justify="right")
    for r in result.fit.history:
        marker = " *" if r.epoch == result.fit.best_epoch else ""
        table.add_row(
            f"{r.epoch}{marker}",
            f"{r.train_loss:.4f}",
            f"{r.train_accuracy:.4f}",
            f"{r.val_loss:.4f}",
            f"{r.val_accuracy:.4f}",
            f"{r.val_macro_f1:.4f}",
            f"{r.seconds:.0f}",
            f"{r.tokens_per_second:,.0f}",
        )
    console = _console()
    console.print(table)
    for split in ("validation", "test"):
        metrics = result.metrics.get(split)
        if metrics:
            console.print(
                f"{split}: accuracy {metrics['accuracy']:.4f}, macro-F1 "
                f"{metrics['macro_f1']:.4f}, log loss {metrics['log_loss']:.4f} "
                f"(n={metrics['n']:,})"
            )
    console.print(
        f"best epoch {result.fit.best_epoch} (* above); model saved in {result.model_dir}"
    )


def print_evaluation(metrics: dict[str, Any]) -> None:
    """Per-class table, overall metrics and the confusion matrix."""
    table = Table(title=f"Evaluation (n={metrics['n']:,})")
    for column in ("label", "precision", "recall", "f1", "support"):
        table.add_column(column, justify="right")
    for label, values in metrics["per_class"].items():
        table.add_row(
            label,
            f"{values['precision']:.4f}",
            f"{values['recall']:.4f}",
            f"{values['f1']:.4f}",
            str(values["support"]),
        )
    console = _console()
    console.print(table)
    console.print(
        f"accuracy {metrics['accuracy']:.4f}  macro-F1 {metrics['macro_f1']:.4f}  "
        f"log loss {metrics['log_loss']:.4f}"
    )
    matrix = Table(title="Confusion matrix (rows: true, columns: predicted)")
    matrix.add_column("")
    for label in metrics["labels"]:
        matrix.add_column(label, justify="right")
    for label, row in zip(metrics["labels"], metrics["confusion_matrix"], strict=True):
        matrix.add_row(label, *map(str, row))
    console.print(matrix)


def render_predictions(predictions: list[Prediction], labels: list[str]) -> str:
    """A table of texts, labels and probabilities."""
    table = Table()
    table.add_column("text", overflow="fold", max_width=60)
    table.add_column("label")
    for label in labels:
        table.add_column(f"p({label})", justify="right")
    for p in predictions:
        text = p.text if len(p.text) <= 200 else p.text[:197] + "..."
        table.add_row(text, p.label, *[f"{p.probabilities[lb]:.3f}" for lb in labels])
    return _render(table)


def print_data_stats(stats: dict[str, Any], output: Path) -> None:
    """Class counts and token-length percentiles."""
    console = _console()
    classes = Table(title=f"Classes (n={stats['n']:,})")
    classes.add_column("label")
    classes.add_column("count", justify="right")
    classes.add_column("share", justify="right")
    for label, count in stats["classes"].items():
        classes.add_row(label, f"{count:,}", f"{count / stats['n']:.1%}")
    console.print(classes)
    lengths = Table(title="Tokens per text")
    for key in stats["tokens"]:
        lengths.add_column(key, justify="right")
    lengths.add_row(*[f"{v:,.0f}" for v in stats["tokens"].values()])
    console.print(lengths)
    console.print(
        f"suggested max length: {stats['suggested_max_length']} (keeps "
        f"{stats['suggested_percentile']}% of texts whole; set text.max_length)"
    )
    console.print(f"histogram: {output / 'length_histogram.png'}")


def print_comparison(result: ComparisonResult) -> None:
    """One row per compared model, best test (else validation) accuracy first."""
    table = Table(title=f"Comparison ({len(result.rows)} models, {result.seconds / 60:.1f} min)")
    columns = ("model", "params", "val acc", "val F1", "test acc", "test F1", "s/epoch")
    for column in (*columns, "tokens/s", "best epoch"):
        table.add_column(column, justify="left" if column == "model" else "right")

    def score(row: dict[str, Any]) -> float:
        return (
            row["test_accuracy"] if row["test_accuracy"] is not None else row["validation_accuracy"]
        )

    def number(value: float | None, spec: str) -> str:
        return "-" if value is None else format(value, spec)

    for row in sorted(result.rows, key=score, reverse=True):
        table.add_row(
            row["model"],
            number(row["parameters"], ","),
            number(row["validation_accuracy"], ".4f"),
            number(row["validation_macro_f1"], ".4f"),
            number(row["test_accuracy"], ".4f"),
            number(row["test_macro_f1"], ".4f"),
            number(row["seconds_per_epoch"], ".1f"),
            number(row["train_tokens_per_second"], ",.0f"),
            str(row["best_epoch"]),
        )
    console = _console()
    console.print(table)
    console.print(
        f"table: {result.output_dir / 'comparison.md'} (and .csv); curves: "
        f"{result.output_dir / 'comparison_curves.png'}; runs and bundles in {result.output_dir}/"
    )
