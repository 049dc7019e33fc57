"""The project's exceptions: each carries a one-line message a user can act on.

The CLI turns any :class:`LstmSentimentError` into ``error: <message>`` on stderr and exit code 2.
"""

from __future__ import annotations


class LstmSentimentError(Exception):
    """Base class for errors caused by the user's input (files, options, data)."""


class ConfigError(LstmSentimentError):
    """An unknown configuration key, a bad value or a bad option combination."""


class DataError(LstmSentimentError):
    """A data source that is missing, empty, unreadable or has the wrong columns/labels."""


class VectorsError(LstmSentimentError):
    """A word-vector file that is missing or not in the expected format."""


class BundleError(LstmSentimentError):
    """A model bundle that is missing, corrupt, foreign or from an incompatible version."""


class CheckpointError(LstmSentimentError):
    """A training checkpoint that cannot be used to resume."""


_OS_ERROR_HINTS = {
    "ENOSPC": "free some space or write elsewhere",
    "EDQUOT": "free some space or write elsewhere",
    "EACCES": "check the permissions or choose another path",
    "EPERM": "check the permissions or choose another path",
    "EROFS": "the file system is read-only: choose another path",
    "EISDIR": "that is a folder: give a file name",
    "ENOTDIR": "a part of that path is a file, not a folder: choose another path",
    "ENOENT": "check the path",
    "ENAMETOOLONG": "use a shorter path",
    "EMFILE": "too many open files: raise the limit (ulimit -n) or close other programs",
}


def describe_os_error(exc: OSError) -> str:
    """One line for an operating-system error a user can fix (disk full, permissions, a
    folder where a file was expected): what failed, on which path, and what to do."""
    import errno
    import os

    name = errno.errorcode.get(exc.errno or 0, "")
    reason = exc.strerror or (os.strerror(exc.errno) if exc.errno else type(exc).__name__)
    path = f" ({exc.filename})" if exc.filename else ""
    hint = _OS_ERROR_HINTS.get(name, "check the path, the free space and the permissions")
    return f"{reason}{path}: {hint}"
