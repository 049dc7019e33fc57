"""Options and helpers shared by every command: the parser class, exit codes, data and config
options, and turning parsed arguments into the run's configuration."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path
from typing import Any

from lstm_sentiment.config import ENCODING_ERRORS, DataConfig, RunConfig
from lstm_sentiment.errors import ConfigError

EXIT_INPUT_ERROR = 2
EXIT_UNEXPECTED = 1
EXIT_INTERRUPTED = 130
OUTPUT_FORMATS = ("table", "json", "csv")
ENCODING_ERRORS_HELP = (
    "bytes invalid in the encoding: 'replace' them with U+FFFD and report how many rows and "
    "where (default), or stop at the first one ('strict')"
)
READING_OPTIONS = (
    "text_column",
    "label_column",
    "encoding",
    "encoding_errors",
    "delimiter",
    "confidence_column",
    "min_confidence",
)
"""``--flag`` options that set the ``data`` field of the same name (``None`` keeps it)."""


class Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line with exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"error: {message} (see {self.prog} --help)\n")
        raise SystemExit(EXIT_INPUT_ERROR)


def probability(text: str) -> float:
    """An argparse type: a number in [0, 1]."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, got {text!r}")
    return value


def add_unlabelled_option(parser: argparse.ArgumentParser) -> None:
    """``--unlabelled SOURCE`` (repeatable): texts for the semi-supervised objectives."""
    parser.add_argument(
        "--unlabelled",
        action="append",
        default=[],
        metavar="SOURCE",
        help="unlabelled texts (a folder or archive's data.unlabelled_split, e.g. aclImdb's "
        "unsup; a CSV/JSONL text column; a .txt file, one text per line); repeatable; adds to "
        "data.unlabelled",
    )


def add_data_options(parser: argparse.ArgumentParser) -> None:
    """How to read a data source: columns, encoding, delimiter, label map, confidence."""
    parser.add_argument("--text-column", help="text column of a CSV/TSV/JSONL (auto-detected)")
    parser.add_argument("--label-column", help="label column of a CSV/TSV/JSONL (auto-detected)")
    parser.add_argument("--encoding", default=None, help="file encoding (default utf-8)")
    parser.add_argument(
        "--encoding-errors", choices=ENCODING_ERRORS, default=None, help=ENCODING_ERRORS_HELP
    )
    parser.add_argument("--delimiter", help="CSV/TSV field separator (default: sniffed)")
    parser.add_argument(
        "--label-map",
        default=None,
        help="rename labels, e.g. neg=negative,pos=positive (evaluate: default is the mapping "
        "the model was trained with)",
    )
    parser.add_argument(
        "--confidence-column",
        help="per-row confidence column for --min-confidence (default <label>_confidence)",
    )
    parser.add_argument(
        "--min-confidence",
        type=probability,
        default=None,
        metavar="P",
        help="drop rows whose confidence column is below P (e.g. annotator agreement 0.6)",
    )


def add_config_options(parser: argparse.ArgumentParser, config_help: str) -> None:
    """``--config``, ``--set`` and ``--vectors``: the run configuration of a command."""
    parser.add_argument("--config", help=config_help)
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help="override a config value, e.g. --set train.lr=3e-4 (repeatable)",
    )
    parser.add_argument("--vectors", help="glove-6b-50d (default), a vectors file, or none")


def add_group_option(parser: argparse.ArgumentParser) -> None:
    """``--group-column``: carve validation from whole groups."""
    parser.add_argument(
        "--group-column",
        help="CSV/TSV/JSONL column naming each row's group (user, customer, product): "
        "validation is carved from whole groups (sets data.group_validation)",
    )


def parse_label_map(text: str | None) -> dict[str, str]:
    """``old=new,old2=new2`` as a mapping."""
    if not text:
        return {}
    mapping = {}
    for item in text.split(","):
        old, sep, new = item.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise ConfigError(f"--label-map item {item!r} must look like old=new")
        mapping[old.strip()] = new.strip()
    return mapping


def _reading_overrides(args: argparse.Namespace) -> dict[str, object]:
    values: dict[str, object] = {
        name: getattr(args, name)
        for name in READING_OPTIONS
        if getattr(args, name, None) is not None
    }
    if getattr(args, "label_map", None):
        values["label_map"] = parse_label_map(args.label_map)
    return values


def data_config(args: argparse.Namespace) -> DataConfig:
    """How to read ``--data``: the data section's defaults with the given flags set."""
    return dataclasses.replace(DataConfig(), **_reading_overrides(args))


def run_config(args: argparse.Namespace) -> RunConfig:
    """The run configuration: ``--config``, then ``--set``, then the direct flags."""
    config = RunConfig.from_file(args.config) if args.config else RunConfig()
    config = config.with_overrides(list(args.set))
    # Flags are taken as given (strings), not parsed like --set values.
    if getattr(args, "data", None) is not None:
        config.data.source = args.data
    if getattr(args, "vectors", None) is not None:
        config.vectors.source = args.vectors
    overrides = _reading_overrides(args)
    if getattr(args, "group_column", None):
        overrides |= {"group_column": args.group_column, "group_validation": True}
    if getattr(args, "unlabelled", None):
        overrides["unlabelled"] = [*config.data.unlabelled, *args.unlabelled]
    config.data = dataclasses.replace(config.data, **overrides)
    return config


def check_output_file(path: str | None, option: str = "--output") -> None:
    """Fail early, before any work, when ``path`` cannot become a file: it is a folder, or a
    part of it is a file."""
    if not path:
        return
    target = Path(path)
    if target.is_dir() or path.endswith(("/", os.sep)):
        raise ConfigError(f"{option} {path} is a folder: give a file name, e.g. {option} out.csv")
    for parent in target.parents:
        if parent.exists():
            if not parent.is_dir():
                raise ConfigError(
                    f"{option} {path}: {parent} is a file, not a folder; choose another path"
                )
            break


RUNTIMES = ("auto", "torch", "onnx")
PRECISIONS = ("fp32", "int8")


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return value


def add_runtime_options(
    parser: argparse.ArgumentParser,
    threads_default: int | None = None,
    threads_help: str = "CPU threads of the runtime (default: every core)",
) -> None:
    """``--runtime``, ``--precision`` and ``--threads``: what runs a neural model."""
    parser.add_argument(
        "--runtime",
        choices=RUNTIMES,
        default="auto",
        help="auto (onnxruntime when the bundle carries an ONNX model, else torch), torch or "
        "onnx (see lstm-sentiment export)",
    )
    parser.add_argument(
        "--precision",
        choices=PRECISIONS,
        default=None,
        help="ONNX file to run: fp32 or int8 (default: the bundle's default)",
    )
    parser.add_argument("--threads", type=positive_int, default=threads_default, help=threads_help)


def load_model_for(args: argparse.Namespace) -> Any:
    """The :class:`~lstm_sentiment.SentimentModel` of ``--model`` on the chosen runtime."""
    from lstm_sentiment.predict import SentimentModel

    return SentimentModel.load(
        args.model, args.runtime, precision=args.precision, threads=args.threads
    )


def add_text_input_options(parser: argparse.ArgumentParser, verb: str) -> None:
    """The texts a command reads (arguments or ``--input``) and the model it uses, shared by
    ``predict`` and ``explain``."""
    parser.add_argument("texts", nargs="*", help=f"texts to {verb}")
    parser.add_argument("--model", help="bundle folder (default: the shipped English model)")
    parser.add_argument(
        "--input",
        help="file of texts: .txt (one per line), .csv/.tsv/.jsonl; or a folder/.tar.gz in the "
        "aclImdb layout (with --split)",
    )
    parser.add_argument(
        "--split",
        default="test",
        help="split of a folder/.tar.gz --input, e.g. unsup (default test)",
    )
    parser.add_argument("--text-column", help="text column of a CSV/TSV/JSONL input")
    parser.add_argument("--encoding", default="utf-8", help="input file encoding")
    parser.add_argument(
        "--encoding-errors",
        choices=ENCODING_ERRORS,
        default=ENCODING_ERRORS[0],
        help=ENCODING_ERRORS_HELP,
    )
