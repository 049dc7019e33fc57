"""bench/everyday_intensity.py: an intensifier and a diminisher go before the predicate's
sentiment word (the article fitted), the copies' labels keep the source's side at the stated
distances, sentences that do not qualify are left out, and a model's triplets are scored the
way the suite scores DIR cases."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from conftest import bench_module

LEXICON = {"good": 1.9, "superb": 2.9, "awful": -2.0, "dirty": -1.9, "great": 3.1, "fun": 2.3}
BOOSTERS = {"very": 0.293, "really": 0.293, "somewhat": -0.293, "slightly": -0.293}
BOOSTERS |= {"barely": -0.293, "kind of": -0.293}


@pytest.fixture(scope="module")
def intensity():
    return bench_module("everyday_intensity")


def make(module, rows: list[tuple[str, float]], forbidden: set[str] | None = None) -> list:
    return module.triplets(rows, LEXICON, BOOSTERS, forbidden or set(), margin=0.3, seed=0)


def test_a_triplet_moves_away_from_and_toward_one_half(intensity) -> None:
    source, stronger, weaker = make(intensity, [("The room was dirty.", 0.1)])
    assert source == ("The room was dirty.", 0.1)
    adverb = stronger[0].removeprefix("The room was ").removesuffix(" dirty.")
    assert adverb in intensity.INTENSIFIERS
    diminisher = weaker[0].removeprefix("The room was ").removesuffix(" dirty.")
    assert diminisher in (*intensity.DIMINISHERS, *intensity.EXTRA_DIMINISHERS)
    assert stronger[1] == pytest.approx(0.5 - (0.4 + 0.1 * intensity.INTENSIFY))
    assert weaker[1] == pytest.approx(0.5 - 0.4 * intensity.DIMINISH)
    assert stronger[1] < source[1] < weaker[1] < 0.5


def test_the_article_is_fitted_to_the_adverb(intensity) -> None:
    assert intensity.with_adverb("It was a great film.", 9, "incredibly") == (
        "It was an incredibly great film."
    )
    assert intensity.with_adverb("An awful film.", 3, "very") == "A very awful film."
    rows = make(intensity, [("It is a great film.", 0.9)])
    assert len(rows) == 3 and " a a " not in rows[2][0] and " a an " not in rows[2][0]


@pytest.mark.parametrize(
    ("text", "p_positive", "why"),
    [
        ("The room was not dirty.", 0.7, "negated"),
        ("Was the room dirty?", 0.1, "a question"),
        ("The room was very dirty.", 0.05, "an adverb of degree already"),
        ("The room was kind of dirty.", 0.2, "a two-word dampener already"),
        ("The room was dirty and the bed was awful.", 0.05, "two copulas"),
        ("The room was dirty although we paid.", 0.1, "a contrast"),
        ("The room was dirty.", 0.9, "the lexicon disagrees with the label"),
        ("The room was in the end dirty.", 0.1, "the sentiment word is not the predicate"),
        ("The room was dirty.", 0.4, "unsure"),
        ("I had fun.", 0.9, "no copula"),
    ],
)
def test_sentences_that_do_not_qualify_are_left_out(
    intensity, text: str, p_positive: float, why: str
) -> None:
    assert make(intensity, [(text, p_positive)]) == [], why


def test_repeated_and_forbidden_sources_are_skipped(intensity) -> None:
    rows = [("The food was good.", 0.9), ("The food was good!", 0.9), ("It is superb.", 0.95)]
    forbidden = {"it is superb"}
    written = make(intensity, rows, forbidden)
    assert [text for text, _ in written[::3]] == ["The food was good."]


def test_the_negation_like_dampeners_are_never_used(intensity) -> None:
    words = (*intensity.DIMINISHERS, *intensity.EXTRA_DIMINISHERS)
    assert not set(words) & {"barely", "hardly", "scarcely", "almost"}
    rows = [(f"The film {verb} good.", 0.9) for verb in ("is", "was", "seems", "looks")]
    rows += [(f"The plot {verb} awful.", 0.1) for verb in ("is", "was", "seems", "looks")]
    weaker = [text for text, _ in make(intensity, rows)[2::3]]
    assert len(weaker) == 8 and not any("barely" in text for text in weaker)


def test_the_csv_has_soft_labels_in_triplets(intensity, tmp_path: Path) -> None:
    source = tmp_path / "source.csv"
    pd.DataFrame(
        {"text": ["The acting was superb.", "It rained."], "p_positive": [0.9, 0.95]}
    ).to_csv(source, index=False)
    record = intensity.intensity_data([source], tmp_path / "out" / "intensity.csv")
    frame = pd.read_csv(record["file"])
    assert record["triplets"] == 1 and len(frame) == 3
    assert list(frame.columns) == ["text", "label", "p_negative", "p_positive"]
    assert list(frame["label"]) == ["positive"] * 3
    assert (frame["p_negative"] + frame["p_positive"]).round(9).eq(1.0).all()


class Stub:
    """p(positive) rises with every "very" and falls with every "somewhat"."""

    labels = ("negative", "positive")

    def predict_proba(self, texts: list[str]) -> list[list[float]]:
        rows = []
        for text in texts:
            p = 0.8 + 0.1 * text.count("very") - 0.1 * text.count("somewhat")
            rows.append([1 - p, p])
        return rows


def test_triplets_are_scored_like_dir_cases(intensity) -> None:
    rows = pd.DataFrame(
        {
            "text": ["good", "very good", "somewhat good", "bad", "very bad", "somewhat bad"],
            "p_positive": [0.9, 0.95, 0.74, 0.1, 0.05, 0.26],
        }
    )
    scores = intensity.intensity_scores(Stub(), rows)
    # Positive source: both right. Negative source: the stub moves both copies the wrong way.
    assert scores == {
        "triplets": 2,
        "intensifier_accuracy": 0.5,
        "diminisher_accuracy": 0.5,
        "accuracy": 0.5,
    }
