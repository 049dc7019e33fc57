"""Issue 17, security: bundles cannot make the loader read outside them, texts reach terminals
and spreadsheets escaped, archives cannot exhaust memory."""

from __future__ import annotations

import io
import json
import os
import shutil
import tarfile
from pathlib import Path

import pytest

from conftest import tamper_consistently
from lstm_sentiment import pipeline
from lstm_sentiment.config import RunConfig
from lstm_sentiment.data import limits
from lstm_sentiment.ensemble.build import build_ensemble
from lstm_sentiment.errors import BundleError
from lstm_sentiment.predict import SentimentModel
from lstm_sentiment.text.subword import MODEL_FILE
from test_cli import assert_input_error, run_cli

ESCAPES = "\x1b]0;pwned\x07\x1b[2J"


@pytest.fixture(scope="module")
def subword_bundle(tmp_path_factory: pytest.TempPathFactory, tiny_files) -> Path:
    raw = RunConfig.from_file(tiny_files.toml).to_dict()
    raw["data"]["source"] = str(tiny_files.csv)
    config = RunConfig.from_dict(raw).with_overrides(
        ["text.tokenizer=subword", "text.subword_vocab_size=60", "vectors.source=none",
         "train.epochs=2"]
    )  # fmt: skip
    return pipeline.train(config, tmp_path_factory.mktemp("subword") / "run").model_dir


@pytest.mark.parametrize("where", ["absolute", "parent", "no-checksum", "symlink"])
def test_1_subword_model_file_must_stay_inside_the_bundle(
    subword_bundle: Path, tmp_path: Path, where: str
) -> None:
    bundle = shutil.copytree(subword_bundle, tmp_path / "b")
    outside = tmp_path / "outside.model"
    shutil.copy(bundle / MODEL_FILE, outside)
    header = json.loads((bundle / "config.json").read_text(encoding="utf-8"))
    tokenizer = header["tokenizer"]
    if where == "absolute":
        tokenizer["model_file"] = str(outside)
    elif where == "parent":
        tokenizer["model_file"] = "../outside.model"
    elif where == "no-checksum":
        del tokenizer["model_sha256"]
        tokenizer["model_file"] = "/etc/passwd"
    else:
        (bundle / MODEL_FILE).unlink()
        os.symlink(outside, bundle / MODEL_FILE)
    (bundle / "config.json").write_text(json.dumps(header), encoding="utf-8")
    tamper_consistently(bundle)
    with pytest.raises(BundleError, match=r"outside|links outside"):
        SentimentModel.load(bundle)


def test_2_ensemble_member_symlinked_outside_is_refused(
    tiny_run: Path, tmp_path: Path, tiny_files
) -> None:
    raw = RunConfig.from_file(tiny_files.toml).to_dict()
    raw["data"]["source"] = str(tiny_files.csv)
    other = pipeline.train(
        RunConfig.from_dict(raw).with_overrides(["model.architecture=nbsvm", "nbsvm.min_df=1"]),
        tmp_path / "nb",
    ).model_dir
    ensemble = build_ensemble([tiny_run / "model", other], tmp_path / "e").model_dir
    elsewhere = shutil.copytree(ensemble / "members" / "01", tmp_path / "elsewhere")
    shutil.rmtree(ensemble / "members" / "01")
    os.symlink(elsewhere, ensemble / "members" / "01")
    with pytest.raises(BundleError, match="outside"):
        SentimentModel.load(ensemble)


def test_3_terminal_output_escapes_control_characters(capsys: pytest.CaptureFixture[str]):
    code, out, _ = run_cli(capsys, "predict", "--format", "table", f"{ESCAPES}great film")
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b]0;pwned" in out


def test_3_csv_output_neutralises_formula_cells(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    texts = ["=HYPERLINK(1)", "+1 great", "-2 awful", "@SUM(A1)", "plain text"]
    code, _, _ = run_cli(capsys, "predict", *texts, "--format", "csv", "--output", tmp_path / "o")
    assert code == 0
    cells = [line.split(",")[0] for line in (tmp_path / "o").read_text().splitlines()[1:]]
    assert cells == ["'=HYPERLINK(1)", "'+1 great", "'-2 awful", "'@SUM(A1)", "plain text"]
    code, _, _ = run_cli(
        capsys, "predict", *texts, "--format", "csv", "--csv-raw", "--output", tmp_path / "r"
    )
    assert (tmp_path / "r").read_text().splitlines()[1].startswith("=HYPERLINK(1)")


def make_tar(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_4_archive_member_over_the_text_limit_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "MAX_TEXT_BYTES", 1000)
    members = {f"train/{label}/{i}.txt": b"fine words " * 5 for label in ("pos", "neg")
               for i in range(3)}  # fmt: skip
    members["train/pos/huge.txt"] = b"x" * 5000  # compresses to almost nothing
    archive = make_tar(tmp_path / "bomb.tar.gz", members)
    code, _, err = run_cli(capsys, "data-stats", "--data", archive, "--output", tmp_path / "s")
    assert_input_error(code, err, "huge.txt", "over the limit")
    assert not (tmp_path / "s").exists()


def test_4_archive_over_the_total_limit_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "MAX_ARCHIVE_BYTES", 2000)
    members = {f"train/pos/{i}.txt": b"fine words " * 30 for i in range(10)}
    archive = make_tar(tmp_path / "many.tar.gz", members)
    code, _, err = run_cli(capsys, "data-stats", "--data", archive, "--output", tmp_path / "s")
    assert_input_error(code, err, "unpacks to more than", "decompression bomb")
