"""Soft labels (``data.soft_labels``): a row's label distribution from ``p_<label>`` columns
(CSV, as ``predict --format csv`` writes) or a ``probabilities`` object (JSONL) is read, checked
and trained toward with a soft cross-entropy."""

from __future__ import annotations

import csv
import itertools
import json
from pathlib import Path

import numpy as np
import pytest
import torch

from conftest import FILLER_WORDS, toy_texts
from lstm_sentiment.config import RunConfig, TrainConfig
from lstm_sentiment.data import Example
from lstm_sentiment.data.jsonl import read_jsonl
from lstm_sentiment.data.soft_labels import target_matrix
from lstm_sentiment.data.tables import read_table
from lstm_sentiment.errors import ConfigError, DataError
from lstm_sentiment.pipeline import train
from lstm_sentiment.predict import SentimentModel
from lstm_sentiment.training.objective import TrainingObjective
from test_cli import assert_input_error, run_cli

NEW_WORD = "zorp"
"""A word only the soft-labelled rows have: what the model learns of it comes from them."""
NEW_WORD_POSITIVE = 0.6


def write_soft_rows(path: Path, rows: list[tuple[str, str, float]]) -> Path:
    """A CSV as ``predict --format csv`` writes it: text, label, p_negative, p_positive."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label", "p_negative", "p_positive"])
        for text, label, positive in rows:
            writer.writerow([text, label, f"{1 - positive:.6f}", f"{positive:.6f}"])
    return path


def new_word_rows(count: int = 40) -> list[tuple[str, str, float]]:
    rng = np.random.default_rng(3)
    rows = []
    for _ in range(count):
        fillers = rng.choice(FILLER_WORDS, size=3, replace=False).tolist()
        rows.append((" ".join([NEW_WORD, *fillers]), "positive", NEW_WORD_POSITIVE))
    return rows


def test_a_table_gives_each_row_its_distribution_only_when_asked(tmp_path: Path) -> None:
    path = write_soft_rows(tmp_path / "t.csv", [("good", "positive", 0.75), ("bad", "negative", 0)])
    soft = list(read_table(path, soft_labels=True))
    assert soft[0].probabilities == (("negative", 0.25), ("positive", 0.75))
    assert soft[1].probabilities == (("negative", 1.0), ("positive", 0.0))
    assert [ex.probabilities for ex in read_table(path)] == [None, None]


def test_a_jsonl_record_gives_its_probabilities_object(tmp_path: Path) -> None:
    path = tmp_path / "t.jsonl"
    records = [
        {"text": "good", "label": "positive", "probabilities": {"negative": 0.1, "positive": 0.9}},
        {"text": "bad", "label": "negative", "p_negative": 0.8, "p_positive": 0.2},
        {"text": "plain", "label": "negative"},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    found = [ex.probabilities for ex in read_jsonl(path, soft_labels=True)]
    assert found == [
        (("negative", 0.1), ("positive", 0.9)),
        (("negative", 0.8), ("positive", 0.2)),
        None,
    ]


@pytest.mark.parametrize(
    ("negative", "positive", "words"),
    [("0.5", "high", ["line 2", "p_positive", "'high'"]), ("0.5", "0.2", ["line 2", "0.7000"])],
)
def test_a_value_that_is_not_a_probability_names_the_row(
    tmp_path: Path, negative: str, positive: str, words: list[str]
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(f"text,label,p_negative,p_positive\ngood,positive,{negative},{positive}\n")
    with pytest.raises(DataError) as caught:
        list(read_table(path, soft_labels=True))
    for word in words:
        assert word in str(caught.value)


def test_targets_are_one_hot_where_a_row_has_no_distribution() -> None:
    examples = [
        Example("a", "positive", probabilities=(("negative", 0.3), ("positive", 0.7))),
        Example("b", "negative"),
    ]
    targets = target_matrix(examples, ["negative", "positive"])
    assert targets is not None
    np.testing.assert_allclose(targets, [[0.3, 0.7], [1.0, 0.0]])
    assert target_matrix([Example("b", "negative")], ["negative", "positive"]) is None
    with pytest.raises(DataError, match="p_neutral"):
        target_matrix([Example("c", "negative", probabilities=(("neutral", 1.0),))], ["negative"])


class Bag(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.embedding = torch.nn.EmbeddingBag(10, 2)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        return self.embedding(ids)


def test_the_loss_is_the_cross_entropy_against_the_distribution() -> None:
    torch.manual_seed(0)
    objective = TrainingObjective(Bag(), TrainConfig())
    ids, lengths = torch.tensor([[1, 2], [3, 4], [5, 6]]), torch.tensor([2, 2, 2])
    labels = torch.tensor([1, 0, 1])
    targets = torch.tensor([[0.2, 0.8], [0.9, 0.1], [0.5, 0.5]])
    logits, soft, _ = objective(ids, lengths, labels, targets=targets)
    expected = -(targets * torch.log_softmax(logits, dim=-1)).sum(dim=-1).mean()
    assert torch.isclose(soft, expected)
    one_hot = torch.nn.functional.one_hot(labels, 2).float()
    _, as_one_hot, _ = objective(ids, lengths, labels, targets=one_hot)
    _, hard, _ = objective(ids, lengths, labels)
    assert torch.isclose(as_one_hot, hard)


def soft_run(tiny_files, extra: Path, root: Path, soft: bool) -> Path:
    config = RunConfig.from_file(tiny_files.toml).with_overrides(
        [
            f"data.source={tiny_files.csv}",
            f'data.extra_train=["{extra}"]',
            f"data.soft_labels={'true' if soft else 'false'}",
            "text.min_freq=1",
            "text.max_vocab_size=0",
            # the validation texts have no new word: keep every epoch (the last is kept)
            "train.patience=0",
            "train.monitor=loss",
            "train.epochs=10",
            # balanced class weights would reweight the distribution too (toward the rarer
            # negative class here): the pure soft cross-entropy is what is tested
            "train.class_weights=none",
        ]
    )
    return train(config, root).model_dir


def new_word_probability(model_dir: Path) -> float:
    """p(positive) of texts that hold only the new word and fillers, before calibration."""
    model = SentimentModel.load(model_dir, runtime="torch")
    texts = [f"{NEW_WORD} {a} {b}" for a, b in itertools.pairwise(FILLER_WORDS)]
    logits = torch.from_numpy(model.predict_logits(texts))
    return float(torch.softmax(logits, dim=-1)[:, model.labels.index("positive")].mean())


def test_a_model_learns_the_teachers_uncertainty_not_its_verdict(
    tiny_files, tmp_path: Path
) -> None:
    """Rows with a word the corpus never had, labelled positive at 0.6: trained toward the
    distribution the model says about 0.6 for that word; trained on the labels, near 1."""
    extra = write_soft_rows(tmp_path / "teacher.csv", new_word_rows())
    soft = new_word_probability(soft_run(tiny_files, extra, tmp_path / "soft", soft=True))
    hard = new_word_probability(soft_run(tiny_files, extra, tmp_path / "hard", soft=False))
    assert abs(soft - NEW_WORD_POSITIVE) < 0.15, soft
    assert hard > 0.85, hard


def test_soft_labels_without_any_distribution_is_refused(tiny_files, tmp_path: Path) -> None:
    config = RunConfig.from_file(tiny_files.toml).with_overrides(
        [f"data.source={tiny_files.csv}", "data.soft_labels=true"]
    )
    with pytest.raises(ConfigError, match="no training row has p_<label> columns"):
        train(config, tmp_path / "run")


def test_the_cli_names_the_bad_row_and_exits_2(
    tiny_files, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [(text, label, 1.0 if label == "positive" else 0.0) for text, label in toy_texts(2)]
    extra = write_soft_rows(tmp_path / "teacher.csv", rows)
    extra.write_text(extra.read_text() + "more film,positive,0.4,0.4\n", encoding="utf-8")
    code, _, err = run_cli(
        capsys,
        "-q",
        "train",
        "--config",
        tiny_files.toml,
        "--data",
        tiny_files.csv,
        "--output",
        tmp_path / "run",
        "--set",
        f'data.extra_train=["{extra}"]',
        "--set",
        "data.soft_labels=true",
    )
    assert_input_error(code, err, "teacher.csv", "sum to 0.8000")
    assert not (tmp_path / "run" / "model").exists()


def test_nbsvm_refuses_soft_labels(tiny_files, tmp_path: Path) -> None:
    extra = write_soft_rows(tmp_path / "teacher.csv", new_word_rows(4))
    config = RunConfig.from_file(tiny_files.toml).with_overrides(
        [
            f"data.source={tiny_files.csv}",
            f'data.extra_train=["{extra}"]',
            "data.soft_labels=true",
            "model.architecture=nbsvm",
        ]
    )
    with pytest.raises(ConfigError, match="NBSVM learns from labels"):
        train(config, tmp_path / "run")
