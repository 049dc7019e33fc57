"""Issue 17, crashes and unclear messages: each bad input gets one line naming the problem,
exit code 2, and leaves earlier files as they were."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import load_file, save_file

from conftest import tamper_consistently, write_rows
from lstm_sentiment import io_utils
from lstm_sentiment.errors import BundleError, DataError
from lstm_sentiment.predict import SentimentModel
from reliability.conftest import snapshot
from test_cli import assert_input_error, run_cli


def no_space(*_: object, **__: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "/full/disk/file")


def test_10_disk_full_while_predicting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.csv"
    target.write_text("earlier results\n", encoding="utf-8")
    monkeypatch.setattr(io_utils.os, "replace", no_space)
    code, _, err = run_cli(capsys, "predict", "great", "--format", "csv", "--output", target)
    assert_input_error(code, err, "no space left on device", "free some space")
    assert target.read_text(encoding="utf-8") == "earlier results\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]  # no temporary file left


def test_10_disk_full_while_training_keeps_the_old_model(
    tiny_run: Path, tmp_path: Path, tiny_files, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from lstm_sentiment import bundle as bundle_module

    run = shutil.copytree(tiny_run, tmp_path / "run")
    shutil.rmtree(run / "checkpoints")  # only the finished model
    before = snapshot(run / "model")
    monkeypatch.setattr(bundle_module, "write_manifest", no_space)
    code, _, err = run_cli(
        capsys, "-q", "train", "--data", tiny_files.csv, "--config", tiny_files.toml,
        "--output", run, "--overwrite", "--set", "train.epochs=1",
    )  # fmt: skip
    assert_input_error(code, err, "no space left on device")
    assert snapshot(run / "model") == before
    assert not [p for p in run.iterdir() if p.name.startswith(".model.")]


@pytest.mark.parametrize(
    ("output", "words"),
    [("folder/", "is a folder"), ("afile/x.csv", "is a file, not a folder")],
)
def test_10_output_paths_that_cannot_be_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], output: str, words: str
) -> None:
    (tmp_path / "folder").mkdir()
    (tmp_path / "afile").write_text("mine", encoding="utf-8")
    code, _, err = run_cli(capsys, "predict", "great", "--output", f"{tmp_path}/{output}")
    assert_input_error(code, err, words)
    assert (tmp_path / "afile").read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize("change", ["longer", "shorter"])
def test_11_vocabulary_that_does_not_fit_the_embedding(bundle: Path, change: str) -> None:
    vocab = json.loads((bundle / "vocab.json").read_text(encoding="utf-8"))
    tokens = vocab["tokens"]
    vocab["tokens"] = [*tokens, "extra1", "extra2"] if change == "longer" else tokens[:-2]
    vocab.pop("counts", None)
    (bundle / "vocab.json").write_text(json.dumps(vocab), encoding="utf-8")
    tamper_consistently(bundle)
    with pytest.raises(BundleError, match=r"vocab\.json.*(rows|invalid)"):
        SentimentModel.load(bundle)


def test_11_non_finite_weights_are_refused(bundle: Path) -> None:
    weights = load_file(str(bundle / "model.safetensors"))
    name = next(iter(weights))
    weights[name] = weights[name].copy()
    weights[name].flat[0] = np.nan
    save_file(weights, str(bundle / "model.safetensors"))
    tamper_consistently(bundle)
    with pytest.raises(BundleError, match="non-finite"):
        SentimentModel.load(bundle)


def test_12_utf16_without_bom_names_the_encoding(
    tmp_path: Path, tiny_files, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "utf16.csv"
    data.write_bytes(tiny_files.csv.read_text(encoding="utf-8").encode("utf-16-le"))
    code, out, err = run_cli(capsys, "data-stats", "--data", data, "--output", tmp_path / "s")
    assert_input_error(code, err, "--encoding utf-16-le")
    assert "\x00" not in out + err
    code, _, err = run_cli(
        capsys, "data-stats", "--data", data, "--encoding", "utf-16-le", "--output", tmp_path / "s"
    )
    assert code == 0, err


def toy_rows(n: int = 40) -> list[tuple[str, str]]:
    words = {"positive": "great lovely superb", "negative": "awful dull boring"}
    return [(f"{words[label]} film {i}", label) for i in range(n)
            for label in ("positive", "negative")][:n]  # fmt: skip


def train_cli(capsys, data: Path, output: Path, *extra: str) -> tuple[int, str, str]:
    sets = ("train.epochs=1", "model.hidden_size=4", "vectors.source=none", *extra)
    return run_cli(capsys, "-q", "train", "--data", data, "--output", output,
                   *(x for key in sets for x in ("--set", key)))  # fmt: skip


def test_13_nan_labels_are_dropped_and_counted(tmp_path: Path, capsys) -> None:
    data = write_rows(tmp_path / "d.csv", [*toy_rows(), ("some text", "NaN"), ("more", "nan")])
    code, _, err = train_cli(capsys, data, tmp_path / "run")
    assert code == 0, err
    report = json.loads((tmp_path / "run" / "data_report.json").read_text(encoding="utf-8"))
    assert report["train"]["dropped"]["missing_label"] == 2
    assert set(report["train"]["labels"]) == {"negative", "positive"}


def test_13_one_number_written_two_ways_is_refused(tmp_path: Path, capsys) -> None:
    rows = [(text, "1" if label == "positive" else "0") for text, label in toy_rows()]
    rows[0] = (rows[0][0], "1.0")
    code, _, err = train_cli(capsys, write_rows(tmp_path / "d.csv", rows), tmp_path / "run")
    assert_input_error(code, err, "'1' and '1.0'", "--label-map 1.0=1")
    assert not (tmp_path / "run").exists()  # a failed run leaves no empty folder (#16)


def test_13_texts_without_tokens_are_refused_with_a_hint(tmp_path: Path, capsys) -> None:
    rows = [("😀 😍" if i % 2 else "😡", "positive" if i % 2 else "negative") for i in range(20)]
    code, _, err = train_cli(capsys, write_rows(tmp_path / "d.csv", rows), tmp_path / "run")
    assert_input_error(code, err, "no tokens", "text.tokenizer=tweet")


def test_14_a_very_long_field_is_accepted(tmp_path: Path, capsys) -> None:
    rows = [*toy_rows(), ("great " * 40_000, "positive")]  # 240,000 characters
    data = write_rows(tmp_path / "long.csv", rows)
    code, _, err = run_cli(capsys, "data-stats", "--data", data, "--output", tmp_path / "s")
    assert code == 0, err


@pytest.mark.parametrize(("text", "kind"), [(123, "int"), (b"x", "bytes"), (None, "NoneType")])
def test_15_non_text_input_names_its_type(text: object, kind: str) -> None:
    with pytest.raises(DataError, match=f"is a {kind}, not a string"):
        SentimentModel.load().predict([text])  # type: ignore[list-item]


def test_15_invalid_vocabulary_is_named_as_such(bundle: Path) -> None:
    (bundle / "vocab.json").write_text('{"tokens": 5}', encoding="utf-8")
    tamper_consistently(bundle)
    with pytest.raises(BundleError, match=r"invalid vocab\.json"):
        SentimentModel.load(bundle)


def test_16_stale_temporary_files_are_removed_by_the_next_run(
    tiny_run: Path, tmp_path: Path, tiny_files, capsys
) -> None:
    import shutil

    run = shutil.copytree(tiny_run, tmp_path / "run")
    stale = [run / ".metrics.json.abc123.tmp", run / "model" / ".vocab.json.x1.tmp"]
    for path in stale:
        path.write_text("half", encoding="utf-8")
    (run / ".model.new.zz").mkdir()
    code, _, err = run_cli(
        capsys, "-q", "train", "--data", tiny_files.csv, "--config", tiny_files.toml,
        "--output", run, "--resume",
    )  # fmt: skip
    assert code == 0, err
    assert not any(p.exists() for p in [*stale, run / ".model.new.zz"])


def test_17_empty_folder_lists_the_layouts_read(tmp_path: Path, capsys) -> None:
    (tmp_path / "data" / "notes").mkdir(parents=True)
    code, _, err = run_cli(capsys, "data-stats", "--data", tmp_path / "data")
    assert_input_error(code, err, "no examples found", "<label>/*.txt", ".csv")


def test_17_symlink_loop_in_class_folders_is_ignored(tmp_path: Path, capsys) -> None:
    for label, word in (("pos", "great"), ("neg", "awful")):
        (tmp_path / "data" / label).mkdir(parents=True)
        for i in range(3):
            (tmp_path / "data" / label / f"{i}.txt").write_text(f"{word} {i}", encoding="utf-8")
    os.symlink("..", tmp_path / "data" / "pos" / "loop")
    code, _, err = run_cli(
        capsys, "data-stats", "--data", tmp_path / "data", "--output", tmp_path / "s"
    )
    assert code == 0, err
    assert (tmp_path / "s" / "length_histogram.png").is_file()
