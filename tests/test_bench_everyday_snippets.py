"""bench/everyday_snippets.py: the VADER paper's rated sentences become soft labels from their
raters, forbidden and repeated texts are dropped, and a wrong archive is refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from conftest import bench_module, write_tar

STEMS = ("movieReviewSnippets", "amazonReviewSnippets", "nytEditorialSnippets", "tweets")


@pytest.fixture(scope="module")
def snippets():
    return bench_module("everyday_snippets")


def fake_sdist(snippets, folder: Path) -> Path:
    """An sdist laid out like vaderSentiment's, with three rated texts per set."""
    inner = {}
    for stem in STEMS:
        texts = (f"A lovely {stem} day 🙂.", f"Not good at all, {stem}.", "It is Tuesday.")
        truth = "".join(f"{i}\t0\t{text}\n" for i, text in enumerate(texts, start=1))
        ratings = "1\t1.5\t0.5\t[2, 1, 2, -1]\n2\t-2\t0.5\t[-2, -3, 1, 0]\n3\t0\t0\t[0, 0, 0, 0]\n"
        prefix = b"\xef\xbb\xbf" if stem == "amazonReviewSnippets" else b""
        inner[f"hutto_ICWSM_2014/{stem}_GroundTruth.txt"] = truth.encode()
        inner[f"hutto_ICWSM_2014/{stem}_anonDataRatings.txt"] = prefix + ratings.encode()
    inner_archive = write_tar(folder / "hutto_ICWSM_2014.tar.gz", inner)
    sdist = {snippets.INNER_ARCHIVE: inner_archive.read_bytes()}
    return write_tar(folder / "vaderSentiment-3.3.2.tar.gz", sdist)


def test_raters_become_soft_labels_and_forbidden_texts_are_dropped(
    snippets, tmp_path: Path
) -> None:
    import hashlib

    sdist = fake_sdist(snippets, tmp_path)
    files = snippets.inner_files(sdist, hashlib.sha256(sdist.read_bytes()).hexdigest())
    rows = pd.DataFrame(
        [r for d, stem in snippets.DOMAINS.items() for r in snippets.domain_rows(files, d, stem)]
    )
    assert len(rows) == 12
    products = rows[rows["domain"] == "products"].set_index("p_positive")
    # three of four raters above zero; one above, one level, two below; all level
    assert sorted(products.index) == [0.375, 0.5, 0.75]
    assert products.loc[0.375, "label"] == "negative"
    assert products.loc[0.75, "text"] == "A lovely amazonReviewSnippets day 🙂."
    assert (rows["p_negative"] + rows["p_positive"]).round(6).eq(1).all()

    repeated = pd.concat([rows, rows.iloc[:1]])
    forbidden = {snippets.normalised("not good at ALL, tweets!")}
    kept, counts = snippets.select(repeated, forbidden)
    assert counts == {"rows": 13, "distinct": 9, "not_gop_suite_or_imdb_test": 8}
    assert "Not good at all, tweets." not in set(kept["text"])


def test_an_archive_with_another_checksum_is_refused(snippets, tmp_path: Path) -> None:
    sdist = fake_sdist(snippets, tmp_path)
    with pytest.raises(SystemExit, match=r"is not vaderSentiment-3\.3\.2\.tar\.gz"):
        snippets.inner_files(sdist)


class Stub:
    """Says positive exactly when a text contains "good"; labels in the other order."""

    labels = ("positive", "negative")

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        p = np.array([0.9 if "good" in text else 0.2 for text in texts])
        return np.stack([p, 1 - p], axis=1)


def test_scores_count_only_clearly_rated_snippets_per_domain(snippets) -> None:
    rows = pd.DataFrame(
        {
            "text": ["good", "not good", "bad", "good", "not good"],
            "p_positive": [0.9, 0.1, 0.2, 0.55, 0.45],  # the last two are not clear
            "domain": ["movies", "movies", "tweets", "tweets", "tweets"],
        }
    )
    scores = snippets.snippet_scores(Stub(), rows)
    assert scores["clear"] == 3
    assert scores["accuracy"] == pytest.approx(2 / 3)
    assert scores["per_domain"] == {"movies": 0.5, "tweets": 1.0}
    assert scores["negated_clear"] == 1 and scores["negated_accuracy"] == 0.0
    gaps = [0.0, 0.8, 0.0, 0.35, 0.45]
    assert scores["mean_probability_gap"] == pytest.approx(np.mean(gaps))
