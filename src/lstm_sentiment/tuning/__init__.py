"""Hyperparameter search with Optuna: grid, random, TPE and GP samplers, pruning, resumable
studies in a database and parallel workers (``lstm-sentiment tune``).

Importing this package imports no Optuna: the names below load on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = [
    "SearchSpace",
    "TuneResult",
    "TuneSettings",
    "create_or_load_study",
    "export_config",
    "load_search_space",
    "parse_search_space",
    "recover_trials",
    "trials_table",
    "tune",
]

if TYPE_CHECKING:
    from lstm_sentiment.tuning.runner import TuneResult, export_config, trials_table, tune
    from lstm_sentiment.tuning.settings import TuneSettings
    from lstm_sentiment.tuning.space import SearchSpace, load_search_space, parse_search_space
    from lstm_sentiment.tuning.study import create_or_load_study, recover_trials

_LAZY = {
    "TuneResult": "lstm_sentiment.tuning.runner",
    "export_config": "lstm_sentiment.tuning.runner",
    "trials_table": "lstm_sentiment.tuning.runner",
    "tune": "lstm_sentiment.tuning.runner",
    "TuneSettings": "lstm_sentiment.tuning.settings",
    "SearchSpace": "lstm_sentiment.tuning.space",
    "load_search_space": "lstm_sentiment.tuning.space",
    "parse_search_space": "lstm_sentiment.tuning.space",
    "create_or_load_study": "lstm_sentiment.tuning.study",
    "recover_trials": "lstm_sentiment.tuning.study",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'lstm_sentiment.tuning' has no attribute {name!r}")
