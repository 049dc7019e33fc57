"""``predict --input FILE --output FILE`` in chunks: constant memory, a progress bar, resumable.

Texts are read from the input file a chunk at a time (``--chunk-size``), scored and appended to a
hidden partial file next to the output (``.NAME.partial``); after each complete chunk the partial
file is flushed to disk and a small sidecar (``.NAME.progress.json``) records how many input rows
and output bytes are done. When every chunk is written the partial file is renamed onto the
output, so the output appears complete or not at all. ``--resume`` continues a killed run: the
partial file is cut back to the last recorded chunk, the rows already scored are skipped without
scoring them, and the run goes on from there.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from lstm_sentiment.bundle import read_json
from lstm_sentiment.errors import BundleError, ConfigError, DataError
from lstm_sentiment.io_utils import write_json

logger = logging.getLogger(__name__)
CHUNK_SIZE = 10_000
"""Texts read, scored and written at a time."""
STREAM_FORMATS = ("json", "csv")
COUNT_BLOCK = 1 << 22
TABLE_SUFFIXES = (".csv", ".tsv")
JSONL_SUFFIXES = (".jsonl", ".ndjson")


def streamable(args: argparse.Namespace, fmt: str) -> bool:
    """Whether this ``predict`` call streams: only ``--input FILE --output FILE`` (no texts on
    the command line, not a folder or archive) in JSON lines or CSV."""
    if not (args.input and args.output) or args.texts or fmt not in STREAM_FORMATS:
        return False
    path = Path(args.input)
    name = path.name.lower()
    return path.is_file() and not name.endswith((".tar.gz", ".tgz", ".tar"))


def partial_path(output: Path) -> Path:
    return output.with_name(f".{output.name}.partial")


def progress_path(output: Path) -> Path:
    return output.with_name(f".{output.name}.progress.json")


def read_texts(args: argparse.Namespace) -> Iterator[str]:
    """The texts of ``--input``, one at a time (tables and JSON Lines by their text column)."""
    path = Path(args.input)
    name = path.name.lower()
    if name.endswith(TABLE_SUFFIXES + JSONL_SUFFIXES):
        from lstm_sentiment.data.readers import read_jsonl, read_table

        common: dict[str, Any] = {
            "text_column": args.text_column,
            "encoding": args.encoding,
            "encoding_errors": args.encoding_errors,
        }
        rows = (
            read_table(path, **common)
            if name.endswith(TABLE_SUFFIXES)
            else read_jsonl(path, **common)
        )
        return (example.text for example in rows)
    return _text_lines(path, args.encoding, args.encoding_errors)


def _text_lines(path: Path, encoding: str, errors: str) -> Iterator[str]:
    """The non-blank lines of a text file, one text per line."""
    from lstm_sentiment.data.encoding import InvalidByteError, LineDecoder

    decoder = LineDecoder(path, encoding, errors)
    try:
        for line in decoder.lines():
            if (text := line.rstrip("\r\n")).strip():
                yield text
    except InvalidByteError as err:
        raise DataError(
            f"{path} is not valid {decoder.codec} ({err}): pass --encoding with the file's "
            "encoding, or --encoding-errors replace"
        ) from None


def estimated_rows(path: Path) -> int:
    """Lines in the file (a fast byte count: the progress bar's total, exact for one text per
    line, an upper bound for tables with multi-line cells)."""
    count = 0
    with path.open("rb") as handle:
        while block := handle.read(COUNT_BLOCK):
            count += block.count(b"\n")
    return max(count, 1)


def after_chunk(index: int, rows: int) -> None:
    """Called once chunk ``index`` (0-based) is safely written; a hook for tests."""


def _identity(args: argparse.Namespace, fmt: str) -> dict[str, Any]:
    stat = Path(args.input).stat()
    return {
        "input": str(Path(args.input).resolve()),
        "input_bytes": stat.st_size,
        "input_mtime_ns": stat.st_mtime_ns,
        "model": str(args.model or "default"),
        "runtime": [args.runtime, args.precision],
        "format": fmt,
        "csv_raw": bool(args.csv_raw),
        "min_confidence": args.min_confidence,
    }


def _start(args: argparse.Namespace, fmt: str, output: Path) -> tuple[int, int]:
    """``(rows done, bytes done)`` to continue from (0, 0 for a fresh run)."""
    sidecar, partial = progress_path(output), partial_path(output)
    if not args.resume:
        for stale in (sidecar, partial):
            stale.unlink(missing_ok=True)
        return 0, 0
    if not sidecar.is_file() or not partial.is_file():
        logger.info("no interrupted run writing %s: starting from the beginning", output)
        sidecar.unlink(missing_ok=True)
        partial.unlink(missing_ok=True)
        return 0, 0
    try:
        state = read_json(sidecar)
        rows, done = int(state["rows"]), int(state["bytes"])
    except (BundleError, KeyError, TypeError, ValueError):
        raise ConfigError(f"{sidecar} is damaged: run again without --resume") from None
    if state.get("run") != _identity(args, fmt):
        raise ConfigError(
            f"the interrupted run writing {output} used another input, model or format "
            "(or the input changed): run again without --resume"
        )
    if partial.stat().st_size < done:
        raise ConfigError(f"{partial} is shorter than recorded: run again without --resume")
    with partial.open("r+b") as handle:
        handle.truncate(done)  # a chunk appended after the last record is written again
    logger.info("resuming %s after %d texts", output, rows)
    return rows, done


def run_streaming(
    args: argparse.Namespace, model: Any, fmt: str, format_predictions: Callable[..., str]
) -> int:
    """Score ``--input`` into ``--output`` chunk by chunk, each chunk written by
    ``format_predictions`` (``predict``'s own); returns the number of texts."""
    chunk_size = int(args.chunk_size)
    if chunk_size < 1:
        raise ConfigError(f"--chunk-size must be at least 1; got {chunk_size}")
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    rows, done = _start(args, fmt, output)
    texts = read_texts(args)
    for _ in itertools.islice(texts, rows):  # scored before the interruption: skip
        pass
    identity = _identity(args, fmt)
    bar = _progress_bar(Path(args.input), rows)
    index = 0
    abstained = 0
    try:
        with partial_path(output).open("ab") as handle:
            while chunk := list(itertools.islice(texts, chunk_size)):
                predictions = model.predict(chunk, min_confidence=args.min_confidence)
                abstained += sum(p.abstained for p in predictions)
                text = format_predictions(
                    predictions,
                    model.labels,
                    fmt,
                    abstaining=args.min_confidence is not None,
                    csv_raw=args.csv_raw,
                    header=rows == 0,
                )
                handle.write(text.encode("utf-8"))
                handle.flush()
                os.fsync(handle.fileno())
                rows += len(chunk)
                done = handle.tell()
                write_json(progress_path(output), {"run": identity, "rows": rows, "bytes": done})
                if bar is not None:
                    bar.update(len(chunk))
                after_chunk(index, rows)
                index += 1
    finally:
        if bar is not None:
            bar.close()
    if rows == 0:
        partial_path(output).unlink(missing_ok=True)
        progress_path(output).unlink(missing_ok=True)
        raise ConfigError(f"nothing to classify in {args.input}")
    os.replace(partial_path(output), output)
    progress_path(output).unlink(missing_ok=True)
    if abstained:
        logger.info(
            "abstained on %d texts (top probability below %g)", abstained, args.min_confidence
        )
    logger.info("wrote %d predictions to %s", rows, output)
    return rows


def _progress_bar(path: Path, initial: int) -> Any:
    """A tqdm bar (texts/s and ETA) on a terminal; ``None`` otherwise."""
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(
        total=estimated_rows(path),
        initial=initial,
        unit=" texts",
        unit_scale=True,
        dynamic_ncols=True,
        file=sys.stderr,
    )
