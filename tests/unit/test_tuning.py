"""Hyperparameter search: search-space files, tiny studies per sampler, pruning, resume after a
kill, two workers on one study, and the exported best config retrained by ``train``
(through the CLI)."""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import optuna
import pandas as pd
import pytest
from optuna.trial import TrialState

from lstm_sentiment.config import RunConfig
from lstm_sentiment.data import Example
from lstm_sentiment.errors import ConfigError
from lstm_sentiment.tuning import (
    TuneSettings,
    create_or_load_study,
    parse_search_space,
    tune,
)
from lstm_sentiment.tuning.settings import TuningError
from lstm_sentiment.tuning.study import finished_trials
from lstm_sentiment.tuning.workers import worker_threads
from test_cli import run_cli

TINY_TRAIN = {"epochs": 2, "patience": 0, "checkpoint_every": 0, "calibrate": False}
SPACE = {
    "train.lr": {"type": "float", "low": 1e-3, "high": 5e-2, "log": True},
    "model.hidden_size": {"values": [4, 8]},
}


@pytest.fixture
def base(tiny_config: RunConfig) -> RunConfig:
    """The tiny config, two epochs per trial, no checkpoints or calibration (fast)."""
    return tiny_config.with_overrides([f"train.{k}={json.dumps(v)}" for k, v in TINY_TRAIN.items()])


@pytest.fixture
def examples(toy_rows: list[tuple[str, str]]) -> list[Example]:
    return [Example(text, label) for text, label in toy_rows]


def run_study(base: RunConfig, examples: list[Example], output: Path, space=SPACE, **settings):
    return tune(
        base,
        parse_search_space(space, base),
        output,
        TuneSettings(**{"startup_trials": 1, **settings}),
        examples=examples,
    )


# --- search-space files ---


def test_space_ranges_choices_nesting_and_conditions(base: RunConfig) -> None:
    raw = {
        "model": {"num_layers": {"type": "int", "low": 1, "high": 3,
                                 "condition": {"model.architecture": ["lstm", "gru"]}}},
        "model.architecture": {"choices": ["lstm", "cnn"]},
        "model.pooling": {"choices": [["max", "mean"], "last"]},
        "train.batch_size": {"type": "int", "low": 8, "high": 32, "step": 8},
    }  # fmt: skip
    space = parse_search_space(raw, base)
    # The condition's key is suggested first, whatever the order in the file.
    assert space.names.index("model.architecture") < space.names.index("model.num_layers")
    assert space.grid()["train.batch_size"] == [8, 16, 24, 32]
    assert space.grid()["model.pooling"] == ["max,mean", "last"]
    fixed = {"model.pooling": "max,mean", "train.batch_size": 16, "model.num_layers": 2}
    cnn = space.suggest(optuna.trial.FixedTrial({**fixed, "model.architecture": "cnn"}), base)
    lstm = space.suggest(optuna.trial.FixedTrial({**fixed, "model.architecture": "lstm"}), base)
    assert "model.num_layers" not in cnn
    assert lstm["model.num_layers"] == 2


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ({"train.lrr": {"type": "float", "low": 0.1, "high": 1}}, ["train.lrr", "valid", "lr"]),
        ({"modle.dropout": {"values": [0.1]}}, ["modle", "valid", "model"]),
        ({"data.validation_fraction": {"values": [0.1, 0.2]}}, ["cannot be tuned"]),
        ({"train.seed": {"values": [1, 2]}}, ["cannot be tuned"]),
        ({"train.lr": {"type": "float", "low": 0.1, "high": 0.01}}, ["low < high"]),
        ({"train.lr": {"type": "float", "low": 0.0, "high": 1, "log": True}}, ["log"]),
        ({"train.lr": {"type": "float", "low": 0.1, "high": 1, "stride": 2}}, ["stride", "valid"]),
        ({"train.optimizer": {"choices": ["adam", "adamm"]}}, ["adamm", "optimizer"]),
        ({"model.dropout": {"type": "float", "low": 0.1, "high": 1.5}}, ["dropout", "1.5"]),
        ({"train.lr": {"type": "float", "low": 0.1, "high": 1,
                       "condition": {"model.archi": ["lstm"]}}}, ["model.archi"]),
    ],
)  # fmt: skip
def test_space_errors_name_the_problem(base: RunConfig, raw: dict, words: list[str]) -> None:
    with pytest.raises(ConfigError) as error:
        parse_search_space(raw, base)
    for word in words:
        assert word in str(error.value), (word, str(error.value))


def test_grid_needs_explicit_values_for_float_ranges(base: RunConfig) -> None:
    space = parse_search_space({"train.lr": {"type": "float", "low": 0.01, "high": 0.1}}, base)
    with pytest.raises(ConfigError, match="values"):
        space.grid()


def test_slides_grid_file_is_batch_size_times_epochs(base: RunConfig) -> None:
    from lstm_sentiment.tuning import load_search_space

    path = Path(__file__).parents[2] / "configs" / "tune_slides_grid.toml"
    grid = load_search_space(path, base).grid()
    assert grid == {"train.batch_size": [10, 20, 40], "train.epochs": [1, 2, 3]}
    assert TuneSettings(sampler="grid").pruner == "none"  # a grid evaluates every point


def test_resuming_with_another_space_fails(base: RunConfig, tmp_path: Path) -> None:
    settings = TuneSettings()
    create_or_load_study(base, parse_search_space(SPACE, base), settings, tmp_path)
    other = parse_search_space({"train.lr": {"values": [0.01, 0.02]}}, base)
    with pytest.raises(ConfigError, match="another space"):
        create_or_load_study(base, other, settings, tmp_path)


# --- tiny studies ---


@pytest.mark.parametrize(("sampler", "trials"), [("tpe", 3), ("gp", 2)])  # random: see below
def test_each_sampler_finishes_its_budget(
    base: RunConfig, examples: list[Example], tmp_path: Path, sampler: str, trials: int
) -> None:
    result = run_study(base, examples, tmp_path, sampler=sampler, trials=trials, pruner="none")
    states = [t.state for t in result.study.trials]
    assert states == [TrialState.COMPLETE] * trials
    table = pd.read_csv(tmp_path / "trials.csv")
    assert list(table["trial"]) == list(range(trials))
    assert {"train.lr", "model.hidden_size", "validation_accuracy"} <= set(table.columns)
    assert RunConfig.from_file(tmp_path / "best_config.toml").train.monitor == "accuracy"
    assert (tmp_path / "plots" / "optimization_history.png").is_file()
    # Only the best trial keeps its bundle; no trial keeps checkpoints.
    bundles = sorted(p.parent.name for p in (tmp_path / "trials").glob("*/model"))
    assert bundles == [f"{result.best['trial']:04d}"]
    assert not list((tmp_path / "trials").glob("*/checkpoints"))


def test_grid_visits_every_point_once(
    base: RunConfig, examples: list[Example], tmp_path: Path
) -> None:
    space = {"model.hidden_size": {"values": [4, 8]}, "train.lr": {"values": [0.01, 0.03]}}
    base = base.with_overrides(["train.epochs=1"])
    result = run_study(base, examples, tmp_path, space=space, sampler="grid")
    visited = sorted(
        (t.params["model.hidden_size"], t.params["train.lr"]) for t in result.study.trials
    )
    assert visited == [(4, 0.01), (4, 0.03), (8, 0.01), (8, 0.03)]
    assert {t.state for t in result.study.trials} == {TrialState.COMPLETE}
    assert (tmp_path / "plots" / "parallel_coordinate.png").is_file()


def test_median_pruner_stops_a_hopeless_trial(
    base: RunConfig, examples: list[Example], tmp_path: Path
) -> None:
    base = base.with_overrides(["train.epochs=4"])
    space = parse_search_space({"train.lr": {"type": "float", "low": 1e-7, "high": 0.1}}, base)
    settings = TuneSettings(trials=2, metric="log_loss", startup_trials=1, pruner="median")
    study = create_or_load_study(base, space, settings, tmp_path)
    study.enqueue_trial({"train.lr": 0.05})  # learns the toy task in an epoch
    study.enqueue_trial({"train.lr": 1e-7})  # cannot learn anything
    result = tune(base, space, tmp_path, settings, examples=examples)
    good, hopeless = result.study.trials
    assert good.state == TrialState.COMPLETE
    assert hopeless.state == TrialState.PRUNED
    assert max(hopeless.intermediate_values) < base.train.epochs
    assert "pruned after epoch" in pd.read_csv(tmp_path / "trials.csv")["note"].iloc[1]


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


@pytest.mark.filterwarnings("ignore:Heartbeat of storage:UserWarning")  # ask() by hand
def test_resume_retries_a_killed_and_an_interrupted_trial(
    base: RunConfig, examples: list[Example], tmp_path: Path
) -> None:
    space = parse_search_space(SPACE, base)
    settings = TuneSettings(sampler="random", trials=2, pruner="none")
    study = create_or_load_study(base, space, settings, tmp_path)
    # A worker killed mid-trial leaves its trial RUNNING, with its host and process id.
    killed = study.ask()
    killed_params = space.suggest(killed, base)
    killed.set_user_attr("host", socket.gethostname())
    killed.set_user_attr("pid", dead_pid())
    # Ctrl-C marks the trial failed and interrupted.
    interrupted = study.ask()
    interrupted_params = space.suggest(interrupted, base)
    interrupted.set_user_attr("interrupted", True)
    study.tell(interrupted, state=TrialState.FAIL)

    result = tune(base, space, tmp_path, settings, examples=examples)
    trials = result.study.trials
    assert [t.state for t in trials[:2]] == [TrialState.FAIL, TrialState.FAIL]
    retries = {
        t.system_attrs["failed_trial"]: t for t in trials if "failed_trial" in t.system_attrs
    }
    assert retries[0].params == killed_params
    assert retries[1].params == interrupted_params
    assert all(t.state == TrialState.COMPLETE for t in retries.values())
    assert len(trials) == 4  # the two retries finish the budget: no new trial
    assert finished_trials(trials) == 2  # the budget counts the retries, not the failures
    notes = pd.read_csv(tmp_path / "trials.csv")["note"].fillna("")
    assert any("retry of trial 0" in note for note in notes)


def test_two_workers_share_one_study(
    base: RunConfig, examples: list[Example], tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    space = parse_search_space(SPACE, base)
    settings = TuneSettings(sampler="random", trials=2, pruner="none", workers=2)
    result = tune(base, space, tmp_path, settings, examples=examples, log_level=logging.INFO)
    joined = re.findall(r"\[worker (\d)\] joined study .* \(process (\d+),", capfd.readouterr().err)
    assert sorted(index for index, _ in joined) == ["0", "1"]  # both processes used the study
    trials = result.study.trials
    worker_pids = {int(pid) for _, pid in joined}
    assert os.getpid() not in worker_pids
    assert {t.user_attrs["pid"] for t in trials} <= worker_pids
    assert 2 <= finished_trials(trials) <= 3  # a last trial may start in both at once
    assert all(t.state == TrialState.COMPLETE for t in trials)
    # Each worker trains with its share of the cores.
    configs = [json.loads(p.read_text()) for p in (tmp_path / "trials").glob("*/config.json")]
    assert {c["train"]["threads"] for c in configs} == {worker_threads(base, 2)}


def test_cli_tune_then_train_the_exported_config(
    tiny_files, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    space_file = tmp_path / "space.toml"
    space_file.write_text('"train.lr" = { values = [0.01, 0.03] }\n', encoding="utf-8")
    output = tmp_path / "study"
    tune_args = ["tune", "--data", tiny_files.csv, "--config", tiny_files.toml]
    tune_args += ["--space", space_file, "--output", output, "--sampler", "grid"]
    tune_args += [f"--set=train.{k}={json.dumps(v)}" for k, v in TINY_TRAIN.items()]
    code, out, err = run_cli(capsys, *tune_args)
    assert code == 0, err
    assert "best: trial" in out and "best_config.toml" in out
    summary = json.loads((output / "summary.json").read_text(encoding="utf-8"))
    assert summary["trials"]["complete"] == 2

    code, _, err = run_cli(
        capsys, "-q", "train", "--config", output / "best_config.toml", "--output", tmp_path / "run"
    )
    assert code == 0, err
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["validation"]["accuracy"] == pytest.approx(summary["best"]["value"], abs=1e-9)
    # Running the command again resumes the finished study: no new trial.
    code, _, err = run_cli(capsys, *tune_args)
    assert code == 0, err
    assert json.loads((output / "summary.json").read_text())["trials"]["complete"] == 2


def test_cli_tune_rejects_a_bad_space(tiny_files, tmp_path: Path, capsys) -> None:
    from test_cli import assert_input_error

    space_file = tmp_path / "space.toml"
    space_file.write_text('"train.lrr" = { values = [0.01] }\n', encoding="utf-8")
    code, _, err = run_cli(
        capsys, "tune", "--data", tiny_files.csv, "--space", space_file, "--output", tmp_path
    )
    assert_input_error(code, err, "train.lrr", "valid")


def test_a_study_whose_trials_all_fail_alike_stops(
    base: RunConfig, examples: list[Example], tmp_path: Path
) -> None:
    broken = base.with_overrides([f"vectors.source={tmp_path / 'missing.txt'}"])
    with pytest.raises(TuningError, match="first 3 trials all failed: no such vectors file"):
        run_study(broken, examples, tmp_path, sampler="random", trials=10)
