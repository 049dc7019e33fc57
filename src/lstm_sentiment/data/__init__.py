"""Reading labelled text from folders, archives, tables and known datasets."""

from __future__ import annotations

from lstm_sentiment.data.example import Example
from lstm_sentiment.data.report import DataReport
from lstm_sentiment.data.source import (
    is_known_dataset,
    load_split,
    load_splits,
    load_splits_with_report,
)
from lstm_sentiment.data.split import stratified_split

__all__ = [
    "DataReport",
    "Example",
    "is_known_dataset",
    "load_split",
    "load_splits",
    "load_splits_with_report",
    "stratified_split",
]
