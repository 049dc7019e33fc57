"""Reading labelled text from folders, archives, tables and known datasets."""

from __future__ import annotations

from lstm_sentiment.data.example import Example
from lstm_sentiment.data.source import DataOptions, is_known_dataset, load_split, load_splits
from lstm_sentiment.data.split import stratified_split

__all__ = [
    "DataOptions",
    "Example",
    "is_known_dataset",
    "load_split",
    "load_splits",
    "stratified_split",
]
