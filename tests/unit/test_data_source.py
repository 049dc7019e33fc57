from __future__ import annotations

import dataclasses
import hashlib
import tarfile
from pathlib import Path

import pytest

from conftest import write_tar
from lstm_sentiment.config import DataConfig
from lstm_sentiment.data import is_known_dataset, load_split, load_splits, readers
from lstm_sentiment.data.datasets import KNOWN_DATASETS
from lstm_sentiment.errors import DataError

FILES = {
    "train/pos/1.txt": "good",
    "train/neg/2.txt": "bad",
    "train/unsup/3.txt": "meh",
    "test/pos/4.txt": "great",
    "test/neg/5.txt": "awful",
}


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def pairs(examples) -> list[tuple[str, str | None]]:
    return [(ex.text, ex.label) for ex in examples]


def test_folder_with_splits(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "acl", FILES)
    got = load_splits(root, ["train", "test", "unsup"])
    assert pairs(got["train"]) == [("bad", "neg"), ("good", "pos")]
    assert pairs(got["test"]) == [("awful", "neg"), ("great", "pos")]
    assert pairs(got["unsup"]) == [("meh", None)]
    with pytest.raises(DataError, match=r"no split 'dev' in .*acl; available: test, train"):
        load_split(str(root), "dev")
    assert list(load_splits(root, ["train", "dev"], optional=["dev"])) == ["train"]


def test_folder_without_splits_is_every_split(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "flat", {"pos/1.txt": "good", "neg/2.txt": "bad"})
    got = load_splits(root, ["train", "test"])
    assert pairs(got["train"]) == pairs(got["test"]) == [("bad", "neg"), ("good", "pos")]
    assert list(load_splits(root, ["train", "test"], optional=["test"])) == ["train"]


def test_tarball_one_pass_and_label_map(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tgz = write_tar(tmp_path / "a.tar.gz", {f"aclImdb/{k}": v for k, v in FILES.items()})
    opened = []
    real_open = tarfile.open
    monkeypatch.setattr(
        readers.tarfile, "open", lambda *a, **k: opened.append(a) or real_open(*a, **k)
    )
    options = DataConfig(label_map={"pos": "positive"})
    got = load_splits(tgz, ["train", "test"], options)
    assert len(opened) == 1
    assert pairs(got["train"]) == [("good", "positive"), ("bad", "neg")]
    with pytest.raises(DataError, match=r"no split 'dev' in .*a.tar.gz; available: test, train"):
        load_split(tgz, "dev")


def test_flat_tarball(tmp_path: Path) -> None:
    tgz = write_tar(tmp_path / "f.tgz", {"data/pos/1.txt": "good", "data/neg/2.txt": "bad"})
    got = load_splits(tgz, ["train", "test"], optional=["test"])
    assert list(got) == ["train"]
    assert pairs(got["train"]) == [("good", "pos"), ("bad", "neg")]


def test_single_files_are_every_split(tmp_path: Path) -> None:
    csv = tmp_path / "d.csv"
    csv.write_text("text,label\nnice,1\nbad,0\n", encoding="utf-8")
    jsonl = tmp_path / "d.ndjson"
    jsonl.write_text('{"text": "nice", "label": 1}\n{"text": "bad", "label": 0}\n')
    options = DataConfig(label_map={"1": "positive", "0": "negative"})
    expected = [("nice", "positive"), ("bad", "negative")]
    for path in (csv, jsonl):
        got = load_splits(path, ["train", "test"], options)
        assert pairs(got["train"]) == pairs(got["test"]) == expected
        assert list(load_splits(path, ["train", "test"], options, optional=["test"])) == ["train"]


def test_table_options_are_passed(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("a;b\nnice;pos\n", encoding="utf-8")
    options = DataConfig(text_column="a", label_column="b", delimiter=";")
    assert pairs(load_split(path, "train", options)) == [("nice", "pos")]


def test_known_dataset_from_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    tgz = write_tar(cache / "aclImdb_v1.tar.gz", {f"aclImdb/{k}": v for k, v in FILES.items()})
    digest = hashlib.sha256(tgz.read_bytes()).hexdigest()
    monkeypatch.setitem(
        KNOWN_DATASETS, "imdb", dataclasses.replace(KNOWN_DATASETS["imdb"], sha256=digest)
    )
    monkeypatch.setenv("LSTM_SENTIMENT_CACHE", str(cache))
    monkeypatch.chdir(tmp_path)
    assert is_known_dataset("imdb") and not is_known_dataset("mnist")
    assert pairs(load_split("imdb", "test")) == [("great", "positive"), ("awful", "negative")]
    own = DataConfig(label_map={"pos": "+"})
    assert pairs(load_split("imdb", "test", own)) == [("great", "+"), ("awful", "neg")]


def test_source_errors(tmp_path: Path) -> None:
    with pytest.raises(
        DataError, match=r"no such file or directory: .*nope.csv \(give a folder.*imdb\)"
    ):
        load_split(tmp_path / "nope.csv", "train")
    notes = tmp_path / "notes.txt"
    notes.write_text("hello", encoding="utf-8")
    with pytest.raises(DataError, match=r"unsupported data file .*notes.txt: .*\.csv.*\.jsonl"):
        load_split(notes, "train")
    empty = tmp_path / "empty.csv"
    empty.write_text("text,label\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"no examples found in .*empty.csv \(split 'train'\)"):
        load_split(empty, "train")
    root = write_tree(tmp_path / "acl", {"train/pos/1.txt": " ", "test/pos/2.txt": "x"})
    with pytest.raises(DataError, match=r"no examples found in .*acl \(split 'train'\)"):
        load_split(root, "train")
