"""``lstm-sentiment evaluate`` and ``data-stats``: measure a model, look at a data set."""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import sys
from pathlib import Path

from lstm_sentiment.cli.options import (
    add_data_options,
    add_runtime_options,
    data_config,
    load_model_for,
)
from lstm_sentiment.errors import DataError

logger = logging.getLogger(__name__)


def add_evaluate_commands(commands: argparse._SubParsersAction) -> None:
    """Add ``evaluate`` and ``data-stats`` to the top-level command parsers."""
    evaluate = commands.add_parser("evaluate", help="measure a model on labelled data")
    evaluate.add_argument("--model", help="bundle folder (default: the shipped English model)")
    evaluate.add_argument("--data", required=True, help="labelled data source")
    evaluate.add_argument("--split", default="test", help="split of a folder/tarball (test)")
    evaluate.add_argument("--format", choices=("table", "json"), default="table")
    evaluate.add_argument("--plots", help="folder for a confusion-matrix PNG")
    add_data_options(evaluate)
    add_runtime_options(evaluate)
    evaluate.set_defaults(handler=run_evaluate)

    stats = commands.add_parser("data-stats", help="class counts, lengths and a histogram")
    stats.add_argument("--data", required=True, help="data source")
    stats.add_argument("--split", default="train", help="split of a folder/tarball (train)")
    stats.add_argument("--config", help="config whose text settings to use")
    stats.add_argument("--output", default="data-stats", help="folder for the histogram PNG")
    add_data_options(stats)
    stats.set_defaults(handler=run_data_stats)


def run_evaluate(args: argparse.Namespace) -> None:
    """``evaluate``: metrics of a model on a labelled split."""
    from lstm_sentiment.data import load_split
    from lstm_sentiment.reporting import print_evaluation

    model = load_model_for(args)
    options = data_config(args)
    if args.label_map is None:
        # The renaming the model was trained with (aclImdb's neg/pos → negative/positive).
        options = dataclasses.replace(options, label_map=model.label_map)
    examples = load_split(args.data, args.split, options)
    labelled = [ex for ex in examples if ex.label is not None and ex.text.strip()]
    if not labelled:
        raise DataError(f"no labelled examples with text in {args.data} (split {args.split!r})")
    skipped = len(examples) - len(labelled)
    if skipped:
        logger.warning("skipped %d examples without label or text", skipped)
    metrics = model.evaluate([ex.text for ex in labelled], [str(ex.label) for ex in labelled])
    if args.plots:
        from lstm_sentiment.training.plots import plot_confusion_matrix

        plot_confusion_matrix(
            metrics["confusion_matrix"],
            metrics["labels"],
            Path(args.plots) / "confusion_matrix.png",
            title=str(args.data),
        )
    if args.format == "json":
        sys.stdout.write(json.dumps(metrics) + "\n")
    else:
        print_evaluation(metrics)


def run_data_stats(args: argparse.Namespace) -> None:
    """``data-stats``: counts per class, length percentiles, histogram, suggested max length."""
    from lstm_sentiment.config import RunConfig
    from lstm_sentiment.data import load_split
    from lstm_sentiment.io_utils import write_json
    from lstm_sentiment.reporting import print_data_stats
    from lstm_sentiment.text.stats import describe
    from lstm_sentiment.text.tokenize import LearnedTokenizer, build_tokenizer
    from lstm_sentiment.training.plots import plot_length_histogram

    config = RunConfig.from_file(args.config) if args.config else RunConfig()
    examples = load_split(args.data, args.split, data_config(args))
    tokenizer = build_tokenizer(config.text)
    if isinstance(tokenizer, LearnedTokenizer):  # subword pieces: learn them from these texts
        tokenizer.fit([ex.text for ex in examples])
    lengths = [len(tokenizer.tokenize(ex.text)) for ex in examples]
    stats = describe(lengths, [ex.label for ex in examples])
    output = Path(args.output)
    plot_length_histogram(lengths, stats["suggested_max_length"], output / "length_histogram.png")
    write_json(output / "data_stats.json", {"source": args.data, "split": args.split, **stats})
    print_data_stats(stats, output)
