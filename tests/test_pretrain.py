"""Language-model pretraining (``lstm-sentiment pretrain``) and classifiers initialised from it
(``model.encoder_init``, discriminative rates, gradual unfreezing)."""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from conftest import TOY_WORDS
from lstm_sentiment.config import RunConfig
from lstm_sentiment.errors import CheckpointError, ConfigError, LstmSentimentError
from lstm_sentiment.models.registry import build_model
from lstm_sentiment.pipeline import train
from lstm_sentiment.predict import SentimentModel
from lstm_sentiment.pretraining.artefact import initialise_from_pretrained
from lstm_sentiment.pretraining.language_model import LanguageModel
from lstm_sentiment.pretraining.run import chunk, pretrain
from lstm_sentiment.training.trainer import TrainingInterrupted
from test_cli import assert_input_error, run_cli

STEP_SECONDS = 0.2
"""How long each step before the interruption takes in the resume test."""
LM_SETTINGS = {"epochs": 5, "chunk_tokens": 8, "batch_size": 8, "lr": 0.05, "warmup_steps": 0}


def lm_config(tiny_config: RunConfig, tmp_path: Path, **settings: object) -> RunConfig:
    unlabelled = tmp_path / "unlabelled.txt"
    # A corpus with something to learn: the toy words in one cyclic order, so each word
    # predicts the next (and the previous) one.
    cycle = list(TOY_WORDS) * 3
    lines = [" ".join(cycle[start : start + 12]) for start in range(len(TOY_WORDS))] * 4
    unlabelled.write_text("\n".join(lines), encoding="utf-8")
    data = dataclasses.replace(tiny_config.data, unlabelled=[str(unlabelled)])
    pretrain_section = dataclasses.replace(tiny_config.pretrain, **{**LM_SETTINGS, **settings})
    return dataclasses.replace(tiny_config, data=data, pretrain=pretrain_section)


@pytest.fixture(scope="module")
def pretrained(tmp_path_factory: pytest.TempPathFactory, tiny_files) -> tuple[RunConfig, Path]:
    root = tmp_path_factory.mktemp("lm")
    base = RunConfig.from_file(tiny_files.toml).with_overrides([f"data.source={tiny_files.csv}"])
    config = lm_config(base, root)
    result = pretrain(config, root / "run")
    return config, result.model_dir


def test_chunks_cover_each_text_and_skip_what_predicts_nothing() -> None:
    chunks = chunk([[1, 2, 3, 4, 5], [6], [7, 8, 9]], 2)
    assert [c.tolist() for c in chunks] == [[1, 2], [3, 4], [7, 8]]
    assert [c.tolist() for c in chunk([[1, 2, 3, 4, 5]], 2, max_tokens=3)] == [[1, 2], [3, 4]]


def test_both_directions_predict_every_token_they_can() -> None:
    model = LanguageModel("lstm", 30, 4, 5, 0, bidirectional=True, cutoffs=[10]).eval()
    lengths = torch.tensor([4, 2])
    nll, count = model(torch.tensor([[3, 4, 5, 6], [7, 8, 0, 0]]), lengths)
    assert count == 2 * (3 + 1)  # each direction predicts length - 1 tokens per text
    assert 0 < nll.item() < count * np.log(30) * 2
    same, _ = model(torch.tensor([[3, 4, 5, 6], [7, 8, 9, 9]]), lengths)  # padding never read
    assert same.item() == pytest.approx(nll.item(), rel=1e-6)
    other, _ = model(torch.tensor([[3, 4, 5, 6], [7, 9, 0, 0]]), lengths)
    assert other.item() != pytest.approx(nll.item(), rel=1e-6)


def test_pretraining_lowers_perplexity_and_writes_a_checked_folder(pretrained) -> None:
    _, model_dir = pretrained
    run = model_dir.parent
    history = json.loads((run / "metrics.json").read_text(encoding="utf-8"))["history"]
    assert len(history) == LM_SETTINGS["epochs"]
    assert history[-1]["train_perplexity"] < 0.5 * history[0]["train_perplexity"]
    assert history[-1]["train_perplexity"] < 8  # 22 words: a model that learned nothing has ~22
    assert all(np.isfinite(epoch["val_perplexity"]) for epoch in history)
    assert {"config.json", "manifest.json", "model.safetensors", "vocab.json"} <= {
        p.name for p in model_dir.iterdir()
    }
    with pytest.raises(LstmSentimentError, match="not a classifier"):
        SentimentModel.load(model_dir)


def test_a_classifier_takes_the_embedding_and_first_layer(pretrained) -> None:
    config, model_dir = pretrained
    weights = load_file(str(model_dir / "model.safetensors"))
    classifier = build_model(
        config.model,
        vocab_size=weights["embedding.weight"].shape[0],
        embedding_dim=weights["embedding.weight"].shape[1],
        num_classes=2,
        pad_id=0,
    )
    taken = initialise_from_pretrained(classifier, model_dir)
    assert "embedding.weight" in taken and "encoder.backward_layers.0.weight_hh_l0" in taken
    state = classifier.state_dict()
    for name in taken:
        assert torch.equal(state[name], weights[name])
    assert not any(name.startswith("softmax.") for name in taken)


def test_gradual_unfreezing_keeps_the_pretrained_layers_in_epoch_one(
    pretrained, tmp_path: Path
) -> None:
    config, model_dir = pretrained
    settings = ["train.epochs=1", "train.gradual_unfreezing=true", "vectors.extra_words=0"]
    frozen = config.with_overrides([f"model.encoder_init={model_dir}", *settings])
    frozen.data.unlabelled = []
    bundle = train(frozen, tmp_path / "frozen").model_dir
    trained = load_file(str(bundle / "model.safetensors"))
    lm = load_file(str(model_dir / "model.safetensors"))
    assert torch.equal(
        trained["encoder.forward_layers.0.weight_ih_l0"],
        lm["encoder.forward_layers.0.weight_ih_l0"],
    )
    assert torch.equal(trained["embedding.weight"], lm["embedding.weight"])


def test_a_classifier_from_the_language_model_learns_with_lower_rates_below(
    pretrained, tmp_path: Path, probe_texts: dict[str, str]
) -> None:
    config, model_dir = pretrained
    changes = [f"model.encoder_init={model_dir}", "train.discriminative_lr=2.6"]
    changes += ["train.gradual_unfreezing=true"]
    classifier = config.with_overrides(changes)
    classifier = dataclasses.replace(
        classifier, data=dataclasses.replace(classifier.data, unlabelled=[])
    )
    result = train(classifier, tmp_path / "run")
    assert result.metrics["validation"]["accuracy"] >= 0.9
    model = SentimentModel.load(result.model_dir)
    assert [p.label for p in model.predict(list(probe_texts))] == list(probe_texts.values())
    recorded = model.config.model.encoder_init
    assert not Path(recorded).is_absolute()  # the bundle names no path of this machine


def test_a_classifier_sized_unlike_the_language_model_is_refused(
    pretrained, tiny_files, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, model_dir = pretrained
    args = ["-q", "train", "--data", tiny_files.csv, "--config", tiny_files.toml]
    args += ["--set", f"model.encoder_init={model_dir}", "--set", "model.hidden_size=12"]
    code, _, err = run_cli(capsys, *args, "--output", tmp_path / "run")
    assert_input_error(code, err, "does not fit", "first recurrent layer")
    assert not (tmp_path / "run").exists()
    args[-1] = "text.lowercase=false"
    code, _, err = run_cli(capsys, *args, "--output", tmp_path / "run")
    assert_input_error(code, err, "text.lowercase")


def test_an_interrupted_pretraining_resumes_where_it_stopped(
    tiny_config: RunConfig, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = lm_config(tiny_config, tmp_path, epochs=2, checkpoint_every=3)
    straight = pretrain(config, tmp_path / "straight").history
    calls = {"n": 0}
    original = LanguageModel.forward

    def interrupt_at_fifth_step(self, ids, lengths):
        if self.training:
            calls["n"] += 1
            if calls["n"] == 5:
                raise KeyboardInterrupt
            time.sleep(STEP_SECONDS)  # slow steps before the interruption
        return original(self, ids, lengths)

    monkeypatch.setattr(LanguageModel, "forward", interrupt_at_fifth_step)
    with pytest.raises(TrainingInterrupted, match="--resume"):
        pretrain(config, tmp_path / "cut")
    monkeypatch.setattr(LanguageModel, "forward", original)
    other = tmp_path / "other.txt"
    other.write_text("a different corpus of words\n" * 5, encoding="utf-8")
    changed = dataclasses.replace(
        config, data=dataclasses.replace(config.data, unlabelled=[str(other)])
    )
    with pytest.raises(CheckpointError, match="data differ"):
        pretrain(changed, tmp_path / "cut", resume=True)
    resumed = pretrain(config, tmp_path / "cut", resume=True).history
    for a, b in zip(straight, resumed, strict=True):
        assert b["val_loss"] == pytest.approx(a["val_loss"], rel=1e-5)
    # the interrupted epoch's time counts the three steps before the checkpoint
    assert resumed[0]["seconds"] >= 3 * STEP_SECONDS


def test_pretraining_needs_a_recurrent_architecture(tiny_config: RunConfig, tmp_path: Path) -> None:
    config = lm_config(tiny_config, tmp_path).with_overrides(["model.architecture=cnn"])
    with pytest.raises(ConfigError, match="first layer of lstm or gru"):
        pretrain(config, tmp_path / "run")
