"""Fine-tuning a saved neural model (``train.init_from``): it starts from the saved weights,
reads text with the saved vocabulary, learns from the new data, and refuses what cannot be
continued."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from conftest import PROBE_TEXTS, toy_texts, write_rows
from lstm_sentiment.config import RunConfig, TrainConfig
from lstm_sentiment.pipeline import train
from lstm_sentiment.predict import SentimentModel
from lstm_sentiment.training.objective import TrainingObjective
from test_cli import assert_input_error, run_cli

PROBES = list(PROBE_TEXTS)


class Bag(torch.nn.Module):
    """A two-class linear model over a bag of word ids."""

    def __init__(self, words: int) -> None:
        super().__init__()
        self.embedding = torch.nn.EmbeddingBag(words, 2)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        return self.embedding(ids)


@pytest.fixture(scope="module")
def base_model(tmp_path_factory: pytest.TempPathFactory, tiny_files) -> Path:
    root = tmp_path_factory.mktemp("base")
    config = RunConfig.from_file(tiny_files.toml).with_overrides([f"data.source={tiny_files.csv}"])
    return train(config, root / "run").model_dir


def fine_tune_config(tiny_files, source: Path, base: Path, *changes: str) -> RunConfig:
    config = RunConfig.from_file(tiny_files.toml)
    return config.with_overrides([f"data.source={source}", f"train.init_from={base}", *changes])


def test_a_fine_tuned_run_starts_from_the_saved_weights_and_vocabulary(
    base_model: Path, tiny_files, tmp_path: Path
) -> None:
    """With a learning rate too small to move anything, the fine-tuned model predicts what the
    saved one does (a new network would be random), with the saved vocabulary and settings,
    even though the new data brings words the saved model never saw."""
    rows = [(f"{text} novelword", label) for text, label in toy_texts(seed=5)]
    source = write_rows(tmp_path / "new.csv", rows)
    frozen = ["train.lr=1e-12", "train.epochs=1", "model.hidden_size=99", "text.min_freq=7"]
    result = train(fine_tune_config(tiny_files, source, base_model, *frozen), tmp_path / "run")
    saved = SentimentModel.load(base_model, runtime="torch")
    tuned = SentimentModel.load(result.model_dir, runtime="torch")
    assert np.abs(tuned.predict_logits(PROBES) - saved.predict_logits(PROBES)).max() < 1e-4
    read = json.loads
    assert read((result.model_dir / "vocab.json").read_text()) == read(
        (base_model / "vocab.json").read_text()
    )
    assert tuned.config.model == saved.config.model  # the saved network, not the run's sizes
    assert tuned.config.text == saved.config.text
    assert not Path(tuned.config.train.init_from).is_absolute()  # no path of this machine


def test_fine_tuning_learns_what_the_new_data_teaches(
    base_model: Path, tiny_files, tmp_path: Path
) -> None:
    """New data whose labels are the opposite of the toy corpus's: the saved model reads the
    probes one way, the fine-tuned one the other way."""
    flipped = {"positive": "negative", "negative": "positive"}
    rows = [(text, flipped[label]) for text, label in toy_texts(seed=3)]
    source = write_rows(tmp_path / "flipped.csv", rows)
    result = train(fine_tune_config(tiny_files, source, base_model), tmp_path / "run")
    saved = [p.label for p in SentimentModel.load(base_model).predict(PROBES)]
    tuned = [p.label for p in SentimentModel.load(result.model_dir).predict(PROBES)]
    assert saved == list(PROBE_TEXTS.values())
    assert tuned == [flipped[label] for label in saved]


def test_other_labels_or_a_missing_model_are_refused(
    base_model: Path, tiny_files, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [(text, "good" if label == "positive" else "bad") for text, label in toy_texts()]
    source = write_rows(tmp_path / "other_labels.csv", rows)
    args = ["-q", "train", "--data", source, "--config", tiny_files.toml]
    args += ["--set", f"train.init_from={base_model}", "--output", tmp_path / "run"]
    code, _, err = run_cli(capsys, *args)
    assert_input_error(code, err, "labels (bad, good)", "data.label_map")
    assert not (tmp_path / "run").exists()
    args[args.index(f"train.init_from={base_model}")] = f"train.init_from={tmp_path / 'none'}"
    code, _, err = run_cli(capsys, *args)
    assert_input_error(code, err, "train.init_from")
    assert not (tmp_path / "run").exists()


def test_retain_weight_keeps_a_fine_tuned_model_near_the_saved_one(
    base_model: Path, tiny_files, tmp_path: Path
) -> None:
    """The flipped labels of the test above, with a strong pull toward the saved model's
    predictions (``train.retain_weight``): the probes keep the saved model's labels."""
    flipped = {"positive": "negative", "negative": "positive"}
    rows = [(text, flipped[label]) for text, label in toy_texts(seed=3)]
    source = write_rows(tmp_path / "flipped.csv", rows)
    config = fine_tune_config(tiny_files, source, base_model, "train.retain_weight=10")
    result = train(config, tmp_path / "run")
    saved = SentimentModel.load(base_model, runtime="torch")
    tuned = SentimentModel.load(result.model_dir, runtime="torch")
    assert [p.label for p in tuned.predict(PROBES)] == [p.label for p in saved.predict(PROBES)]
    assert tuned.config.train.retain_weight == 10
    card = (result.model_dir / "README.md").read_text(encoding="utf-8")
    assert f"fine-tuned from `{base_model.name}` for" in card
    assert "train.retain_weight 10" in card and "embeddings initialised" not in card


def test_retain_term_is_zero_at_the_saved_model_and_moves_only_the_new_one() -> None:
    torch.manual_seed(0)
    model = Bag(20)
    config = TrainConfig(init_from="saved", retain_weight=1.0)
    objective = TrainingObjective(model, config, reference=copy.deepcopy(model))
    ids, lengths = torch.randint(0, 20, (4, 5)), torch.full((4,), 5)
    labels = torch.randint(0, 2, (4,))
    assert objective.retained(ids, lengths, labels, model(ids, lengths)).item() == pytest.approx(
        0.0
    )
    with torch.no_grad():
        model.embedding.weight.add_(torch.randn_like(model.embedding.weight))
    term = objective.retained(ids, lengths, labels, model(ids, lengths))
    assert term.item() > 0
    term.backward()
    assert model.embedding.weight.grad is not None
    assert objective.reference is not None
    assert all(p.grad is None for p in objective.reference.parameters())


def test_retain_weight_without_a_saved_model_is_refused(
    tiny_files, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["-q", "train", "--data", tiny_files.csv, "--config", tiny_files.toml]
    args += ["--set", "train.retain_weight=1", "--output", tmp_path / "run"]
    code, _, err = run_cli(capsys, *args)
    assert_input_error(code, err, "train.retain_weight", "train.init_from")
    assert not (tmp_path / "run").exists()


def test_retain_examples_correct_leaves_out_what_the_saved_model_gets_wrong() -> None:
    """``retain_examples = "correct"``: the pull is the whole batch's where the saved model is
    right everywhere, zero where it is wrong everywhere, and in between on a mixed batch."""
    torch.manual_seed(1)
    saved = Bag(30)
    model = copy.deepcopy(saved)
    with torch.no_grad():
        model.embedding.weight.add_(torch.randn_like(model.embedding.weight))
    ids, lengths = torch.randint(0, 30, (8, 6)), torch.full((8,), 6)

    def term(examples: str, labels: torch.Tensor) -> float:
        config = TrainConfig(init_from="saved", retain_weight=1.0, retain_examples=examples)
        objective = TrainingObjective(model, config, reference=saved)
        return objective.retained(ids, lengths, labels, model(ids, lengths)).item()

    right = saved(ids, lengths).argmax(dim=-1)
    mixed = torch.where(torch.arange(8) % 2 == 0, right, 1 - right)
    everywhere = term("all", right)
    assert everywhere > 0
    assert term("correct", right) == pytest.approx(everywhere)
    assert term("correct", 1 - right) == 0
    assert 0 < term("correct", mixed) < everywhere
    # a soft target that ties (a neutral text at one half each) has no label to get right
    config = TrainConfig(init_from="saved", retain_weight=1.0, retain_examples="correct")
    objective = TrainingObjective(model, config, reference=saved)
    one_hot = torch.nn.functional.one_hot(right, 2).float()
    tied = torch.where((torch.arange(8) % 2 == 1)[:, None], torch.full((8, 2), 0.5), one_hot)
    logits = model(ids, lengths)
    assert objective.retained(ids, lengths, right, logits, one_hot).item() == pytest.approx(
        everywhere
    )
    assert objective.retained(ids, lengths, right, logits, tied).item() == pytest.approx(
        term("correct", mixed)
    )


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("retain_temperature=0", "train.retain_temperature > 0"),
        ("retain_weight=-1", "train.retain_weight must be >= 0"),
        ("retain_examples=some", "train.retain_examples"),
    ],
)
def test_bad_retain_settings_are_refused(setting: str, message: str) -> None:
    from lstm_sentiment.errors import ConfigError

    with pytest.raises(ConfigError, match=message):
        RunConfig().with_overrides(["train.init_from=default", f"train.{setting}"])


@pytest.fixture(scope="module")
def nb_base(tmp_path_factory: pytest.TempPathFactory, tiny_files) -> Path:
    root = tmp_path_factory.mktemp("nb_base")
    changes = [f"data.source={tiny_files.csv}", "model.nb_ngrams=2", "model.nb_buckets=512"]
    return train(
        RunConfig.from_file(tiny_files.toml).with_overrides(changes), root / "run"
    ).model_dir


def nb_ratios(model_dir: Path) -> torch.Tensor:
    return SentimentModel.load(model_dir, runtime="torch").bundle.model.nb.ratios.clone()


@pytest.mark.parametrize("refit", [True, False])
def test_refit_nb_ratios_reads_the_new_data_and_otherwise_keeps_the_saved_ratios(
    nb_base: Path, tiny_files, tmp_path: Path, refit: bool
) -> None:
    """On data whose labels are flipped, re-fitted ratios turn against the saved ones (the
    words of praise now count for the other class); without the setting they stay exactly as
    saved. A learning rate too small to move the weights isolates the ratios."""
    flipped = {"positive": "negative", "negative": "positive"}
    rows = [(text, flipped[label]) for text, label in toy_texts(seed=3)]
    source = write_rows(tmp_path / "flipped.csv", rows)
    changes = ["train.lr=1e-12", "train.epochs=1", f"train.refit_nb_ratios={str(refit).lower()}"]
    result = train(fine_tune_config(tiny_files, source, nb_base, *changes), tmp_path / "run")
    saved, tuned = nb_ratios(nb_base), nb_ratios(result.model_dir)
    card = (result.model_dir / "README.md").read_text(encoding="utf-8")
    assert ("its NB ratios re-fitted on the training texts" in card) is refit
    if not refit:
        assert torch.equal(saved, tuned)
        return
    seen = saved.abs().sum(dim=1) > 0.5  # rows the toy texts hold
    assert np.corrcoef(saved[seen].flatten(), tuned[seen].flatten())[0, 1] < -0.5
    bundle = SentimentModel.load(nb_base, runtime="torch").bundle
    positive = bundle.labels.index("positive")
    for word in ("great", "wonderful", "awful", "terrible"):
        row = bundle.encoder.vocab.tokens.index(word)
        assert saved[row, positive] * tuned[row, positive] < 0, word


def test_refit_nb_ratios_needs_a_saved_model_with_an_nb_path(
    base_model: Path, tiny_files, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["-q", "train", "--data", tiny_files.csv, "--config", tiny_files.toml]
    args += ["--set", "train.refit_nb_ratios=true", "--output", tmp_path / "run"]
    code, _, err = run_cli(capsys, *args)
    assert_input_error(code, err, "train.refit_nb_ratios", "train.init_from")
    args += ["--set", f"train.init_from={base_model}"]
    code, _, err = run_cli(capsys, *args)
    assert_input_error(code, err, "train.refit_nb_ratios", "has none")
    assert not (tmp_path / "run" / "model").exists()


def test_ratio_rows_keep_the_main_data_and_the_chosen_extra_sources() -> None:
    from lstm_sentiment.errors import ConfigError
    from lstm_sentiment.kinds.neural_train import ratio_rows

    sources = ["a.csv", "b.csv", "a.csv"]
    config = RunConfig().with_overrides(
        [
            "train.init_from=default",
            "train.refit_nb_ratios=true",
            "data.extra_train=" + json.dumps(sources),
        ]
    )
    assert ratio_rows(config, 10, [2, 3, 2]) == list(range(10))  # no choice: every text
    chosen = config.with_overrides(['train.nb_ratio_extra=["a.csv"]'])
    assert ratio_rows(chosen, 10, [2, 3, 2]) == [0, 1, 2, 3, 4, 8, 9]
    unknown = config.with_overrides(['train.nb_ratio_extra=["c.csv"]'])
    with pytest.raises(ConfigError, match=r"c\.csv, which data\.extra_train does not hold"):
        ratio_rows(unknown, 10, [2, 3, 2])


def test_nb_ratio_extra_without_a_refit_is_refused() -> None:
    from lstm_sentiment.errors import ConfigError

    with pytest.raises(ConfigError, match=r"train\.refit_nb_ratios = true"):
        RunConfig().with_overrides(["train.init_from=default", 'train.nb_ratio_extra=["a.csv"]'])
