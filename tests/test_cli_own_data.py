"""Your own data end to end: a messy tweet export in, a calibrated model that can abstain out."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import logging
import random
from pathlib import Path

import pytest

from conftest import FILLER_WORDS, NEGATIVE_WORDS, POSITIVE_WORDS, tiny_config_dict, to_toml
from lstm_sentiment.cli import main
from lstm_sentiment.predict import SentimentModel

INPUT_ERROR = 2
NEUTRAL_WORDS = ("debate", "tonight", "stage", "question", "candidates", "watching")


def messy_tweets(path: Path, n_per_class: int = 24) -> Path:
    """A semicolon-separated export with a BOM, quoted newlines, a Latin-1 byte, mixed label
    spellings, a confidence column, duplicates, an empty text and a missing label."""
    rng = random.Random(3)
    rows = []
    for label, words in (
        ("Positive", POSITIVE_WORDS),
        ("Negative", NEGATIVE_WORDS),
        ("Neutral", NEUTRAL_WORDS),
    ):
        for i in range(n_per_class):
            tokens = rng.sample(FILLER_WORDS, 2) + rng.sample(words, 2)
            rng.shuffle(tokens)
            text = f"RT @user{i}: " + " ".join(tokens) + f" #GOPDebate http://t.co/x{i}"
            spelled = label if i % 3 else f" {label.lower()} "
            rows.append([text, spelled, "1" if i % 5 else "0.4"])
    rng.shuffle(rows)
    kept = next(row for row in reversed(rows) if row[2] == "1")  # not the one given a bad byte
    rows.insert(5, list(kept))  # a duplicate that survives the confidence filter
    rows.append(["", "Positive", "1"])  # empty text
    rows.append(["no label here", "", "1"])
    rows.append(['first line\nsecond line; "quoted"', "Neutral", "1"])
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["tweet", "sentiment", "sentiment_confidence"])
    writer.writerows(rows)
    data = b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")
    data = data.replace(b"#GOPDebate", b"#GOPDebate \xe9", 1)  # one Latin-1 byte
    path.write_bytes(data)
    return path


def run_cli(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COLUMNS", "200")
        code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def own(tmp_path_factory: pytest.TempPathFactory, tiny_files) -> dict:
    """Train once on the messy export through the CLI (tweet tokenizer, auto sizes)."""
    root = tmp_path_factory.mktemp("own")
    data = messy_tweets(root / "export.csv")
    raw = tiny_config_dict(data, tiny_files.vectors)
    del raw["data"]["source"]
    raw["text"] = {"tokenizer": "tweet", "min_freq": 1}  # max_length and vocabulary: auto
    raw["train"].update(batch_size=0, class_weights="balanced", epochs=12)
    config = root / "own.toml"
    config.write_text(to_toml(raw), encoding="utf-8")
    run = root / "run"
    logger = logging.getLogger()
    handlers, level = logger.handlers[:], logger.level
    out, err = io.StringIO(), io.StringIO()
    try:
        with (
            pytest.MonkeyPatch.context() as patch,
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
        ):
            patch.setenv("COLUMNS", "200")
            argv = ["train", "--data", str(data), "--config", str(config), "--output", str(run)]
            code = main([*argv, "--min-confidence", "0.6"])
    finally:
        logger.handlers[:] = handlers
        logger.setLevel(level)
    return {"code": code, "run": run, "data": data, "stdout": out.getvalue(), "err": err.getvalue()}


def test_train_reports_what_was_read_and_dropped(own: dict) -> None:
    assert own["code"] == 0, own["err"]
    report = json.loads((own["run"] / "data_report.json").read_text(encoding="utf-8"))["train"]
    assert report["columns"]["delimiter"] == ";"
    assert report["columns"]["confidence"] == "sentiment_confidence"
    assert report["rows"] == 3 * 24 + 4
    dropped = report["dropped"]
    assert dropped["empty_text"] == 1 and dropped["missing_label"] == 1
    assert dropped["low_confidence"] == 3 * 5  # i % 5 == 0 for 5 of 24 per class
    assert dropped["duplicate"] == 0 and report["repeated_rows"] == 1  # kept by default
    assert report["kept"] == report["rows"] - sum(dropped.values())
    assert report["invalid_bytes"]["rows"] == 1 and report["invalid_bytes"]["policy"] == "replace"
    assert set(report["labels"]) == {"Positive", "Negative", "Neutral"}
    assert report["label_spellings"]["Positive"] == ["positive"]
    assert "1 row(s) have bytes that are not valid utf-8" in own["err"]
    assert "1 row(s) repeat an earlier row's text and label (kept" in own["stdout"]
    assert "calibration: temperature" in own["stdout"]


def test_auto_settings_calibration_and_weights_are_saved(own: dict) -> None:
    run = own["run"]
    config = json.loads((run / "config.json").read_text(encoding="utf-8"))
    assert config["text"]["max_length"] > 0 and config["train"]["batch_size"] == 16
    assert config["text"]["max_vocab_size"] > 3
    metrics = json.loads((run / "metrics.json").read_text(encoding="utf-8"))
    assert set(metrics["auto_settings"]) == {
        "text.max_length",
        "text.max_vocab_size",
        "train.batch_size",
    }
    calibration = metrics["calibration"]
    assert calibration["fitted_on"] == "validation" and calibration["temperature"] > 0
    assert {"ece_before", "ece_after"} <= set(calibration["validation"])
    assert metrics["validation"]["ece"] == pytest.approx(calibration["validation"]["ece_after"])
    assert set(metrics["class_weights"]) == {"Positive", "Negative", "Neutral"}
    assert (run / "plots" / "reliability_validation.png").is_file()
    header = json.loads((run / "model" / "config.json").read_text(encoding="utf-8"))
    assert header["temperature"] == pytest.approx(calibration["temperature"])
    assert header["tokenizer"]["name"] == "tweet"
    model = SentimentModel.load(run / "model")
    assert model.temperature == pytest.approx(calibration["temperature"])
    assert model.predict(["great wonderful film"])[0].label == "Positive"


def test_predict_abstains_below_min_confidence(
    own: dict, capsys: pytest.CaptureFixture[str]
) -> None:
    model_dir = own["run"] / "model"
    texts = ["great wonderful love", "the film question"]
    sure, unsure = sorted(
        SentimentModel.load(model_dir).predict(texts), key=lambda p: p.confidence
    )[::-1]
    threshold = (sure.confidence + unsure.confidence) / 2
    assert sure.confidence > unsure.confidence
    code, out, _ = run_cli(capsys, "-q", "predict", "--model", model_dir, sure.text, unsure.text,
                           "--min-confidence", threshold, "--format", "json")  # fmt: skip
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert rows[0]["label"] == sure.label and "abstained" not in rows[0]
    assert rows[1]["label"] is None and rows[1]["abstained"] is True
    assert f"({unsure.top_label}) is below the minimum confidence" in rows[1]["reason"]
    code, out, _ = run_cli(capsys, "-q", "predict", "--model", model_dir, sure.text, unsure.text,
                           "--min-confidence", threshold, "--format", "csv")  # fmt: skip
    table = list(csv.DictReader(io.StringIO(out)))
    assert table[0]["label"] == sure.label and table[0]["abstain_reason"] == ""
    assert table[1]["label"] == "" and "below the minimum" in table[1]["abstain_reason"]
    code, out, _ = run_cli(capsys, "-q", "predict", "--model", model_dir, unsure.text,
                           "--min-confidence", threshold, "--format", "table")  # fmt: skip
    assert "abstain" in out and "why abstained" in out
    code, out, _ = run_cli(capsys, "-q", "predict", "--model", model_dir, unsure.text,
                           "--format", "csv")  # fmt: skip
    assert "abstain_reason" not in out and unsure.top_label in out
    with pytest.raises(SystemExit) as usage:
        run_cli(capsys, "predict", "--model", model_dir, "x", "--min-confidence", "2")
    assert usage.value.code == INPUT_ERROR and "between 0 and 1" in capsys.readouterr().err
    api = SentimentModel.load(model_dir).predict([unsure.text], min_confidence=threshold)
    assert api[0].abstained and api[0].label is None and api[0].top_label == unsure.top_label


def test_evaluate_matches_label_spellings_and_reports_ece(
    own: dict, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = tmp_path / "test.csv"
    data.write_text(
        "text,label\ngreat wonderful film,positive\nawful boring plot, NEGATIVE\n"
        "the debate tonight,Neutral\n",
        encoding="utf-8",
    )
    code, out, err = run_cli(
        capsys, "-q", "evaluate", "--model", own["run"] / "model", "--data", data,
        "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    metrics = json.loads(out)
    assert metrics["n"] == 3 and {"ece", "ece_uncalibrated", "temperature"} <= set(metrics)
    data.write_text("text,label\ngreat film,positive\nthe plot,mixed\n", encoding="utf-8")
    code, _, err = run_cli(
        capsys, "-q", "evaluate", "--model", own["run"] / "model", "--data", data
    )
    assert code == INPUT_ERROR
    assert "'mixed'" in err and "never seen" in err


def test_train_strict_encoding_stops_with_the_position(
    own: dict, capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_files
) -> None:
    code, _, err = run_cli(
        capsys, "-q", "train", "--data", own["data"], "--config", tiny_files.toml,
        "--encoding-errors", "strict", "--output", tmp_path / "run",
    )  # fmt: skip
    assert code == INPUT_ERROR
    assert "1 row(s) have bytes that are not valid utf-8" in err and "--encoding" in err
    assert "row " in err and "byte " in err
