"""Studies: samplers, pruners, persistent storage, resume after a kill.

A study lives in a database (``sqlite:///OUTPUT/study.db`` by default, any SQLAlchemy URL such
as PostgreSQL for workers on several machines, or ``journal:PATH``, Optuna's journal file), so
running the same ``tune`` command again continues it: finished trials count toward ``--trials``,
and a trial left *running* by a process that no longer exists is marked failed and queued again
with the same parameters. On this machine that is detected from the process id recorded with the
trial; for other machines Optuna's heartbeat (SQL databases only) marks a trial stale after
:data:`GRACE_SECONDS` without news.

Worker processes sharing a study are in :mod:`lstm_sentiment.tuning.workers`.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import os
import socket
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import optuna
from optuna.trial import FrozenTrial, TrialState

from lstm_sentiment.config import RunConfig
from lstm_sentiment.errors import ConfigError
from lstm_sentiment.tuning.settings import (
    GRACE_SECONDS,
    HEARTBEAT_SECONDS,
    HYPERBAND_REDUCTION,
    JOURNAL_PREFIX,
    METRICS,
    SQLITE_TIMEOUT_SECONDS,
    TuneSettings,
)
from lstm_sentiment.tuning.space import SearchSpace

logger = logging.getLogger(__name__)


def open_storage(url: str, max_retries: int = 2) -> optuna.storages.BaseStorage:
    """The study storage: ``journal:PATH`` (Optuna's journal file, no server), or an SQLAlchemy
    URL (SQLite, PostgreSQL, MySQL) with heartbeats so a dead worker's trial is retried."""
    if url.startswith(JOURNAL_PREFIX):
        return open_journal(url[len(JOURNAL_PREFIX) :])
    url = with_installed_driver(url)
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
    except ImportError:
        raise ConfigError(
            f"cannot open study storage {redact_url(url)!r}: its database driver is not "
            "installed (PostgreSQL: pip install 'lstm-sentiment[distributed]', which brings "
            "psycopg2)"
        ) from None
    except Exception as exc:  # SQLAlchemy raises many kinds for a bad URL or an unreachable host
        shown = redact_url(url)
        message = str(exc).replace(url, shown).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(f"cannot open study storage {shown!r}: {message}") from None


def with_installed_driver(url: str) -> str:
    """A bare ``postgresql://`` URL names psycopg 3 in SQLAlchemy 2.1; use psycopg2 (the
    ``distributed`` extra's driver) when it is the one installed."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in ("postgresql", "postgres"):
        return url
    if importlib.util.find_spec("psycopg") is None and importlib.util.find_spec("psycopg2"):
        return f"postgresql+psycopg2://{rest}"
    return f"postgresql://{rest}"


def open_journal(path: str) -> optuna.storages.JournalStorage:
    """Optuna's journal storage on a file: an append-only log with a lock file beside it."""
    from optuna.storages.journal import JournalFileBackend, JournalFileOpenLock

    if not path:
        raise ConfigError("--storage journal:PATH needs a file path, e.g. journal:runs/study.log")
    file = Path(path).expanduser()
    if file.is_dir():
        raise ConfigError(f"--storage journal:{path} is a folder: name a file inside it")
    file.parent.mkdir(parents=True, exist_ok=True)
    # The open(2)-based lock works on NFS v3+ as well as local disks (the symlink one may not).
    backend = JournalFileBackend(str(file), lock_obj=JournalFileOpenLock(str(file)))
    return optuna.storages.JournalStorage(backend)


def redact_url(url: str) -> str:
    """``url`` with its password replaced by ``***`` (for messages and ``summary.json``)."""
    if url.startswith(JOURNAL_PREFIX) or "@" not in url:
        return url
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy can parse: hide everything before the host
        return "***@" + url.rsplit("@", 1)[1]


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
