"""``lstm-sentiment train`` and ``compare``: fit models and print their summaries."""

from __future__ import annotations

import argparse

from lstm_sentiment.cli.options import (
    add_config_options,
    add_data_options,
    add_group_option,
    add_unlabelled_option,
    run_config,
)
from lstm_sentiment.models.presets import PRESETS


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """The run folder (``--output``, ``--resume``, ``--overwrite``) and how to read the data."""
    parser.add_argument("--output", required=True, help="run folder to create")
    parser.add_argument("--resume", action="store_true", help="continue from the last checkpoint")
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="replace a finished run in --output (refused otherwise); the old model is kept "
        "until the new one is complete",
    )
    add_data_options(parser)
    add_group_option(parser)
    add_unlabelled_option(parser)


def add_train_commands(commands: argparse._SubParsersAction) -> None:
    """Add ``train`` and ``compare`` to the top-level command parsers."""
    train = commands.add_parser("train", help="train a model and save a run folder")
    train.add_argument(
        "--data", help="folder, .tar.gz, .csv, .tsv, .jsonl, or a dataset name (imdb)"
    )
    add_config_options(train, "TOML or JSON config file (see configs/)")
    add_run_options(train)
    train.set_defaults(handler=run_train)

    pretrain = commands.add_parser(
        "pretrain",
        help="train forward and backward language models on unlabelled text, to initialise "
        "classifiers (model.encoder_init)",
    )
    pretrain.add_argument(
        "--data", help="the labelled source whose training texts (not validation) are read"
    )
    add_config_options(pretrain, "TOML or JSON config file: [text], [model], [pretrain]")
    add_run_options(pretrain)
    pretrain.set_defaults(handler=run_pretrain)

    compare = commands.add_parser(
        "compare", help="train several architectures on the same data and compare them"
    )
    compare.add_argument("--data", help="data source shared by every model")
    add_config_options(compare, "base TOML/JSON config applied to every model")
    compare.add_argument("--models", help="comma-separated presets: " + ",".join(PRESETS))
    compare.add_argument(
        "--models-file",
        help="TOML/JSON with an optional [base] table and one [models.NAME] table per model "
        "(optional 'preset' plus section overrides)",
    )
    compare.add_argument("--output", required=True, help="folder for the runs and the table")
    compare.add_argument(
        "--resume", action="store_true", help="continue an interrupted model from its checkpoint"
    )
    add_data_options(compare)
    add_group_option(compare)
    compare.set_defaults(handler=run_compare)


def run_train(args: argparse.Namespace) -> None:
    """``train``: fit a model and print a summary."""
    from lstm_sentiment.pipeline import train
    from lstm_sentiment.reporting import print_data_report, print_train_summary

    result = train(run_config(args), args.output, resume=args.resume, overwrite=args.overwrite)
    if not result.metrics:  # a torchrun rank other than 0: rank 0 reports
        return
    print_data_report(result.data_report)
    print_train_summary(result)


def run_pretrain(args: argparse.Namespace) -> None:
    """``pretrain``: fit the language models and print where they went."""
    from lstm_sentiment.pretraining.run import pretrain
    from lstm_sentiment.reporting import print_pretrain_summary

    result = pretrain(run_config(args), args.output, resume=args.resume, overwrite=args.overwrite)
    print_pretrain_summary(result)


def run_compare(args: argparse.Namespace) -> None:
    """``compare``: train the listed models on the same data and print the table."""
    from lstm_sentiment.compare import comparison_entries, run_comparison
    from lstm_sentiment.reporting import print_comparison

    models = [name.strip() for name in (args.models or "").split(",") if name.strip()]
    base, entries = comparison_entries(run_config(args), models, args.models_file)
    result = run_comparison(base, entries, args.output, resume=args.resume)
    print_comparison(result)
