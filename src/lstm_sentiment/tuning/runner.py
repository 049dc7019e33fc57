"""``tune()``: run (or resume) a study and write its table, best config and plots.

OUTPUT/study.db              the study (unless --storage names another database)
OUTPUT/trials/NNNN/          each trial's run folder (metrics, curves; the best keeps model/)
OUTPUT/trials.csv            one row per trial
OUTPUT/best_config.toml      the best configuration, for ``lstm-sentiment train --config``
OUTPUT/plots/*.png           optimisation history, parameter importances, parallel coordinates
OUTPUT/summary.json          settings, trial counts, best trial
"""

from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import optuna
import pandas as pd
import tomli_w
from optuna.trial import TrialState

from lstm_sentiment.config import RunConfig
from lstm_sentiment.data import Example
from lstm_sentiment.io_utils import write_json, write_text
from lstm_sentiment.tuning.objective import (
    TrialCleanup,
    source_trial,
    trial_config,
    trial_dir,
)
from lstm_sentiment.tuning.plots import plot_study
from lstm_sentiment.tuning.settings import METRICS, TuneSettings
from lstm_sentiment.tuning.space import SearchSpace
from lstm_sentiment.tuning.study import (
    create_or_load_study,
    finished_trials,
    recover_trials,
    redact_url,
)
from lstm_sentiment.tuning.workers import make_jobs, run_workers

logger = logging.getLogger(__name__)

BEST_CONFIG_FILE = "best_config.toml"
RESULT_COLUMNS = (
    "validation_accuracy",
    "validation_macro_f1",
    "validation_log_loss",
    "epochs_run",
    "best_epoch",
)


@dataclass
class TuneResult:
    """A study after :func:`tune`: its table, best trial and the files written."""

    study: optuna.Study
    output_dir: Path
    settings: TuneSettings
    table: pd.DataFrame
    best: dict[str, Any] | None
    """Number, value, parameters, run folder and config file of the best trial."""
    files: dict[str, Path] = field(default_factory=dict)
    seconds: float = 0.0


def tune(
    base: RunConfig,
    space: SearchSpace,
    output_dir: str | Path,
    settings: TuneSettings | None = None,
    *,
    examples: list[Example] | None = None,
    log_level: int | None = None,
) -> TuneResult:
    """Run or resume a study of ``space`` on top of ``base`` and write its outputs.

    Args:
        base: The configuration every trial starts from (its data section is shared).
        space: The parameters to search (see :mod:`lstm_sentiment.tuning.space`).
        output_dir: Folder of the study database, trial runs, table, best config and plots.
        settings: Sampler, pruner, metric, budget, storage and workers.
        examples: Already loaded training examples (``base.data.source`` is then not read);
            the validation split is carved from them as ``train`` does.
        log_level: Logging level of worker processes (``--workers`` > 1).
    """
    settings = settings or TuneSettings()
    output = Path(output_dir)
    output.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    if examples is None:
        from lstm_sentiment.preparation import load_training_data

        # Trials are scored on validation only: the test split is not even read.
        examples, _ = load_training_data(_without_test(base))
    study = create_or_load_study(base, space, settings, output)
    recovered = recover_trials(study, settings.max_retries)
    existing = len(study.get_trials(deepcopy=False))
    if recovered:
        logger.info("resuming: trials %s are queued again", ", ".join(map(str, recovered)))
    elif existing:
        logger.info("resuming study %r with %d trials", settings.study_name, existing)
    jobs = make_jobs(base, space, settings, output, examples, existing, log_level)
    run_workers(jobs)
    if study.trials:  # the last word on which bundle is the best one's
        TrialCleanup(output, settings.keep_bundles)(study, study.trials[-1])
    return write_outputs(study, base, space, settings, output, time.perf_counter() - started)


def _without_test(config: RunConfig) -> RunConfig:
    raw = config.to_dict()
    raw["data"]["test_split"] = ""
    return RunConfig.from_dict(raw)


def trials_table(study: optuna.Study, space: SearchSpace) -> pd.DataFrame:
    """One row per trial: state, score, parameters, validation metrics, epochs, notes."""
    rows = []
    for trial in study.get_trials(deepcopy=False):
        attrs = trial.user_attrs
        row: dict[str, Any] = {
            "trial": trial.number,
            "state": trial.state.name.lower(),
            "value": trial.value,
        }
        row.update({name: trial.params.get(name) for name in space.names})
        row.update({name: attrs.get(name) for name in RESULT_COLUMNS})
        duration = trial.duration.total_seconds() if trial.duration else None
        row["seconds"] = duration
        row["note"] = _note(trial)
        rows.append(row)
    return pd.DataFrame(rows)


def _note(trial: optuna.trial.FrozenTrial) -> str:
    attrs, system = trial.user_attrs, trial.system_attrs
    notes = []
    if "duplicate_of" in attrs:
        notes.append(f"same parameters as trial {attrs['duplicate_of']}")
    if "failed_trial" in system:
        notes.append(f"retry of trial {system['retry_history'][-1]}")
    if trial.state == TrialState.PRUNED and trial.intermediate_values:
        notes.append(f"pruned after epoch {max(trial.intermediate_values)}")
    if attrs.get("interrupted"):
        notes.append("interrupted")
    if "error" in attrs:
        notes.append(str(attrs["error"]))
    return "; ".join(notes)


def best_config(
    study: optuna.Study, base: RunConfig, settings: TuneSettings
) -> tuple[optuna.trial.FrozenTrial, RunConfig] | None:
    """The best completed trial and the config that trained it (the base config's threads)."""
    if not study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        return None
    best = study.best_trial
    return best, trial_config(base, best.params, settings.metric)


def export_config(config: RunConfig, path: Path, header: list[str]) -> Path:
    """Write ``config`` as TOML (``None`` values are left out: they are the defaults)."""
    raw = {
        section: {key: value for key, value in values.items() if value is not None}
        for section, values in config.to_dict().items()
    }
    comments = "".join(f"# {line}\n" for line in header)
    write_text(path, comments + "\n" + tomli_w.dumps(raw))
    return path


def write_outputs(
    study: optuna.Study,
    base: RunConfig,
    space: SearchSpace,
    settings: TuneSettings,
    output: Path,
    seconds: float = 0.0,
) -> TuneResult:
    """Trials table, best config, plots and summary of ``study``."""
    table = trials_table(study, space)
    files = {"trials_csv": output / "trials.csv"}
    write_text(files["trials_csv"], table.to_csv(index=False))
    metric = METRICS[settings.metric]
    best_info: dict[str, Any] | None = None
    found = best_config(study, base, settings)
    if found is not None:
        best, config = found
        run_dir = trial_dir(output, source_trial(best))
        files["best_config"] = export_config(
            config,
            output / BEST_CONFIG_FILE,
            [
                f"Best configuration of study {settings.study_name!r}: trial {best.number}, "
                f"validation {metric.name} {best.value:.4f}.",
                f"Trained as is by: lstm-sentiment train --config {BEST_CONFIG_FILE} "
                "--output RUN_DIR",
            ],
        )
        best_info = {
            "trial": best.number,
            "value": best.value,
            "params": best.params,
            "run_dir": str(run_dir),
            "model_dir": str(run_dir / "model") if (run_dir / "model").is_dir() else None,
            "config": str(files["best_config"]),
        }
    files.update(plot_study(study, output / "plots", target_name=f"validation {metric.name}"))
    trials = study.get_trials(deepcopy=False)
    states = {s.name.lower(): sum(t.state == s for t in trials) for s in TrialState}
    summary = {
        "study_name": settings.study_name,
        "storage": redact_url(settings.storage_url(output)),
        "settings": {**asdict(settings), "storage": redact_url(settings.storage or "") or None},
        "direction": metric.direction,
        "trials": states,
        "finished_trials": finished_trials(trials),
        "best": best_info,
        "seconds": seconds,
        "files": {name: str(path) for name, path in files.items()},
    }
    files["summary"] = output / "summary.json"
    write_json(files["summary"], summary)
    return TuneResult(study, output, settings, table, best_info, files, seconds)
