"""Bundle headers: old format versions still load, a re-save writes fresh fields, and no bundle
records the training machine's absolute paths."""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from lstm_sentiment import pipeline
from lstm_sentiment.bundle import MANIFEST_FILE, read_header
from lstm_sentiment.config import RunConfig
from lstm_sentiment.kinds import load_model, save_model
from lstm_sentiment.predict import SentimentModel, default_model_path

TEXTS = ["a great and wonderful film", "awful boring plot", "the acting"]
ABSOLUTE_PATH = re.compile(r"(?<![\w.])/(?:work|tmp|home|root|Users)/")


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory, tiny_files) -> Path:
    raw = RunConfig.from_file(tiny_files.toml).to_dict()
    raw["data"]["source"] = str(tiny_files.csv)
    raw["vectors"]["source"] = str(tiny_files.vectors)
    return pipeline.train(RunConfig.from_dict(raw), tmp_path_factory.mktemp("fmt") / "run").run_dir


def as_old_format(bundle: Path, version: int) -> None:
    """Rewrite a bundle as an older release wrote it: no manifest; version 1 had no kind."""
    header = json.loads((bundle / "config.json").read_text(encoding="utf-8"))
    header["format_version"] = version
    if version == 1:
        del header["kind"]
    (bundle / "config.json").write_text(json.dumps(header), encoding="utf-8")
    (bundle / MANIFEST_FILE).unlink()


@pytest.mark.parametrize("version", [1, 2])
def test_bundles_of_older_format_versions_still_load(run: Path, tmp_path: Path, version: int):
    bundle = shutil.copytree(run / "model", tmp_path / "old")
    expected = SentimentModel.load(bundle).predict_proba(TEXTS)
    as_old_format(bundle, version)
    np.testing.assert_array_equal(SentimentModel.load(bundle).predict_proba(TEXTS), expected)


def test_resave_writes_fresh_header_fields(tmp_path: Path) -> None:
    """Regression: a loaded bundle's header was re-spread over the new one on save."""
    scorer = load_model(default_model_path())
    old = read_header(default_model_path())
    scorer.config.train.seed = old["config"]["train"]["seed"] + 1
    scorer.labels[:] = ["bad", "good"]
    time.sleep(1.1)  # creation times have one-second resolution
    save_model(tmp_path / "copy", scorer, card="card")
    new = read_header(tmp_path / "copy")
    assert new["labels"] == ["bad", "good"]
    assert new["config"]["train"]["seed"] == old["config"]["train"]["seed"] + 1
    assert new["created"] != old["created"]


def test_no_bundle_records_absolute_paths(run: Path) -> None:
    for bundle in (run / "model", default_model_path()):
        for name in ("config.json", "metrics.json", "README.md"):
            text = (bundle / name).read_text(encoding="utf-8")
            assert not ABSOLUTE_PATH.search(text), (bundle, name, ABSOLUTE_PATH.search(text))
    header = read_header(run / "model")
    assert header["data"]["source"]["name"] == "tiny.csv"
    assert len(header["data"]["source"]["sha256"]) == 64
    # Paths in the run's config are relative to the run folder and still lead to the data.
    config = RunConfig.from_file(run / "config.json")
    assert (run / config.data.source).resolve().is_file()


def test_card_section_is_written_once_and_keeps_every_other_file(tmp_path: Path) -> None:
    from lstm_sentiment.bundle import verify_manifest
    from lstm_sentiment.export.card import record_card_section
    from test_onnx import tiny_bundle

    path = tiny_bundle(tmp_path / "model", {})
    weights = (path / "model.safetensors").read_bytes()
    record_card_section(path, "## Everyday texts", "## Everyday texts\n- overall: 91.0%\n")
    record_card_section(path, "## Everyday texts", "## Everyday texts\n- overall: 93.5%\n")
    card = (path / "README.md").read_text(encoding="utf-8")
    assert card.count("## Everyday texts") == 1 and "93.5%" in card and "91.0%" not in card
    assert (path / "model.safetensors").read_bytes() == weights
    verify_manifest(path)


@pytest.mark.parametrize("typo_distance", [0, 1])
def test_the_card_says_how_unknown_words_are_read(tmp_path: Path, typo_distance: int) -> None:
    from lstm_sentiment.kinds.neural_model import TYPO_LIMIT, TYPO_NOTE
    from test_onnx import tiny_bundle

    path = tiny_bundle(tmp_path / "model", {}, {"typo_distance": typo_distance})
    card = (path / "README.md").read_text(encoding="utf-8")
    assert "words outside the vocabulary are read as one unknown token" in card
    assert (TYPO_NOTE in card) == (TYPO_LIMIT in card) == bool(typo_distance)


def test_the_shipped_card_says_how_it_reads_unknown_words() -> None:
    from lstm_sentiment.kinds.neural_model import TYPO_LIMIT, TYPO_NOTE

    path = default_model_path()
    header = json.loads((path / "config.json").read_text(encoding="utf-8"))
    card = (path / "README.md").read_text(encoding="utf-8")
    reads_typos = bool(header["config"]["text"]["typo_distance"])
    assert (TYPO_NOTE in card) == (TYPO_LIMIT in card) == reads_typos
