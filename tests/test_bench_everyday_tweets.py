"""bench/everyday_tweets.py: the kept tweets are balanced; the rest holds exactly the allowed
rows the balancing left out (never a forbidden text, never a kept one)."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import bench_module


@pytest.fixture(scope="module")
def tweets():
    return bench_module("everyday_tweets")


WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india"]
"""Distinct words: the dedup compares letters only, so digits would not tell tweets apart."""


def corpus() -> pd.DataFrame:
    rows = [("positive", 0.9, f"@air thanks for the great flight {w}") for w in WORDS[:4]]
    rows += [("negative", 0.8, f"on hold for hours again call {w}") for w in WORDS]
    rows += [
        ("negative", 0.3, "not sure at all this is bad"),  # not confident
        ("neutral", 1.0, "flight leaves at noon"),
        ("negative", 0.9, "on hold for hours again call alpha!"),  # same text up to punctuation
        ("negative", 0.9, "a GOP debate tweet that is off limits"),
    ]
    return pd.DataFrame(rows, columns=["sentiment", "confidence", "text"])


def test_the_rest_is_what_the_balancing_left_out(tweets) -> None:
    forbidden = {tweets.normalised("a GOP debate tweet that is off limits")}
    kept, counts, rest = tweets.select_with_rest(corpus(), forbidden)
    assert kept["label"].value_counts().to_dict() == {"positive": 4, "negative": 4}
    assert counts["not_gop_or_suite"] == 13 and counts["balanced"] == 8
    assert len(rest) == 5 and set(rest["label"]) == {"negative"}
    assert not set(rest["text"]) & set(kept["text"])
    assert "a GOP debate tweet that is off limits" not in set(rest["text"])
    assert "not sure at all this is bad" not in set(rest["text"])
    assert list(rest.columns) == ["text", "label", "confidence"]


def test_select_keeps_its_rows_and_counts(tweets) -> None:
    kept, counts = tweets.select(corpus(), set())
    again, _, _ = tweets.select_with_rest(corpus(), set())
    assert kept.equals(again) and counts["balanced"] == 8


def test_neutral_rows_are_confident_distinct_never_polar_and_soft_at_one_half(tweets) -> None:
    rows = corpus()
    extra = [
        ("neutral", 0.95, "Flight leaves at noon!"),  # the same text up to case and punctuation
        ("neutral", 0.9, "@air thanks for the great flight alpha"),  # a positive row's text
        ("neutral", 0.7, "gate changed to b12"),  # not confident enough for a neutral row
        ("neutral", 0.9, "a neutral GOP debate tweet"),
        ("neutral", None, "boarding starts in ten minutes"),  # no confidence given: kept
        ("neutral", 0.85, "the app shows my seat as aisle"),
    ]
    rows = pd.concat([rows, pd.DataFrame(extra, columns=rows.columns)], ignore_index=True)
    kept, counts = tweets.select_neutral(rows, {tweets.normalised("a neutral GOP debate tweet")})
    assert set(kept["text"]) == {
        "flight leaves at noon",
        "boarding starts in ten minutes",
        "the app shows my seat as aisle",
    }
    assert counts == {
        "neutral": 7,
        "confident": 6,
        "distinct_and_never_polar": 4,
        "not_gop_or_suite": 3,
    }
    assert (kept["p_negative"] == 0.5).all() and (kept["p_positive"] == 0.5).all()
    assert sorted(kept["label"]) == ["negative", "negative", "positive"]
    assert list(kept.columns) == ["text", "label", "p_negative", "p_positive", "confidence"]
