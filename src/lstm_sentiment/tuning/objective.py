"""One trial: suggested parameters → config → ``train()`` on the shared examples → score.

Per-epoch validation scores are reported to the study so a pruner can stop a hopeless trial
early. A trial whose parameters equal a finished trial's reuses its score instead of training the
same configuration again (a grid over conditional parameters, or a sampler repeating itself).
"""

from __future__ import annotations

import logging
import math
import os
import shutil
import socket
from pathlib import Path
from typing import Any

import optuna
from optuna.trial import FrozenTrial, TrialState

from lstm_sentiment.config import RunConfig
from lstm_sentiment.data import Example
from lstm_sentiment.errors import ConfigError, DataError, VectorsError
from lstm_sentiment.training.trainer import EpochRecord, FitResult, TrainingInterrupted
from lstm_sentiment.tuning.settings import METRICS
from lstm_sentiment.tuning.space import SearchSpace, apply_params

logger = logging.getLogger(__name__)


USER_ERRORS = (ConfigError, DataError, VectorsError)
"""Errors that fail one trial (a parameter combination that cannot run) but not the study."""
RESULT_ATTRS = (
    "validation_accuracy",
    "validation_macro_f1",
    "validation_log_loss",
    "best_epoch",
    "epochs_run",
    "train_seconds",
    "run_dir",
)
TRIALS_FOLDER = "trials"


def trial_dir(output_dir: Path, number: int) -> Path:
    """Run folder of trial ``number``: ``OUTPUT/trials/0007``."""
    return output_dir / TRIALS_FOLDER / f"{number:04d}"


def trial_config(
    base: RunConfig, params: dict[str, Any], metric: str, threads: int | None = None
) -> RunConfig:
    """The config a trial trains: ``base`` + parameters, best epoch chosen by ``metric``."""
    config = apply_params(base, params)
    config.train.monitor = METRICS[metric].monitor
    if threads is not None:
        config.train.threads = threads
    return config


class PruningCallback:
    """Trainer callback: report each epoch's validation score; raise ``TrialPruned`` when told."""

    def __init__(self, trial: optuna.Trial, metric: str) -> None:
        self.trial = trial
        self.field = METRICS[metric].record_field

    def on_step(self, step: int, loss: float, lr: float) -> None:
        return None

    def on_epoch_end(self, record: EpochRecord) -> None:
        self.trial.report(float(getattr(record, self.field)), step=record.epoch)
        if self.trial.should_prune():
            raise optuna.TrialPruned(f"pruned after epoch {record.epoch}")

    def on_train_end(self, result: FitResult) -> None:
        return None


class TrialObjective:
    """The function a study optimises: trains one configuration and returns its score."""

    def __init__(
        self,
        base: RunConfig,
        space: SearchSpace,
        metric: str,
        output_dir: Path,
        examples: list[Example],
        threads: int | None = None,
    ) -> None:
        self.base = base
        self.space = space
        self.metric = metric
        self.output_dir = output_dir
        self.examples = examples
        self.threads = threads

    def __call__(self, trial: optuna.Trial) -> float:
        # Who runs the trial: a resumed study fails and retries trials whose process is gone.
        trial.set_user_attr("host", socket.gethostname())
        trial.set_user_attr("pid", os.getpid())
        params = self.space.suggest(trial, self.base)
        original = same_params_trial(trial.study, params, trial.number)
        if original is not None:
            for key in RESULT_ATTRS:
                if key in original.user_attrs:
                    trial.set_user_attr(key, original.user_attrs[key])
            trial.set_user_attr("duplicate_of", original.number)
            logger.info("trial %d repeats trial %d: its score", trial.number, original.number)
            return float(original.value)  # type: ignore[arg-type]
        logger.info("trial %d: %s", trial.number, _describe(params))
        run_dir = trial_dir(self.output_dir, trial.number)
        try:
            config = trial_config(self.base, params, self.metric, self.threads)
            trial.set_user_attr("run_dir", str(run_dir.relative_to(self.output_dir)))
            from lstm_sentiment.pipeline import train

            result = train(
                config,
                run_dir,
                overwrite=True,  # a trial folder belongs to its trial
                examples=(self.examples, []),
                callbacks=[PruningCallback(trial, self.metric)],
            )
        except USER_ERRORS as exc:
            # NaN fails this trial (Optuna logs it) and the study goes on with the next one.
            trial.set_user_attr("error", str(exc))
            logger.warning("trial %d cannot run: %s", trial.number, exc)
            return math.nan
        except (TrainingInterrupted, KeyboardInterrupt):
            trial.set_user_attr("interrupted", True)
            raise
        finally:
            shutil.rmtree(run_dir / "checkpoints", ignore_errors=True)
        validation = result.metrics["validation"]
        for name in ("accuracy", "macro_f1", "log_loss"):
            trial.set_user_attr(f"validation_{name}", float(validation[name]))
        trial.set_user_attr("best_epoch", result.fit.best_epoch)
        trial.set_user_attr("epochs_run", len(result.fit.history))
        trial.set_user_attr("train_seconds", result.fit.train_seconds)
        return float(validation[self.metric])


def same_params_trial(
    study: optuna.Study, params: dict[str, Any], number: int
) -> FrozenTrial | None:
    """An earlier completed trial with exactly these parameters (``None`` if there is none)."""
    for other in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        if other.number != number and other.params == params and other.value is not None:
            return other
    return None


def source_trial(trial: FrozenTrial) -> int:
    """The trial that trained this configuration (itself unless it repeated another)."""
    return int(trial.user_attrs.get("duplicate_of", trial.number))


class TrialCleanup:
    """Study callback bounding disk use: drop checkpoints, and bundles of all but the best.

    Every trial keeps ``metrics.json``, ``metrics.csv``, ``config.json`` and its plots; with
    ``keep_bundles="best"`` only the best trial so far keeps its ``model/`` bundle.
    """

    def __init__(self, output_dir: Path, keep_bundles: str = "best") -> None:
        self.output_dir = output_dir
        self.keep_bundles = keep_bundles

    def __call__(self, study: optuna.Study, trial: FrozenTrial) -> None:
        shutil.rmtree(trial_dir(self.output_dir, trial.number) / "checkpoints", ignore_errors=True)
        if self.keep_bundles == "all":
            return
        complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
        best = source_trial(study.best_trial) if complete else None
        for other in study.get_trials(deepcopy=False):
            if other.state.is_finished() and other.number != best:
                bundle = trial_dir(self.output_dir, other.number) / "model"
                shutil.rmtree(bundle, ignore_errors=True)


def _describe(params: dict[str, Any]) -> str:
    return ", ".join(f"{name}={value}" for name, value in params.items())
