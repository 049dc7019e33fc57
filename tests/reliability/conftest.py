"""Shared pieces of the reliability suite: one tiny trained run, the CLI in-process, and a
snapshot of a folder to prove that a failure changed nothing."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from lstm_sentiment import pipeline
from lstm_sentiment.config import RunConfig


@pytest.fixture(scope="package")
def tiny_run(tmp_path_factory: pytest.TempPathFactory, tiny_files) -> Path:
    """A finished run folder trained once for the whole package (do not modify: copy it)."""
    raw = RunConfig.from_file(tiny_files.toml).to_dict()
    raw["data"]["source"] = str(tiny_files.csv)
    raw["train"]["epochs"] = 3
    config = RunConfig.from_dict(raw)
    return pipeline.train(config, tmp_path_factory.mktemp("reliability") / "run").run_dir


@pytest.fixture
def bundle(tiny_run: Path, tmp_path: Path) -> Path:
    """A private copy of the tiny run's model bundle."""
    return shutil.copytree(tiny_run / "model", tmp_path / "model")


def snapshot(folder: Path) -> dict[str, str]:
    """Relative path → SHA-256 of every file under ``folder``."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }
