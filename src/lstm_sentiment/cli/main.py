"""The ``lstm-sentiment`` command: the top-level parser and the dispatch to each command group.

Exit codes: 0 success, 2 usage or input error (one line on stderr), 1 unexpected failure,
130 training interrupted (a checkpoint was saved).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from lstm_sentiment.cli.ensemble import add_ensemble_command
from lstm_sentiment.cli.evaluate import add_evaluate_commands
from lstm_sentiment.cli.explain import add_explain_command
from lstm_sentiment.cli.export import add_export_command
from lstm_sentiment.cli.options import EXIT_INPUT_ERROR, EXIT_INTERRUPTED, EXIT_UNEXPECTED, Parser
from lstm_sentiment.cli.predict import add_predict_command
from lstm_sentiment.cli.serve import add_serve_command
from lstm_sentiment.cli.train import add_train_commands
from lstm_sentiment.cli.tune import add_tune_command
from lstm_sentiment.cli.vectors import add_vectors_commands
from lstm_sentiment.errors import LstmSentimentError, describe_os_error


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    parser = Parser(
        prog="lstm-sentiment",
        description="Train, evaluate and use LSTM sentiment classifiers on your own text.",
    )
    parser.add_argument("--debug", action="store_true", help="show stack traces on errors")
    parser.add_argument("-q", "--quiet", action="store_true", help="only warnings and results")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    add_train_commands(commands)
    add_evaluate_commands(commands)
    add_predict_command(commands)
    add_explain_command(commands)
    add_vectors_commands(commands)
    add_tune_command(commands)
    add_ensemble_command(commands)
    add_serve_command(commands)
    add_export_command(commands)
    return parser


def _configure_logging(quiet: bool) -> None:
    logging.basicConfig(
        level=logging.WARNING if quiet else logging.INFO,
        format="%(message)s",
        stream=sys.stderr,
        force=True,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``lstm-sentiment`` command."""
    args = build_parser().parse_args(argv)
    _configure_logging(args.quiet)
    try:
        args.handler(args)
    except LstmSentimentError as exc:
        if args.debug:
            raise
        sys.stderr.write(f"error: {exc}\n")
        interrupted = type(exc).__name__ == "TrainingInterrupted"
        return EXIT_INTERRUPTED if interrupted else EXIT_INPUT_ERROR
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return EXIT_INTERRUPTED
    except OSError as exc:  # disk full, permissions, a folder given as a file: the user's to fix
        if args.debug:
            raise
        sys.stderr.write(f"error: {describe_os_error(exc)}\n")
        return EXIT_INPUT_ERROR
    except Exception as exc:
        if args.debug:
            raise
        sys.stderr.write(
            f"unexpected error: {type(exc).__name__}: {exc} (rerun with --debug for details)\n"
        )
        return EXIT_UNEXPECTED
    return 0
