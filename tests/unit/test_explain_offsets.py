"""Token offsets in the original text: every tokenizer's tokens map back to the exact raw
substrings they came from (case, punctuation, spacing, entities, tags, URLs, mentions,
hashtags, subword pieces), and ensemble segments conserve their members' scores."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_sentiment.explain.ensemble import combine
from lstm_sentiment.explain.offsets import Token, align_tokens, locate_tokens, tracked_clean
from lstm_sentiment.explain.result import METHOD_LINEAR, Attribution
from lstm_sentiment.text.subword import SubwordTokenizer
from lstm_sentiment.text.tweet import TweetTokenizer
from lstm_sentiment.text.word import WordTokenizer


def squeeze(word: str) -> str:
    return re.sub(r"(.)\1+", r"\1", word)


def pairs(tokenizer, raw: str) -> list[tuple[str, str]]:
    return [(t.text, raw[t.start : t.end]) for t in locate_tokens(tokenizer, raw)]


def test_word_tokens_map_to_raw_substrings() -> None:
    raw = "I DON'T   like it!!! &amp; <br />ﬁne Café :-)  The END?"
    assert pairs(WordTokenizer(), raw) == [
        ("i", "I"),
        ("do", "DO"),
        ("n't", "N'T"),
        ("like", "like"),
        ("it", "it"),
        ("!", "!"),
        ("!", "!"),
        ("!", "!"),
        ("fine", "ﬁne"),  # one ligature character, NFKC-expanded by the cleaning
        ("café", "Café"),
        (":-)", ":-)"),
        ("the", "The"),
        ("end", "END"),
        ("?", "?"),
    ]


def test_entities_and_tags_map_to_what_they_replaced() -> None:
    raw = "great&#33; <i>really</i> good&hellip;"
    tokens = locate_tokens(WordTokenizer(keep_punctuation="!"), raw)
    assert [(t.text, raw[t.start : t.end]) for t in tokens] == [
        ("great", "great"),
        ("!", "&#33;"),
        ("really", "really"),
        ("good", "good"),
    ]


def test_tweet_placeholders_cover_what_they_replaced() -> None:
    raw = "RT @Bob_1: LOVING #MakeAmericaGreat soooo much http://t.co/xY 42% 😀👍🏽!!!!"
    assert pairs(TweetTokenizer(), raw) == [
        ("<user>", "@Bob_1"),
        ("loving", "LOVING"),
        ("<hashtag>", "#"),
        ("make", "Make"),
        ("america", "America"),
        ("great", "Great"),
        ("soo", "soooo"),
        ("much", "much"),
        ("<url>", "http://t.co/xY"),
        ("<number>", "42%"),
        ("😀", "😀"),
        ("👍", "👍🏽"),
        ("!", "!"),
        ("!", "!!!"),
    ]


@pytest.fixture(scope="module")
def subword() -> SubwordTokenizer:
    texts = ["the movie was great and wonderful", "i hated this boring film so much"] * 20
    texts += ["unwatchable garbage, truly awful", "a superb and brilliant story"] * 20
    return SubwordTokenizer(vocab_size=80).fit(texts)


def test_subword_pieces_map_to_their_characters(subword: SubwordTokenizer) -> None:
    raw = "  The   UNWATCHABLE film,\twas Greaaat! "
    tokens = locate_tokens(subword, raw)
    assert [t.text for t in tokens] == subword.tokenize(raw)
    for token in tokens:
        piece = token.text.removeprefix("▁")
        if piece:
            assert raw[token.start : token.end].lower() == piece, token
    # the pieces of one word tile it
    begin = raw.index("UNWATCHABLE")
    inside = sorted({(t.start, t.end) for t in tokens if begin <= t.start < begin + 11})
    assert len(inside) > 1
    assert "".join(raw[a:b] for a, b in inside) == "UNWATCHABLE"


WORDS = st.sampled_from(
    ["Great", "FILM", "don't", "it's", "soooo", "SoOoO", "café", "ﬁne", "&amp;", "&lt;3", "<br />",
     "<b>", "!!", "?", ":-)", "@user_1", "#GoodTimes", "http://x.co/a?b=1", "42%", "😀",
     "naïve", "ÉTÉ", "rt", "RT", "—", "...", "2nd"]
)  # fmt: skip
SPACES = st.sampled_from([" ", "  ", "\t", "\n", "", " \u00a0"])


@st.composite
def raw_texts(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.tuples(WORDS, SPACES), min_size=1, max_size=10))
    return "".join(word + space for word, space in parts)


@pytest.mark.parametrize(
    "tokenizer",
    [
        WordTokenizer(),
        WordTokenizer(lowercase=False),
        WordTokenizer(emoji=True, max_repeat=2),
        TweetTokenizer(),
    ],
    ids=str,
)
@given(raw=raw_texts())
def test_tokens_and_offsets_agree_with_the_tokenizer(tokenizer, raw: str) -> None:
    tracked = tracked_clean(tokenizer, raw)
    assert tracked is not None and tracked.text == tokenizer.clean(raw)  # no alignment fallback
    tokens = locate_tokens(tokenizer, raw)
    assert [t.text for t in tokens] == tokenizer.tokenize(raw)
    previous_end = 0
    for token in tokens:
        assert 0 <= token.start < token.end <= len(raw), token
        assert token.start >= previous_end, tokens  # in order, never overlapping
        previous_end = token.end
        surface = raw[token.start : token.end]
        if token.text.isalpha() and surface.isascii() and surface.isalpha():
            assert squeeze(surface.lower()) == squeeze(token.text.lower())  # soooo → soo


@given(raw=raw_texts())
def test_subword_offsets_agree_with_the_tokenizer(subword: SubwordTokenizer, raw: str) -> None:
    tokens = locate_tokens(subword, raw)
    assert [t.text for t in tokens] == subword.tokenize(raw)
    assert all(0 <= t.start <= t.end <= len(raw) for t in tokens)


def test_alignment_fallback_finds_tokens_and_covers_placeholders() -> None:
    raw = "Hi @bob, GREAT day"
    tokens = align_tokens(["hi", "<user>", "great", "day"], raw)
    assert [raw[t.start : t.end] for t in tokens] == ["Hi", "@bob,", "GREAT", "day"]


def test_ensemble_segments_conserve_weighted_member_scores() -> None:
    text = "unwatchable mess"
    word = Attribution(
        [Token("unwatchable", 0, 11), Token("mess", 12, 16)],
        np.array([[1.1, -1.1], [0.4, -0.4]]),
        np.zeros(2),
        np.zeros(2),
        METHOD_LINEAR,
    )
    pieces = Attribution(
        [Token("▁un", 0, 2), Token("watch", 2, 7), Token("able", 7, 11), Token("▁mess", 12, 16)],
        np.array([[0.2, -0.2], [0.5, -0.5], [np.nan, np.nan], [0.1, -0.1]]),
        np.zeros(2),
        np.zeros(2),
        METHOD_LINEAR,
    )
    columns = np.array([0, 1])
    tokens, scores = combine(text, [(0.25, word, columns), (0.75, pieces, columns[::-1])], 2)
    assert [(t.text, t.start, t.end) for t in tokens] == [
        ("un", 0, 2),
        ("watch", 2, 7),
        ("able", 7, 11),
        ("mess", 12, 16),
    ]
    # the word member spreads 1.1 over 11 characters; the subword member's labels are reversed
    np.testing.assert_allclose(
        scores[0], 0.25 * np.array([0.2, -0.2]) + 0.75 * np.array([-0.2, 0.2])
    )
    np.testing.assert_allclose(scores[2], 0.25 * np.array([0.4, -0.4]))  # only the word member
    np.testing.assert_allclose(
        scores.sum(axis=0),
        0.25 * word.scores.sum(axis=0) + 0.75 * np.nansum(pieces.scores, axis=0)[::-1],
    )


@settings(max_examples=200, deadline=None)
@given(
    text=st.lists(
        st.sampled_from([*"ab'’ sn't!?.,-É", "<br />", "&amp;", "ooo", "😀", "👍🏽", ":DDD"])
    ).map("".join)
)
def test_word_tokenize_equals_the_tokens_of_its_spans(text: str) -> None:
    """``tokenize`` (the fast path) and ``spans`` (explanations) must never drift apart."""
    for keep, emoji, repeat in (("!?", False, 0), ("", False, 0), ("!?", True, 2)):
        tokenizer = WordTokenizer(keep_punctuation=keep, emoji=emoji, max_repeat=repeat)
        spans = tokenizer.spans(tokenizer.clean(text))
        assert tokenizer.tokenize(text) == [token for token, _, _ in spans]
