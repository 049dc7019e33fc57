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
