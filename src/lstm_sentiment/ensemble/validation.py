"""Held-out texts for an ensemble's weights: never texts its members were trained on.

Two ways, both checked:

* **the members' own validation split** (``--data SOURCE``): the training split is read and
  carved exactly as ``pipeline.train`` did (same reading options, duplicates, limit, validation
  fraction and seed). The members' saved configurations must agree on everything that decides
  the carve, each member must have kept the split out of training, and the carved split must
  have the size each member recorded for its validation split;
* **an explicit held-out source** (``--validation-data SOURCE``): all its labelled examples;
  refused when it is a member's own training data.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from lstm_sentiment.config import DataConfig, RunConfig
from lstm_sentiment.data import Example, load_split, stratified_split
from lstm_sentiment.errors import ConfigError, DataError
from lstm_sentiment.kinds.base import Scorer
from lstm_sentiment.provenance import recorded_source

logger = logging.getLogger(__name__)

SPLIT_SETTINGS: dict[str, Callable[[RunConfig], object]] = {
    "data.train_split": lambda c: c.data.train_split,
    "data.validation_fraction": lambda c: c.data.validation_fraction,
    "data.limit": lambda c: c.data.limit,
    "data.drop_duplicates": lambda c: c.data.drop_duplicates,
    "data.min_confidence": lambda c: c.data.min_confidence,
    "data.text_column": lambda c: c.data.text_column,
    "data.label_column": lambda c: c.data.label_column,
    "data.group_validation": lambda c: c.data.group_validation,
    "data.group_column": lambda c: c.data.group_column if c.data.group_validation else None,
    "split seed (data.split_seed, else train.seed)": lambda c: c.validation_seed,
    "train.seed (it samples data.limit)": lambda c: c.train.seed if c.data.limit else None,
}
"""Settings that decide which texts a run's validation split holds."""


def same_source(a: str, b: str) -> bool:
    """Whether two data sources name the same thing (equal, or paths to the same file)."""
    if a == b:
        return True
    first, second = Path(a).expanduser(), Path(b).expanduser()
    return first.exists() and second.exists() and first.resolve() == second.resolve()


def held_out(scorer: Scorer) -> bool:
    """Whether a member kept its validation split out of training (``nbsvm.refit`` did not)."""
    return scorer.held_out_validation


def _configs(members: Sequence[tuple[str, Scorer]]) -> list[RunConfig]:
    configs = []
    for name, scorer in members:
        if scorer.config is None:
            raise ConfigError(f"member {name} has no training configuration to carve from")
        configs.append(scorer.config)
    return configs


def members_validation(
    members: Sequence[tuple[str, Scorer]], source: str | None, split: str | None = None
) -> list[Example]:
    """The validation examples the members were validated on (see the module docstring).

    Args:
        members: ``(name, scorer)`` of every member.
        source: The members' training source; ``None`` uses the one their configs record.
        split: The members' training split, if the caller names it (checked).
    """
    configs = _configs(members)
    for setting, read in SPLIT_SETTINGS.items():
        values = {name: read(c) for (name, _), c in zip(members, configs, strict=True)}
        if len({repr(v) for v in values.values()}) > 1:
            listed = "; ".join(f"{name}: {value!r}" for name, value in values.items())
            raise ConfigError(
                f"the members were trained with different {setting} ({listed}), so they "
                "share no held-out validation split: pass --validation-data with texts none of "
                "them was trained on"
            )
    if split is not None and split != configs[0].data.train_split:
        raise ConfigError(
            f"the members were trained on split {configs[0].data.train_split!r}, not {split!r}: "
            "their validation split is carved from it (use --validation-data for other texts)"
        )
    for name, scorer in members:
        if not held_out(scorer):
            raise ConfigError(
                f"member {name} was refitted on its validation split (nbsvm.refit): weights "
                "fitted there would be flattering; retrain it without refit or pass "
                "--validation-data with other held-out texts"
            )
    recorded = [
        recorded_source(c.data.source, Path(name))
        for (name, _), c in zip(members, configs, strict=True)
    ]
    if source is None:
        if not recorded[0] or any(not same_source(recorded[0], r) for r in recorded):
            raise ConfigError(
                "the members do not record one training source "
                f"({', '.join(map(repr, recorded))}): pass --data SOURCE"
            )
        source = recorded[0]
    else:
        for (name, _), r in zip(members, recorded, strict=True):
            if r and not same_source(r, source):
                logger.warning(
                    "member %s was trained on %s, not %s: carving anyway (its validation size "
                    "is checked)",
                    name,
                    r,
                    source,
                )
    from lstm_sentiment.preparation import load_training_data

    config = copy.deepcopy(configs[0])
    config.data.source = source
    config.data.test_split = ""  # the test split is not needed here
    train, _ = load_training_data(config)
    _, validation = stratified_split(
        train,
        config.data.validation_fraction,
        config.validation_seed,
        by_group=config.data.group_validation,
    )
    for name, scorer in members:
        expected = scorer.metrics.get("validation", {}).get("n")
        if expected is not None and expected != len(validation):
            raise ConfigError(
                f"carving {source} gives {len(validation)} validation texts but member {name} "
                f"was validated on {expected}: it was trained on other data; pass the source it "
                "was trained on with --data, or --validation-data with held-out texts"
            )
    logger.info(
        "validation: %d texts carved from %s as the members' training did", len(validation), source
    )
    return validation


def explicit_validation(
    members: Sequence[tuple[str, Scorer]],
    source: str,
    split: str,
    options: DataConfig,
) -> list[Example]:
    """All labelled examples of ``split`` of ``source``, refused when a member trained on it."""
    for name, scorer in members:
        config = scorer.config
        if config is None or not config.data.source:
            continue
        if not same_source(recorded_source(config.data.source, Path(name)), source):
            continue
        single_file = Path(source).suffix.lower() in (".csv", ".tsv", ".jsonl", ".ndjson")
        if single_file or split == config.data.train_split:
            raise ConfigError(
                f"{source} (split {split!r}) is what member {name} was trained on: use --data to "
                "carve the members' validation split from it, or give other held-out texts"
            )
    examples = [
        ex for ex in load_split(source, split, options) if ex.label is not None and ex.text.strip()
    ]
    if not examples:
        raise DataError(f"no labelled examples with text in {source} (split {split!r})")
    return examples
