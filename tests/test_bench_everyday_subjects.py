"""bench/everyday_subjects.py: a confident sentence whose definite subject comes before its
copula gets a copy with a negative subject ("None of the actors were ...", "Nothing about the
ending was ...", "Nobody on the staff was ..."), its label flipped and shrunk as a negated
copy's is; sentences that do not qualify are left out."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from conftest import bench_module

LEXICON = {"convincing": 1.7, "awful": -2.0, "great": 3.1, "friendly": 2.2, "boring": -1.3}


@pytest.fixture(scope="module")
def subjects():
    return bench_module("everyday_subjects")


def make(module, rows: list[tuple[str, float]], forbidden: set[str] | None = None) -> list:
    return module.subject_pairs(rows, LEXICON, forbidden or set())


def copy_of(module, text: str, p_positive: float) -> tuple[str, float]:
    (_, copy) = make(module, [(text, p_positive)])
    return copy


def test_praise_of_a_plural_subject_reads_as_criticism_with_none_of(subjects) -> None:
    text, p_positive = copy_of(subjects, "The actors were convincing.", 0.9)
    assert text == "None of the actors were convincing."
    assert p_positive == pytest.approx(0.5 - subjects.cf.DEFAULT_SHRINK[0] * 0.4)


def test_criticism_of_a_singular_subject_reads_milder_with_nothing_about(subjects) -> None:
    text, p_positive = copy_of(subjects, "The ending was awful.", 0.05)
    assert text == "Nothing about the ending was awful."
    assert p_positive == pytest.approx(0.5 + subjects.cf.DEFAULT_SHRINK[1] * 0.45)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("These songs are great.", "None of these songs are great."),
        ("This film is great.", "Nothing about this film is great."),
        ("Most of the jokes were boring.", "None of the jokes were boring."),
        ("The special effects looked great.", "None of the special effects looked great."),
        ("The room felt great.", "Nothing about the room felt great."),
    ],
)
def test_the_determiner_and_the_number_choose_the_negative_subject(
    subjects, text: str, expected: str
) -> None:
    p_positive = 0.1 if "boring" in text else 0.9
    assert copy_of(subjects, text, p_positive)[0] == expected


def test_a_group_of_people_becomes_nobody_with_its_preposition(subjects) -> None:
    text, p_positive = copy_of(subjects, "The staff was friendly.", 0.95)
    assert text in {"Nobody on the staff was friendly.", "No one on the staff was friendly."}
    assert p_positive < 0.5
    cast, _ = copy_of(subjects, "The cast was convincing.", 0.9)
    assert cast.endswith(" in the cast was convincing.")


@pytest.mark.parametrize(
    ("text", "p_positive", "why"),
    [
        ("Great film.", 0.9, "no subject"),
        ("Tom Hanks was great.", 0.9, "no determiner"),
        ("The film was not boring.", 0.8, "already negated"),
        ("The plot was great, but the ending was awful.", 0.4, "a contrast"),
        ("Was the film great?", 0.9, "a question"),
        ("The film that we saw was great.", 0.9, "a clause inside the subject"),
        ("The boring film was great.", 0.9, "a sentiment word in the subject"),
        ("The actors were great. The film was great.", 0.95, "two sentences"),
        ("The film was great.", 0.6, "unsure"),
        ("The film was great and awful.", 0.9, "a sentiment word against the label"),
        ("The film was long and in the end great.", 0.9, "the sentiment word is far away"),
        ("The film was long.", 0.9, "no sentiment word"),
        ("The film is a great comedy.", 0.9, "a noun predicate"),
        ("The film was great, the actors convincing.", 0.9, "a clause break in the predicate"),
        ("The film was great and the actors convincing.", 0.9, "a second clause"),
        ("The big old dusty wooden house was great.", 0.9, "a subject of five words"),
    ],
)
def test_sentences_that_do_not_qualify_are_left_out(
    subjects, text: str, p_positive: float, why: str
) -> None:
    assert make(subjects, [(text, p_positive)]) == [], why


def test_repeated_and_forbidden_sources_are_skipped(subjects) -> None:
    rows = [("The film was great.", 0.9), ("The film was great!", 0.9)]
    rows.append(("The actors were convincing.", 0.9))
    written = make(subjects, rows, {"the actors were convincing"})
    assert [text for text, _ in written[::2]] == ["The film was great."]


def test_the_csv_holds_pairs_and_the_copies_alone(subjects, tmp_path: Path) -> None:
    source = tmp_path / "source.csv"
    texts = ["The actors were superb.", "The ending was awful.", "It rained."]
    pd.DataFrame({"text": texts, "p_positive": [0.9, 0.1, 0.95]}).to_csv(source, index=False)
    record = subjects.subject_data([source], tmp_path / "out" / "subjects.csv")
    frame = pd.read_csv(record["file"])
    copies = pd.read_csv(record["negated_file"])
    assert record["pairs"] == len(copies) == 2 and len(frame) == 4
    assert list(frame.columns) == ["text", "label", "p_negative", "p_positive"]
    assert list(copies["label"]) == ["negative", "positive"]
    assert record["by_rule"] == {"none_of": 1, "nothing_about": 1, "nobody": 0}


def test_a_missing_source_is_a_one_line_usage_error(
    subjects, tmp_path: Path, monkeypatch, capsys
) -> None:
    missing = tmp_path / "none.csv"
    output = tmp_path / "subjects.csv"
    argv = ["everyday_subjects.py", "--source", str(missing), "--output", str(output)]
    monkeypatch.setattr("sys.argv", argv)
    with pytest.raises(SystemExit) as stopped:
        subjects.main()
    assert stopped.value.code == 2
    assert f"{missing} does not exist" in capsys.readouterr().err
    assert not output.exists()
