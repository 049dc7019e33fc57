"""``lstm-sentiment export``: write a neural bundle's network as ONNX inside the bundle.

An NBSVM bundle is refused (it has no torch network and already predicts without torch); an
ensemble is refused too: export its neural members before building it.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys

from lstm_sentiment.cli.options import PRECISIONS

logger = logging.getLogger(__name__)
DEFAULT_OPSET = 17
"""Kept equal to :data:`lstm_sentiment.export.onnx_export.DEFAULT_OPSET` (not imported: that
module needs torch, and building the parser must stay cheap)."""


def add_export_command(commands: argparse._SubParsersAction) -> None:
    """Add ``export`` to the top-level command parsers."""
    export = commands.add_parser(
        "export", help="add an ONNX copy of a neural model's network to its bundle"
    )
    export.add_argument(
        "--model", required=True, help="neural bundle folder (re-written in place, atomically)"
    )
    export.add_argument("--format", choices=("onnx",), default="onnx", help="export format")
    export.add_argument(
        "--quantize",
        choices=("int8",),
        default=None,
        help="also write a dynamically quantised int8 copy (model.int8.onnx)",
    )
    export.add_argument(
        "--opset", type=int, default=DEFAULT_OPSET, help=f"ONNX opset (default {DEFAULT_OPSET})"
    )
    export.add_argument(
        "--default-precision",
        choices=PRECISIONS,
        default="fp32",
        help="the ONNX file the onnx runtime runs unless told otherwise (int8 needs --quantize)",
    )
    export.set_defaults(handler=run_export)


def run_export(args: argparse.Namespace) -> None:
    """``export``: ONNX files, header entry and manifest checksums added to the bundle."""
    from lstm_sentiment.export.onnx_export import export_onnx

    info = export_onnx(
        args.model, quantize=args.quantize, opset=args.opset, default=args.default_precision
    )
    files = ", ".join(f"{p}: {e['path']}" for p, e in info["files"].items())
    logger.info("exported %s to ONNX opset %d (%s)", args.model, info["opset"], files)
    sys.stdout.write(json.dumps({"model": str(args.model), "onnx": info}) + "\n")
