"""``compare``: train several named configurations on the same data, split and seed.

Each model gets a full run folder (bundle included) under the output folder; the comparison
writes ``comparison.md``, ``comparison.csv``, ``comparison.json`` and ``comparison_curves.png``.
A finished model is not retrained when the comparison is run again with the same config.
"""

from __future__ import annotations

import copy
import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from lstm_sentiment.config import RunConfig, read_config_file
from lstm_sentiment.data import Example
from lstm_sentiment.errors import ConfigError
from lstm_sentiment.io_utils import write_json, write_text
from lstm_sentiment.kinds import describe
from lstm_sentiment.models.presets import PRESETS, preset_overrides
from lstm_sentiment.pipeline import train
from lstm_sentiment.preparation import load_training_data
from lstm_sentiment.training.plots import plot_comparison_curves
from lstm_sentiment.training.trainer import EpochRecord

logger = logging.getLogger(__name__)

MARKDOWN_DECIMALS = {
    "validation_accuracy": 4,
    "validation_macro_f1": 4,
    "test_accuracy": 4,
    "test_macro_f1": 4,
    "seconds_per_epoch": 1,
    "train_tokens_per_second": 0,
    "train_seconds": 0,
}
SHARED_KEYS = {"data": None, "train": ("seed",)}
"""What every compared model must share: all of ``[data]`` and the seed."""


@dataclass
class ComparisonEntry:
    """One named configuration of a comparison."""

    name: str
    config: RunConfig


@dataclass
class ComparisonResult:
    """The table (one row per model) and where everything was written."""

    rows: list[dict[str, Any]]
    output_dir: Path
    seconds: float
    histories: dict[str, list[EpochRecord]] = field(default_factory=dict)

    @property
    def table(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows)


def _merge(base: dict[str, Any], overrides: dict[str, Any], where: str) -> dict[str, Any]:
    merged = copy.deepcopy(base)
    for section, values in overrides.items():
        if section not in merged or not isinstance(values, dict):
            raise ConfigError(
                f"{where}: unknown section {section!r}; valid: preset, {', '.join(merged)}"
            )
        merged[section].update(values)
    return merged


def _check_shared(name: str, overrides: dict[str, Any]) -> None:
    for section, keys in SHARED_KEYS.items():
        given = overrides.get(section, {})
        clashing = list(given) if keys is None else [k for k in given if k in keys]
        if clashing:
            raise ConfigError(
                f"model {name!r} overrides {section}.{clashing[0]}: compared models share the "
                "data, the split and the seed; set them in the base config instead"
            )


def entry_from_overrides(name: str, base: RunConfig, overrides: dict[str, Any]) -> ComparisonEntry:
    """A named entry: ``base`` + optional ``preset`` + section overrides."""
    overrides = dict(overrides)
    _check_shared(name, overrides)
    raw = base.to_dict()
    preset = overrides.pop("preset", name if name in PRESETS else None)
    if preset is not None:
        raw["model"].update(preset_overrides(str(preset)))
    raw = _merge(raw, overrides, f"model {name!r}")
    return ComparisonEntry(name, RunConfig.from_dict(raw))


def comparison_entries(
    base: RunConfig, models: list[str] | None = None, models_file: str | Path | None = None
) -> tuple[RunConfig, list[ComparisonEntry]]:
    """Entries from preset names (``--models lstm,bilstm``) and/or a TOML/JSON file.

    The file has an optional ``[base]`` table (overrides applied to every model) and a
    ``[models.NAME]`` table per model with an optional ``preset`` and section overrides.
    """
    entries: list[ComparisonEntry] = []
    if models_file:
        raw = read_config_file(models_file)
        unknown = set(raw) - {"base", "models"}
        if unknown:
            raise ConfigError(
                f"{models_file}: unknown table {sorted(unknown)[0]!r}; valid: base, models"
            )
        base = RunConfig.from_dict(_merge(base.to_dict(), raw.get("base", {}), "[base]"))
        for name, overrides in raw.get("models", {}).items():
            if not isinstance(overrides, dict):
                raise ConfigError(f"{models_file}: [models.{name}] must be a table")
            entries.append(entry_from_overrides(name, base, overrides))
    for name in models or []:
        if name not in PRESETS:
            raise ConfigError(f"unknown model preset {name!r}; valid: {', '.join(PRESETS)}")
        entries.append(entry_from_overrides(name, base, {}))
    if not entries:
        raise ConfigError("nothing to compare: pass --models lstm,bilstm,... or --models-file")
    names = [entry.name for entry in entries]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise ConfigError(f"model {duplicated[0]!r} is listed twice; names must be unique")
    return base, entries


def _history(run_dir: Path) -> list[EpochRecord]:
    frame = pd.read_csv(run_dir / "metrics.csv")
    return [EpochRecord(**row) for row in frame.to_dict(orient="records")]


def _finished(run_dir: Path, config: RunConfig) -> bool:
    """A previous comparison already trained this exact configuration to the end."""
    try:
        saved = json.loads((run_dir / "config.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return False
    return (run_dir / "metrics.json").is_file() and saved == config.to_dict()


def _row(name: str, config: RunConfig, metrics: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {
        "model": name,
        "architecture": describe(config.model),
        "parameters": metrics.get("parameters"),
        "validation_accuracy": metrics["validation"]["accuracy"],
        "validation_macro_f1": metrics["validation"]["macro_f1"],
        "test_accuracy": None,
        "test_macro_f1": None,
        "seconds_per_epoch": metrics.get("seconds_per_epoch"),
        "train_tokens_per_second": metrics.get("train_tokens_per_second"),
        "best_epoch": metrics.get("best_epoch"),
        "epochs_run": metrics.get("epochs_run"),
        "train_seconds": metrics["timings"]["train_seconds"],
    }
    if "test" in metrics:
        row["test_accuracy"] = metrics["test"]["accuracy"]
        row["test_macro_f1"] = metrics["test"]["macro_f1"]
    return row


def run_comparison(
    base: RunConfig,
    entries: list[ComparisonEntry],
    output_dir: str | Path,
    *,
    resume: bool = False,
    examples: tuple[list[Example], list[Example]] | None = None,
) -> ComparisonResult:
    """Train every entry on the same examples and write the comparison files."""
    output = Path(output_dir)
    output.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    if examples is None:
        examples = load_training_data(base)
    rows: list[dict[str, Any]] = []
    histories: dict[str, list[EpochRecord]] = {}
    for position, entry in enumerate(entries, start=1):
        run_dir = output / entry.name
        logger.info(
            "[%d/%d] %s: %s", position, len(entries), entry.name, describe(entry.config.model)
        )
        if _finished(run_dir, entry.config):
            logger.info("%s already trained in %s: reusing its results", entry.name, run_dir)
            metrics = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
        else:
            metrics = train(
                entry.config, run_dir, resume=resume, overwrite=True, examples=examples
            ).metrics
        rows.append(_row(entry.name, entry.config, metrics))
        histories[entry.name] = _history(run_dir)
        _write_outputs(output, rows, histories)
    return ComparisonResult(rows, output, time.perf_counter() - started, histories)


def _write_outputs(
    output: Path, rows: list[dict[str, Any]], histories: dict[str, list[EpochRecord]]
) -> None:
    """Rewrite the table files and the curves after every model (a partial run is readable)."""
    frame = pd.DataFrame(rows)
    write_text(output / "comparison.csv", frame.to_csv(index=False))
    readable = frame.round(MARKDOWN_DECIMALS)
    write_text(output / "comparison.md", readable.to_markdown(index=False) + "\n")
    write_json(output / "comparison.json", {"models": rows})
    plot_comparison_curves(histories, output / "comparison_curves.png")
