"""``pretrain.region_targets``: the region objective can skip function words as targets
(Johnson & Zhang), from the built-in list or the user's own file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lstm_sentiment.config import RunConfig
from lstm_sentiment.errors import ConfigError
from lstm_sentiment.pretraining.function_words import FUNCTION_WORDS
from lstm_sentiment.pretraining.run import pretrain
from test_cli import assert_input_error, run_cli
from test_pretrain import lm_config
from test_region_embedding import REGION_SETTINGS, word_by_word

SKIPPED = (5, 9)


def test_skipped_words_are_never_predicted_nor_drawn_as_noise() -> None:
    model, draws, (loss, count), expected, positives = word_by_word(SKIPPED)
    assert model.noise[list(SKIPPED)].sum().item() == 0.0
    assert not set(draws.tolist()) & set(SKIPPED)
    assert count == positives
    assert loss.item() == pytest.approx(expected, rel=1e-5)
    _, _, (_, every_neighbour), _, _ = word_by_word()
    assert every_neighbour > count  # the skipped words were positives before


def test_the_built_in_list_keeps_negations_and_contrast() -> None:
    assert {"the", "of", "was", "'s"} <= FUNCTION_WORDS
    assert not {"not", "n't", "no", "never", "but", "although", "good", "bad"} & FUNCTION_WORDS


def test_unknown_targets_and_a_list_without_content_targets_are_refused() -> None:
    with pytest.raises(ConfigError, match="region_targets must be one of all, content"):
        RunConfig.from_dict({"pretrain": {"region_targets": "nouns"}})
    with pytest.raises(ConfigError, match=r'needs pretrain\.region_targets = "content"'):
        RunConfig.from_dict({"pretrain": {"region_stopwords": "stop.txt"}})


@pytest.mark.parametrize("own_list", [False, True])
def test_pretraining_with_content_targets_records_them(
    tiny_files, tmp_path: Path, own_list: bool
) -> None:
    base = RunConfig.from_file(tiny_files.toml).with_overrides([f"data.source={tiny_files.csv}"])
    settings = {**REGION_SETTINGS, "epochs": 2, "region_targets": "content"}
    if own_list:
        words = tmp_path / "stop.txt"
        words.write_text("# film words\nmovie\nfilm\n\nstory\n", encoding="utf-8")
        settings["region_stopwords"] = str(words)
    config = lm_config(base, tmp_path, **settings)
    model_dir = pretrain(config, tmp_path / "run").model_dir
    header = json.loads((model_dir / "config.json").read_text())
    assert header["region_targets"] == "content"
    assert "but function words" in (model_dir / "README.md").read_text()
    history = json.loads((model_dir.parent / "metrics.json").read_text())["history"]
    assert history[-1]["train_loss"] < history[0]["train_loss"]


@pytest.mark.parametrize(
    ("content", "words"),
    [(None, ["cannot read", "one word per line"]), ("# nothing\n\n", ["lists no word"])],
)
def test_a_bad_word_list_fails_before_the_corpus_is_read(
    tiny_files,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str | None,
    words: list[str],
) -> None:
    stopwords = tmp_path / "stop.txt"
    if content is not None:
        stopwords.write_text(content, encoding="utf-8")
    args = ["-q", "pretrain", "--data", tiny_files.csv, "--config", tiny_files.toml]
    args += ["--set", "pretrain.objective=region", "--set", "pretrain.region_targets=content"]
    args += ["--set", f"pretrain.region_stopwords={stopwords}"]
    code, _, err = run_cli(capsys, *args, "--output", tmp_path / "run")
    assert_input_error(code, err, "pretrain.region_stopwords", *words)
    assert not (tmp_path / "run").exists()
