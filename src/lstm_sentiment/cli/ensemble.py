"""``lstm-sentiment ensemble``: combine saved models into one ensemble bundle.

    ensemble --models B1 B2 ... --output BUNDLE [--weights equal|fit|W1,W2,...]
             [--data SOURCE [--split train] | --validation-data SOURCE [--split NAME]]

``--data`` carves the members' own validation split from their training source (checked against
their saved configs); ``--validation-data`` uses other held-out texts whole. ``--weights fit``
without either carves the source the members recorded.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from lstm_sentiment.cli.options import add_data_options, data_config
from lstm_sentiment.errors import ConfigError
from lstm_sentiment.inference import INFERENCE_BATCH_SIZE

if TYPE_CHECKING:
    from lstm_sentiment.ensemble.build import EnsembleResult

_HELD_OUT_OPTIONS = (
    "text_column",
    "label_column",
    "encoding",
    "encoding_errors",
    "delimiter",
    "label_map",
    "confidence_column",
    "min_confidence",
)
"""Reading options that apply to ``--validation-data`` only."""


def add_ensemble_command(commands: argparse._SubParsersAction) -> None:
    """Add ``ensemble`` to the top-level command parsers."""
    ensemble = commands.add_parser(
        "ensemble",
        help="combine model bundles (any kinds, same labels) into one ensemble bundle",
        description="Average the members' calibrated probabilities, with equal, given or "
        "validation-fitted weights. The result loads like any model (predict, evaluate, API).",
    )
    ensemble.add_argument(
        "--models", nargs="+", required=True, metavar="BUNDLE", help="member bundle folders"
    )
    ensemble.add_argument("--output", required=True, help="ensemble bundle folder to write")
    ensemble.add_argument(
        "--weights",
        default="equal",
        help="equal (default), fit (minimise the validation log loss; non-negative, sum 1) "
        "or one number per member, e.g. 2,1,1",
    )
    ensemble.add_argument(
        "--data",
        help="the members' training source: their validation split is carved from it exactly "
        "as training did (default for --weights fit: the source their configs record)",
    )
    ensemble.add_argument(
        "--validation-data",
        help="held-out labelled texts none of the members was trained on, used whole",
    )
    ensemble.add_argument(
        "--split",
        help="with --data: the members' training split (checked; default: the one they "
        "recorded); with --validation-data: its split for folders/tarballs (default validation)",
    )
    ensemble.add_argument(
        "--batch-size",
        type=int,
        default=INFERENCE_BATCH_SIZE,
        help=f"texts per forward pass of neural members ({INFERENCE_BATCH_SIZE})",
    )
    add_data_options(ensemble)
    ensemble.set_defaults(handler=run_ensemble_command)


def run_ensemble_command(args: argparse.Namespace) -> None:
    """``ensemble``: build the bundle and print members, weights and validation scores."""
    from lstm_sentiment.ensemble.build import ValidationData, build_ensemble

    given = [name for name in _HELD_OUT_OPTIONS if getattr(args, name) is not None]
    if given and not args.validation_data:
        flags = ", ".join("--" + name.replace("_", "-") for name in given)
        raise ConfigError(
            f"{flags} apply to --validation-data; the members' split is read with their own "
            "saved settings"
        )
    if args.batch_size < 1:
        raise ConfigError(f"--batch-size must be >= 1, got {args.batch_size}")
    validation = ValidationData(
        data=args.data,
        held_out=args.validation_data,
        split=args.split,
        options=data_config(args),
    )
    result = build_ensemble(
        args.models,
        args.output,
        weights=args.weights,
        validation=validation,
        batch_size=args.batch_size,
    )
    print_ensemble_result(result)


def print_ensemble_result(result: EnsembleResult) -> None:
    """Members with their weights and validation scores, then the ensemble's."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Ensemble ({result.method} weights): {result.model_dir}")
    for column in ("member", "model", "weight", "val acc", "val log loss"):
        table.add_column(column, justify="left" if column in ("member", "model") else "right")
    for member, recorded in zip(result.model.members, result.metrics["members"], strict=True):
        own = recorded.get("validation") or {}
        table.add_row(
            recorded["copied_from"],
            member.scorer.description,
            f"{member.weight:.3f}",
            f"{own['accuracy']:.4f}" if own else "-",
            f"{own['log_loss']:.4f}" if own else "-",
        )
    console = Console(soft_wrap=False)
    console.print(table)
    validation = result.metrics.get("validation")
    if validation:
        equal = result.metrics["validation_equal_weights"]
        console.print(
            f"ensemble validation (n={validation['n']:,}): accuracy {validation['accuracy']:.4f}, "
            f"log loss {validation['log_loss']:.4f} (equal weights: accuracy "
            f"{equal['accuracy']:.4f}, log loss {equal['log_loss']:.4f})"
        )
    else:
        console.print("no validation data: pass --data or --validation-data to measure weights")
