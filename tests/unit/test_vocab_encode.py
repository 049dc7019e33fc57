"""Tests for the vocabulary and the single text → ids path."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lstm_sentiment.config import TextConfig
from lstm_sentiment.errors import ConfigError
from lstm_sentiment.text.encode import TextEncoder, truncate
from lstm_sentiment.text.tokenize import WordTokenizer
from lstm_sentiment.text.vocab import PAD_TOKEN, UNK_TOKEN, Vocabulary

CORPUS = [
    ["good", "good", "good", "film"],
    ["bad", "bad", "film"],
    ["good", "plot", "rare"],
]  # counts: good 4, bad 2, film 2, plot 1, rare 1


def test_vocab_build_orders_by_count_then_token_after_specials() -> None:
    vocab = Vocabulary.build(CORPUS)
    assert vocab.tokens == [PAD_TOKEN, UNK_TOKEN, "good", "bad", "film", "plot", "rare"]
    assert vocab.counts == {"good": 4, "bad": 2, "film": 2, "plot": 1, "rare": 1}


def test_vocab_build_min_freq_drops_rare_tokens() -> None:
    vocab = Vocabulary.build(CORPUS, min_freq=2)
    assert vocab.tokens[2:] == ["good", "bad", "film"]
    assert "rare" not in vocab
    assert Vocabulary.build(CORPUS, min_freq=5).tokens == [PAD_TOKEN, UNK_TOKEN]


@pytest.mark.parametrize(("max_size", "expected"), [(0, 7), (2, 2), (3, 3), (5, 5), (100, 7)])
def test_vocab_build_max_size_counts_special_tokens(max_size: int, expected: int) -> None:
    vocab = Vocabulary.build(CORPUS, max_size=max_size)
    assert len(vocab) == expected
    assert vocab.tokens[: min(expected, 3)] == [PAD_TOKEN, UNK_TOKEN, "good"][: min(expected, 3)]


def test_vocab_build_max_size_below_specials_never_grows_vocabulary() -> None:
    assert len(Vocabulary.build(CORPUS, max_size=1)) <= 2


@given(
    st.lists(st.lists(st.sampled_from("abcdefghij"), max_size=8), max_size=8),
    st.integers(min_value=2, max_value=15),
    st.integers(min_value=1, max_value=3),
)
def test_vocab_build_size_and_frequency_properties(
    token_lists: list[list[str]], max_size: int, min_freq: int
) -> None:
    vocab = Vocabulary.build(token_lists, min_freq=min_freq, max_size=max_size)
    counts: dict[str, int] = {}
    for tokens in token_lists:
        for token in tokens:
            counts[token] = counts.get(token, 0) + 1
    eligible = [t for t, n in counts.items() if n >= min_freq]
    assert len(vocab) == min(max_size, 2 + len(eligible))
    assert len(set(vocab.tokens)) == len(vocab)
    kept = vocab.tokens[2:]
    assert all(counts[t] >= min_freq for t in kept)
    # Nothing left out is more frequent than something kept.
    if kept:
        assert all(counts[t] <= counts[kept[-1]] for t in eligible if t not in vocab)


def test_vocab_ids_are_properties_and_distinct() -> None:
    vocab = Vocabulary.build(CORPUS)
    assert isinstance(type(vocab).pad_id, property)
    assert isinstance(type(vocab).unk_id, property)
    assert vocab.pad_id != vocab.unk_id
    assert vocab.special_ids == [vocab.pad_id, vocab.unk_id]


def test_vocab_special_ids_follow_their_tokens_not_positions() -> None:
    vocab = Vocabulary(["film", "[UNK]", "good", "[PAD]"], pad_token="[PAD]", unk_token="[UNK]")
    assert (vocab.pad_id, vocab.unk_id) == (3, 1)
    assert vocab.lookup(["good", "nope"]) == [2, 1]


def test_vocab_special_tokens_from_data_are_not_duplicated() -> None:
    vocab = Vocabulary.build([[UNK_TOKEN, UNK_TOKEN, "good", PAD_TOKEN]])
    assert vocab.tokens == [PAD_TOKEN, UNK_TOKEN, "good"]


def test_vocab_requires_special_tokens() -> None:
    with pytest.raises(ValueError, match="padding and unknown"):
        Vocabulary(["good", "bad"])


def test_vocab_lookup_maps_unknown_tokens_to_unk_id() -> None:
    vocab = Vocabulary.build(CORPUS)
    ids = vocab.lookup(["good", "never-seen", "film", ""])
    good, film = vocab.tokens.index("good"), vocab.tokens.index("film")
    assert ids == [good, vocab.unk_id, film, vocab.unk_id]


def test_vocab_extended_appends_only_new_tokens_in_order() -> None:
    vocab = Vocabulary.build([["good", "good", "film"]])
    wider = vocab.extended(["film", "great", "awful", "great"])

    assert wider.tokens == [*vocab.tokens, "great", "awful"]
    assert wider.lookup(["good", "great", "awful", "zzz"]) == [
        vocab.lookup(["good"])[0],
        len(vocab),
        len(vocab) + 1,
        wider.unk_id,
    ]
    assert wider.counts == vocab.counts and "great" not in wider.counts
    assert vocab.tokens == ["<pad>", "<unk>", "good", "film"]  # the original is unchanged


def test_vocab_to_dict_from_dict_round_trip_through_json() -> None:
    vocab = Vocabulary(["x", "<u>", "<p>", "good"], pad_token="<p>", unk_token="<u>")
    restored = Vocabulary.from_dict(json.loads(json.dumps(vocab.to_dict())))
    assert restored.tokens == vocab.tokens
    assert (restored.pad_id, restored.unk_id) == (vocab.pad_id, vocab.unk_id)
    assert restored.lookup(["good", "x", "zzz"]) == vocab.lookup(["good", "x", "zzz"])
    assert "counts" not in vocab.to_dict()


# --- truncation ---

IDS = st.lists(st.integers(min_value=0, max_value=1000), max_size=60)
MAX_LENGTH = st.integers(min_value=1, max_value=40)


@given(IDS, MAX_LENGTH)
def test_truncate_head_keeps_prefix(ids: list[int], max_length: int) -> None:
    result = list(truncate(ids, max_length, "head"))
    assert len(result) == min(len(ids), max_length)
    assert result == ids[: len(result)]


@given(IDS, MAX_LENGTH)
def test_truncate_tail_keeps_suffix(ids: list[int], max_length: int) -> None:
    result = list(truncate(ids, max_length, "tail"))
    assert len(result) == min(len(ids), max_length)
    assert result == ids[len(ids) - len(result) :]


@given(IDS, MAX_LENGTH)
def test_truncate_head_plus_tail_keeps_both_ends(ids: list[int], max_length: int) -> None:
    result = list(truncate(ids, max_length, "head+tail"))
    assert len(result) == min(len(ids), max_length)
    if len(ids) <= max_length:
        assert result == ids
        return
    head = (max_length + 1) // 2
    tail = max_length - head
    assert head >= tail
    assert result[:head] == ids[:head]
    assert result[head:] == (ids[len(ids) - tail :] if tail else [])
    assert result[0] == ids[0]
    if max_length > 1:
        assert result[-1] == ids[-1]


@given(IDS, MAX_LENGTH, st.sampled_from(["head", "tail", "head+tail"]))
def test_truncate_works_on_numpy_arrays(ids: list[int], max_length: int, policy: str) -> None:
    as_array = np.asarray(ids, dtype=np.int64)
    assert list(truncate(as_array, max_length, policy)) == list(truncate(ids, max_length, policy))


def test_truncate_unknown_policy_lists_valid_ones() -> None:
    with pytest.raises(ConfigError, match="head, tail, head\\+tail"):
        truncate(list(range(10)), 3, "middle")


# --- encoder ---


def _encoder(**text: object) -> TextEncoder:
    text.setdefault("max_length", 400)  # the default, 0, is derived from training data
    config = TextConfig(**text)  # type: ignore[arg-type]
    tokenizer = WordTokenizer(config.lowercase, config.keep_punctuation)
    vocab = Vocabulary.build([tokenizer.tokenize("great film , awful plot ! do n't")])
    return TextEncoder.from_config(config, vocab)


@pytest.mark.parametrize("text", ["", "   ", "...", "<br />", "zzz qqq"])
def test_encode_never_returns_empty(text: str) -> None:
    encoder = _encoder()
    ids = encoder.encode(text)
    assert ids.dtype == np.int64
    assert len(ids) >= 1
    assert set(ids.tolist()) == {encoder.vocab.unk_id}  # no token, or only unknown ones


def test_encode_maps_known_and_unknown_words() -> None:
    encoder = _encoder()
    vocab = encoder.vocab
    ids = encoder.encode("Great FILM, don't miss it!").tolist()
    expected = vocab.lookup(["great", "film", "do", "n't", "miss", "it", "!"])
    assert ids == expected
    assert ids[4] == ids[5] == vocab.unk_id


def test_encode_applies_truncation_policy_from_config() -> None:
    text = "great film awful plot great film awful plot"
    head = _encoder(max_length=3, truncation="head")
    tail = _encoder(max_length=3, truncation="tail")
    both = _encoder(max_length=3, truncation="head+tail")
    full = _encoder(max_length=400).encode(text).tolist()
    assert head.encode(text).tolist() == full[:3]
    assert tail.encode(text).tolist() == full[-3:]
    assert both.encode(text).tolist() == full[:2] + full[-1:]


def test_encode_many_equals_encode_one_by_one() -> None:
    encoder = _encoder()
    texts = ["great film", "", "awful plot!"]
    many = encoder.encode_many(texts)
    assert [a.tolist() for a in many] == [encoder.encode(t).tolist() for t in texts]
