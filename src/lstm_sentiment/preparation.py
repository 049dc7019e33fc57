"""Preparing a run's data, whatever kind of model trains on it: read the sources, drop what is
unusable, add the extra training texts and carve the validation split."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lstm_sentiment.config import RunConfig
from lstm_sentiment.data import DataReport, Example, load_splits_with_report, stratified_split
from lstm_sentiment.data.label_checks import (
    check_label_spellings,
    drop_missing_labels,
    free_text_warning,
)
from lstm_sentiment.data.report import drop_duplicates
from lstm_sentiment.data.unlabelled import UNLABELLED_REPORT, load_unlabelled
from lstm_sentiment.errors import ConfigError, DataError

logger = logging.getLogger(__name__)


@dataclass
class PreparedData:
    """The examples of a run after reading, cleaning and carving the validation split."""

    fit: list[Example]
    validation: list[Example]
    test: list[Example]
    labels: list[str]
    report: dict[str, Any]
    unlabelled: list[str] = field(default_factory=list)
    """Texts of ``data.unlabelled`` for the semi-supervised objectives."""
    extra_sizes: list[int] = field(default_factory=list)
    """Examples from each ``data.extra_train`` source, in order: the last of ``fit``."""


def load_training_data(config: RunConfig) -> tuple[list[Example], list[Example]]:
    """Labelled train examples and (if the source has one) the test split, read in one pass."""
    train, test, _ = load_training_data_with_report(config)
    return train, test


def load_training_data_with_report(
    config: RunConfig,
) -> tuple[list[Example], list[Example], dict[str, DataReport]]:
    """:func:`load_training_data` plus what was read, kept and dropped per split."""
    data = config.data
    if not data.source:
        raise ConfigError("no training data: pass --data SOURCE (or set data.source)")
    options = data
    splits = [data.train_split] + ([data.test_split] if data.test_split else [])
    # The test split is optional: single files (CSV/JSONL) have none.
    loaded, reports = load_splits_with_report(data.source, splits, options, optional=splits[1:])
    train = drop_missing_labels(loaded[data.train_split], reports[data.train_split])
    train = _usable(train, "training")
    train = drop_duplicates(train, reports[data.train_split], drop=data.drop_duplicates)
    test = _usable(loaded[data.test_split], "test") if data.test_split in loaded else []
    if data.limit and data.limit < len(train):
        # A seeded random sample: files are usually grouped by label.
        keep = np.random.default_rng(config.train.seed).permutation(len(train))[: data.limit]
        reports[data.train_split].drop("over_limit", len(train) - data.limit)
        train = [train[i] for i in sorted(keep)]
    out = {"train": reports[data.train_split].finish(train)}
    if test:
        out["test"] = reports[data.test_split].finish(test)
    return train, test, out


def load_extra_training(
    config: RunConfig, labels: list[str]
) -> tuple[list[Example], dict[str, DataReport], list[int]]:
    """The examples of ``data.extra_train`` (training part only), checked against ``labels``,
    and how many came from each source."""
    options = dataclasses.replace(config.data, label_map={})
    examples: list[Example] = []
    reports: dict[str, DataReport] = {}
    sizes: list[int] = []
    for source in config.data.extra_train:
        loaded, read = load_splits_with_report(source, [config.data.train_split], options)
        kept = _usable(loaded[config.data.train_split], f"extra training ({source})")
        unknown = sorted({str(ex.label) for ex in kept} - set(labels))
        if unknown:
            raise DataError(
                f"data.extra_train {source}: labels {', '.join(unknown)} are not among the "
                f"training labels ({', '.join(labels)}); relabel the file"
            )
        examples += kept
        sizes.append(len(kept))
        reports[f"extra: {source}"] = read[config.data.train_split].finish(kept)
        logger.info("extra training examples: %d from %s", len(kept), source)
    return examples, reports, sizes


def _usable(examples: list[Example], what: str) -> list[Example]:
    kept = [ex for ex in examples if ex.label is not None and ex.text.strip()]
    dropped = len(examples) - len(kept)
    if dropped:
        logger.warning("dropped %d %s examples with empty text or no label", dropped, what)
    if not kept:
        raise DataError(f"no labelled {what} examples with text: check the data and its columns")
    return kept


def prepare_data(
    config: RunConfig,
    examples: tuple[list[Example], list[Example]] | None = None,
    *,
    read_unlabelled: bool | None = None,
) -> PreparedData:
    """Read (or take) the examples, drop what is unusable, carve the validation split.

    ``data.unlabelled`` is read when ``read_unlabelled`` (default: when a training objective
    uses unlabelled texts)."""
    config.check_unlabelled()
    config.check_nb_length_gate()
    if examples is None:
        train_examples, test_examples, reports = load_training_data_with_report(config)
    else:
        report = DataReport("(examples)", rows=len(examples[0]))
        train_examples = _usable(drop_missing_labels(list(examples[0]), report), "training")
        train_examples = drop_duplicates(train_examples, report, drop=config.data.drop_duplicates)
        test_examples = _usable(list(examples[1]), "test") if examples[1] else []
        reports = {"train": report.finish(train_examples)}
    check_label_spellings(sorted({str(ex.label) for ex in train_examples}))
    fit_examples, val_examples = stratified_split(
        train_examples,
        config.data.validation_fraction,
        config.validation_seed,
        by_group=config.data.group_validation,
    )
    if not val_examples:
        raise ConfigError("data.validation_fraction must be > 0: validation drives early stopping")
    labels = sorted({str(ex.label) for ex in fit_examples})
    if len(labels) < 2:
        raise DataError(f"training data has only one label ({labels[0]}): need at least two")
    free_text_warning(labels, len(train_examples), reports["train"])
    extra, extra_reports, extra_sizes = load_extra_training(config, labels)
    fit_examples += extra
    reports.update(extra_reports)
    logger.info(
        "data: %d train, %d validation, %d test examples; labels: %s",
        len(fit_examples),
        len(val_examples),
        len(test_examples),
        ", ".join(labels),
    )
    report = {split: rep.to_dict() for split, rep in reports.items()}
    unlabelled: list[str] = []
    if read_unlabelled is None:
        read_unlabelled = config.train.semi_supervised
        if config.data.unlabelled and not read_unlabelled:
            logger.warning(
                "data.unlabelled is not read: no objective uses it (set train.vat_epsilon or "
                "train.entropy_weight)"
            )
    if config.data.unlabelled and read_unlabelled:
        held_out = (ex.text for ex in [*val_examples, *test_examples])
        unlabelled = load_unlabelled(config.data, held_out, config.train.seed)
        report[UNLABELLED_REPORT] = {"sources": config.data.unlabelled, "texts": len(unlabelled)}
    return PreparedData(
        fit_examples, val_examples, test_examples, labels, report, unlabelled, extra_sizes
    )
