"""Unlabelled texts (``data.unlabelled``) for the semi-supervised objectives, end to end."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path

import pytest

from conftest import toy_texts, write_tiny_folder
from lstm_sentiment.config import RunConfig
from lstm_sentiment.errors import ConfigError
from lstm_sentiment.pipeline import train
from lstm_sentiment.predict import SentimentModel
from lstm_sentiment.preparation import prepare_data
from test_cli import assert_input_error, run_cli

UNLABELLED_ROWS = toy_texts(seed=11, n_per_class=15)


def write_lines(path: Path, texts: list[str]) -> Path:
    path.write_text("\n".join(texts) + "\n\n", encoding="utf-8")
    return path


def with_unlabelled(config: RunConfig, *sources: Path, **train_changes: object) -> RunConfig:
    data = dataclasses.replace(config.data, unlabelled=[str(s) for s in sources])
    changes = {"vat_epsilon": 1.0, **train_changes}
    return dataclasses.replace(
        config, data=data, train=dataclasses.replace(config.train, **changes)
    )


def test_a_text_file_gives_its_lines_and_validation_texts_are_left_out(
    tiny_config: RunConfig, tmp_path: Path
) -> None:
    plain = prepare_data(tiny_config)
    leaked = [ex.text for ex in plain.validation[:3]]
    texts = [text for text, _ in UNLABELLED_ROWS]
    source = write_lines(tmp_path / "more.txt", texts + leaked)
    prepared = prepare_data(with_unlabelled(tiny_config, source))
    assert prepared.unlabelled == texts
    assert prepared.report["unlabelled"] == {"sources": [str(source)], "texts": len(texts)}
    assert [ex.text for ex in prepared.validation] == [ex.text for ex in plain.validation]


def test_folders_give_their_unsup_split_and_tables_their_text_column(
    tiny_config: RunConfig, tmp_path: Path
) -> None:
    root = write_tiny_folder(tmp_path / "acl")
    (root / "train" / "unsup").mkdir()
    for i, (text, _) in enumerate(UNLABELLED_ROWS[:5]):
        (root / "train" / "unsup" / f"{i}_0.txt").write_text(text, encoding="utf-8")
    table = tmp_path / "posts.csv"
    rows = "text,body\nheadline one,a lovely day\nheadline two,\nheadline three,a dull grey day\n"
    table.write_text(rows, encoding="utf-8")
    config = with_unlabelled(tiny_config, root, table)
    data = dataclasses.replace(config.data, unlabelled_text_column="body")
    prepared = prepare_data(dataclasses.replace(config, data=data))
    assert sorted(prepared.unlabelled) == sorted(
        [text for text, _ in UNLABELLED_ROWS[:5]] + ["a lovely day", "a dull grey day"]
    )


def test_unlabelled_limit_samples_with_the_seed(tiny_config: RunConfig, tmp_path: Path) -> None:
    source = write_lines(tmp_path / "more.txt", [text for text, _ in UNLABELLED_ROWS])
    config = with_unlabelled(tiny_config, source)
    config = dataclasses.replace(config, data=dataclasses.replace(config.data, unlabelled_limit=7))
    first, second = prepare_data(config).unlabelled, prepare_data(config).unlabelled
    assert len(first) == 7 and first == second


def test_training_with_vat_on_unlabelled_texts_learns(
    tiny_config: RunConfig, tmp_path: Path, probe_texts: dict[str, str]
) -> None:
    source = write_lines(tmp_path / "more.txt", [text for text, _ in UNLABELLED_ROWS])
    config = with_unlabelled(tiny_config, source, entropy_weight=0.3, unlabelled_batch_size=4)
    result = train(config, tmp_path / "run")
    assert result.data_report["unlabelled"]["texts"] == len(UNLABELLED_ROWS)
    assert result.metrics["validation"]["accuracy"] >= 0.9
    model = SentimentModel.load(result.model_dir)
    assert model.config is not None and model.config.train.vat_epsilon == 1.0
    predicted = [p.label for p in model.predict(list(probe_texts))]
    assert predicted == list(probe_texts.values())


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        (["data.unlabelled_limit=-1"], ["data.unlabelled_limit"]),
        (["train.entropy_weight=0.5"], ["entropy_weight", "data.unlabelled"]),
        (["train.vat_xi=0"], ["vat_xi"]),
    ],
)
def test_inconsistent_semi_supervised_settings_are_one_line_errors(
    capsys: pytest.CaptureFixture[str], tiny_files, tmp_path: Path, settings, words
) -> None:
    sets = [item for setting in settings for item in ("--set", setting)]
    args = ["-q", "train", "--data", tiny_files.csv, "--config", tiny_files.toml, *sets]
    code, _, err = run_cli(capsys, *args, "--output", tmp_path / "run")
    assert_input_error(code, err, *words)
    assert not (tmp_path / "run").exists()


def test_the_test_split_is_never_unlabelled_data(tiny_config: RunConfig) -> None:
    data = dataclasses.replace(
        tiny_config.data, unlabelled=[tiny_config.data.source], unlabelled_split="test"
    )
    config = dataclasses.replace(
        tiny_config, data=data, train=dataclasses.replace(tiny_config.train, vat_epsilon=1.0)
    )
    with pytest.raises(ConfigError, match="must not learn from the texts it is tested on"):
        prepare_data(config)


def test_the_cli_takes_unlabelled_sources_and_reports_them(
    capsys: pytest.CaptureFixture[str], tiny_files, tmp_path: Path
) -> None:
    source = write_lines(tmp_path / "more.txt", [text for text, _ in UNLABELLED_ROWS])
    args = ["-q", "train", "--data", tiny_files.csv, "--config", tiny_files.toml]
    args += ["--set", "train.entropy_weight=0.2", "--set", "train.epochs=2"]
    args += ["--unlabelled", source, "--set", "train.vat_epsilon=0.5"]  # in any order
    code, _, err = run_cli(capsys, *args, "--output", tmp_path / "run")
    assert code == 0, err
    report = json.loads((tmp_path / "run" / "data_report.json").read_text(encoding="utf-8"))
    assert report["unlabelled"]["texts"] == len(UNLABELLED_ROWS)
    config = json.loads((tmp_path / "run" / "model" / "config.json").read_text(encoding="utf-8"))
    assert config["config"]["data"]["unlabelled"] == [os.path.relpath(source, tmp_path / "run")]
