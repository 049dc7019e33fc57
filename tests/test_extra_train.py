"""More labelled sources for the training part only (``data.extra_train``)."""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import pytest

from lstm_sentiment.config import RunConfig
from lstm_sentiment.errors import DataError
from lstm_sentiment.preparation import prepare_data

EXTRA_ROWS = [
    ("a sparkling and heartfelt story", "positive"),
    ("a tiresome and clumsy story", "negative"),
    ("heartfelt acting and sparkling music", "positive"),
]


def write_rows(path: Path, rows: list[tuple[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label", "label_confidence"])
        writer.writerows((text, label, 0.9) for text, label in rows)
    return path


def with_extra(config: RunConfig, *sources: Path) -> RunConfig:
    return dataclasses.replace(
        config, data=dataclasses.replace(config.data, extra_train=[str(s) for s in sources])
    )


def test_extra_sources_join_the_training_part_and_leave_validation_alone(
    tiny_config: RunConfig, tmp_path: Path
) -> None:
    plain = prepare_data(tiny_config)
    extra = prepare_data(with_extra(tiny_config, write_rows(tmp_path / "extra.csv", EXTRA_ROWS)))
    assert [ex.text for ex in extra.validation] == [ex.text for ex in plain.validation]
    assert len(extra.fit) == len(plain.fit) + len(EXTRA_ROWS)
    assert {ex.text for ex in extra.fit} - {ex.text for ex in plain.fit} == {
        text for text, _ in EXTRA_ROWS
    }
    assert extra.report[f"extra: {tmp_path / 'extra.csv'}"]["kept"] == len(EXTRA_ROWS)


def test_extra_source_with_an_unknown_label_is_refused(
    tiny_config: RunConfig, tmp_path: Path
) -> None:
    path = write_rows(tmp_path / "extra.csv", [*EXTRA_ROWS, ("so-so", "mixed")])
    with pytest.raises(DataError, match=r"labels mixed are not among the training labels"):
        prepare_data(with_extra(tiny_config, path))


def test_missing_extra_source_is_a_data_error(tiny_config: RunConfig, tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such file or directory"):
        prepare_data(with_extra(tiny_config, tmp_path / "pseudo.csv"))


def test_extra_train_round_trips_through_the_config(tmp_path: Path) -> None:
    config = RunConfig().with_overrides(['data.extra_train=["a.csv", "b.csv"]'])
    assert config.data.extra_train == ["a.csv", "b.csv"]
    assert RunConfig.from_dict(config.to_dict()) == config
