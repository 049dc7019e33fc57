"""bench/everyday_frames.py: a confident sentence that opens with its subject goes inside a
negating frame ("I don't think ..."), its label flipped and shrunk as a negated copy's is, and
sentences that do not qualify are left out."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from conftest import bench_module

LEXICON = {"clever": 1.7, "awful": -2.0, "great": 3.1, "enjoyed": 2.2, "boring": -1.3}


@pytest.fixture(scope="module")
def frames():
    return bench_module("everyday_frames")


def make(module, rows: list[tuple[str, float]], forbidden: set[str] | None = None) -> list:
    return module.frame_pairs(rows, LEXICON, forbidden or set(), margin=0.3)


def test_praise_in_a_negating_frame_reads_as_criticism(frames) -> None:
    (source, copy) = make(frames, [("The plot was clever.", 0.9)])
    assert source == ("The plot was clever.", 0.9)
    frame = copy[0].removesuffix(" the plot was clever.")
    assert frame in frames.FRAMES
    shrink = frames.cf.DEFAULT_SHRINK[0]
    assert copy[1] == pytest.approx(0.5 - shrink * 0.4)


def test_criticism_in_a_negating_frame_reads_milder_and_i_keeps_its_capital(frames) -> None:
    rows = [("It was awful.", 0.05), ("I enjoyed it.", 0.95)]
    awful, enjoyed = make(frames, rows)[1::2]
    assert awful[0].endswith(" it was awful.") and 0.5 < awful[1] < 0.95
    assert awful[1] == pytest.approx(0.5 + frames.cf.DEFAULT_SHRINK[1] * 0.45)
    assert enjoyed[0].endswith(" I enjoyed it.") and enjoyed[1] < 0.5


@pytest.mark.parametrize(
    ("text", "p_positive", "why"),
    [
        ("Great film.", 0.9, "no subject opens it"),
        ("Tom Hanks was great.", 0.9, "a name opens it: its capital cannot be told from a word's"),
        ("The film was not boring.", 0.8, "already negated"),
        ("The plot was clever, but the ending was awful.", 0.4, "a contrast"),
        ("Was it great?", 0.9, "a question"),
        ("I think it was great.", 0.9, "a frame of its own"),
        ("We enjoyed it. It was great.", 0.95, "two sentences"),
        ("The film was great.", 0.6, "unsure"),
        ("The awful film was great.", 0.9, "a sentiment word against the label"),
        ("The film was long.", 0.9, "no sentiment word"),
    ],
)
def test_sentences_that_do_not_qualify_are_left_out(
    frames, text: str, p_positive: float, why: str
) -> None:
    assert make(frames, [(text, p_positive)]) == [], why


def test_repeated_and_forbidden_sources_are_skipped(frames) -> None:
    rows = [("It was great.", 0.9), ("It was great!", 0.9), ("The plot was clever.", 0.9)]
    written = make(frames, rows, {"the plot was clever"})
    assert [text for text, _ in written[::2]] == ["It was great."]


def test_the_csv_holds_pairs_and_the_copies_alone(frames, tmp_path: Path) -> None:
    source = tmp_path / "source.csv"
    texts = ["The acting was superb.", "It was awful.", "It rained."]
    pd.DataFrame({"text": texts, "p_positive": [0.9, 0.1, 0.95]}).to_csv(source, index=False)
    record = frames.frame_data([source], tmp_path / "out" / "frames.csv")
    frame = pd.read_csv(record["file"])
    copies = pd.read_csv(record["negated_file"])
    assert record["pairs"] == len(copies) == 2 and len(frame) == 4
    assert list(frame.columns) == ["text", "label", "p_negative", "p_positive"]
    assert list(copies["label"]) == ["negative", "positive"]
    assert record["negated_positive_share"] == 0.5


def test_a_sample_keeps_whole_pairs_of_short_sources(frames) -> None:
    nouns = ["plot", "script", "cast", "score", "twist", "ending", "opening", "hero", "idea", "set"]
    rows = [(f"The {noun} was clever.", 0.9) for noun in nouns]
    rows.append(("The plot was clever and the acting and the music and the sets were great.", 0.9))
    written = frames.frame_pairs(rows, LEXICON, set(), max_words=6, pairs=4)
    sources, copies = written[0::2], written[1::2]
    assert len(sources) == len(copies) == 4
    for (source, _), (copy, p_positive) in zip(sources, copies, strict=True):
        assert copy.endswith(source[0].lower() + source[1:]) and p_positive < 0.5
    assert all(len(source.split()) <= 6 for source, _ in sources)
    assert len(frames.frame_pairs(rows, LEXICON, set(), max_words=6)) == 20  # no sample: all
