"""Carving a validation set out of the training examples, keeping the class balance."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from lstm_sentiment.data.example import Example
from lstm_sentiment.errors import ConfigError, DataError


def stratified_split(
    examples: Sequence[Example], fraction: float, seed: int, *, by_group: bool = False
) -> tuple[list[Example], list[Example]]:
    """Split examples into (train, validation) with the same label proportions in both.

    Args:
        examples: Labelled examples.
        fraction: Share of examples for validation, in ``[0, 1)``; ``0`` gives no validation.
        seed: Seed for the shuffle; the same seed and input give the same split.
        by_group: Keep each :attr:`Example.group` (an aclImdb movie) whole on one side, with
            label proportions kept as far as whole groups allow (scikit-learn's
            ``StratifiedGroupKFold``: validation is one of ``round(1 / fraction)`` folds).

    Raises:
        ConfigError: ``fraction`` is outside ``[0, 1)``.
        DataError: An example has no label, a class has fewer than 2 examples, or the
            validation or training part would be smaller than the number of classes.
    """
    if not 0.0 <= fraction < 1.0:
        raise ConfigError(f"the validation fraction must be in [0, 1), got {fraction}")
    if fraction == 0.0:
        return list(examples), []
    labels = [example.label for example in examples]
    if None in labels:
        raise DataError(
            f"{labels.count(None)} training example(s) have no label: a validation split "
            "needs labelled examples"
        )
    counts = Counter(labels)
    for label, count in sorted(counts.items(), key=lambda item: (item[1], str(item[0]))):
        if count < 2:
            raise DataError(
                f"class '{label}' has only {count} example: validation needs at least 2 "
                "examples per class (add examples or set the validation fraction to 0)"
            )
    n_val = math.ceil(fraction * len(examples))  # scikit-learn rounds the test size up
    if n_val < len(counts) or len(examples) - n_val < len(counts):
        raise DataError(
            f"a validation fraction of {fraction} gives {n_val} of {len(examples)} examples, "
            f"but both parts need at least one example of each of the {len(counts)} classes: "
            "change the validation fraction"
        )
    if by_group:
        return _group_split(examples, labels, fraction, seed)
    from sklearn.model_selection import train_test_split

    train_idx, val_idx = train_test_split(
        list(range(len(examples))), test_size=n_val, random_state=seed, stratify=labels
    )
    return [examples[i] for i in train_idx], [examples[i] for i in val_idx]


def _group_split(
    examples: Sequence[Example], labels: list, fraction: float, seed: int
) -> tuple[list[Example], list[Example]]:
    groups = [example.group for example in examples]
    if None in groups:
        raise DataError(
            f"{groups.count(None)} of {len(groups)} training examples have no group: "
            "data.group_validation needs one for every example (aclImdb: the urls_<label>.txt "
            "files beside the class folders; tables and JSONL: a non-empty data.group_column); "
            "set data.group_validation = false"
        )
    folds = max(2, round(1 / fraction))
    if len(set(groups)) < folds:
        raise DataError(
            f"{len(set(groups))} groups cannot make a validation fraction of {fraction} "
            f"({folds} folds): lower data.validation_fraction or set data.group_validation = "
            "false"
        )
    from sklearn.model_selection import StratifiedGroupKFold

    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    train_idx, val_idx = next(splitter.split(examples, labels, groups))
    return [examples[i] for i in train_idx], [examples[i] for i in val_idx]
