"""The tweet tokenizer: placeholders, hashtags, emoticons, emoji, elongations, retweets."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lstm_sentiment.config import RunConfig, TextConfig
from lstm_sentiment.errors import ConfigError
from lstm_sentiment.text.tokenize import build_tokenizer, tokenizer_from_dict
from lstm_sentiment.text.tweet import (
    HASHTAG_TOKEN,
    NUMBER_TOKEN,
    URL_TOKEN,
    USER_TOKEN,
    TweetTokenizer,
    split_hashtag,
)

TOKENIZER = TweetTokenizer()
PLACEHOLDER_TOKENS = {USER_TOKEN, URL_TOKEN, NUMBER_TOKEN, HASHTAG_TOKEN}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "RT @NancyLeeGrahn: How did everyone feel? #GOPDebate",
            [USER_TOKEN, "how", "did", "everyone", "feel", "?", HASHTAG_TOKEN, "gopdebate"],
        ),
        ("see http://t.co/ZSfF\ufffd now", ["see", URL_TOKEN, "now"]),
        ("soooo happy!!!!!", ["soo", "happy", "!", "!"]),
        ("I don't like it :( &lt;3", ["i", "do", "n't", "like", "it", ":(", "<3"]),
        ("👍🏽 great 🇺🇸", ["👍", "great", "🇺🇸"]),
        ("won 10 at 8:30, 50% off", ["won", NUMBER_TOKEN, "at", NUMBER_TOKEN, NUMBER_TOKEN, "off"]),
        ("#MakeAmericaGreatAgain", [HASHTAG_TOKEN, "make", "america", "great", "again"]),
    ],
)  # fmt: skip
def test_tweet_examples(text: str, expected: list[str]) -> None:
    assert TOKENIZER.tokenize(text) == expected


def test_hashtag_modes_and_placeholders_are_options() -> None:
    keep = TweetTokenizer(hashtags="keep", placeholders=("url",))
    assert keep.tokenize("#GOPDebate @Bob 42 http://x.co") == [
        "#gopdebate",
        "@bob",
        "42",
        URL_TOKEN,
    ]
    strip = TweetTokenizer(hashtags="strip", placeholders=())
    assert strip.tokenize("#GOPDebate see http://x.co") == ["gopdebate", "see"]
    assert TweetTokenizer(max_repeat=0).tokenize("sooo!!!") == ["sooo", "!", "!", "!"]
    assert split_hashtag("GOPDebate2016_live") == ["GOPDebate", "2016", "live"]


def test_tweet_tokenizer_from_config_and_bundle_dict() -> None:
    config = TextConfig(
        tokenizer="tweet", tweet_hashtags="keep", tweet_placeholders="user,url", tweet_max_repeat=3
    )
    tokenizer = build_tokenizer(config)
    assert isinstance(tokenizer, TweetTokenizer)
    saved = tokenizer.to_dict()
    assert saved["name"] == "tweet" and saved["placeholders"] == ["user", "url"]
    again = tokenizer_from_dict(saved)
    assert again == tokenizer
    text = "RT @a: sooooo #GoodNight 7 http://t.co/x"
    assert again.tokenize(text) == tokenizer.tokenize(text) == [
        USER_TOKEN, "sooo", "#goodnight", "7", URL_TOKEN
    ]  # fmt: skip
    raw = RunConfig().to_dict()
    raw["text"]["tweet_hashtags"] = "split"
    assert RunConfig.from_dict(raw).text.tweet_placeholders == ["user", "url", "number"]


@pytest.mark.parametrize(
    ("key", "value"),
    [("tweet_hashtags", "explode"), ("tweet_placeholders", ["emails"]), ("tweet_max_repeat", -1)],
)
def test_tweet_options_are_checked(key: str, value: object) -> None:
    with pytest.raises(ConfigError, match=f"text.{key}"):
        RunConfig.from_dict({"text": {"tokenizer": "tweet", key: value}})


# --- properties on tweet-like strings ---

HANDLES = st.from_regex(r"@[A-Za-z0-9_]{1,15}", fullmatch=True)
URLS = st.from_regex(r"https?://t\.co/[A-Za-z0-9]{1,10}", fullmatch=True)
WORDS = st.from_regex(r"[A-Za-z]{1,8}", fullmatch=True)
HASHTAGS = st.from_regex(r"#[A-Za-z][A-Za-z0-9]{0,12}", fullmatch=True)
PIECES = st.one_of(
    WORDS,
    HANDLES,
    URLS,
    HASHTAGS,
    st.sampled_from([":)", ":-(", "<3", "xD", "😂", "👍🏽", "!!!", "&amp;", "RT", "123", "3.5"]),
    st.text(max_size=5),
)
TWEETS = st.lists(PIECES, max_size=12).map(" ".join)


@given(TWEETS)
def test_tokens_are_nonempty_lowercase_and_without_spaces(text: str) -> None:
    for token in TOKENIZER.tokenize(text):
        assert token and not re.search(r"\s", token)
        assert token == token.lower()


@given(st.lists(st.tuples(HANDLES, URLS, WORDS), min_size=1, max_size=4))
def test_mentions_and_urls_become_placeholders(parts: list[tuple[str, str, str]]) -> None:
    text = " ".join(f"{handle} {word} {url}" for handle, url, word in parts)
    tokens = TOKENIZER.tokenize(text)
    assert tokens.count(USER_TOKEN) == len(parts)
    assert tokens.count(URL_TOKEN) == len(parts)
    assert not any(t.startswith("@") or "http" in t or "t.co" in t for t in tokens)


@given(TWEETS, st.integers(min_value=1, max_value=3))
def test_no_letter_repeats_more_than_max_repeat(text: str, limit: int) -> None:
    tokenizer = TweetTokenizer(max_repeat=limit)
    for token in tokenizer.tokenize(text):
        if token not in PLACEHOLDER_TOKENS:
            assert not re.search(rf"([^\W\d_])\1{{{limit}}}", token), token


@given(TWEETS)
def test_whitespace_does_not_change_tokens(text: str) -> None:
    spaced = "  " + re.sub(" ", " \t ", text) + "\n"
    assert TOKENIZER.tokenize(spaced) == TOKENIZER.tokenize(text)


@given(st.lists(HASHTAGS, min_size=1, max_size=5))
def test_split_hashtags_keep_their_letters(tags: list[str]) -> None:
    tokens = TweetTokenizer(max_repeat=0).tokenize(" ".join(tags))
    assert tokens.count(HASHTAG_TOKEN) == len(tags)
    words = "".join(t for t in tokens if t != HASHTAG_TOKEN)
    assert words == "".join(tag[1:].lower() for tag in tags)
