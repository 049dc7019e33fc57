"""Tests for the SentencePiece subword tokenizer: learn, encode, decode, save, reload."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lstm_sentiment.config import RunConfig, TextConfig
from lstm_sentiment.errors import BundleError, ConfigError, DataError
from lstm_sentiment.text.subword import MODEL_FILE, SubwordTokenizer
from lstm_sentiment.text.tokenize import (
    TOKENIZERS,
    LearnedTokenizer,
    WordTokenizer,
    build_tokenizer,
    tokenizer_from_dict,
)

SMALL_VOCAB = 60
WORDS = ("the", "movie", "was", "a", "great", "boring", "plot", "story", "really", "awful")
CORPUS = [
    " ".join(WORDS[(i * 7 + j * 3) % len(WORDS)] for j in range(3 + i % 5)) + "!" * (i % 2)
    for i in range(40)
] + ["Wonderful! <br />The plot, really..."]


@pytest.fixture(scope="module")
def corpus() -> list[str]:
    return list(CORPUS)


@pytest.fixture(scope="module")
def unigram(corpus: list[str]) -> SubwordTokenizer:
    return SubwordTokenizer("unigram", SMALL_VOCAB).fit(corpus)


@pytest.fixture(scope="module", params=["unigram", "bpe"])
def fitted(request: pytest.FixtureRequest, corpus: list[str]) -> SubwordTokenizer:
    return SubwordTokenizer(request.param, SMALL_VOCAB).fit(corpus)


def test_subword_is_registered_and_selectable() -> None:
    assert "subword" in TOKENIZERS
    config = TextConfig(tokenizer="subword", subword_model="bpe", subword_vocab_size=500)
    tokenizer = build_tokenizer(config)
    assert isinstance(tokenizer, SubwordTokenizer)
    assert isinstance(tokenizer, LearnedTokenizer)
    assert not isinstance(WordTokenizer(), LearnedTokenizer)
    assert (tokenizer.model_type, tokenizer.vocab_size) == ("bpe", 500)
    assert RunConfig().text.subword_vocab_size == 8000
    assert RunConfig().text.subword_model == "unigram"


@pytest.mark.parametrize(
    ("override", "match"),
    [
        ("text.subword_model=wordpiece", "unigram, bpe"),
        ("text.subword_vocab_size=1", "subword_vocab_size"),
    ],
)
def test_subword_config_is_checked(override: str, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        RunConfig().with_overrides([override])


def test_fit_learns_whole_words_of_the_corpus(fitted: SubwordTokenizer) -> None:
    assert fitted.fitted
    assert fitted.piece_count > 0
    # The most frequent words become single pieces ("▁" marks a word start).
    assert fitted.tokenize("movie plot really") == ["▁movie", "▁plot", "▁really"]


def test_encode_then_decode_gives_the_cleaned_text(fitted: SubwordTokenizer) -> None:
    text = "The  PLOT was\nBRILLIANT!<br />zebra-crossing über 😀"
    pieces = fitted.tokenize(text)
    assert len(pieces) > len(text.split())  # unseen words are split into pieces
    assert fitted.decode(pieces) == "the plot was brilliant! zebra-crossing über 😀"
    assert fitted.decode(pieces) == fitted.clean(text)


@given(text=st.text(alphabet=st.sampled_from("abtheovisgrlyzX!?.,' \n"), max_size=60))
def test_decode_inverts_tokenize(unigram: SubwordTokenizer, text: str) -> None:
    assert unigram.decode(unigram.tokenize(text)) == unigram.clean(text)


def test_lowercase_off_keeps_case(corpus: list[str]) -> None:
    tokenizer = SubwordTokenizer("bpe", SMALL_VOCAB, lowercase=False).fit(corpus)
    assert tokenizer.decode(tokenizer.tokenize("The Movie")) == "The Movie"


@pytest.mark.parametrize("model_type", ["unigram", "bpe"])
def test_fit_is_deterministic(corpus: list[str], model_type: str, tmp_path: Path) -> None:
    first = SubwordTokenizer(model_type, SMALL_VOCAB).fit(corpus)
    second = SubwordTokenizer(model_type, SMALL_VOCAB).fit(corpus)
    first.save(tmp_path / "a")
    second.save(tmp_path / "b")
    assert (tmp_path / "a" / MODEL_FILE).read_bytes() == (tmp_path / "b" / MODEL_FILE).read_bytes()


def test_save_and_reload_through_the_registry(fitted: SubwordTokenizer, tmp_path: Path) -> None:
    path = fitted.save(tmp_path)
    assert path == tmp_path / MODEL_FILE
    assert [p.name for p in tmp_path.iterdir()] == [MODEL_FILE]  # no temporary file left
    saved = json.loads(json.dumps(fitted.to_dict()))
    assert saved["name"] == "subword"
    loaded = tokenizer_from_dict(saved, tmp_path)
    text = "a really boring story, zebra!"
    assert loaded.tokenize(text) == fitted.tokenize(text)
    assert loaded.to_dict() == saved


def test_reload_needs_the_matching_model_file(
    fitted: SubwordTokenizer, corpus: list[str], tmp_path: Path
) -> None:
    saved = fitted.to_dict()
    with pytest.raises(BundleError, match="bundle folder"):
        tokenizer_from_dict(saved, None)
    with pytest.raises(BundleError, match=f"missing {MODEL_FILE}"):
        tokenizer_from_dict(saved, tmp_path)
    other = "bpe" if fitted.model_type == "unigram" else "unigram"
    SubwordTokenizer(other, SMALL_VOCAB).fit(corpus).save(tmp_path)
    with pytest.raises(BundleError, match="checksum"):
        tokenizer_from_dict(saved, tmp_path)


def test_unfitted_tokenizer_says_what_to_do(tmp_path: Path) -> None:
    tokenizer = SubwordTokenizer()
    assert not tokenizer.fitted
    with pytest.raises(ConfigError, match="fit"):
        tokenizer.tokenize("a text")
    with pytest.raises(ConfigError, match="untrained"):
        tokenizer.save(tmp_path)


def test_fit_on_no_text_fails() -> None:
    with pytest.raises(DataError, match="empty"):
        SubwordTokenizer().fit(["", "  <br />  "])
