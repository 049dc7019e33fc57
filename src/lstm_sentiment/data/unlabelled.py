"""Unlabelled texts for the semi-supervised objectives (``data.unlabelled``).

A source is anything :func:`~lstm_sentiment.data.load_splits` reads (a folder or archive gives
its ``data.unlabelled_split``, e.g. aclImdb's ``unsup``; a CSV/TSV/JSONL file its text column,
labels ignored) or a plain ``.txt`` file with one text per line.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from lstm_sentiment.config import DataConfig
from lstm_sentiment.data.encoding import read_lines
from lstm_sentiment.data.source import load_splits
from lstm_sentiment.errors import DataError

logger = logging.getLogger(__name__)

UNLABELLED_REPORT = "unlabelled"
"""The data report's entry for these texts (beside the labelled splits')."""
TEXT_SUFFIXES = (".txt", ".text")
"""Files read as one text per line."""


def texts_of(source: str, options: DataConfig) -> list[str]:
    """The non-blank texts of one unlabelled source."""
    path = Path(source).expanduser()
    if path.is_file() and path.name.lower().endswith(TEXT_SUFFIXES):
        lines = read_lines(path, options.encoding, options.encoding_errors)
        texts = [line.strip() for line in lines]
    else:
        # Only the text matters: column and filter settings of the labelled source do not apply.
        reader_options = dataclasses.replace(
            options,
            text_column=options.unlabelled_text_column or options.text_column,
            label_column=None,
            group_column=None,
            confidence_column=None,
            min_confidence=0.0,
            label_map={},
        )
        split = options.unlabelled_split
        loaded = load_splits(source, [split], reader_options)[split]
        texts = [example.text for example in loaded if example.text.strip()]
    if not texts:
        raise DataError(f"data.unlabelled {source} has no text: check the file and its columns")
    logger.info("unlabelled texts: %d from %s", len(texts), source)
    return texts


def load_unlabelled(options: DataConfig, held_out: Iterable[str], seed: int) -> list[str]:
    """The texts of every ``data.unlabelled`` source, without those also in ``held_out``
    (validation and test texts: learning from them, even without labels, flatters the
    scores), sampled down to ``data.unlabelled_limit`` with ``seed``."""
    texts = [text for source in options.unlabelled for text in texts_of(source, options)]
    excluded = set(held_out)
    kept = [text for text in texts if text not in excluded]
    if len(kept) < len(texts):
        logger.warning(
            "left out %d unlabelled texts that are also validation or test texts",
            len(texts) - len(kept),
        )
    if not kept:
        raise DataError("every data.unlabelled text is a validation or test text: nothing left")
    limit = options.unlabelled_limit
    if limit and limit < len(kept):
        keep = np.random.default_rng(seed).permutation(len(kept))[:limit]
        kept = [kept[i] for i in sorted(keep)]
    return kept
