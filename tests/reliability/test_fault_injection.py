"""SIGKILL at chosen points of training, checkpointing and bundle saving, then resume or load:
the old state or the new state, never a mix, and identical final probabilities after resume."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lstm_sentiment.predict import SentimentModel
from lstm_sentiment.training.checkpoint import WEIGHTS_FILE, read_state

pytestmark = pytest.mark.slow  # child processes that train: `pytest -m "not slow"` skips them
KILL_AT = Path(__file__).with_name("kill_at.py")
TEXTS = ["a great and wonderful film", "awful boring plot", "the acting was", "superb", "dull"]
TIMEOUT_SECONDS = 240


def run(tmp: Path, *cli: object, kill: tuple[str, str, int] | None = None) -> int:
    """The CLI in a fresh process (optionally killed at a file event); its exit code."""
    base = [sys.executable, str(KILL_AT), *(map(str, kill or ("none", "-", 0))), "--"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [*base, "-q", *map(str, cli)],
        cwd=tmp,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
    )
    if kill is None or done.returncode != -signal.SIGKILL:
        assert "Traceback" not in done.stderr, done.stderr
    return done.returncode


def train_args(tiny_files, output: Path, *extra: str) -> list[object]:
    return [
        "train", "--data", tiny_files.csv, "--config", tiny_files.toml, "--output", output,
        "--set", "train.epochs=4", "--set", "train.patience=0", "--set", "train.checkpoint_every=3",
        *extra,
    ]  # fmt: skip


def probabilities(bundle: Path) -> np.ndarray:
    return SentimentModel.load(bundle).predict_proba(TEXTS)


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory, tiny_files) -> np.ndarray:
    tmp = tmp_path_factory.mktemp("straight")
    assert run(tmp, *train_args(tiny_files, tmp / "run")) == 0
    return probabilities(tmp / "run" / "model")


@pytest.mark.parametrize(
    "kill",
    [
        ("step", "-", 5),  # mid-epoch, between checkpoints
        ("replace", WEIGHTS_FILE, 2),  # new checkpoint complete, not yet renamed into place
        ("replaced", WEIGHTS_FILE, 3),  # just after a checkpoint was renamed into place
    ],
    ids=["mid-epoch", "before-checkpoint-rename", "after-checkpoint-rename"],
)
def test_killed_training_resumes_to_identical_probabilities(
    tmp_path: Path, tiny_files, uninterrupted: np.ndarray, kill: tuple[str, str, int]
) -> None:
    output = tmp_path / "run"
    assert run(tmp_path, *train_args(tiny_files, output), kill=kill) == -signal.SIGKILL
    assert (output / "checkpoints" / WEIGHTS_FILE).is_file()
    read_state(output / "checkpoints")  # the checkpoint on disk is whole
    assert run(tmp_path, *train_args(tiny_files, output, "--resume")) == 0
    np.testing.assert_allclose(probabilities(output / "model"), uninterrupted, rtol=0, atol=1e-6)


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory, tiny_files) -> tuple[Path, np.ndarray]:
    """A finished run (seed 7) and the probabilities a retrain with seed 8 gives."""
    tmp = tmp_path_factory.mktemp("bundles")
    assert run(tmp, *train_args(tiny_files, tmp / "old", *SHORT)) == 0
    assert run(tmp, *train_args(tiny_files, tmp / "new", *SHORT, *RESEED)) == 0
    return tmp / "old", probabilities(tmp / "new" / "model")


SHORT = ("--set", "train.epochs=2")
RESEED = ("--set", "train.seed=8")


@pytest.mark.parametrize(
    ("kill", "expect"),
    [
        (("replace", "config.json", 3), "old"),  # inside the new bundle's staging folder
        (("replaced", "manifest.json", 1), "old"),  # staging complete, not swapped in
        (("replaced", "metrics.json", 2), "new"),  # after the swap, writing the run's metrics
    ],
    ids=["while-writing-bundle", "before-swap", "after-swap"],
)
def test_killed_bundle_save_leaves_the_old_or_the_new_bundle(
    tmp_path: Path, tiny_files, two_runs: tuple[Path, np.ndarray], kill, expect: str
) -> None:
    template, new = two_runs
    output = shutil.copytree(template, tmp_path / "run")
    old = probabilities(output / "model")
    assert not np.allclose(old, new)
    retrain = train_args(tiny_files, output, "--overwrite", *SHORT, *RESEED)
    assert run(tmp_path, *retrain, kill=kill) == -signal.SIGKILL
    found = probabilities(output / "model")  # loads: complete and consistent
    np.testing.assert_allclose(found, old if expect == "old" else new, rtol=0, atol=1e-6)
    if expect == "old":
        # The next run under the lock removes what the killed one left behind.
        assert [p for p in output.iterdir() if p.name.startswith(".model.new.")]
        assert run(tmp_path, *retrain) == 0
        assert not [p for p in output.iterdir() if p.name.startswith(".model.")]
        np.testing.assert_allclose(probabilities(output / "model"), new, rtol=0, atol=1e-6)
