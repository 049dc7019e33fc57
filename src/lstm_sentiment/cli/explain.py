"""``lstm-sentiment explain``: which words made the model decide, per text, as a coloured terminal
rendering, JSON lines or one self-contained HTML page."""

from __future__ import annotations

import argparse
import json
import logging
import sys

from lstm_sentiment.cli.options import add_text_input_options, check_output_file

logger = logging.getLogger(__name__)
EXPLAIN_FORMATS = ("table", "json", "html")
DEFAULT_STEPS = 32
"""Integration steps (the same default as ``SentimentModel.explain``)."""


def positive_steps(text: str) -> int:
    """An argparse type: integration steps, 1 to 1024."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 1024:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1 to 1024, got {text!r}")
    return value


def add_explain_command(commands: argparse._SubParsersAction) -> None:
    """Add ``explain`` to the top-level command parsers."""
    explain = commands.add_parser(
        "explain", help="show which words drove each prediction (token attributions)"
    )
    add_text_input_options(explain, "explain")
    explain.add_argument(
        "--format",
        choices=EXPLAIN_FORMATS,
        default=None,
        help="table (coloured words; terminal default), json lines, or one self-contained html "
        "page",
    )
    explain.add_argument("--output", help="write to this file instead of stdout")
    explain.add_argument(
        "--steps",
        type=positive_steps,
        default=DEFAULT_STEPS,
        metavar="N",
        help=f"integration steps of integrated gradients for neural models (default "
        f"{DEFAULT_STEPS}; more steps, smaller completeness gap, slower)",
    )
    explain.set_defaults(handler=run_explain)


def format_explanations(explanations: list, fmt: str, *, color: bool = False) -> str:
    """Explanations as JSON lines, an HTML page or a (coloured) terminal rendering."""
    if fmt == "json":
        return "".join(json.dumps(e.to_dict(), ensure_ascii=False) + "\n" for e in explanations)
    from lstm_sentiment.explain.render import render_html, render_table

    if fmt == "html":
        return render_html(explanations)
    return render_table(explanations, color=color)


def run_explain(args: argparse.Namespace) -> None:
    """``explain``: token attributions of each text."""
    from lstm_sentiment.cli.predict import read_inputs
    from lstm_sentiment.io_utils import write_text
    from lstm_sentiment.predict import SentimentModel

    check_output_file(args.output)
    texts = read_inputs(args)
    model = SentimentModel.load(args.model)
    explanations = model.explain(texts, steps=args.steps)
    to_terminal = args.output is None and sys.stdout.isatty()
    fmt = args.format or ("table" if to_terminal else "json")
    output = format_explanations(explanations, fmt, color=to_terminal)
    if args.output:
        write_text(args.output, output)
        logger.info("wrote %d explanations to %s", len(explanations), args.output)
    else:
        sys.stdout.write(output)
