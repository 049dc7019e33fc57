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
