"""Fuzzing targets shared by the atheris harness (``bench/fuzz.py``) and the hypothesis
property tests (``tests/reliability/test_fuzz.py``).

Each target takes raw bytes, drives one entry point a user's input reaches (a table or JSONL
reader, a tokenizer, the bundle loader) and returns normally or raises the project's own
:class:`LstmSentimentError`; any other exception is a crash: the input reached a code path
that has no clear message.
"""

from __future__ import annotations

import contextlib
import random
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from lstm_sentiment.bundle import write_manifest
from lstm_sentiment.config import DataConfig, TextConfig
from lstm_sentiment.data import load_splits_with_report
from lstm_sentiment.errors import LstmSentimentError
from lstm_sentiment.kinds import load_model
from lstm_sentiment.text.tokenize import build_tokenizer

EXPECTED = (LstmSentimentError,)
"""What a target may raise: the project's one-line errors."""
TABLE_SUFFIXES = (".csv", ".tsv", ".jsonl")


def read_table_bytes(data: bytes, suffix: str, workdir: Path) -> None:
    """Read ``data`` as a CSV/TSV/JSONL file with the default options."""
    path = workdir / f"input{suffix}"
    path.write_bytes(data)
    with contextlib.suppress(EXPECTED):
        load_splits_with_report(str(path), ["train"], DataConfig())


def tokenize_bytes(data: bytes) -> None:
    """Every tokenizer on ``data`` decoded as UTF-8 (invalid bytes replaced)."""
    text = data.decode("utf-8", errors="replace")
    for name in ("word", "tweet"):
        tokens = build_tokenizer(TextConfig(tokenizer=name)).tokenize(text)
        assert all(isinstance(token, str) and token for token in tokens), tokens


def corrupt_bundle(data: bytes, bundle: Path, workdir: Path) -> None:
    """Copy ``bundle``, overwrite bytes of one of its files as ``data`` says, optionally
    re-write the manifest (so the deeper checks are reached), and load it."""
    if len(data) < 4:
        return
    rng = random.Random(data[:4])
    target = workdir / "bundle"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(bundle, target)
    files = sorted(p for p in target.rglob("*") if p.is_file() and p.name != "manifest.json")
    victim = files[data[0] % len(files)]
    blob = bytearray(victim.read_bytes())
    payload = data[4:]
    mode = data[1] % 3
    if mode == 0 and blob:  # overwrite a span
        start = rng.randrange(len(blob))
        blob[start : start + len(payload)] = payload
    elif mode == 1:  # truncate
        del blob[rng.randrange(len(blob) + 1) :]
    else:  # replace whole
        blob = bytearray(payload)
    victim.write_bytes(bytes(blob))
    if data[2] % 2:
        write_manifest(target)
    with contextlib.suppress(EXPECTED):
        load_model(target).logits(["a fine film", "dull"], 2)


def targets(bundle: Path, workdir: Path) -> dict[str, Callable[[bytes], None]]:
    """Name → target over the given tiny bundle and scratch folder."""
    found: dict[str, Callable[[bytes], None]] = {
        f"table{suffix}": (lambda data, s=suffix: read_table_bytes(data, s, workdir))
        for suffix in TABLE_SUFFIXES
    }
    found["tokenize"] = tokenize_bytes
    found["bundle"] = lambda data: corrupt_bundle(data, bundle, workdir)
    return found


def scratch_folder() -> Path:
    """A private scratch folder for one fuzzing process."""
    return Path(tempfile.mkdtemp(prefix="lstm-sentiment-fuzz-"))
