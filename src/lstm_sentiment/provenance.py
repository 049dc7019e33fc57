"""What a bundle records about its training data: identities (file name, size, SHA-256, split)
and paths relative to the run folder, never the training machine's absolute paths."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

from lstm_sentiment.bundle import file_sha256
from lstm_sentiment.config import RunConfig

MODEL_FOLDER_DEPTH = 1
"""A run's bundle is ``RUN_DIR/model``: recorded paths are relative to its parent."""


def _relative(value: str, base: Path) -> str:
    """``value`` relative to ``base`` when it names an existing file or folder."""
    if not value or not Path(value).expanduser().exists():
        return value  # a dataset name (``imdb``), an embedded vectors name or nothing
    return Path(os.path.relpath(Path(value).expanduser().resolve(), base.resolve())).as_posix()


def portable_config(config: RunConfig, run_dir: Path) -> RunConfig:
    """``config`` with its data and vectors paths relative to ``run_dir``."""
    portable = copy.deepcopy(config)
    portable.data.source = _relative(config.data.source, run_dir)
    portable.data.extra_train = [_relative(s, run_dir) for s in config.data.extra_train]
    portable.data.unlabelled = [_relative(s, run_dir) for s in config.data.unlabelled]
    portable.vectors.source = _relative(config.vectors.source, run_dir)
    if config.model.encoder_init:
        portable.model.encoder_init = _relative(config.model.encoder_init, run_dir)
    if config.model.region_init:
        portable.model.region_init = [_relative(s, run_dir) for s in config.model.region_init]
    if config.model.lstm_region_init:
        portable.model.lstm_region_init = _relative(config.model.lstm_region_init, run_dir)
    if config.train.init_from:  # "default" (the shipped model) stays a name
        portable.train.init_from = _relative(config.train.init_from, run_dir)
    return portable


def file_identity(source: str) -> dict[str, Any]:
    """Name, size and SHA-256 of a file (a folder: its name and number of files)."""
    path = Path(source).expanduser()
    if path.is_file():
        return {"name": path.name, "bytes": path.stat().st_size, "sha256": file_sha256(path)}
    if path.is_dir():
        return {"name": path.name, "files": sum(1 for p in path.rglob("*") if p.is_file())}
    return {"name": source}


def source_identity(config: RunConfig, from_examples: bool) -> dict[str, Any]:
    """What identifies the data a model was trained on (for the bundle header)."""
    if from_examples:
        return {"source": "examples given in Python"}
    return {
        "source": file_identity(config.data.source),
        "train_split": config.data.train_split,
        "extra_train": [file_identity(s) for s in config.data.extra_train],
        "unlabelled": [file_identity(s) for s in config.data.unlabelled],
    }


def recorded_source(source: str, bundle_dir: Path) -> str:
    """A source a bundle's config records, as a path usable from here: relative paths are
    relative to the run folder the bundle was saved in."""
    if not source or Path(source).is_absolute():
        return source
    run_dir = bundle_dir
    for _ in range(MODEL_FOLDER_DEPTH):
        run_dir = run_dir.parent
    candidate = run_dir / source
    return str(candidate) if candidate.exists() else source
