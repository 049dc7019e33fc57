"""Tests for RunConfig: defaults, TOML/JSON files, dotted overrides and validation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lstm_sentiment.compare import comparison_entries
from lstm_sentiment.config import RunConfig, parse_value, read_config_file
from lstm_sentiment.errors import ConfigError
from lstm_sentiment.tuning.space import load_search_space

REPO = Path(__file__).resolve().parents[2]


def test_config_defaults_build_and_round_trip() -> None:
    config = RunConfig()
    assert config == RunConfig.from_dict({})
    assert RunConfig.from_dict(config.to_dict()) == config
    assert RunConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config
    assert config.model.architecture == "lstm"
    assert config.text.truncation in ("head", "tail", "head+tail")


def test_config_loads_toml_file(tmp_path: Path) -> None:
    path = tmp_path / "run.toml"
    path.write_text(
        '[data]\nsource = "reviews.csv"\nlabel_map = { neg = "negative" }\n'
        '[model]\nhidden_size = 16\npooling = ["last"]\n'
        "[train]\nlr = 1\nepochs = 3\n",
        encoding="utf-8",
    )
    config = RunConfig.from_file(path)
    assert config.data.source == "reviews.csv"
    assert config.data.label_map == {"neg": "negative"}
    assert config.model.hidden_size == 16
    assert config.model.pooling == ["last"]
    assert config.train.lr == 1.0 and isinstance(config.train.lr, float)  # int accepted for float
    assert config.train.epochs == 3
    assert config.text == RunConfig().text  # untouched sections keep their defaults


def test_config_loads_json_file(tmp_path: Path, tiny_config: RunConfig) -> None:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(tiny_config.to_dict()), encoding="utf-8")
    assert RunConfig.from_file(path) == tiny_config


def test_config_committed_default_loads() -> None:
    config = RunConfig.from_file(REPO / "configs" / "imdb_default.toml")
    assert config.data.label_map == {"neg": "negative", "pos": "positive"}
    assert config.vectors.source == "glove-6b-50d"
    assert config.model.bidirectional is True


@pytest.mark.parametrize("path", sorted((REPO / "configs").glob("*.toml")), ids=lambda p: p.name)
def test_every_committed_config_is_valid(path: Path) -> None:
    """Run configs build; search spaces (``tune_*``) and model lists (``compare_*``) are read
    as ``tune`` and ``compare`` read them, over the default IMDB config (a mistyped key fails)."""
    base = RunConfig.from_file(REPO / "configs" / "imdb_default.toml")
    if path.name.startswith("tune_"):
        assert load_search_space(path, base).names
        return
    if path.name.startswith("compare_"):
        _, entries = comparison_entries(base, models_file=path)
        assert entries
        return
    config = RunConfig.from_file(path)
    assert RunConfig.from_dict(config.to_dict()) == config


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("tune_typo.toml", '"train.lrr" = { values = [1e-3, 4e-3] }\n', "train.lrr"),
        (
            "compare_typo.toml",
            '[models.a]\npreset = "lstm"\n[models.a.model]\nhiden = 3\n',
            "hiden",
        ),
    ],
)
def test_committed_config_check_catches_a_typo(
    tmp_path: Path, name: str, content: str, words: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=words):
        test_every_committed_config_is_valid(path)


def test_best_and_shipped_imdb_configs_share_the_validation_split() -> None:
    best = RunConfig.from_file(REPO / "configs" / "imdb_best.toml")
    shipped = RunConfig.from_file(REPO / "configs" / "imdb_ship.toml")
    single = RunConfig.from_file(REPO / "configs" / "imdb_single.toml")
    nbsvm = RunConfig.from_file(REPO / "configs" / "imdb_nbsvm.toml")
    seeds = {c.validation_seed for c in (best, shipped, single, nbsvm)}
    assert len(seeds) == 1
    assert best.model.nb_ngrams > 0 and shipped.train.crop_probability > 0
    assert single.data.extra_train == shipped.data.extra_train != []


def test_config_with_overrides_parses_values() -> None:
    base = RunConfig()
    config = base.with_overrides(
        [
            "train.lr=3e-4",
            'model.pooling=["max"]',
            "text.lowercase=false",
            "train.epochs=3",
            "data.source=some/folder",
            "text.keep_punctuation=!",
            "model.bidirectional=TRUE",
        ]
    )
    assert config.train.lr == pytest.approx(3e-4)
    assert config.model.pooling == ["max"]
    assert config.text.lowercase is False
    assert config.train.epochs == 3
    assert config.data.source == "some/folder"
    assert config.text.keep_punctuation == "!"
    assert config.model.bidirectional is True
    assert base == RunConfig()  # the original is not modified


def test_config_override_pooling_accepts_comma_separated_string() -> None:
    assert RunConfig().with_overrides(["model.pooling=last,max"]).model.pooling == ["last", "max"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1", 1), ("2.5", 2.5), ("True", True), ("false", False), ("[1, 2]", [1, 2]), ("abc", "abc")],
)
def test_parse_value(text: str, expected: object) -> None:
    assert parse_value(text) == expected


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        (["nope.lr=1"], ["section 'nope'", "data", "text", "vectors", "model", "train"]),
        (["train.nope=1"], ["'nope'", "[train]", "epochs", "lr", "patience"]),
        (["train.lr"], ["section.key=value"]),
        (["lr=1"], ["section.key"]),
        (["a.b.c=1"], ["section.key"]),
    ],
)
def test_config_bad_override_fails_with_valid_keys(overrides: list[str], words: list[str]) -> None:
    with pytest.raises(ConfigError) as info:
        RunConfig().with_overrides(overrides)
    for word in words:
        assert word in str(info.value)


def test_config_unknown_section_lists_valid_sections() -> None:
    with pytest.raises(ConfigError, match="unknown config section 'modle'") as info:
        RunConfig.from_dict({"modle": {"hidden_size": 8}})
    assert "data, text, vectors, model, train" in str(info.value)


def test_config_unknown_key_lists_valid_keys() -> None:
    with pytest.raises(ConfigError, match=r"unknown config key in \[model\] 'hiden_size'") as info:
        RunConfig.from_dict({"model": {"hiden_size": 8}})
    assert "hidden_size" in str(info.value)
    assert "architecture" in str(info.value)


@pytest.mark.parametrize(
    ("raw", "match"),
    [
        ({"train": {"epochs": "ten"}}, "train.epochs must be int"),
        ({"train": {"epochs": 2.5}}, "train.epochs must be int"),
        ({"train": {"epochs": True}}, "train.epochs must be int"),
        ({"train": {"lr": "fast"}}, "train.lr must be float"),
        ({"text": {"lowercase": 1}}, "text.lowercase must be bool"),
        ({"vectors": {"source": 5}}, "vectors.source must be str"),
        ({"train": 5}, r"\[train\] must be a table"),
    ],
)
def test_config_wrong_type_fails(raw: dict, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        RunConfig.from_dict(raw)


@pytest.mark.parametrize(
    ("raw", "match"),
    [
        ({"text": {"truncation": "middle"}}, "head, tail, head\\+tail"),
        ({"text": {"tokenizer": "bpe"}}, "text.tokenizer"),
        ({"text": {"max_length": -1}}, "text.max_length"),
        ({"text": {"min_freq": 0}}, "text.min_freq"),
        ({"model": {"pooling": []}}, "model.pooling"),
        ({"model": {"pooling": ["sum"]}}, "last, mean, max"),
        ({"model": {"dropout": 1.0}}, "model.dropout"),
        ({"vectors": {"unknown_init": "ones"}}, "random, mean, zeros"),
        ({"train": {"monitor": "f1"}}, "accuracy, macro_f1, loss"),
        ({"train": {"epochs": 0}}, "train.epochs"),
        ({"data": {"validation_fraction": 1.0}}, "validation_fraction"),
    ],
)
def test_config_bad_value_fails(raw: dict, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        RunConfig.from_dict(raw)


def test_config_missing_file_fails(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such config file"):
        RunConfig.from_file(tmp_path / "missing.toml")


@pytest.mark.parametrize(
    ("name", "content"), [("bad.toml", "[train\nlr = "), ("bad.json", "{not json")]
)
def test_config_malformed_file_fails(tmp_path: Path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot parse config file"):
        read_config_file(path)


def test_config_file_with_unknown_key_fails(tmp_path: Path) -> None:
    path = tmp_path / "typo.toml"
    path.write_text("[train]\nepoch = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"'epoch'.*epochs"):
        RunConfig.from_file(path)


@pytest.mark.parametrize(
    "raw",
    [{"data": {"text_column": 5}}, {"data": {"label_column": ["a"]}}, {"data": {"label_map": 3}}],
)
def test_config_optional_and_container_fields_check_types(raw: dict) -> None:
    with pytest.raises(ConfigError):
        RunConfig.from_dict(raw)
