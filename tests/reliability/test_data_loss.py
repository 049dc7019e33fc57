"""Issue 17, data loss and corruption: mixed bundles are refused, finished runs are not
overwritten silently, one process per run folder, resume checks what it resumes, many labels
cost no model. (Kills at file events: test_fault_injection.py.)"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from PIL import Image

from lstm_sentiment.errors import BundleError
from lstm_sentiment.predict import SentimentModel
from lstm_sentiment.run_folder import locked_run_folder
from reliability.conftest import snapshot
from test_cli import assert_input_error, run_cli


def test_5_bundle_files_from_two_saves_do_not_load(
    tiny_run: Path, tmp_path: Path, bundle: Path
) -> None:
    other = shutil.copytree(tiny_run / "model", tmp_path / "other")
    header = json.loads((other / "config.json").read_text(encoding="utf-8"))
    header["temperature"] = 2.5  # a different save of the same architecture
    (other / "config.json").write_text(json.dumps(header), encoding="utf-8")
    shutil.copy(other / "config.json", bundle / "config.json")  # new header, old weights
    with pytest.raises(BundleError, match="do not belong together"):
        SentimentModel.load(bundle)


def train_argv(tiny_files, output: Path, *extra: str) -> list[object]:
    return ["-q", "train", "--data", tiny_files.csv, "--config", tiny_files.toml,
            "--output", output, "--set", "train.epochs=2", *extra]  # fmt: skip


def test_7_finished_run_is_not_overwritten_without_overwrite(
    tiny_run: Path, tmp_path: Path, tiny_files, capsys: pytest.CaptureFixture[str]
) -> None:
    run = shutil.copytree(tiny_run, tmp_path / "run")
    before = snapshot(run)
    code, _, err = run_cli(capsys, *train_argv(tiny_files, run))
    assert_input_error(code, err, "already holds a finished run", "--overwrite")
    assert snapshot(run) == before
    reseeded = train_argv(tiny_files, run, "--overwrite", "--set", "train.seed=99")
    code, _, err = run_cli(capsys, *reseeded)
    assert code == 0, err
    assert snapshot(run)["model/model.safetensors"] != before["model/model.safetensors"]


def test_7_second_process_on_the_same_run_folder_is_refused(
    tmp_path: Path, tiny_files, capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "run"
    with locked_run_folder(run, resume=False, overwrite=False):
        code, _, err = run_cli(capsys, *train_argv(tiny_files, run))
        assert_input_error(code, err, "is being trained into by process", "choose another")
    code, _, err = run_cli(capsys, *train_argv(tiny_files, run))  # released
    assert code == 0, err


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (["--set", "train.lr=0.5"], ["train.lr", "0.02", "0.5"]),
        (["--set", "model.hidden_size=4"], ["model.hidden_size"]),
        (["--data", "OTHER"], ["training data differ"]),
    ],
    ids=["lr", "architecture", "data"],
)
def test_8_resume_refuses_other_data_or_configuration(
    tmp_path: Path, tiny_files, capsys: pytest.CaptureFixture[str], change, words
) -> None:
    run = tmp_path / "run"
    code, _, err = run_cli(capsys, *train_argv(tiny_files, run, "--set", "train.epochs=1"))
    assert code == 0, err
    other = tmp_path / "other.csv"
    with tiny_files.csv.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    with other.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([rows[0], *rows[1:][::-1][:-4]])
    change = [str(other) if c == "OTHER" else c for c in change]
    if change[0] == "--data":
        argv = train_argv(tiny_files, run, "--resume")
        argv[argv.index("--data") + 1] = change[1]
    else:
        argv = train_argv(tiny_files, run, "--resume", *change)
    before = snapshot(run)
    code, _, err = run_cli(capsys, *argv)
    assert_input_error(code, err, "cannot resume", *words)
    assert snapshot(run) == before
    code, _, err = run_cli(capsys, *train_argv(tiny_files, run, "--resume"))  # same: fine
    assert code == 0, err


def test_9_many_labels_save_the_model_and_keep_plots_small(
    tmp_path: Path, tiny_files, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "many.csv"
    with data.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        writer.writerows([f"text number {i} word{i % 7}", f"label{i % 500}"] for i in range(1500))
    code, _, err = run_cli(
        capsys, "-q", "train", "--data", data, "--output", tmp_path / "run",
        *(x for key in ("train.epochs=1", "model.hidden_size=4", "vectors.source=none",
                        "data.validation_fraction=0.34", "train.calibrate=false")
          for x in ("--set", key)),
    )  # fmt: skip
    assert code == 0, err
    assert (tmp_path / "run" / "model" / "model.safetensors").is_file()
    report = json.loads((tmp_path / "run" / "data_report.json").read_text(encoding="utf-8"))
    assert any("looks like free text" in w for w in report["train"]["warnings"])
    with Image.open(tmp_path / "run" / "plots" / "confusion_matrix_validation.png") as image:
        assert max(image.size) < 3000
