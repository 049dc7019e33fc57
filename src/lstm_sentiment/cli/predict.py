"""``lstm-sentiment predict``: label and probabilities for texts given, read from a file, or read
from a folder/tarball split; as a table, JSON lines or CSV.

Texts are shown safely: control characters (ANSI/OSC escape sequences) are escaped in terminal
tables, and CSV cells that a spreadsheet would run as a formula (starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return) get a leading ``'`` unless ``--csv-raw`` is given.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import io
import json
import logging
import sys
from pathlib import Path
from typing import Any

from lstm_sentiment.cli.options import (
    OUTPUT_FORMATS,
    add_runtime_options,
    add_text_input_options,
    check_output_file,
    load_model_for,
    positive_int,
    probability,
)
from lstm_sentiment.config import DataConfig
from lstm_sentiment.errors import ConfigError, DataError

logger = logging.getLogger(__name__)
TABLE_SUFFIXES = (".csv", ".tsv", ".jsonl", ".ndjson")
ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar")


def add_predict_command(commands: argparse._SubParsersAction) -> None:
    """Add ``predict`` to the top-level command parsers."""
    predict = commands.add_parser("predict", help="classify texts")
    add_text_input_options(predict, "classify")
    predict.add_argument("--output", help="write results to this file instead of stdout")
    predict.add_argument(
        "--format",
        choices=OUTPUT_FORMATS,
        default=None,
        help="table (terminal default), json lines, or csv",
    )
    predict.add_argument(
        "--csv-raw",
        action="store_true",
        help="write CSV cells exactly as the texts are (by default a cell a spreadsheet would "
        "run as a formula, starting with = + - @, gets a leading ')",
    )
    predict.add_argument(
        "--min-confidence",
        type=probability,
        default=None,
        metavar="P",
        help="abstain (label 'abstain' in tables, null in JSON, empty in CSV, with the reason) "
        "when the top calibrated probability is below P",
    )
    add_runtime_options(predict)
    predict.add_argument(
        "--chunk-size",
        type=positive_int,
        default=10_000,
        help="with --input FILE and --output FILE (json or csv): texts read, scored and written "
        "at a time, in constant memory (default 10000)",
    )
    predict.add_argument(
        "--resume",
        action="store_true",
        help="continue an interrupted --input/--output run from its last complete chunk",
    )
    ray = predict.add_argument_group(
        "batch scoring on Ray",
        "--engine ray scores --input files (CSV, TSV, JSONL, Parquet; a file, folder or glob) "
        "into Parquet partitions in the --output folder, keeping the other columns",
    )
    ray.add_argument(
        "--engine",
        choices=("local", "ray"),
        default="local",
        help="local: this process (default); ray: actors on Ray Data",
    )
    ray.add_argument(
        "--ray-address", help="join this Ray cluster (default: start a local Ray, then stop it)"
    )
    ray.add_argument(
        "--ray-cpus", type=int, default=None, help="CPUs of the local Ray (default: all cores)"
    )
    ray.add_argument(
        "--column-prefix",
        default="",
        help="prefix of the added label/probability columns (e.g. pred_ when the input has a "
        "label column)",
    )
    predict.set_defaults(handler=run_predict)


def read_inputs(args: argparse.Namespace) -> list[str]:
    """The texts to classify: the arguments, then ``--input``."""
    texts = list(args.texts)
    if args.input:
        path = Path(args.input)
        if not path.exists():
            raise DataError(f"no such input file or folder: {path}")
        is_archive = path.is_dir() or path.name.lower().endswith(ARCHIVE_SUFFIXES)
        if is_archive or path.suffix.lower() in TABLE_SUFFIXES:
            from lstm_sentiment.data import load_split

            options = DataConfig(
                text_column=args.text_column,
                encoding=args.encoding,
                encoding_errors=args.encoding_errors,
            )
            split = args.split if is_archive else "test"
            texts += [ex.text for ex in load_split(str(path), split, options)]
        else:
            from lstm_sentiment.data.encoding import read_lines

            texts += read_lines(path, args.encoding, args.encoding_errors)
    if not texts:
        raise DataError("nothing to classify: give texts as arguments or --input FILE")
    return texts


def format_predictions(
    predictions: list[Any],
    labels: list[str],
    fmt: str,
    *,
    abstaining: bool = False,
    csv_raw: bool = False,
    header: bool = True,
) -> str:
    """Predictions as JSON lines, CSV (with its header row unless ``header`` is false) or a
    terminal table."""
    from lstm_sentiment.safe_output import spreadsheet_safe, terminal_safe

    if fmt == "json":
        return "".join(json.dumps(p.to_dict(), ensure_ascii=False) + "\n" for p in predictions)
    if fmt == "csv":
        cell = (lambda text: text) if csv_raw else spreadsheet_safe
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        reason = ["abstain_reason"] if abstaining else []
        if header:
            writer.writerow(["text", "label", *[f"p_{label}" for label in labels], *reason])
        for p in predictions:
            why = [cell(p.reason or "")] if abstaining else []
            probabilities = [f"{p.probabilities[lb]:.6f}" for lb in labels]
            writer.writerow([cell(p.text), p.label or "", *probabilities, *why])
        return buffer.getvalue()
    from lstm_sentiment.reporting import render_predictions

    shown = [dataclasses.replace(p, text=terminal_safe(p.text)) for p in predictions]
    return render_predictions(shown, labels)


def run_predict(args: argparse.Namespace) -> None:
    """``predict``: label and probabilities for each text."""
    from lstm_sentiment.cli.streaming import run_streaming, streamable
    from lstm_sentiment.io_utils import write_text

    if args.engine == "ray":
        run_predict_ray(args)
        return
    check_output_file(args.output)
    fmt = args.format or ("table" if args.output is None and sys.stdout.isatty() else "json")
    if streamable(args, fmt):
        run_streaming(args, load_model_for(args), fmt, format_predictions)
        return
    if args.resume:
        raise DataError("--resume continues an --input FILE --output FILE run (json or csv)")
    texts = read_inputs(args)
    model = load_model_for(args)
    predictions = model.predict(texts, min_confidence=args.min_confidence)
    output = format_predictions(
        predictions,
        model.labels,
        fmt,
        abstaining=args.min_confidence is not None,
        csv_raw=args.csv_raw,
    )
    abstained = sum(p.abstained for p in predictions)
    if abstained:
        logger.info(
            "abstained on %d of %d texts (top probability below %g)",
            abstained,
            len(predictions),
            args.min_confidence,
        )
    if args.output:
        write_text(args.output, output)
        logger.info("wrote %d predictions to %s", len(predictions), args.output)
    else:
        sys.stdout.write(output)


def run_predict_ray(args: argparse.Namespace) -> None:
    """``predict --engine ray``: score files on Ray Data into Parquet partitions."""
    from lstm_sentiment.distributed.ray_scoring import require_ray, score_files

    if args.texts or not args.input or not args.output:
        raise ConfigError(
            "--engine ray scores files: give --input FILES (a file, folder or glob) and "
            "--output FOLDER, no texts as arguments"
        )
    if args.min_confidence is not None or args.format is not None:
        raise ConfigError("--engine ray writes Parquet: --format and --min-confidence do not apply")
    if args.ray_cpus is not None and args.ray_cpus < 1:
        raise ConfigError(f"--ray-cpus must be >= 1, got {args.ray_cpus}")
    require_ray()
    summary = score_files(
        args.input,
        args.output,
        args.model,
        text_column=args.text_column,
        address=args.ray_address,
        cpus=args.ray_cpus,
        column_prefix=args.column_prefix,
        progress=logger.isEnabledFor(logging.INFO),
    )
    rate = summary["rows"] / summary["seconds"] if summary["seconds"] else 0.0
    logger.info(
        "scored %d rows into %d Parquet file(s) in %s (%.0f rows/s)",
        summary["rows"],
        summary["files"],
        summary["output"],
        rate,
    )
