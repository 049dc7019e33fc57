"""Settings of a study, kept free of Optuna imports so the CLI parser stays fast to build."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from lstm_sentiment.errors import ConfigError, LstmSentimentError

if TYPE_CHECKING:
    from lstm_sentiment.tuning.space import SearchSpace


@dataclass(frozen=True)
class Metric:
    """A score to optimise: its name in ``metrics.json``, direction and epoch-record field."""

    name: str
    direction: str
    record_field: str
    monitor: str
    """``train.monitor`` value that picks the best epoch by the same score."""


METRICS = {
    "accuracy": Metric("accuracy", "maximize", "val_accuracy", "accuracy"),
    "macro_f1": Metric("macro_f1", "maximize", "val_macro_f1", "macro_f1"),
    "log_loss": Metric("log_loss", "minimize", "val_loss", "loss"),
}
SAMPLERS = ("tpe", "random", "grid", "gp")
PRUNERS = ("median", "hyperband", "none")
KEEP_BUNDLES = ("best", "all")
DEFAULT_STUDY_NAME = "lstm-sentiment"
DEFAULT_TRIALS = 20
"""Trial budget of a non-grid study when neither ``--trials`` nor ``--timeout`` is given."""
STUDY_FILE = "study.db"
JOURNAL_PREFIX = "journal:"
"""``--storage journal:PATH``: Optuna's JournalStorage on a file instead of a database."""
HEARTBEAT_SECONDS = 60
GRACE_SECONDS = 180
"""A running trial without a heartbeat for this long is taken for dead (other machines)."""
SQLITE_TIMEOUT_SECONDS = 60
"""How long a worker waits for another one's write lock on a SQLite study."""
HYPERBAND_REDUCTION = 3
FAILURES_BEFORE_ABORT = 3
"""A study stops when its first trials fail this many times with one and the same error."""
INTERRUPT_WAIT_SECONDS = 30
"""After Ctrl-C, how long to wait for the workers to record their interrupted trials."""


class TuningError(LstmSentimentError):
    """A study that cannot go on (a worker failed, an unreachable storage)."""


@dataclass
class TuneSettings:
    """How to search: sampler, pruner, budget, storage and workers."""

    sampler: str = "tpe"
    trials: int | None = None
    """Trials to finish in the study (completed, pruned or failed); default: the grid's size
    for ``grid``, else :data:`DEFAULT_TRIALS` (unlimited when only ``timeout`` is given)."""
    timeout: float | None = None
    """Start no new trial after this many seconds (a running trial finishes)."""
    pruner: str | None = None
    """``median`` (default), ``hyperband`` or ``none`` (default of the grid sampler, which is
    meant to evaluate every point)."""
    metric: str = "accuracy"
    storage: str | None = None
    """SQLAlchemy URL or ``journal:PATH``; default ``sqlite:///OUTPUT/study.db``."""
    study_name: str = DEFAULT_STUDY_NAME
    workers: int = 1
    seed: int = 0
    startup_trials: int = 5
    """Random trials before TPE/GP model the results; trials before the median pruner prunes."""
    warmup_epochs: int = 0
    """Epochs every trial runs before the median pruner may stop it."""
    keep_bundles: str = "best"
    """``best``: delete every other trial's model bundle (disk stays bounded); ``all``."""
    max_retries: int = 2
    """How often a killed or interrupted trial is queued again."""

    def __post_init__(self) -> None:
        if self.pruner is None:
            self.pruner = "none" if self.sampler == "grid" else "median"
        for name, value, choices in (
            ("sampler", self.sampler, SAMPLERS),
            ("pruner", self.pruner, PRUNERS),
            ("metric", self.metric, tuple(METRICS)),
            ("keep_bundles", self.keep_bundles, KEEP_BUNDLES),
        ):
            if value not in choices:
                raise ConfigError(f"tune {name} must be one of {', '.join(choices)}; got {value!r}")
        if self.trials is not None and self.trials < 1:
            raise ConfigError(f"--trials must be >= 1, got {self.trials}")
        if self.timeout is not None and self.timeout <= 0:
            raise ConfigError(f"--timeout must be > 0 seconds, got {self.timeout}")
        if self.workers < 1 or self.startup_trials < 0 or self.warmup_epochs < 0:
            raise ConfigError("--workers must be >= 1; startup trials and warm-up epochs >= 0")

    def storage_url(self, output_dir: Path) -> str:
        """The storage given, with a journal file's path made absolute (workers may start in
        another folder), or the default SQLite file in ``output_dir``."""
        if self.storage and self.storage.startswith(JOURNAL_PREFIX):
            path = self.storage[len(JOURNAL_PREFIX) :]
            return JOURNAL_PREFIX + (str(Path(path).expanduser().resolve()) if path else "")
        return self.storage or f"sqlite:///{(output_dir / STUDY_FILE).resolve()}"

    def budget(self, space: SearchSpace) -> int | None:
        """Trials the study should finish (``None``: until the timeout)."""
        if self.trials is not None:
            return self.trials
        if self.sampler == "grid":
            return space.grid_size()
        return None if self.timeout else DEFAULT_TRIALS
