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
    from lstm_sentiment.pretraining.run import PretrainResult


WIDE_OUTPUT = 160
"""Columns used for tables written to a file or a pipe."""


def _console(file: Any = None) -> Console:
    return Console(file=file or sys.stdout, soft_wrap=False)


def _render(table: Table) -> str:
    buffer = io.StringIO()
    Console(file=buffer, width=120, force_terminal=False).print(table)
    return buffer.getvalue()


def _grid_table(result: TrainResult) -> Table:
    """NBSVM: one row per (longest n-gram, C) candidate, the chosen one starred."""
    chosen = result.fit.extra["chosen"]
    table = Table(title=f"Training summary (NBSVM settings on validation): {result.run_dir}")
    for column in ("n-grams", "C", "features", "val acc", "val macro-F1", "val loss", "seconds"):
        table.add_column(column, justify="right")
    for row in result.fit.extra["grid"]:
        star = " *" if (row["max_order"], row["c"]) == (chosen["max_order"], chosen["c"]) else ""
        table.add_row(
            f"1..{row['max_order']}{star}",
            f"{row['c']:g}",
            f"{row['features']:,}",
            f"{row['accuracy']:.4f}",
            f"{row['macro_f1']:.4f}",
            f"{row['log_loss']:.4f}",
            f"{row['seconds']:.1f}",
        )
    return table


def print_train_summary(result: TrainResult) -> None:
    """Per-epoch table (NBSVM: per-setting table) and final metrics of a training run."""
    if "grid" in result.fit.extra:
        _print_final_metrics(result, _grid_table(result), "chosen setting")
        return
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
    _print_final_metrics(result, table, f"best epoch {result.fit.best_epoch}")


def print_pretrain_summary(result: PretrainResult) -> None:
    """Per-epoch losses of a pretraining run, and where its model went."""
    region = result.objective in ("region", "lstm_region")
    what, measure = ("Region embeddings", "loss") if region else ("Language model", "perplexity")
    table = Table(title=f"{what} pretraining: {result.run_dir}")
    for column in ("epoch", f"train {measure}", f"val {measure}", "seconds", "tokens/s"):
        table.add_column(column, justify="right")
    for r in result.history:
        table.add_row(
            str(r["epoch"]),
            f"{r[f'train_{measure}']:.{3 if region else 1}f}",
            f"{r[f'val_{measure}']:.{3 if region else 1}f}",
            f"{r['seconds']:.0f}",
            f"{r['tokens_per_second']:,.0f}",
        )
    console = _console()
    console.print(table)
    corpus = result.corpus
    setting = {"region": "model.region_init", "lstm_region": "model.lstm_region_init"}.get(
        result.objective, "model.encoder_init"
    )
    console.print(
        f"{corpus['tokens']:,} tokens of {corpus['texts']:,} texts; vocabulary "
        f"{corpus['vocabulary']:,}. Model: {result.model_dir} "
        f"(train with --set {setting}={result.model_dir})"
    )


def _print_final_metrics(result: TrainResult, table: Table, best: str) -> None:
    console = _console()
    console.print(table)
    for split in ("validation", "test"):
        metrics = result.metrics.get(split)
        if metrics:
            console.print(
                f"{split}: accuracy {metrics['accuracy']:.4f}, macro-F1 "
                f"{metrics['macro_f1']:.4f}, log loss {metrics['log_loss']:.4f}"
                + (f", ECE {metrics['ece']:.4f}" if "ece" in metrics else "")
                + f" (n={metrics['n']:,})"
            )
    calibration = result.metrics.get("calibration")
    if calibration and calibration.get("fitted_on"):
        eces = ", ".join(
            f"{split} {values['ece_before']:.4f} → {values['ece_after']:.4f}"
            for split, values in calibration.items()
            if split in ("validation", "test")
        )
        console.print(f"calibration: temperature {calibration['temperature']:.3f}; ECE {eces}")
    console.print(f"{best} (* above); model saved in {result.model_dir}")


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
        + (f"  ECE {metrics['ece']:.4f}" if "ece" in metrics else "")
        + (
            f" (uncalibrated {metrics['ece_uncalibrated']:.4f}, temperature "
            f"{metrics['temperature']:.3f})"
            if "ece_uncalibrated" in metrics
            else ""
        )
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
    from lstm_sentiment.predict import ABSTAIN

    abstained = any(p.abstained for p in predictions)
    if abstained:
        table.add_column("why abstained", overflow="fold", max_width=40)
    for p in predictions:
        text = p.text if len(p.text) <= 200 else p.text[:197] + "..."
        row = [text, p.label or ABSTAIN, *[f"{p.probabilities[lb]:.3f}" for lb in labels]]
        table.add_row(*row, *([p.reason or ""] if abstained else []))
    return _render(table)


def print_data_report(report: dict[str, Any]) -> None:
    """What was read, kept and dropped per split, and where the file had invalid bytes."""
    from lstm_sentiment.data.report import DROP_REASONS
    from lstm_sentiment.data.unlabelled import UNLABELLED_REPORT

    unlabelled = report.get(UNLABELLED_REPORT)
    report = {split: rows for split, rows in report.items() if split != UNLABELLED_REPORT}
    if not report:
        return
    table = Table(title="Data: rows read, dropped and kept")
    table.add_column("")
    for split in report:
        table.add_column(split, justify="right")
    rows = [("rows read", "rows")]
    rows += [(f"dropped: {reason.replace('_', ' ')}", reason) for reason in DROP_REASONS]
    for name, key in [*rows, ("kept", "kept")]:
        values = [
            split_report["dropped"].get(key, 0) if key in DROP_REASONS else split_report[key]
            for split_report in report.values()
        ]
        table.add_row(name, *(f"{value:,}" for value in values))
    console = _console()
    console.print(table)
    for split, split_report in report.items():
        invalid = split_report.get("invalid_bytes")
        if invalid:
            console.print(
                f"{split}: {invalid['rows']:,} row(s) had bytes invalid in {invalid['encoding']} "
                f"({invalid['bytes']:,} bytes, {invalid['text_rows']:,} rows in the text column; "
                f"first at row {invalid['first_row']}, byte {invalid['first_offset']}), "
                f"policy '{invalid['policy']}'"
            )
        repeated = split_report.get("repeated_rows", 0)
        if repeated and not split_report["dropped"].get("duplicate"):
            console.print(
                f"{split}: {repeated:,} row(s) repeat an earlier row's text and label (kept; "
                "data.drop_duplicates=true drops them)"
            )
        labels = ", ".join(f"{label} {count:,}" for label, count in split_report["labels"].items())
        console.print(f"{split} labels: {labels}")
        for canonical, others in split_report.get("label_spellings", {}).items():
            console.print(f"{split}: label spellings {', '.join(others)} merged into {canonical}")
    if unlabelled:
        sources = ", ".join(unlabelled["sources"])
        console.print(f"unlabelled: {unlabelled['texts']:,} texts from {sources}")


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
    if not console.is_terminal:
        console.width = max(console.width, WIDE_OUTPUT)  # files and pipes: never truncate
    console.print(table)
    console.print(
        f"table: {result.output_dir / 'comparison.md'} (and .csv); curves: "
        f"{result.output_dir / 'comparison_curves.png'}; runs and bundles in {result.output_dir}/"
    )
