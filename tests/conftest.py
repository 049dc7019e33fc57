"""Shared fixtures: a separable toy sentiment corpus, 8-dim toy vectors and a tiny config.

Everything here is small on purpose: the suite shares two CPU cores with real training jobs.
"""

from __future__ import annotations

import csv
import importlib
import io
import logging
import random
import sys
import tarfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import settings

from lstm_sentiment.bundle import write_manifest
from lstm_sentiment.config import RunConfig

settings.register_profile("tiny", max_examples=40, deadline=None, derandomize=True)
settings.load_profile("tiny")

POSITIVE_WORDS = ("great", "wonderful", "love", "excellent", "brilliant", "superb")
NEGATIVE_WORDS = ("awful", "boring", "hate", "terrible", "dull", "worst")
FILLER_WORDS = ("the", "movie", "film", "was", "this", "a", "story", "acting", "plot", "really")
TOY_WORDS = POSITIVE_WORDS + NEGATIVE_WORDS + FILLER_WORDS
VECTOR_DIM = 8
N_PER_CLASS = 30

# Texts that a model trained on the toy corpus must get right.
PROBE_TEXTS = {
    "a great and wonderful film": "positive",
    "i love this excellent movie": "positive",
    "awful boring plot": "negative",
    "i hate this terrible film": "negative",
}


def toy_texts(seed: int = 0, n_per_class: int = N_PER_CLASS) -> list[tuple[str, str]]:
    """(text, label) pairs: two or three sentiment words of one class among filler words."""
    rng = random.Random(seed)
    rows = []
    for label, words in (("positive", POSITIVE_WORDS), ("negative", NEGATIVE_WORDS)):
        for _ in range(n_per_class):
            tokens = rng.sample(FILLER_WORDS, rng.randint(2, 5))
            tokens += rng.sample(words, rng.randint(1, 3))
            rng.shuffle(tokens)
            rows.append((" ".join(tokens), label))
    rng.shuffle(rows)
    return rows


def write_rows(path: Path, rows: list[tuple[str, str]]) -> Path:
    """A ``text,label`` CSV of ``rows``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows(rows)
    return path


def write_tiny_csv(path: Path, seed: int = 0) -> Path:
    return write_rows(path, toy_texts(seed))


def write_tiny_folder(root: Path) -> Path:
    """``root/{train,test}/{pos,neg}/*.txt`` (aclImdb layout)."""
    for split, seed, n in (("train", 0, N_PER_CLASS), ("test", 1, 6)):
        for i, (text, label) in enumerate(toy_texts(seed, n)):
            folder = root / split / ("pos" if label == "positive" else "neg")
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{i}.txt").write_text(text, encoding="utf-8")
    return root


def bench_module(name: str):
    """Import ``bench/<name>.py`` (the scripts import each other by bare name)."""
    bench = str(Path(__file__).resolve().parents[1] / "bench")
    sys.path.insert(0, bench)
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(bench)


def write_tar(path: Path, files: dict[str, str | bytes]) -> Path:
    """A gzipped tar archive holding ``files`` (member name → text or bytes), in that order."""
    with tarfile.open(path, "w:gz") as tar:
        for name, content in files.items():
            data = content.encode("utf-8") if isinstance(content, str) else content
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def write_tiny_vectors(path: Path) -> Path:
    """GloVe text format, 8 dimensions; sentiment words point in opposite directions."""
    rng = np.random.default_rng(0)
    lines = []
    for word in TOY_WORDS:
        vector = rng.normal(0.0, 0.1, VECTOR_DIM)
        if word in POSITIVE_WORDS:
            vector[0] += 1.0
        elif word in NEGATIVE_WORDS:
            vector[0] -= 1.0
        lines.append(word + " " + " ".join(f"{v:.5f}" for v in vector))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def tiny_config_dict(source: Path | str, vectors: Path | str) -> dict:
    return {
        "data": {"source": str(source), "validation_fraction": 0.25},
        "text": {"min_freq": 1, "max_vocab_size": 40, "max_length": 16},
        "vectors": {"source": str(vectors), "embedding_dim": VECTOR_DIM},
        "model": {
            "hidden_size": 8,
            "bidirectional": True,
            "pooling": ["max", "mean"],
            "embedding_dropout": 0.0,
            "dropout": 0.1,
        },
        "train": {
            "epochs": 15,
            "batch_size": 8,
            "lr": 0.02,
            "lr_schedule": "constant",  # tiny data: a fixed, high rate learns in a few steps
            "warmup_steps": 0,
            "patience": 3,
            "seed": 7,
            "checkpoint_every": 4,
            "bucket_size": 2,
            "threads": 1,
        },
    }


def to_toml(config: dict) -> str:
    """Enough TOML for :func:`tiny_config_dict` (tables of strings, numbers, bools, lists)."""

    def value(v: object) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, str):
            return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return repr(v)

    parts = []
    for section, table in config.items():
        parts.append(f"[{section}]")
        parts.extend(f"{key} = {value(v)}" for key, v in table.items())
        parts.append("")
    return "\n".join(parts)


@dataclass(frozen=True)
class TinyFiles:
    """Session-wide copies of the toy inputs, for module-scoped fixtures."""

    csv: Path
    vectors: Path
    toml: Path


@pytest.fixture(autouse=True, scope="session")
def _single_thread_torch():
    """One torch thread: the machine's cores belong to real training jobs."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture(autouse=True)
def _restore_root_logger():
    """The CLI reconfigures the root logger (``basicConfig(force=True)``): undo it per test."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def toy_rows() -> list[tuple[str, str]]:
    """The toy corpus as (text, label) pairs, for tests that skip the file readers."""
    return toy_texts(0)


@pytest.fixture
def probe_texts() -> dict[str, str]:
    """Unseen toy texts with the label a model trained on the toy corpus must give them."""
    return dict(PROBE_TEXTS)


@pytest.fixture
def tiny_csv(tmp_path: Path) -> Path:
    return write_tiny_csv(tmp_path / "tiny.csv")


@pytest.fixture
def tiny_folder(tmp_path: Path) -> Path:
    return write_tiny_folder(tmp_path / "tiny_folder")


@pytest.fixture
def tiny_vectors(tmp_path: Path) -> Path:
    return write_tiny_vectors(tmp_path / "tiny_vectors.txt")


@pytest.fixture
def tiny_config(tiny_csv: Path, tiny_vectors: Path) -> RunConfig:
    return RunConfig.from_dict(tiny_config_dict(tiny_csv, tiny_vectors))


@pytest.fixture(scope="session")
def tiny_files(tmp_path_factory: pytest.TempPathFactory) -> TinyFiles:
    root = tmp_path_factory.mktemp("tiny_files")
    csv_path = write_tiny_csv(root / "tiny.csv")
    vectors = write_tiny_vectors(root / "tiny_vectors.txt")
    raw = tiny_config_dict(csv_path, vectors)
    del raw["data"]["source"]  # given on the command line
    toml = root / "tiny.toml"
    toml.write_text(to_toml(raw), encoding="utf-8")
    return TinyFiles(csv=csv_path, vectors=vectors, toml=toml)


def tamper_consistently(bundle: Path) -> None:
    """Re-write a hand-edited bundle's manifest, as a buggy writer would: the files then
    "belong together" and only the loader's deeper checks can catch what is wrong."""
    write_manifest(bundle)
