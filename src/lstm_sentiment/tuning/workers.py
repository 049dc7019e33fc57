"""Worker processes: each runs trials of the shared study until the budget, the grid or the
time is used up. ``--workers N`` starts N of them (fork server, else spawn), each training with
``cores // N`` torch threads; one worker runs in this process.
"""

from __future__ import annotations

import dataclasses
import logging
import multiprocessing
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import optuna
from optuna.trial import FrozenTrial, TrialState

from lstm_sentiment.config import RunConfig
from lstm_sentiment.data import Example
from lstm_sentiment.errors import LstmSentimentError
from lstm_sentiment.training.trainer import TrainingInterrupted
from lstm_sentiment.tuning.objective import TrialCleanup, TrialObjective
from lstm_sentiment.tuning.settings import (
    FAILURES_BEFORE_ABORT,
    INTERRUPT_WAIT_SECONDS,
    TuneSettings,
    TuningError,
)
from lstm_sentiment.tuning.space import SearchSpace
from lstm_sentiment.tuning.study import (
    build_pruner,
    build_sampler,
    finished_trials,
    open_storage,
)

logger = logging.getLogger(__name__)


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


def _check_not_all_failing(trials: list[FrozenTrial]) -> None:
    """Stop a study whose first trials all failed the same way: the base config or the data is
    wrong (a missing vectors file), not one parameter combination."""
    if any(t.state == TrialState.COMPLETE for t in trials):
        return
    errors = [t.user_attrs["error"] for t in trials if "error" in t.user_attrs]
    if len(errors) >= FAILURES_BEFORE_ABORT and len(set(errors[-FAILURES_BEFORE_ABORT:])) == 1:
        raise TuningError(
            f"the first {len(errors)} trials all failed: {errors[-1]} (fix the base config or "
            "the data, then rerun)"
        )


def _should_stop(study: optuna.Study, job: WorkerJob) -> bool:
    if job.deadline is not None and time.time() >= job.deadline:
        return True
    trials = study.get_trials(deepcopy=False)
    _check_not_all_failing(trials)
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
    logger.info(
        "joined study %r (process %d, %s torch threads)",
        settings.study_name,
        os.getpid(),
        job.threads or base.train.threads or "all",
    )
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


WORKER_PRELOAD = ["lstm_sentiment.tuning.workers", "lstm_sentiment.pipeline"]
"""Imported once by the fork server, so worker processes start without importing torch again."""


def _worker_context() -> multiprocessing.context.BaseContext:
    """Fork server where there is one (a clean process: forking this one after torch ran
    would inherit its thread pools), else spawn."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(WORKER_PRELOAD)
    return context


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
    context = _worker_context()
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
