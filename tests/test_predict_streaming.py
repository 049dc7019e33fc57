"""``predict --input FILE --output FILE`` in chunks: same output as one pass, and ``--resume``
after a killed run scores every text once and writes the same file."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from lstm_sentiment.cli import main, streaming
from lstm_sentiment.export.onnx_export import export_onnx
from lstm_sentiment.predict import SentimentModel
from test_onnx import tiny_bundle, varied_texts

N_TEXTS = 53


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tiny_bundle(tmp_path_factory.mktemp("stream") / "model", {"nb_ngrams": 2})
    export_onnx(path)  # the default runtime: a text's scores do not depend on its batch
    return path


@pytest.fixture
def input_csv(tmp_path: Path) -> Path:
    path = tmp_path / "in.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text"])
        for i, text in enumerate(varied_texts(N_TEXTS, seed=2)):
            writer.writerow([i, text if i % 9 else f"{text}\nsecond line, = sign"])
    return path


def run(model: Path, source: Path, output: Path, fmt: str, *extra: str) -> int:
    return main(
        [
            "-q",
            "predict",
            "--model",
            str(model),
            "--input",
            str(source),
            "--output",
            str(output),
            "--format",
            fmt,
            *extra,
        ]
    )


def rows_of(path: Path, fmt: str) -> list[dict]:
    text = path.read_text(encoding="utf-8")
    if fmt == "json":
        return [json.loads(line) for line in text.splitlines()]
    return list(csv.DictReader(text.splitlines(keepends=True)))


def assert_same_output(got: Path, want: Path, fmt: str) -> None:
    """The same rows, columns and labels; probabilities equal up to float rounding (texts are
    batched differently, and a batch may be split across threads)."""
    got_rows, want_rows = rows_of(got, fmt), rows_of(want, fmt)
    assert len(got_rows) == len(want_rows)
    for got_row, want_row in zip(got_rows, want_rows, strict=True):
        assert list(got_row) == list(want_row)
        for key, value in want_row.items():
            if isinstance(value, dict) or key.startswith("p_"):
                assert _close(got_row[key], value), key
            else:
                assert got_row[key] == value, key


def _close(got: object, want: object) -> bool:
    if isinstance(want, dict):
        return all(abs(float(got[k]) - float(v)) < 1e-5 for k, v in want.items())  # type: ignore[index]
    return abs(float(got) - float(want)) < 1e-5  # type: ignore[arg-type]


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_chunked_run_equals_one_pass(
    model_dir: Path, input_csv: Path, tmp_path: Path, fmt: str
) -> None:
    whole, chunked = tmp_path / f"whole.{fmt}", tmp_path / f"chunked.{fmt}"
    assert run(model_dir, input_csv, whole, fmt, "--chunk-size", "1000") == 0
    assert run(model_dir, input_csv, chunked, fmt, "--chunk-size", "5") == 0
    assert_same_output(chunked, whole, fmt)
    lines = whole.read_text(encoding="utf-8").splitlines()
    if fmt == "json":
        assert len(lines) == N_TEXTS and "label" in json.loads(lines[0])
    assert not list(tmp_path.glob(".*partial")) and not list(tmp_path.glob(".*progress.json"))


def test_resume_after_a_kill_scores_each_text_once(
    model_dir: Path, input_csv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = tmp_path / "expected.csv"
    assert run(model_dir, input_csv, expected, "csv", "--chunk-size", "6") == 0
    scored: list[str] = []
    original = SentimentModel.predict

    def counting(self: SentimentModel, texts: list[str], **kwargs: object) -> list:
        scored.extend(texts)
        return original(self, texts, **kwargs)  # type: ignore[arg-type]

    def kill_after_third(index: int, rows: int) -> None:
        if index == 2:
            raise KeyboardInterrupt  # as if the process were stopped right after chunk 3

    monkeypatch.setattr(SentimentModel, "predict", counting)
    monkeypatch.setattr(streaming, "after_chunk", kill_after_third)
    output = tmp_path / "out.csv"
    assert run(model_dir, input_csv, output, "csv", "--chunk-size", "6") != 0
    assert not output.exists()  # the output appears complete or not at all
    assert len(scored) == 18
    # a half-written fourth chunk (the kill hit mid-append) is cut off on resume
    with (tmp_path / ".out.csv.partial").open("ab") as handle:
        handle.write(b"half a row,")
    monkeypatch.setattr(streaming, "after_chunk", lambda index, rows: None)
    assert run(model_dir, input_csv, output, "csv", "--chunk-size", "6", "--resume") == 0
    assert output.read_bytes() == expected.read_bytes()
    assert len(scored) == N_TEXTS and len(set(scored)) == len(set(varied_texts(N_TEXTS, seed=2)))


def test_resume_refuses_another_input(
    model_dir: Path, input_csv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def kill(index: int, rows: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(streaming, "after_chunk", kill)
    output = tmp_path / "out.json"
    assert run(model_dir, input_csv, output, "json", "--chunk-size", "4") != 0
    input_csv.write_text("text\nanother file\n", encoding="utf-8")
    monkeypatch.setattr(streaming, "after_chunk", lambda index, rows: None)
    assert run(model_dir, input_csv, output, "json", "--resume") == 2
    assert run(model_dir, input_csv, output, "json") == 0  # a fresh run starts over
    assert len(output.read_text().splitlines()) == 1
