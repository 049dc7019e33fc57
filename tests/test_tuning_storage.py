"""Studies in shared storages, as on several machines: two worker processes, one killed
mid-trial, and the same command run again finishing the study. Optuna's journal file always
runs; PostgreSQL runs where ``LSTM_SENTIMENT_TEST_POSTGRES_URL`` names a database (CI starts
one)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import optuna
import pytest
from optuna.trial import TrialState

from lstm_sentiment.training.faults import FAULT_ENV, FAULT_EXIT_CODE
from lstm_sentiment.tuning.study import finished_trials, open_storage, redact_url

SRC = Path(__file__).resolve().parents[1] / "src"
POSTGRES_ENV = "LSTM_SENTIMENT_TEST_POSTGRES_URL"
TRIALS = 3
TIMEOUT = 300
# 45 training texts in batches of 8: 6 steps an epoch; step 4 is in the middle of the first.
TRAIN = ["train.epochs=2", "train.patience=0", "train.checkpoint_every=0", "train.calibrate=false"]
FAULT_STEP = 4


def run_tune(tiny_files, output: Path, storage: str, study: str, env: dict[str, str]):
    space = output.parent / "space.toml"
    space.write_text('"train.lr" = { type = "float", low = 0.005, high = 0.05 }\n')
    args = [sys.executable, "-m", "lstm_sentiment", "tune", "--data", str(tiny_files.csv)]
    args += ["--config", str(tiny_files.toml), "--space", str(space), "--output", str(output)]
    args += ["--sampler", "random", "--pruner", "none", "--trials", str(TRIALS)]
    args += ["--workers", "2", "--storage", storage, "--study-name", study]
    args += [f"--set={override}" for override in TRAIN]
    full_env = {k: v for k, v in os.environ.items() if k != FAULT_ENV} | env
    full_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")]))
    return subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT, env=full_env)


def kill_a_worker_then_resume(tiny_files, tmp_path: Path, storage: str, study_name: str) -> None:
    """Run the study with a worker that dies at step 4 of its trial, then run it again."""
    output = tmp_path / "study"
    marker = tmp_path / "fault-happened"
    fault = {FAULT_ENV: f"step={FAULT_STEP},once={marker}"}
    killed = run_tune(tiny_files, output, storage, study_name, fault)
    assert killed.returncode == 2, killed.stderr
    assert marker.exists()
    assert f"exit code {FAULT_EXIT_CODE}" in killed.stderr
    trials = optuna.load_study(study_name=study_name, storage=open_storage(storage)).trials
    running = [t for t in trials if t.state == TrialState.RUNNING]
    assert len(running) == 1  # the dead worker's trial, still marked running

    resumed = run_tune(tiny_files, output, storage, study_name, {})
    assert resumed.returncode == 0, resumed.stderr
    study = optuna.load_study(study_name=study_name, storage=open_storage(storage))
    trials = study.trials
    dead = trials[running[0].number]
    assert dead.state == TrialState.FAIL
    retries = [t for t in trials if t.system_attrs.get("failed_trial") == dead.number]
    assert len(retries) == 1
    assert retries[0].state == TrialState.COMPLETE
    assert retries[0].params == dead.params  # retried with the same parameters
    assert finished_trials(trials) >= TRIALS
    assert all(t.state == TrialState.COMPLETE for t in trials if t.number != dead.number)
    assert (output / "best_config.toml").is_file()


def test_journal_file_study_survives_a_killed_worker(tiny_files, tmp_path: Path) -> None:
    storage = f"journal:{tmp_path / 'study.log'}"
    kill_a_worker_then_resume(tiny_files, tmp_path, storage, "journal-study")
    assert (tmp_path / "study.log").stat().st_size > 0
    assert not (tmp_path / "study" / "study.db").exists()  # the journal, not the SQLite default


@pytest.mark.skipif(
    not os.environ.get(POSTGRES_ENV),
    reason=f"{POSTGRES_ENV} is not set: no PostgreSQL database to test against (.ci/run starts "
    "one and sets it)",
)
def test_postgres_study_survives_a_killed_worker(tiny_files, tmp_path: Path) -> None:
    from sqlalchemy.engine import make_url

    storage = os.environ[POSTGRES_ENV]
    study_name = f"test-{uuid.uuid4().hex[:12]}"  # the database outlives the test
    try:
        kill_a_worker_then_resume(tiny_files, tmp_path, storage, study_name)
        summary = (tmp_path / "study" / "summary.json").read_text(encoding="utf-8")
        password = make_url(storage).password
        assert not password or f":{password}@" not in summary  # never written to disk
    finally:
        optuna.delete_study(study_name=study_name, storage=open_storage(storage))


def test_storage_urls_hide_passwords() -> None:
    assert redact_url("postgresql://ann:s3cret@db.example:5432/studies") == (
        "postgresql://ann:***@db.example:5432/studies"
    )
    assert redact_url("sqlite:///runs/study.db") == "sqlite:///runs/study.db"
    assert redact_url("journal:/tmp/a@b.log") == "journal:/tmp/a@b.log"


def test_bad_storages_are_one_line_errors(tmp_path: Path) -> None:
    from lstm_sentiment.errors import ConfigError

    with pytest.raises(ConfigError, match="journal:PATH needs a file"):
        open_storage("journal:")
    with pytest.raises(ConfigError, match="is a folder"):
        open_storage(f"journal:{tmp_path}")
    with pytest.raises(ConfigError) as error:
        open_storage("postgresql://ann:s3cret@127.0.0.1:1/none")
    assert "s3cret" not in str(error.value)
    assert "***" in str(error.value)
