"""Studies: samplers, pruners, persistent storage, resume after a kill, parallel workers.

A study lives in a database (``sqlite:///OUTPUT/study.db`` by default, or any SQLAlchemy URL such
as PostgreSQL for workers on several machines), so running the same ``tune`` command again
continues it: finished trials count toward ``--trials``, and a trial left *running* by a process
that no longer exists is marked failed and queued again with the same parameters. On this machine
that is detected from the process id recorded with the trial; for other machines Optuna's
heartbeat marks a trial stale after :data:`GRACE_SECONDS` without news.

``--workers N`` starts N processes that share the study through its storage, each training with
``cores // N`` torch threads.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import multiprocessing
import os
import socket
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import optuna
from optuna.trial import FrozenTrial, TrialState

from lstm_sentiment.config import RunConfig
from lstm_sentiment.data import Example
from lstm_sentiment.errors import ConfigError, LstmSentimentError
from lstm_sentiment.training.trainer import TrainingInterrupted
from lstm_sentiment.tuning.objective import TrialCleanup, TrialObjective
from lstm_sentiment.tuning.settings import (
    GRACE_SECONDS,
    HEARTBEAT_SECONDS,
    HYPERBAND_REDUCTION,
    INTERRUPT_WAIT_SECONDS,
    METRICS,
    SQLITE_TIMEOUT_SECONDS,
    TuneSettings,
    TuningError,
)
from lstm_sentiment.tuning.space import SearchSpace

logger = logging.getLogger(__name__)


def open_storage(url: str, max_retries: int = 2) -> optuna.storages.RDBStorage:
    """The study database, with heartbeats so a dead worker's trial is retried."""
    engine_kwargs: dict[str, Any] = {}
    if url.startswith("sqlite"):
        engine_kwargs["connect_args"] = {"timeout": SQLITE_TIMEOUT_SECONDS}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            return optuna.storages.RDBStorage(
                url,
                engine_kwargs=engine_kwargs,
                heartbeat_interval=HEARTBEAT_SECONDS,
                grace_period=GRACE_SECONDS,
                heartbeat_stale_trial_callback=functools.partial(
                    retry_trial, max_retries=max_retries
                ),
            )
    except Exception as exc:  # SQLAlchemy raises many kinds for a bad URL or a missing driver
        raise ConfigError(f"cannot open study storage {url!r}: {exc}") from None


def build_sampler(
    settings: TuneSettings, space: SearchSpace, worker: int = 0, session: int = 0
) -> optuna.samplers.BaseSampler:
    """The sampler of one worker; seeds differ per worker and per session (resume)."""
    if settings.sampler == "grid":
        # Every worker and session must shuffle the grid the same way (trials store grid ids).
        return optuna.samplers.GridSampler(space.grid(), seed=settings.seed)
    seed = int(np.random.SeedSequence([settings.seed, worker, session]).generate_state(1)[0])
    if settings.sampler == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if settings.sampler == "gp":
        return optuna.samplers.GPSampler(
            seed=seed,
            n_startup_trials=settings.startup_trials,
            warn_independent_sampling=not space.has_conditions,
        )
    return optuna.samplers.TPESampler(
        seed=seed, n_startup_trials=settings.startup_trials, constant_liar=settings.workers > 1
    )


def build_pruner(
    settings: TuneSettings, space: SearchSpace, base: RunConfig
) -> optuna.pruners.BasePruner:
    """Median or Hyperband pruning on per-epoch validation scores (or none)."""
    if settings.pruner == "median":
        return optuna.pruners.MedianPruner(
            n_startup_trials=settings.startup_trials,
            n_warmup_steps=settings.warmup_epochs + 1,  # steps are 1-based epochs
        )
    if settings.pruner == "hyperband":
        return optuna.pruners.HyperbandPruner(
            min_resource=1,
            max_resource=space.max_value("train.epochs", base.train.epochs),
            reduction_factor=HYPERBAND_REDUCTION,
        )
    return optuna.pruners.NopPruner()


def comparable_config(config: RunConfig) -> dict[str, Any]:
    """The base config as stored with a study (threads do not change results)."""
    raw = config.to_dict()
    raw["train"]["threads"] = 0
    return raw


def create_or_load_study(
    base: RunConfig, space: SearchSpace, settings: TuneSettings, output_dir: Path
) -> optuna.Study:
    """Create the study, or load it and check it was made with the same space, config, metric."""
    storage = open_storage(settings.storage_url(output_dir), settings.max_retries)
    direction = METRICS[settings.metric].direction
    study = optuna.create_study(
        storage=storage, study_name=settings.study_name, direction=direction, load_if_exists=True
    )
    if study.direction.name.lower() != direction:
        raise ConfigError(
            f"study {settings.study_name!r} was created to {study.direction.name.lower()}; "
            f"--metric {settings.metric} needs {direction}: pass a new --study-name"
        )
    wanted = {
        "metric": settings.metric,
        "space": space.to_dict(),
        "base_config": comparable_config(base),
    }
    for key, value in wanted.items():
        saved = study.user_attrs.get(key)
        if saved is None:
            study.set_user_attr(key, value)
        elif saved != value:
            raise ConfigError(
                f"study {settings.study_name!r} was created with another {key.replace('_', ' ')} "
                f"({_first_difference(saved, value)}): rerun with the same settings to resume, "
                "or pass a new --study-name"
            )
    return study


def _first_difference(saved: Any, given: Any, path: str = "") -> str:
    if isinstance(saved, dict) and isinstance(given, dict):
        for key in sorted(set(saved) | set(given)):
            if saved.get(key) != given.get(key):
                return _first_difference(saved.get(key), given.get(key), f"{path}{key}.")
    return f"{path.rstrip('.') or 'value'}: {saved!r} then, {given!r} now"


def retry_trial(study: optuna.Study, trial: FrozenTrial, max_retries: int = 2) -> bool:
    """Queue a failed trial's parameters again (Optuna runs waiting trials first)."""
    history = [*trial.system_attrs.get("retry_history", []), trial.number]
    if len(history) > max_retries:
        logger.warning("trial %d failed again: not retried (%d retries)", trial.number, max_retries)
        return False
    # Grid samplers need their grid point back: keep the system attributes.
    system_attrs = {**trial.system_attrs, "failed_trial": history[0], "retry_history": history}
    study.add_trial(
        optuna.trial.create_trial(
            state=TrialState.WAITING,
            params=trial.params,
            distributions=trial.distributions,
            system_attrs=system_attrs,
        )
    )
    logger.info("trial %d queued again with the same parameters", trial.number)
    return True


def _process_gone(trial: FrozenTrial) -> bool:
    """The trial's process ran on this machine and no longer exists (or is this process)."""
    host, pid = trial.user_attrs.get("host"), trial.user_attrs.get("pid")
    if host != socket.gethostname() or not isinstance(pid, int):
        return False
    if pid == os.getpid():
        return True  # called between trials: this process runs none of them
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def retried_numbers(trials: list[FrozenTrial]) -> set[int]:
    """Numbers of failed trials that were queued again."""
    return {n for t in trials for n in t.system_attrs.get("retry_history", [])}


def recover_trials(study: optuna.Study, max_retries: int = 2) -> list[int]:
    """Fail and retry trials whose process died; retry trials failed by an interrupt."""
    trials = study.get_trials(deepcopy=False)
    retried = retried_numbers(trials)
    recovered = []
    for trial in trials:
        if trial.state == TrialState.RUNNING and _process_gone(trial):
            try:
                # Optuna's own heartbeat code fails stale trials through the storage this way.
                study._storage.set_trial_state_values(trial._trial_id, state=TrialState.FAIL)
            except optuna.exceptions.UpdateFinishedTrialError:
                continue
            logger.warning("trial %d was left running by a process that is gone", trial.number)
        elif not (
            trial.state == TrialState.FAIL
            and trial.user_attrs.get("interrupted")
            and trial.number not in retried
        ):
            continue
        if retry_trial(study, trial, max_retries):
            recovered.append(trial.number)
    return recovered


def finished_trials(trials: list[FrozenTrial]) -> int:
    """Trials that count toward the budget: completed, pruned, or failed and not retried."""
    retried = retried_numbers(trials)
    done = (TrialState.COMPLETE, TrialState.PRUNED)
    return sum(
        t.state in done or (t.state == TrialState.FAIL and t.number not in retried) for t in trials
    )


@dataclass
class WorkerJob:
    """Everything a worker process needs (sent to it by pickling)."""

    index: int
    base: dict[str, Any]
    space: SearchSpace
    settings: TuneSettings
    output_dir: Path
    examples: list[Example]
    budget: int | None
    deadline: float | None
    """``time.time()`` after which no new trial starts."""
    threads: int | None = None
    log_level: int | None = None
    """Set in worker processes: configure logging (they do not inherit the parent's)."""
    session: int = 0


def _should_stop(study: optuna.Study, job: WorkerJob) -> bool:
    if job.deadline is not None and time.time() >= job.deadline:
        return True
    trials = study.get_trials(deepcopy=False)
    if any(t.state == TrialState.WAITING for t in trials):
        return False  # retries of killed trials go first
    if isinstance(study.sampler, optuna.samplers.GridSampler) and study.sampler.is_exhausted(study):
        return True
    if job.budget is None:
        return False
    running = sum(t.state == TrialState.RUNNING for t in trials)
    return finished_trials(trials) + running >= job.budget


def run_worker(job: WorkerJob) -> None:
    """Run trials of the shared study until the budget, the grid or the time is used up."""
    if job.log_level is not None:
        logging.basicConfig(
            level=job.log_level, format=f"[worker {job.index}] %(message)s", force=True
        )
        optuna.logging.set_verbosity(job.log_level)
    base = RunConfig.from_dict(job.base)
    settings = job.settings
    storage = open_storage(settings.storage_url(job.output_dir), settings.max_retries)
    study = optuna.load_study(
        study_name=settings.study_name,
        storage=storage,
        sampler=build_sampler(settings, job.space, job.index, job.session),
        pruner=build_pruner(settings, job.space, base),
    )
    objective = TrialObjective(
        base, job.space, settings.metric, job.output_dir, job.examples, job.threads
    )
    cleanup = TrialCleanup(job.output_dir, settings.keep_bundles)
    while not _should_stop(study, job):
        study.optimize(objective, n_trials=1, callbacks=[cleanup], gc_after_trial=False)


def _worker_process(job: WorkerJob) -> None:
    """Entry point of a worker process: one line on stderr for a user error, no traceback."""
    try:
        run_worker(job)
    except (TrainingInterrupted, KeyboardInterrupt):
        raise SystemExit(130) from None
    except LstmSentimentError as exc:
        logging.getLogger(__name__).error("error: %s", exc)
        raise SystemExit(2) from None


def run_workers(jobs: list[WorkerJob]) -> None:
    """Run one job in this process, or each in its own process, sharing the study."""
    if len(jobs) == 1 and jobs[0].log_level is None:
        try:
            run_worker(jobs[0])
        except TrainingInterrupted:
            raise TrainingInterrupted(
                "tuning interrupted: rerun the same tune command to resume the study "
                "(the interrupted trial is queued again)"
            ) from None
        return
    context = multiprocessing.get_context("spawn")  # torch and fork do not mix
    processes = [
        context.Process(target=_worker_process, args=(job,), name=f"tune-worker-{job.index}")
        for job in jobs
    ]
    for process in processes:
        process.start()
    try:
        for process in processes:
            process.join()
    except KeyboardInterrupt:
        for process in processes:  # they received the same Ctrl-C; let them record it
            process.join(INTERRUPT_WAIT_SECONDS)
        raise
    failed = [f"{p.name} exit code {p.exitcode}" for p in processes if p.exitcode != 0]
    if failed:
        raise TuningError(
            f"{', '.join(failed)}: see the messages above; rerun the same command to resume"
        )


def worker_threads(base: RunConfig, workers: int) -> int | None:
    """Torch threads per worker: an equal share of the cores (``None``: keep the config's)."""
    if workers == 1:
        return None
    share = max(1, (os.cpu_count() or 1) // workers)
    return min(share, base.train.threads) if base.train.threads else share


def make_jobs(
    base: RunConfig,
    space: SearchSpace,
    settings: TuneSettings,
    output_dir: Path,
    examples: list[Example],
    session: int,
    log_level: int | None,
) -> list[WorkerJob]:
    """One job per worker (worker processes configure logging at ``log_level``)."""
    deadline = time.time() + settings.timeout if settings.timeout else None
    threads = worker_threads(base, settings.workers)
    return [
        WorkerJob(
            index=index,
            base=base.to_dict(),
            space=space,
            settings=dataclasses.replace(settings),
            output_dir=output_dir,
            examples=examples,
            budget=settings.budget(space),
            deadline=deadline,
            threads=threads,
            log_level=log_level if settings.workers > 1 else None,
            session=session,
        )
        for index in range(settings.workers)
    ]
