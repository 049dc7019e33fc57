from __future__ import annotations

from collections import Counter

import pytest

from lstm_sentiment.data import Example, stratified_split
from lstm_sentiment.errors import ConfigError, DataError


def make(counts: dict[str | None, int]) -> list[Example]:
    return [Example(f"{label} {i}", label) for label, n in counts.items() for i in range(n)]


def test_stratified_split_keeps_proportions_and_is_deterministic() -> None:
    examples = make({"pos": 15, "neg": 5})
    train, val = stratified_split(examples, 0.2, seed=1)
    assert Counter(ex.label for ex in val) == {"pos": 3, "neg": 1}
    assert sorted(ex.text for ex in train + val) == sorted(ex.text for ex in examples)
    assert stratified_split(examples, 0.2, seed=1) == (train, val)


def test_stratified_split_zero_fraction() -> None:
    examples = make({"pos": 1})
    assert stratified_split(examples, 0.0, seed=0) == (examples, [])


def test_stratified_split_rare_class() -> None:
    with pytest.raises(DataError, match=r"class 'neutral' has only 1 example.*at least 2"):
        stratified_split(make({"pos": 5, "neg": 5, "neutral": 1}), 0.2, seed=0)


def test_stratified_split_too_small_fraction() -> None:
    with pytest.raises(DataError, match=r"gives 1 of 20 examples.*2 classes"):
        stratified_split(make({"pos": 10, "neg": 10}), 0.01, seed=0)


def test_stratified_split_bad_input() -> None:
    with pytest.raises(ConfigError, match=r"must be in \[0, 1\), got 1.0"):
        stratified_split(make({"pos": 4}), 1.0, seed=0)
    with pytest.raises(DataError, match=r"1 training example.*no label"):
        stratified_split(make({"pos": 4, None: 1}), 0.2, seed=0)
