"""The ``lstm-sentiment`` command: thin commands over library functions.

Exit codes: 0 success, 2 usage or input error (one line on stderr), 1 unexpected failure,
130 training interrupted (a checkpoint was saved).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lstm_sentiment.errors import ConfigError, DataError, LstmSentimentError
from lstm_sentiment.models.presets import PRESETS

EXIT_INPUT_ERROR = 2
EXIT_UNEXPECTED = 1
EXIT_INTERRUPTED = 130
OUTPUT_FORMATS = ("table", "json", "csv")


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line with exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"error: {message} (see {self.prog} --help)\n")
        raise SystemExit(EXIT_INPUT_ERROR)


ENCODING_ERRORS_HELP = (
    "bytes invalid in the encoding: 'replace' them with U+FFFD and report how many rows and "
    "where (default), or stop at the first one ('strict')"
)


def _probability(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, got {text!r}")
    return value


def _add_data_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--text-column", help="text column of a CSV/TSV/JSONL (auto-detected)")
    parser.add_argument("--label-column", help="label column of a CSV/TSV/JSONL (auto-detected)")
    parser.add_argument("--encoding", default=None, help="file encoding (default utf-8)")
    parser.add_argument(
        "--encoding-errors", choices=("replace", "strict"), default=None, help=ENCODING_ERRORS_HELP
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
        type=_probability,
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


def _parse_label_map(text: str | None) -> dict[str, str]:
    if not text:
        return {}
    mapping = {}
    for item in text.split(","):
        old, sep, new = item.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise ConfigError(f"--label-map item {item!r} must look like old=new")
        mapping[old.strip()] = new.strip()
    return mapping


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    parser = _Parser(
        prog="lstm-sentiment",
        description="Train, evaluate and use LSTM sentiment classifiers on your own text.",
    )
    parser.add_argument("--debug", action="store_true", help="show stack traces on errors")
    parser.add_argument("-q", "--quiet", action="store_true", help="only warnings and results")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    train = commands.add_parser("train", help="train a model and save a run folder")
    train.add_argument(
        "--data", help="folder, .tar.gz, .csv, .tsv, .jsonl, or a dataset name (imdb)"
    )
    add_config_options(train, "TOML or JSON config file (see configs/)")
    train.add_argument("--output", required=True, help="run folder to create")
    train.add_argument("--resume", action="store_true", help="continue from the last checkpoint")
    _add_data_options(train)
    _add_group_option(train)

    evaluate = commands.add_parser("evaluate", help="measure a model on labelled data")
    evaluate.add_argument("--model", help="bundle folder (default: the shipped English model)")
    evaluate.add_argument("--data", required=True, help="labelled data source")
    evaluate.add_argument("--split", default="test", help="split of a folder/tarball (test)")
    evaluate.add_argument("--format", choices=("table", "json"), default="table")
    evaluate.add_argument("--plots", help="folder for a confusion-matrix PNG")
    _add_data_options(evaluate)

    predict = commands.add_parser("predict", help="classify texts")
    predict.add_argument("texts", nargs="*", help="texts to classify")
    predict.add_argument("--model", help="bundle folder (default: the shipped English model)")
    predict.add_argument(
        "--input",
        help="file of texts: .txt (one per line), .csv/.tsv/.jsonl; or a folder/.tar.gz in the "
        "aclImdb layout (with --split)",
    )
    predict.add_argument(
        "--split",
        default="test",
        help="split of a folder/.tar.gz --input, e.g. unsup (default test)",
    )
    predict.add_argument("--output", help="write results to this file instead of stdout")
    predict.add_argument(
        "--format",
        choices=OUTPUT_FORMATS,
        default=None,
        help="table (terminal default), json lines, or csv",
    )
    predict.add_argument("--text-column", help="text column of a CSV/TSV/JSONL input")
    predict.add_argument("--encoding", default="utf-8", help="input file encoding")
    predict.add_argument(
        "--encoding-errors", choices=("replace", "strict"), default="replace",
        help=ENCODING_ERRORS_HELP,
    )  # fmt: skip
    predict.add_argument(
        "--min-confidence",
        type=_probability,
        default=None,
        metavar="P",
        help="abstain (label 'abstain' in tables, null in JSON, empty in CSV, with the reason) "
        "when the top calibrated probability is below P",
    )

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
    _add_data_options(compare)
    _add_group_option(compare)

    stats = commands.add_parser("data-stats", help="class counts, lengths and a histogram")
    stats.add_argument("--data", required=True, help="data source")
    stats.add_argument("--split", default="train", help="split of a folder/tarball (train)")
    stats.add_argument("--config", help="config whose text settings to use")
    stats.add_argument("--output", default="data-stats", help="folder for the histogram PNG")
    _add_data_options(stats)

    from lstm_sentiment.cli_vectors import add_vectors_commands

    add_vectors_commands(commands)
    from lstm_sentiment.cli_tune import add_tune_command

    add_tune_command(commands)
    from lstm_sentiment.cli_ensemble import add_ensemble_command

    add_ensemble_command(commands)
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
    handlers = {
        "train": cmd_train,
        "evaluate": cmd_evaluate,
        "predict": cmd_predict,
        "data-stats": cmd_data_stats,
        "compare": cmd_compare,
        "vectors": cmd_vectors,
        "tune": cmd_tune,
        "ensemble": cmd_ensemble,
    }
    try:
        handlers[args.command](args)
    except LstmSentimentError as exc:
        from lstm_sentiment.training.trainer import TrainingInterrupted

        if args.debug:
            raise
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_INTERRUPTED if isinstance(exc, TrainingInterrupted) else EXIT_INPUT_ERROR
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return EXIT_INTERRUPTED
    except Exception as exc:
        if args.debug:
            raise
        sys.stderr.write(
            f"unexpected error: {type(exc).__name__}: {exc} (rerun with --debug for details)\n"
        )
        return EXIT_UNEXPECTED
    return 0


def _add_group_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--group-column",
        help="CSV/TSV/JSONL column naming each row's group (user, customer, product): "
        "validation is carved from whole groups (sets data.group_validation)",
    )


def _run_config(args: argparse.Namespace) -> Any:
    from lstm_sentiment.config import RunConfig

    config = RunConfig.from_file(args.config) if args.config else RunConfig()
    config = config.with_overrides(list(args.set))
    # Flags are taken as given (strings), not parsed like --set values.
    direct = {
        ("data", "source"): args.data,
        ("vectors", "source"): args.vectors,
        ("data", "text_column"): args.text_column,
        ("data", "label_column"): args.label_column,
        ("data", "encoding"): args.encoding,
        ("data", "encoding_errors"): args.encoding_errors,
        ("data", "delimiter"): args.delimiter,
        ("data", "confidence_column"): args.confidence_column,
        ("data", "min_confidence"): args.min_confidence,
    }
    for (section, key), value in direct.items():
        if value is not None:
            setattr(getattr(config, section), key, value)
    if args.label_map:
        config.data.label_map = _parse_label_map(args.label_map)
    if getattr(args, "group_column", None):
        config.data.group_column = args.group_column
        config.data.group_validation = True
    return config


def cmd_train(args: argparse.Namespace) -> None:
    """``train``: fit a model and print a summary."""
    from lstm_sentiment.pipeline import train
    from lstm_sentiment.reporting import print_data_report, print_train_summary

    config = _run_config(args)
    result = train(config, args.output, resume=args.resume)
    print_data_report(result.data_report)
    print_train_summary(result)


def cmd_compare(args: argparse.Namespace) -> None:
    """``compare``: train the listed models on the same data and print the table."""
    from lstm_sentiment.compare import comparison_entries, run_comparison
    from lstm_sentiment.reporting import print_comparison

    models = [name.strip() for name in (args.models or "").split(",") if name.strip()]
    base, entries = comparison_entries(_run_config(args), models, args.models_file)
    result = run_comparison(base, entries, args.output, resume=args.resume)
    print_comparison(result)


def _data_options(args: argparse.Namespace) -> Any:
    from lstm_sentiment.data import DataOptions

    return DataOptions(
        text_column=args.text_column,
        label_column=args.label_column,
        encoding=args.encoding or "utf-8",
        encoding_errors=args.encoding_errors or "replace",
        delimiter=args.delimiter,
        label_map=_parse_label_map(args.label_map),
        confidence_column=args.confidence_column,
        min_confidence=args.min_confidence or 0.0,
    )


def cmd_evaluate(args: argparse.Namespace) -> None:
    """``evaluate``: metrics of a model on a labelled split."""
    from lstm_sentiment.data import load_split
    from lstm_sentiment.predict import SentimentModel
    from lstm_sentiment.reporting import print_evaluation

    model = SentimentModel.load(args.model)
    options = _data_options(args)
    if args.label_map is None:
        # The renaming the model was trained with (aclImdb's neg/pos → negative/positive).
        options.label_map = model.label_map
    examples = load_split(args.data, args.split, options)
    labelled = [ex for ex in examples if ex.label is not None and ex.text.strip()]
    if not labelled:
        raise DataError(f"no labelled examples with text in {args.data} (split {args.split!r})")
    skipped = len(examples) - len(labelled)
    if skipped:
        logging.getLogger(__name__).warning("skipped %d examples without label or text", skipped)
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


def _read_inputs(args: argparse.Namespace) -> list[str]:
    texts = list(args.texts)
    if args.input:
        path = Path(args.input)
        if not path.exists():
            raise DataError(f"no such input file or folder: {path}")
        is_archive = path.is_dir() or path.name.lower().endswith((".tar.gz", ".tgz", ".tar"))
        if is_archive or path.suffix.lower() in (".csv", ".tsv", ".jsonl", ".ndjson"):
            from lstm_sentiment.data import DataOptions, load_split

            options = DataOptions(
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


def _format_predictions(
    predictions: list[Any], labels: list[str], fmt: str, abstaining: bool = False
) -> str:
    if fmt == "json":
        return "".join(json.dumps(p.to_dict(), ensure_ascii=False) + "\n" for p in predictions)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        reason = ["abstain_reason"] if abstaining else []
        writer.writerow(["text", "label", *[f"p_{label}" for label in labels], *reason])
        for p in predictions:
            why = [p.reason or ""] if abstaining else []
            probabilities = [f"{p.probabilities[lb]:.6f}" for lb in labels]
            writer.writerow([p.text, p.label or "", *probabilities, *why])
        return buffer.getvalue()
    from lstm_sentiment.reporting import render_predictions

    return render_predictions(predictions, labels)


def cmd_predict(args: argparse.Namespace) -> None:
    """``predict``: label and probabilities for each text."""
    from lstm_sentiment.io_utils import write_text
    from lstm_sentiment.predict import SentimentModel

    texts = _read_inputs(args)
    model = SentimentModel.load(args.model)
    predictions = model.predict(texts, min_confidence=args.min_confidence)
    fmt = args.format or ("table" if args.output is None and sys.stdout.isatty() else "json")
    output = _format_predictions(
        predictions, model.labels, fmt, abstaining=args.min_confidence is not None
    )
    abstained = sum(p.abstained for p in predictions)
    if abstained:
        logging.getLogger(__name__).info(
            "abstained on %d of %d texts (top probability below %g)",
            abstained,
            len(predictions),
            args.min_confidence,
        )
    if args.output:
        write_text(args.output, output)
        logging.getLogger(__name__).info(
            "wrote %d predictions to %s", len(predictions), args.output
        )
    else:
        sys.stdout.write(output)


def cmd_vectors(args: argparse.Namespace) -> None:
    """``vectors train|neighbors|analogy|coverage`` (see :mod:`lstm_sentiment.cli_vectors`)."""
    from lstm_sentiment.cli_vectors import run_vectors_command

    run_vectors_command(args)


def cmd_tune(args: argparse.Namespace) -> None:
    """``tune``: hyperparameter search (see :mod:`lstm_sentiment.cli_tune`)."""
    from lstm_sentiment.cli_tune import run_tune_command

    run_tune_command(args)


def cmd_ensemble(args: argparse.Namespace) -> None:
    """``ensemble``: combine bundles (see :mod:`lstm_sentiment.cli_ensemble`)."""
    from lstm_sentiment.cli_ensemble import run_ensemble_command

    run_ensemble_command(args)


def cmd_data_stats(args: argparse.Namespace) -> None:
    """``data-stats``: counts per class, length percentiles, histogram, suggested max length."""
    from lstm_sentiment.config import RunConfig
    from lstm_sentiment.data import load_split
    from lstm_sentiment.io_utils import write_json
    from lstm_sentiment.reporting import print_data_stats
    from lstm_sentiment.text.stats import describe
    from lstm_sentiment.text.tokenize import LearnedTokenizer, build_tokenizer
    from lstm_sentiment.training.plots import plot_length_histogram

    config = RunConfig.from_file(args.config) if args.config else RunConfig()
    examples = load_split(args.data, args.split, _data_options(args))
    tokenizer = build_tokenizer(config.text)
    if isinstance(tokenizer, LearnedTokenizer):  # subword pieces: learn them from these texts
        tokenizer.fit([ex.text for ex in examples])
    lengths = [len(tokenizer.tokenize(ex.text)) for ex in examples]
    stats = describe(lengths, [ex.label for ex in examples])
    output = Path(args.output)
    plot_length_histogram(lengths, stats["suggested_max_length"], output / "length_histogram.png")
    write_json(output / "data_stats.json", {"source": args.data, "split": args.split, **stats})
    print_data_stats(stats, output)
