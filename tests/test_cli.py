"""The ``lstm-sentiment`` command end to end, and its one-line errors on bad input."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import logging
import shutil
from pathlib import Path

import pytest

from conftest import tamper_consistently
from lstm_sentiment import cli
from lstm_sentiment.cli import main
from lstm_sentiment.cli.options import run_config
from lstm_sentiment.errors import ConfigError

INPUT_ERROR = 2


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory, tiny_files) -> dict:
    """Train once for the whole module through the CLI; returns paths and captured output."""
    run = tmp_path_factory.mktemp("cli") / "run"
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    out, err = io.StringIO(), io.StringIO()
    try:
        with (
            pytest.MonkeyPatch.context() as patch,
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
        ):
            patch.setenv("COLUMNS", "200")  # rich tables: no wrapping whatever the terminal
            code = main(
                [
                    "train",
                    "--data",
                    str(tiny_files.csv),
                    "--config",
                    str(tiny_files.toml),
                    "--output",
                    str(run),
                ]
            )
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
    return {
        "code": code,
        "run": run,
        "model": run / "model",
        "csv": tiny_files.csv,
        "stdout": out.getvalue(),
        "stderr": err.getvalue(),
    }


def run_cli(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COLUMNS", "200")
        code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_input_error(code: int, err: str, *words: str) -> None:
    """Exit code 2 and a single ``error: ...`` line naming the problem, no traceback."""
    assert code == INPUT_ERROR, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    for word in words:
        assert word.lower() in lines[0].lower(), (word, lines[0])


def copy_bundle(trained: dict, tmp_path: Path) -> Path:
    return Path(shutil.copytree(trained["model"], tmp_path / "model"))


# --- success paths ---


def test_cli_train_writes_run_folder_and_summary(trained: dict) -> None:
    assert trained["code"] == 0, trained["stderr"]
    assert "Traceback" not in trained["stderr"], trained["stderr"]
    run = trained["run"]
    for name in ("model.safetensors", "config.json", "vocab.json", "metrics.json", "README.md"):
        assert (run / "model" / name).is_file()
    for name in ("metrics.json", "config.json", "metrics.csv"):
        assert (run / name).is_file()
    assert "Training summary" in trained["stdout"], trained["stdout"]
    assert "validation: accuracy" in trained["stdout"], trained["stdout"]
    config = json.loads((run / "config.json").read_text(encoding="utf-8"))
    assert config["data"]["source"] == str(trained["csv"])  # --data went into the config
    assert config["model"]["hidden_size"] == 8  # --config was read


def test_cli_evaluate_json(trained: dict, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(
        capsys, "evaluate", "--model", trained["model"], "--data", trained["csv"],
        "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    lines = out.strip().splitlines()
    assert len(lines) == 1
    metrics = json.loads(lines[0])
    for key in ("accuracy", "macro_f1", "per_class", "confusion_matrix", "labels", "n"):
        assert key in metrics
    assert metrics["labels"] == ["negative", "positive"]
    assert metrics["n"] == 60
    assert metrics["accuracy"] >= 0.95
    assert set(metrics["per_class"]) == {"negative", "positive"}
    assert sum(map(sum, metrics["confusion_matrix"])) == 60


def test_cli_evaluate_table_and_plots(
    trained: dict, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run_cli(
        capsys,
        "evaluate",
        "--model",
        trained["model"],
        "--data",
        trained["csv"],
        "--plots",
        tmp_path / "plots",
    )
    assert code == 0, err
    assert "accuracy" in out and "Confusion matrix" in out
    assert (tmp_path / "plots" / "confusion_matrix.png").is_file()


def test_cli_predict_json_lines(trained: dict, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(
        capsys,
        "predict",
        "--model",
        trained["model"],
        "--format",
        "json",
        "great film",
        "i hate this terrible plot",
    )
    assert code == 0, err
    rows = [json.loads(line) for line in out.strip().splitlines()]
    assert [r["text"] for r in rows] == ["great film", "i hate this terrible plot"]
    assert [r["label"] for r in rows] == ["positive", "negative"]
    for row in rows:
        assert set(row) == {"text", "label", "probabilities"}
        assert set(row["probabilities"]) == {"negative", "positive"}
        assert sum(row["probabilities"].values()) == pytest.approx(1.0, abs=1e-5)


def test_cli_predict_defaults_to_json_when_not_a_terminal(
    trained: dict, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(capsys, "predict", "--model", trained["model"], "great film")
    assert code == 0
    assert json.loads(out)["label"] == "positive"


def test_cli_predict_csv(trained: dict, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(
        capsys, "predict", "--model", trained["model"], "--format", "csv", "great, wonderful film"
    )
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["text", "label", "p_negative", "p_positive"]
    assert rows[1][:2] == ["great, wonderful film", "positive"]
    assert float(rows[1][2]) + float(rows[1][3]) == pytest.approx(1.0, abs=1e-5)
    assert len(rows) == 2


def test_cli_predict_table(trained: dict, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(
        capsys, "predict", "--model", trained["model"], "--format", "table", "awful boring film"
    )
    assert code == 0
    assert "negative" in out and "p(positive)" in out


def test_cli_predict_input_file_to_output_file(
    trained: dict, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = tmp_path / "texts.txt"
    lines = "a wonderful excellent story\n\n   \nawful terrible acting\n"  # blank lines skipped
    source.write_text(lines, encoding="utf-8")
    target = tmp_path / "out.jsonl"
    code, out, err = run_cli(
        capsys, "predict", "--model", trained["model"], "--input", source, "--output", target
    )
    assert code == 0, err
    assert out == ""
    rows = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [(r["text"], r["label"]) for r in rows] == [
        ("a wonderful excellent story", "positive"),
        ("awful terrible acting", "negative"),
    ]


def test_cli_predict_csv_input_with_text_column(
    trained: dict, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = tmp_path / "inputs.csv"
    source.write_text('id,comment\n1,"great, great film"\n2,boring plot\n', encoding="utf-8")
    code, out, err = run_cli(
        capsys, "predict", "--model", trained["model"], "--input", source, "--text-column",
        "comment", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    assert [json.loads(line)["label"] for line in out.splitlines()] == ["positive", "negative"]


def test_cli_predict_unlabelled_split_to_csv_for_self_training(
    trained: dict, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Label a folder's unlabelled split, abstaining when unsure; the CSV trains as is."""
    unsup = tmp_path / "reviews" / "train" / "unsup"
    unsup.mkdir(parents=True)
    texts = ["a wonderful excellent story", "awful terrible acting", "the plot and the actor"]
    for i, text in enumerate(texts):
        (unsup / f"{i}_0.txt").write_text(text, encoding="utf-8")
    target = tmp_path / "pseudo.csv"
    code, _, err = run_cli(
        capsys, "-q", "predict", "--model", trained["model"], "--input", tmp_path / "reviews",
        "--split", "unsup", "--format", "csv", "--min-confidence", "0.7", "--output", target,
    )  # fmt: skip
    assert code == 0, err
    with target.open(encoding="utf-8", newline="") as handle:
        rows = {row["text"]: row["label"] for row in csv.DictReader(handle)}
    assert set(rows) == set(texts)
    assert rows[texts[0]] == "positive" and rows[texts[1]] == "negative"


def test_cli_predict_missing_split_of_a_folder(
    trained: dict, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "reviews" / "train" / "unsup").mkdir(parents=True)
    (tmp_path / "reviews" / "train" / "unsup" / "0_0.txt").write_text("fine", encoding="utf-8")
    code, _, err = run_cli(
        capsys, "-q", "predict", "--model", trained["model"], "--input", tmp_path / "reviews",
        "--split", "unlabelled",
    )  # fmt: skip
    assert_input_error(code, err, "split 'unlabelled'")


def test_cli_data_stats(trained: dict, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    output = tmp_path / "stats"
    code, out, err = run_cli(capsys, "data-stats", "--data", trained["csv"], "--output", output)
    assert code == 0, err
    assert (output / "length_histogram.png").is_file()
    stats = json.loads((output / "data_stats.json").read_text(encoding="utf-8"))
    assert stats["n"] == 60
    assert stats["classes"] == {"negative": 30, "positive": 30}
    assert 3 <= stats["tokens"]["min"] <= stats["tokens"]["max"] <= 8
    assert stats["suggested_max_length"] % 16 == 0
    assert "suggested max length" in out


# --- bad input: exit code 2 and one line on stderr ---


def test_cli_train_missing_data_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_files
) -> None:
    code, _, err = run_cli(
        capsys, "-q", "train", "--data", tmp_path / "missing.csv", "--config", tiny_files.toml,
        "--output", tmp_path / "run",
    )  # fmt: skip
    assert_input_error(code, err, "no such file", "missing.csv")


def test_cli_train_without_data(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_files
) -> None:
    code, _, err = run_cli(
        capsys, "-q", "train", "--config", tiny_files.toml, "--output", tmp_path / "run"
    )
    assert_input_error(code, err, "--data")


def test_cli_train_empty_dataset(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_files
) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("text,label\n", encoding="utf-8")
    code, _, err = run_cli(
        capsys, "-q", "train", "--data", empty, "--config", tiny_files.toml,
        "--output", tmp_path / "run",
    )  # fmt: skip
    assert_input_error(code, err, "no examples", "empty.csv")


def test_cli_train_missing_text_column(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_files
) -> None:
    code, _, err = run_cli(
        capsys, "-q", "train", "--data", tiny_files.csv, "--config", tiny_files.toml,
        "--text-column", "nope", "--output", tmp_path / "run",
    )  # fmt: skip
    assert_input_error(code, err, "column 'nope'", "available: text, label")


def test_cli_train_non_utf8_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_files
) -> None:
    latin = tmp_path / "latin.csv"
    rows = "text,label\n" + "café great,positive\ncafé awful,negative\n" * 4
    latin.write_bytes(rows.encode("latin-1"))
    code, _, err = run_cli(
        capsys, "-q", "train", "--data", latin, "--config", tiny_files.toml,
        "--encoding-errors", "strict", "--output", tmp_path / "run",
    )  # fmt: skip
    assert_input_error(code, err, "not valid utf-8", "row 1, line 2, byte 14", "--encoding")


def test_cli_train_unknown_config_key(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_files
) -> None:
    code, _, err = run_cli(
        capsys, "-q", "train", "--data", tiny_files.csv, "--config", tiny_files.toml,
        "--set", "train.nope=1", "--output", tmp_path / "run",
    )  # fmt: skip
    assert_input_error(code, err, "'nope'", "[train]", "epochs", "lr")
    assert not (tmp_path / "run").exists()


def test_cli_train_missing_config_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run_cli(
        capsys, "-q", "train", "--config", tmp_path / "nope.toml", "--output", tmp_path / "run"
    )
    assert_input_error(code, err, "no such config file")


def test_cli_evaluate_label_never_seen_in_training(
    trained: dict, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = tmp_path / "three.csv"
    data.write_text(
        "text,label\ngreat film,positive\nawful film,negative\nthe film,neutral\n",
        encoding="utf-8",
    )
    code, _, err = run_cli(capsys, "-q", "evaluate", "--model", trained["model"], "--data", data)
    assert_input_error(code, err, "'neutral'", "never seen", "negative, positive")


def test_cli_evaluate_unlabelled_data(
    trained: dict, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = tmp_path / "texts.csv"
    data.write_text("text\ngreat film\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "-q", "evaluate", "--model", trained["model"], "--data", data)
    assert_input_error(code, err, "no labelled examples")


@pytest.mark.parametrize("text", ["", "   "])
def test_cli_predict_empty_text(
    trained: dict, capsys: pytest.CaptureFixture[str], text: str
) -> None:
    code, out, err = run_cli(capsys, "-q", "predict", "--model", trained["model"], text)
    assert_input_error(code, err, "empty")
    assert out == ""


def test_cli_predict_nothing_to_classify(trained: dict, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "-q", "predict", "--model", trained["model"])
    assert_input_error(code, err, "nothing to classify")


def test_cli_predict_missing_input_file(
    trained: dict, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run_cli(
        capsys, "-q", "predict", "--model", trained["model"], "--input", tmp_path / "none.txt"
    )
    assert_input_error(code, err, "no such input file")


def test_cli_predict_non_utf8_input_file(
    trained: dict, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    source = tmp_path / "latin.txt"
    source.write_bytes("très bien\n".encode("latin-1"))
    code, _, err = run_cli(
        capsys, "-q", "predict", "--model", trained["model"], "--input", source,
        "--encoding-errors", "strict",
    )  # fmt: skip
    assert_input_error(code, err, "not valid utf-8", "line 1, byte 2", "--encoding")


def test_cli_predict_truncated_weights(
    trained: dict, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bundle = copy_bundle(trained, tmp_path)
    weights = bundle / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[: weights.stat().st_size // 2])
    code, _, err = run_cli(capsys, "-q", "predict", "--model", bundle, "great film")
    assert_input_error(code, err, "model.safetensors", "corrupt")


def test_cli_predict_missing_weights(
    trained: dict, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bundle = copy_bundle(trained, tmp_path)
    (bundle / "model.safetensors").unlink()
    code, _, err = run_cli(capsys, "-q", "predict", "--model", bundle, "great film")
    assert_input_error(code, err, "missing model.safetensors")


def test_cli_predict_garbage_config_json(
    trained: dict, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bundle = copy_bundle(trained, tmp_path)
    (bundle / "config.json").write_text("{ this is not json", encoding="utf-8")
    code, _, err = run_cli(capsys, "-q", "predict", "--model", bundle, "great film")
    assert_input_error(code, err, "config.json", "corrupt")


def test_cli_predict_config_json_with_bad_model_section(
    trained: dict, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bundle = copy_bundle(trained, tmp_path)
    header = json.loads((bundle / "config.json").read_text(encoding="utf-8"))
    header["config"]["model"]["hidden_size"] = 16  # no longer matches the weights
    (bundle / "config.json").write_text(json.dumps(header), encoding="utf-8")
    code, _, err = run_cli(capsys, "-q", "predict", "--model", bundle, "great film")
    assert_input_error(code, err, "config.json", "does not match the bundle's manifest")
    tamper_consistently(bundle)
    code, _, err = run_cli(capsys, "-q", "predict", "--model", bundle, "great film")
    assert_input_error(code, err, "does not match config.json")


def test_cli_predict_folder_that_is_not_a_bundle(
    trained: dict, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "just_a_folder"
    folder.mkdir()
    (folder / "notes.txt").write_text("hello", encoding="utf-8")
    code, _, err = run_cli(capsys, "-q", "predict", "--model", folder, "great film")
    assert_input_error(code, err, "missing config.json")

    other = tmp_path / "other"
    other.mkdir()
    (other / "config.json").write_text('{"model_type": "bert"}', encoding="utf-8")
    code, _, err = run_cli(capsys, "-q", "predict", "--model", other, "great film")
    assert_input_error(code, err, "not an lstm-sentiment model bundle")

    code, _, err = run_cli(capsys, "-q", "predict", "--model", tmp_path / "nowhere", "great film")
    assert_input_error(code, err, "no model bundle")


def test_cli_predict_future_bundle_version(
    trained: dict, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bundle = copy_bundle(trained, tmp_path)
    header = json.loads((bundle / "config.json").read_text(encoding="utf-8"))
    header["format_version"] = 999
    (bundle / "config.json").write_text(json.dumps(header), encoding="utf-8")
    code, _, err = run_cli(capsys, "-q", "predict", "--model", bundle, "great film")
    assert_input_error(code, err, "format version 999", "upgrade")


def test_cli_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["predict", "--format", "xml", "great"])
    assert info.value.code == INPUT_ERROR
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "--help" in err and "Traceback" not in err


# --- option plumbing ---


def test_cli_options_become_config_overrides(tmp_path: Path, tiny_files) -> None:
    args = cli.build_parser().parse_args(
        [
            "train", "--data", "reviews.csv", "--config", str(tiny_files.toml),
            "--vectors", "none", "--text-column", "review", "--label-column", "stars",
            "--encoding", "latin-1", "--label-map", "1=negative,5=positive",
            "--set", "train.epochs=1", "--output", str(tmp_path),
        ]
    )  # fmt: skip
    config = run_config(args)
    assert config.data.source == "reviews.csv"
    assert config.vectors.source == "none"
    assert (config.data.text_column, config.data.label_column) == ("review", "stars")
    assert config.data.encoding == "latin-1"
    assert config.data.label_map == {"1": "negative", "5": "positive"}
    assert config.train.epochs == 1
    assert config.model.hidden_size == 8  # from the file


def test_cli_bad_label_map_is_a_config_error(tmp_path: Path) -> None:
    args = cli.build_parser().parse_args(
        ["train", "--data", "x.csv", "--label-map", "neg", "--output", str(tmp_path)]
    )
    with pytest.raises(ConfigError, match="old=new"):
        run_config(args)


@pytest.mark.parametrize(
    ("option", "value", "field"),
    [("--data", "2024", "source"), ("--text-column", "1", "text_column")],
)
def test_cli_numeric_looking_values_stay_strings(
    tmp_path: Path, option: str, value: str, field: str
) -> None:
    argv = ["train", "--data", "x.csv", "--output", str(tmp_path), option, value]
    config = run_config(cli.build_parser().parse_args(argv))
    assert getattr(config.data, field) == value


def test_cli_numeric_text_column_is_not_an_unexpected_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tiny_files
) -> None:
    code, _, err = run_cli(
        capsys, "-q", "train", "--data", tiny_files.csv, "--config", tiny_files.toml,
        "--text-column", "1", "--output", tmp_path / "run",
    )  # fmt: skip
    assert_input_error(code, err, "column")
