"""Re-writing a bundle's model card: the ``## Runtimes`` section of a bundle that carries ONNX
files with the measurements recorded for each runtime, and sections benchmarks add (torch-free:
benchmarks call it).

Every re-write goes through :func:`~lstm_sentiment.bundle.write_bundle` (atomic, with a fresh
manifest); the files are copied byte for byte, so the fp32 graph's byte ranges inside
``model.safetensors`` stay valid.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from lstm_sentiment.bundle import (
    CARD_FILE,
    CONFIG_FILE,
    MANIFEST_FILE,
    METRICS_FILE,
    read_header,
    read_json,
    write_bundle,
)
from lstm_sentiment.errors import ConfigError
from lstm_sentiment.export.files import ONNX_KEY, onnx_info

RUNTIME_SECTION = "## Runtimes"
SPEED_KEY = "speed"
BENCH_PLACEHOLDER = (
    "speed: PLACEHOLDER — filled in by `python bench/inference.py --update-card` "
    "(see bench/results/inference.json)"
)
WRITER_FIELDS = ("format", "format_version", "kind", "created", "environment")
"""Header fields :func:`write_bundle` sets itself."""


def replace_section(card: str, heading: str, section: str) -> str:
    """``card`` with the section under ``heading`` (up to the next ``## `` heading) replaced by
    ``section`` (which starts with ``heading``), or ``section`` appended."""
    section = section.rstrip("\n") + "\n"
    pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.M | re.S)
    if pattern.search(card):
        return pattern.sub(lambda _: section + "\n", card, count=1).rstrip("\n") + "\n"
    return card.rstrip("\n") + "\n\n" + section


def runtime_card(card: str, info: dict[str, Any]) -> str:
    """The model card with its ``## Runtimes`` section (re)written from the ``"onnx"`` entry."""
    lines = [
        RUNTIME_SECTION,
        '- torch: `model.safetensors` (`SentimentModel.load(path, runtime="torch")`, '
        "`--runtime torch`)",
    ]
    for precision, entry in info["files"].items():
        default = " — the default runtime" if precision == info["default"] else ""
        lines.append(
            f"- onnxruntime {precision}: `{entry['path']}` (opset {info['opset']}, "
            f"`--runtime onnx --precision {precision}`){default}"
        )
    measured: dict[str, str] = info.get("measured", {})
    lines.extend(f"- {key}: {value}" for key, value in measured.items())
    if SPEED_KEY not in measured:
        lines.append(f"- {BENCH_PLACEHOLDER}")
    return replace_section(card, RUNTIME_SECTION, "\n".join(lines))


def rewrite_bundle(
    directory: Path,
    header: dict[str, Any],
    info: dict[str, Any] | None,
    *,
    skip: Iterable[str] = (),
    add: Callable[[Path], None] | None = None,
    sections: dict[str, str] | None = None,
) -> None:
    """Re-write ``directory`` with the header's ``"onnx"`` entry set to ``info`` (``None``: no
    ONNX entry), its files copied (except ``skip``), ``add(staging)`` run, the card's runtime
    section renewed and ``sections`` (heading → text) written into the card."""
    skipped = {CONFIG_FILE, METRICS_FILE, CARD_FILE, MANIFEST_FILE, *skip}

    def write_files(staging: Path) -> None:
        for path in sorted(directory.rglob("*")):
            relative = path.relative_to(directory)
            if path.is_dir() or relative.as_posix() in skipped or path.name.startswith("."):
                continue
            (staging / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, staging / relative)
        if add is not None:
            add(staging)

    card_path = directory / CARD_FILE
    card = card_path.read_text(encoding="utf-8") if card_path.is_file() else ""
    if info is not None:
        card = runtime_card(card, info)
    for heading, section in (sections or {}).items():
        card = replace_section(card, heading, section)
    metrics_path = directory / METRICS_FILE
    kept = {k: v for k, v in header.items() if k not in (*WRITER_FIELDS, ONNX_KEY)}
    write_bundle(
        directory,
        kind=str(header.get("kind", "neural")),
        header=kept if info is None else {**kept, ONNX_KEY: info},
        metrics=read_json(metrics_path) if metrics_path.is_file() else {},
        card=card,
        write_files=write_files,
    )


def record_card_section(directory: str | Path, heading: str, section: str) -> None:
    """Write ``section`` (starting with ``heading``) into a bundle's model card, replacing an
    earlier one; every other file is kept byte for byte (atomic, fresh manifest)."""
    directory = Path(directory)
    header = read_header(directory)
    rewrite_bundle(directory, header, onnx_info(header), sections={heading: section})


def record_measurements(directory: str | Path, measured: dict[str, str]) -> None:
    """Add lines such as ``{"IMDB test accuracy": "...", "speed": "..."}`` to the bundle's
    ``"onnx"`` entry and its model card (a ``speed`` line replaces the placeholder)."""
    directory = Path(directory)
    header = read_header(directory)
    info = onnx_info(header)
    if info is None:
        raise ConfigError(f"{directory} carries no ONNX model: export it first")
    info = {**info, "measured": {**info.get("measured", {}), **measured}}
    rewrite_bundle(directory, header, info)
