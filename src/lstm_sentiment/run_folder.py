"""A run folder while a run writes into it: one process at a time (a lock naming its PID), no
silent overwrite of a finished run, no temporary files left from killed runs, and no empty
folder left by a run that failed before it wrote anything worth keeping."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from lstm_sentiment.errors import ConfigError

logger = logging.getLogger(__name__)

LOCK_FILE = ".lock"
FINISHED_MARKERS = ("metrics.json", "model/config.json")
"""A run folder holding one of these has a finished run (a model and its metrics)."""
KEPT_AFTER_FAILURE = ("checkpoints",)
"""What makes a failed run's folder worth keeping: ``--resume`` continues from it."""
STALE_PATTERNS = (".*.tmp", ".*.new.*", ".*.old.*")
"""Names of the temporary files and folders atomic writes and bundle swaps use."""


def is_finished_run(run_dir: Path) -> bool:
    """Whether ``run_dir`` holds a finished run."""
    return any((run_dir / marker).is_file() for marker in FINISHED_MARKERS)


def remove_stale_temp_files(directory: Path) -> list[Path]:
    """Delete temporary files and folders killed writers left in ``directory`` and its bundle
    folders (call it only while holding the folder's lock); returns what was removed."""
    removed: list[Path] = []
    if not directory.is_dir():
        return removed
    folders = [directory, *(p for p in directory.iterdir() if p.is_dir() and p.name[0] != ".")]
    for folder in folders:
        for pattern in STALE_PATTERNS:
            for path in folder.glob(pattern):
                if path.name == LOCK_FILE:
                    continue
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
                removed.append(path)
    if removed:
        logger.info("removed %d temporary file(s) left by an interrupted run", len(removed))
    return removed


@contextlib.contextmanager
def locked_run_folder(run_dir: Path, *, resume: bool, overwrite: bool) -> Iterator[Path]:
    """Hold ``run_dir`` for one run.

    Refuses a folder another process is training into (naming its PID) and a finished run
    unless ``resume`` or ``overwrite``; removes stale temporary files; on failure removes the
    folder again if this run created it and left nothing to resume from.
    """
    created = not run_dir.exists()
    if run_dir.exists() and not run_dir.is_dir():
        raise ConfigError(f"--output {run_dir} is a file, not a folder: choose another --output")
    run_dir.mkdir(parents=True, exist_ok=True)
    lock_path = run_dir / LOCK_FILE
    handle = lock_path.open("a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise ConfigError(
                f"{run_dir} is being trained into by process {holder}; wait for it to finish "
                "or choose another --output"
            ) from None
        if is_finished_run(run_dir) and not (resume or overwrite):
            raise ConfigError(
                f"{run_dir} already holds a finished run (its model and metrics); pass "
                "--overwrite to replace it, --resume to continue it, or choose another --output"
            )
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        remove_stale_temp_files(run_dir)
        try:
            yield run_dir
        except BaseException:
            keep = any((run_dir / name).exists() for name in KEPT_AFTER_FAILURE)
            if created and not keep:
                shutil.rmtree(run_dir, ignore_errors=True)
            raise
    finally:
        # The lock file stays (removing it while others wait on it would split the lock);
        # closing the handle releases the lock, also when the process is killed.
        with contextlib.suppress(OSError):
            if lock_path.exists():
                handle.truncate(0)
        handle.close()
