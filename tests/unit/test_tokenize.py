"""Tests for cleaning and tokenization (the one path shared by training and prediction)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lstm_sentiment.config import TextConfig
from lstm_sentiment.errors import ConfigError
from lstm_sentiment.text.tokenize import WordTokenizer, build_tokenizer, tokenizer_from_dict

TOKENIZER = WordTokenizer()


@pytest.mark.parametrize(
    "text",
    [
        "Great film.<br />Really great.",
        "Great film.<br/>Really great.",
        "Great film.<BR>Really great.",
        "Great film.< br / >Really great.",
    ],
)
def test_tokenize_removes_break_tags(text: str) -> None:
    tokens = TOKENIZER.tokenize(text)
    assert tokens == ["great", "film", "really", "great"]
    assert not any(t == "br" or "<" in t or ">" in t for t in tokens)


def test_tokenize_break_tag_separates_words() -> None:
    assert TOKENIZER.tokenize("end<br />start") == ["end", "start"]


def test_tokenize_drops_other_html_and_unescapes_entities() -> None:
    assert TOKENIZER.tokenize("<i>Superb</i> &amp; moving") == ["superb", "moving"]
    assert TOKENIZER.tokenize("it&#39;s fine") == ["it", "'s", "fine"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I don't like it", ["i", "do", "n't", "like", "it"]),
        ("It isn't good", ["it", "is", "n't", "good"]),
        ("I can't stand it", ["i", "ca", "n't", "stand", "it"]),
        ("It wasn’t fun", ["it", "was", "n't", "fun"]),  # typographic apostrophe
        ("I didn`t care", ["i", "did", "n't", "care"]),  # backtick
        ("She's here and we're done", ["she", "'s", "here", "and", "we", "'re", "done"]),
        ("I'll go, you'd stay, I'm out", ["i", "'ll", "go", "you", "'d", "stay", "i", "'m", "out"]),
    ],
)
def test_tokenize_splits_negations_and_clitics(text: str, expected: list[str]) -> None:
    assert TOKENIZER.tokenize(text) == expected


def test_tokenize_keeps_exclamation_and_question_marks_drops_other_punctuation() -> None:
    assert TOKENIZER.tokenize("Wow!! Really? Yes, fine; ok.") == [
        "wow",
        "!",
        "!",
        "really",
        "?",
        "yes",
        "fine",
        "ok",
    ]


def test_tokenize_keep_punctuation_is_configurable() -> None:
    assert WordTokenizer(keep_punctuation="").tokenize("Wow! Really?") == ["wow", "really"]
    assert WordTokenizer(keep_punctuation=".,").tokenize("Wow! Fine, ok.") == [
        "wow",
        "fine",
        ",",
        "ok",
        ".",
    ]


@pytest.mark.parametrize("emoticon", [":)", ":(", ":-)", ";)", ":]", "=)", "<3", ":p", ":/"])
def test_tokenize_keeps_emoticons(emoticon: str) -> None:
    assert TOKENIZER.tokenize(f"loved it {emoticon} really") == ["loved", "it", emoticon, "really"]


def test_tokenize_url_is_not_an_emoticon() -> None:
    assert ":/" not in TOKENIZER.tokenize("see http://example.com now")


def test_tokenize_lowercase_option() -> None:
    text = "GREAT Film, Don't MISS it!"
    assert TOKENIZER.tokenize(text) == ["great", "film", "do", "n't", "miss", "it", "!"]
    assert WordTokenizer(lowercase=False).tokenize(text) == [
        "GREAT",
        "Film",
        "Do",
        "n't",
        "MISS",
        "it",
        "!",
    ]


def test_tokenize_keeps_hyphenated_words_and_unicode_letters() -> None:
    assert TOKENIZER.tokenize("A well-made café naïveté") == ["a", "well-made", "café", "naïveté"]


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "...", "<br />"])
def test_tokenize_empty_or_punctuation_only_gives_no_tokens(text: str) -> None:
    assert TOKENIZER.tokenize(text) == []


def test_tokenizer_to_dict_round_trips_through_build_tokenizer() -> None:
    tokenizer = WordTokenizer(lowercase=False, keep_punctuation="!")
    saved = tokenizer.to_dict()
    assert saved == {"name": "word", "lowercase": False, "keep_punctuation": "!"}
    assert tokenizer_from_dict(saved) == tokenizer
    assert build_tokenizer(TextConfig(lowercase=False, keep_punctuation="!")) == tokenizer


def test_build_tokenizer_unknown_name_lists_valid_ones() -> None:
    with pytest.raises(ConfigError, match="word"):
        tokenizer_from_dict({"name": "bpe"})


# --- properties ---


@given(st.text())
def test_tokenize_never_raises_and_tokens_have_no_whitespace(text: str) -> None:
    for tokenizer in (TOKENIZER, WordTokenizer(lowercase=False)):
        tokens = tokenizer.tokenize(text)
        assert isinstance(tokens, list)
        for token in tokens:
            assert token
            assert not any(ch.isspace() for ch in token), token


@given(st.text(alphabet=st.characters(codec="ascii"), max_size=200))
def test_tokenize_lowercase_equals_lowercased_tokens_for_ascii(text: str) -> None:
    lowered = TOKENIZER.tokenize(text)
    assert lowered == [t.lower() for t in WordTokenizer(lowercase=False).tokenize(text)]


_WORDS = st.lists(
    st.text(
        alphabet=st.characters(categories=("Lu", "Ll", "Nd"), codec="latin-1"),
        min_size=1,
        max_size=8,
    ),
    max_size=12,
)


@given(_WORDS)
def test_tokenize_word_only_input_round_trips_through_join(words: list[str]) -> None:
    text = " ".join(words)
    for tokenizer in (TOKENIZER, WordTokenizer(lowercase=False)):
        tokens = tokenizer.tokenize(text)
        assert tokenizer.tokenize(" ".join(tokens)) == tokens


@given(_WORDS)
def test_tokenize_word_only_input_keeps_every_word(words: list[str]) -> None:
    tokens = WordTokenizer(lowercase=False).tokenize(" ".join(words))
    assert tokens == [unicodedata.normalize("NFKC", word) for word in words]  # "µ" -> "μ"


def test_word_tokenizer_keeps_emoji_and_cuts_elongations_when_asked() -> None:
    text = "sooo goood!!! 😍 👍🏽 loved it"
    assert WordTokenizer().tokenize(text) == ["sooo", "goood", "!", "!", "!", "loved", "it"]
    asked = build_tokenizer(TextConfig(word_emoji=True, word_max_repeat=2))
    assert asked.tokenize(text) == ["soo", "good", "!", "!", "!", "😍", "👍", "loved", "it"]
    assert tokenizer_from_dict(asked.to_dict()) == asked
    # bundles that never used the options save (and read back) what they always did
    assert WordTokenizer().to_dict() == {
        "name": "word",
        "lowercase": True,
        "keep_punctuation": "!?",
    }


def test_negative_word_max_repeat_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"text\.word_max_repeat must be >= 0"):
        TextConfig(word_max_repeat=-1)
