"""Tests for padding/bucketing, classification metrics, length statistics and plots."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lstm_sentiment.inference.batching import EncodedDataset, bucketed_order, pad_batch
from lstm_sentiment.inference.metrics import classification_metrics
from lstm_sentiment.text.stats import describe, suggest_max_length
from lstm_sentiment.training.plots import (
    plot_confusion_matrix,
    plot_length_histogram,
    plot_training_curves,
)
from lstm_sentiment.training.trainer import EpochRecord


def test_pad_batch_right_pads_with_pad_id() -> None:
    ids, lengths = pad_batch([np.array([5, 6, 7]), np.array([8])], pad_id=3)
    assert ids.tolist() == [[5, 6, 7], [8, 3, 3]]
    assert lengths.tolist() == [3, 1]


@given(
    st.lists(st.integers(min_value=1, max_value=30), min_size=1, max_size=80),
    st.integers(min_value=1, max_value=9),
    st.integers(min_value=0, max_value=4),
    st.integers(min_value=0, max_value=1000),
)
def test_bucketed_order_uses_every_example_once(
    lengths: list[int], batch_size: int, bucket_size: int, seed: int
) -> None:
    array = np.asarray(lengths)
    for rng in (None, np.random.default_rng(seed)):
        plan = bucketed_order(array, batch_size, rng=rng, bucket_size=bucket_size)
        flat = np.concatenate(plan)
        assert sorted(flat.tolist()) == list(range(len(lengths)))
        assert all(1 <= len(batch) <= batch_size for batch in plan)
    evaluation = np.concatenate(bucketed_order(array, batch_size, rng=None, bucket_size=0))
    assert np.all(np.diff(array[evaluation]) >= 0)  # evaluation: sorted by length


def test_bucketed_order_is_reproducible_per_seed() -> None:
    lengths = np.arange(40) % 7 + 1
    plans = [
        bucketed_order(lengths, 4, rng=np.random.default_rng([1, epoch]), bucket_size=2)
        for epoch in (1, 1, 2)
    ]
    assert [b.tolist() for b in plans[0]] == [b.tolist() for b in plans[1]]
    assert [b.tolist() for b in plans[0]] != [b.tolist() for b in plans[2]]


def test_encoded_dataset_batches_carry_labels_and_positions() -> None:
    data = EncodedDataset(
        [np.array([4, 5]), np.array([6]), np.array([7, 8, 9])], np.array([1, 0, 1]), pad_id=0
    )
    assert len(data) == 3 and data.num_tokens == 6
    batch = data.make_batch(np.array([2, 1]))
    assert batch.ids.tolist() == [[7, 8, 9], [6, 0, 0]]
    assert batch.labels.tolist() == [1, 0]
    assert batch.num_tokens == 4
    plan = data.batches(2)
    assert [b.indices.tolist() for b in data.iterate(plan, start=1)] == [
        p.tolist() for p in plan[1:]
    ]


def test_classification_metrics_known_values() -> None:
    y_true = np.array([0, 0, 1, 1])
    probabilities = np.array([[0.9, 0.1], [0.4, 0.6], [0.2, 0.8], [0.3, 0.7]])
    metrics = classification_metrics(y_true, probabilities, ["neg", "pos"])
    assert metrics["n"] == 4
    assert metrics["accuracy"] == pytest.approx(0.75)
    assert metrics["confusion_matrix"] == [[1, 1], [0, 2]]
    assert metrics["per_class"]["neg"] == {
        "precision": 1.0,
        "recall": 0.5,
        "f1": pytest.approx(2 / 3),
        "support": 2,
    }
    assert metrics["per_class"]["pos"]["precision"] == pytest.approx(2 / 3)
    assert metrics["macro_f1"] == pytest.approx((2 / 3 + 0.8) / 2)
    assert metrics["labels"] == ["neg", "pos"]
    assert metrics["log_loss"] > 0


def test_classification_metrics_with_an_absent_class() -> None:
    metrics = classification_metrics(
        np.array([0, 0]), np.array([[0.9, 0.1, 0.0], [0.8, 0.1, 0.1]]), ["a", "b", "c"]
    )
    assert metrics["accuracy"] == 1.0
    assert metrics["per_class"]["c"]["support"] == 0
    assert len(metrics["confusion_matrix"]) == 3


def test_describe_and_suggest_max_length() -> None:
    lengths = list(range(1, 101))
    stats = describe(lengths, ["pos"] * 60 + ["neg"] * 39 + [None])
    assert stats["n"] == 100
    assert stats["classes"] == {"(unlabelled)": 1, "neg": 39, "pos": 60}
    assert stats["tokens"]["min"] == 1 and stats["tokens"]["max"] == 100
    assert stats["tokens"]["p50"] == pytest.approx(50.5)
    assert stats["suggested_max_length"] == suggest_max_length(lengths) == 96
    assert suggest_max_length([1, 2, 3]) == 16


def test_plots_write_png_files(tmp_path: Path) -> None:
    history = [EpochRecord(e, 1 / e, 0.5, 1 / e, 0.6, 0.6, 0.01, 1.0, 10.0) for e in (1, 2)]
    plot_training_curves(history, tmp_path / "curves.png")
    plot_confusion_matrix([[3, 1], [0, 4]], ["neg", "pos"], tmp_path / "cm.png", title="t")
    plot_length_histogram([3, 5, 8, 13], 16, tmp_path / "hist.png")
    for name in ("curves.png", "cm.png", "hist.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not list(tmp_path.glob(".*.tmp"))  # atomic writes leave no temporary files


def test_pad_batch_fixed_width_pads_to_pad_to() -> None:
    ids, lengths = pad_batch([np.array([5, 6, 7]), np.array([8])], pad_id=0, pad_to=6)
    assert ids.shape == (2, 6)
    assert lengths.tolist() == [3, 1]
    assert ids[1].tolist() == [8, 0, 0, 0, 0, 0]


def test_fixed_padding_config_trains(tiny_config, tmp_path) -> None:
    from lstm_sentiment.pipeline import train

    config = tiny_config.with_overrides(["text.padding=fixed", "train.epochs=2"])
    result = train(config, tmp_path / "run")
    assert result.fit.history[-1].epoch == 2


@given(
    lengths=st.lists(st.integers(min_value=1, max_value=60), min_size=1, max_size=40),
    probability=st.floats(min_value=0.0, max_value=1.0),
    min_tokens=st.integers(min_value=1, max_value=8),
    seed=st.integers(min_value=0, max_value=2**16),
)
def test_cropped_keeps_contiguous_spans_of_each_text(
    lengths: list[int], probability: float, min_tokens: int, seed: int
) -> None:
    ids = [np.arange(100 * i, 100 * i + n, dtype=np.int64) for i, n in enumerate(lengths)]
    labels = np.arange(len(ids), dtype=np.int64)
    data = EncodedDataset(ids, labels, pad_id=-1)
    cropped = data.cropped(np.random.default_rng(seed), probability, min_tokens)

    assert len(cropped) == len(data) and cropped.labels is labels
    for original, span in zip(ids, cropped.ids, strict=True):
        assert min(min_tokens, len(original)) <= len(span) <= len(original)
        start = int(span[0] - original[0])
        np.testing.assert_array_equal(span, original[start : start + len(span)])
    np.testing.assert_array_equal(cropped.lengths, [len(s) for s in cropped.ids])


def test_cropped_probability_bounds_and_short_span_share() -> None:
    ids = [np.arange(400, dtype=np.int64) for _ in range(2000)]
    data = EncodedDataset(ids, None, pad_id=0)
    rng = np.random.default_rng(0)

    assert all(len(s) == 400 for s in data.cropped(rng, 0.0, 4).ids)
    every = data.cropped(rng, 1.0, 4).lengths
    assert (every < 400).mean() > 0.95
    # log-uniform lengths in [4, 400]: about half the spans are under 40 tokens (sentence-sized)
    assert 0.4 < (every <= 40).mean() < 0.6
    half = data.cropped(rng, 0.5, 4).lengths
    assert 0.45 < (half < 400).mean() < 0.55


def test_cropped_leaves_texts_up_to_longer_than_whole() -> None:
    ids = [list(range(n)) for n in (12, 40, 41, 300)]
    data = EncodedDataset(ids, np.zeros(len(ids), dtype=np.int64), pad_id=0)
    for seed in range(20):
        lengths = data.cropped(np.random.default_rng(seed), 1.0, 4, longer_than=40).lengths
        assert lengths[:2].tolist() == [12, 40]  # labelled sentences stay whole
        assert lengths[3] <= 300
    cut = [
        data.cropped(np.random.default_rng(s), 1.0, 4, longer_than=40).lengths[3] for s in range(20)
    ]
    assert min(cut) < 300  # longer texts are still cropped
