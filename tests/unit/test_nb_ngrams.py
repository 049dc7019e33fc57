"""The NB-weighted n-gram path (NBSVM inside the network)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from lstm_sentiment.config import ModelConfig
from lstm_sentiment.errors import ConfigError
from lstm_sentiment.models.nb_ngrams import NbNgramLogits

PAD = 0
VOCAB_SIZE = 12
BUCKETS = 97


def path(orders: int = 3, outputs: int = 2, init: float = 1.0) -> NbNgramLogits:
    return NbNgramLogits(VOCAB_SIZE, BUCKETS, orders, outputs, PAD, init=init, dropout=0.0)


def batch(*texts: list[int]) -> tuple[torch.Tensor, torch.Tensor]:
    lengths = torch.tensor([len(t) for t in texts])
    ids = torch.full((len(texts), int(lengths.max())), PAD, dtype=torch.long)
    for row, text in enumerate(texts):
        ids[row, : len(text)] = torch.tensor(text)
    return ids, lengths


def test_features_are_distinct_ngrams_without_padding() -> None:
    ids, lengths = batch([2, 3, 2, 3], [4])
    rows = path(orders=3).feature_ids(ids, lengths)
    first = sorted(r for r in rows[0].tolist() if r >= 0)
    # unigrams 2, 3; bigrams (2,3), (3,2) [(2,3) repeated once]; trigrams (2,3,2), (3,2,3)
    assert len(first) == len(set(first)) == 6
    assert {2, 3} <= set(first) and all(r >= VOCAB_SIZE for r in first if r not in (2, 3))
    assert sorted(r for r in rows[1].tolist() if r >= 0) == [4]  # one word: no pairs


def test_ratios_point_to_the_class_a_feature_occurs_in() -> None:
    nb = path(orders=2)
    texts = [np.array(t) for t in ([2, 3], [2, 5], [4, 6], [4, 7, 6])]
    nb.fit_ratios(texts, np.array([1, 1, 0, 0]))
    assert nb.ratios[2, 1] > 0 > nb.ratios[2, 0]  # word 2: only in class 1
    assert nb.ratios[4, 0] > 0 > nb.ratios[4, 1]
    assert abs(float(nb.ratios[9, 1])) < 0.1  # never seen: about neutral
    ids, lengths = batch([2, 3], [4, 6])
    logits = nb(ids, lengths)
    assert logits[0, 1] > logits[0, 0] and logits[1, 0] > logits[1, 1]


def test_sigmoid_output_has_one_column_of_class_one_ratios() -> None:
    two, one = path(orders=2, outputs=2), path(orders=2, outputs=1)
    texts = [np.array(t) for t in ([2, 3], [2, 5], [4, 6], [4, 7, 6])]
    labels = np.array([1, 1, 0, 0])
    two.fit_ratios(texts, labels)
    one.fit_ratios(texts, labels)
    torch.testing.assert_close(one.ratios[:, 0], two.ratios[:, 1])


def test_three_classes_get_one_ratio_column_each() -> None:
    nb = path(orders=1, outputs=3)
    texts = [np.array([c + 2, 9]) for c in range(3) for _ in range(4)]
    nb.fit_ratios(texts, np.repeat(np.arange(3), 4))
    for c in range(3):
        assert int(nb.ratios[c + 2].argmax()) == c
    assert torch.allclose(nb.ratios[9], nb.ratios[9].mean().expand(3), atol=1e-6)


def test_dropout_only_while_training() -> None:
    nb = NbNgramLogits(VOCAB_SIZE, BUCKETS, 2, 2, PAD, init=1.0, dropout=0.5)
    with torch.no_grad():
        nb.ratios.normal_()
    ids, lengths = batch([2, 3, 4, 5, 6, 7, 8, 9])
    nb.eval()
    torch.testing.assert_close(nb(ids, lengths), nb(ids, lengths))
    nb.train()
    torch.manual_seed(0)
    assert not torch.allclose(nb(ids, lengths), nb(ids, lengths))


@pytest.mark.parametrize(
    "bad", [{"nb_ngrams": -1}, {"nb_buckets": 0}, {"nb_alpha": 0.0}, {"nb_dropout": 1.0}]
)
def test_bad_settings_are_refused(bad: dict) -> None:
    with pytest.raises(ConfigError, match=r"model\.nb_"):
        ModelConfig(**bad)


@pytest.mark.parametrize("outputs", [2, 1])
def test_leave_one_out_ratios_forget_the_text_itself(outputs: int) -> None:
    """Inside ``leave_out``, a word seen only in this training text is neutral (as for an unseen
    text); a word its class shares with other texts keeps pointing to that class."""
    nb = path(orders=1, outputs=outputs)
    texts = [np.array(t) for t in ([2, 3, 8], [2, 5], [4, 6], [4, 7, 6])]
    labels = np.array([1, 1, 0, 0])
    nb.fit_ratios(texts, labels)
    column = outputs - 1  # the class-1 column
    ids, lengths = batch([2, 8])
    rows = nb.feature_ids(ids, lengths).clamp_min(0)
    fitted = nb.ratios[rows][0, :, column]
    nb.train()
    loo = nb._leave_one_out_ratios(rows, torch.tensor([1]))[0, :, column]
    word = {int(r): i for i, r in enumerate(rows[0])}
    assert fitted[word[8]] > 0.3 and abs(float(loo[word[8]])) < 0.05  # only in text 0
    assert loo[word[2]] > 0.3  # also in text 1 (class 1)
    # The same text labelled class 0 would remove a class-0 count: word 8 leans to class 1.
    flipped = nb._leave_one_out_ratios(rows, torch.tensor([0]))[0, :, column]
    assert flipped[word[8]] > loo[word[8]]


def test_leave_out_applies_only_while_training_inside_the_block() -> None:
    nb = path(orders=2)
    texts = [np.array(t) for t in ([2, 3, 8], [2, 5], [4, 6], [4, 7, 6])]
    nb.fit_ratios(texts, np.array([1, 1, 0, 0]))
    ids, lengths = batch([2, 3, 8], [4, 6])
    labels = torch.tensor([1, 0])
    nb.train()
    plain = nb(ids, lengths)
    with nb.leave_out(labels):
        held_out = nb(ids, lengths)
    assert nb.held_out_labels is None
    torch.testing.assert_close(nb(ids, lengths), plain)
    margin = lambda logits: logits[:, 1] - logits[:, 0]  # noqa: E731
    assert margin(held_out)[0] < margin(plain)[0]  # text 0 no longer vouches for itself
    nb.eval()
    with nb.leave_out(labels):
        torch.testing.assert_close(nb(ids, lengths), plain)  # evaluation: fitted ratios


def test_shared_weights_scale_naive_bayes_by_one_learned_number_per_column() -> None:
    shared = NbNgramLogits(
        VOCAB_SIZE, BUCKETS, 2, 2, PAD, init=0.5, dropout=0.0, shared_weights=True
    )
    assert shared.weight.shape == (1, 2)
    texts = [np.array(t) for t in ([2, 3], [2, 5], [4, 6], [4, 7, 6])]
    shared.fit_ratios(texts, np.array([1, 1, 0, 0]))
    ids, lengths = batch([2, 3])
    rows = shared.feature_ids(ids, lengths)
    expected = 0.5 * shared.ratios[rows[rows >= 0]].sum(dim=0)
    torch.testing.assert_close(shared(ids, lengths)[0], expected)


def test_nb_weights_choice_is_checked() -> None:
    with pytest.raises(ConfigError, match="nb_weights"):
        ModelConfig(nb_ngrams=2, nb_weights="per_word")
