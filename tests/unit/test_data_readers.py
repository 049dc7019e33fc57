from __future__ import annotations

import logging
import random
import tarfile
from pathlib import Path

import pytest

from conftest import write_tar
from lstm_sentiment.data import readers
from lstm_sentiment.data.example import Example
from lstm_sentiment.data.readers import (
    list_splits,
    read_folder,
    read_jsonl,
    read_table,
    read_tarball,
    read_tarball_splits,
)
from lstm_sentiment.errors import DataError

ACL_FILES = {
    "train/pos/2_9.txt": "great fun",
    "train/pos/1_7.txt": "good film",
    "train/neg/3_1.txt": "awful",
    "train/unsup/4_0.txt": "no idea",
    "train/urls_pos.txt": "http://example.com",
    "test/pos/5_8.txt": "lovely",
    "test/neg/6_2.txt": "boring",
    "README.txt": "not a review",
}


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode("utf-8") if isinstance(content, str) else content
        path.write_bytes(data)
    return root


def pairs(examples) -> list[tuple[str, str | None]]:
    return [(ex.text, ex.label) for ex in examples]


# --- folders ---


def test_read_folder_sorted_labels_and_files_skips_unsup(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "aclImdb", ACL_FILES)
    got = list(read_folder(root, "train"))
    assert all(isinstance(ex, Example) for ex in got)
    assert pairs(got) == [("awful", "neg"), ("good film", "pos"), ("great fun", "pos")]


def test_read_folder_unlabelled(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "aclImdb", ACL_FILES)
    assert pairs(read_folder(root, "unsup")) == [("no idea", None)]
    with_unsup = pairs(read_folder(root, "train", include_unlabelled=True))
    assert with_unsup[-1] == ("no idea", None)
    assert len(with_unsup) == 4


def test_read_folder_without_splits(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "flat", {"pos/a.txt": "yes", "neg/b.txt": "no", "notes.txt": "x"})
    assert pairs(read_folder(root, None)) == [("no", "neg"), ("yes", "pos")]
    assert list_splits(root) == []


def test_read_folder_split_errors(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "aclImdb", ACL_FILES)
    assert list_splits(root) == ["test", "train"]
    with pytest.raises(DataError, match=r"no split folder 'dev' in .*available: test, train"):
        list(read_folder(root, "dev"))
    with pytest.raises(DataError, match=r"split folders \(test, train\): choose a split"):
        list(read_folder(root, None))
    with pytest.raises(DataError, match="no such folder"):
        list(read_folder(tmp_path / "missing", "train"))


def test_read_folder_encoding(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "d",
        {"pos/a.txt": "caf\xe9 ok".encode("latin-1"), "neg/b.txt": b"\xef\xbb\xbfbom"},
    )
    with pytest.raises(DataError) as err:
        list(read_folder(root, None))
    message = str(err.value)
    assert "a.txt" in message and "byte 3" in message and "--encoding" in message
    assert pairs(read_folder(root, None, encoding="latin-1"))[1] == ("café ok", "pos")
    # a UTF-8 BOM is dropped
    (root / "pos" / "a.txt").write_text("café", encoding="utf-8")
    assert pairs(read_folder(root, None)) == [("bom", "neg"), ("café", "pos")]


# --- tar archives ---


def test_read_tarball_archive_order_and_top_folder(tmp_path: Path) -> None:
    tgz = write_tar(tmp_path / "a.tar.gz", {f"aclImdb/{k}": v for k, v in ACL_FILES.items()})
    assert pairs(read_tarball(tgz, "train")) == [
        ("great fun", "pos"),
        ("good film", "pos"),
        ("awful", "neg"),
    ]
    assert pairs(read_tarball(tgz, "unsup")) == [("no idea", None)]
    assert len(list(read_tarball(tgz, "train", include_unlabelled=True))) == 4
    assert list_splits(tgz) == ["test", "train"]
    with pytest.raises(DataError, match="choose a split"):
        list(read_tarball(tgz, None))


def test_read_tarball_without_top_folder(tmp_path: Path) -> None:
    tgz = write_tar(tmp_path / "b.tgz", {"./train/pos/1.txt": "a", "./train/neg/2.txt": "b"})
    assert pairs(read_tarball(tgz, "train")) == [("a", "pos"), ("b", "neg")]
    assert list_splits(tgz) == ["train"]


def test_read_tarball_splits_one_pass(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tgz = write_tar(tmp_path / "a.tar.gz", {f"top/{k}": v for k, v in ACL_FILES.items()})
    opened = []
    real_open = tarfile.open

    def counting_open(*args, **kwargs):
        opened.append(args)
        return real_open(*args, **kwargs)

    monkeypatch.setattr(readers.tarfile, "open", counting_open)
    got = read_tarball_splits(tgz, ["train", "test", "unsup", "dev"])
    assert len(opened) == 1
    assert [len(got[s]) for s in ("train", "test", "unsup", "dev")] == [3, 2, 1, 0]
    assert pairs(got["test"]) == [("lovely", "pos"), ("boring", "neg")]


def test_read_tarball_flat(tmp_path: Path) -> None:
    files = {"reviews/pos/1.txt": "a", "reviews/neg/2.txt": "b", "reviews/README.txt": "x"}
    tgz = write_tar(tmp_path / "flat.tar.gz", files)
    assert pairs(read_tarball(tgz, None)) == [("a", "pos"), ("b", "neg")]
    assert list_splits(tgz) == []


def test_read_tarball_errors(tmp_path: Path) -> None:
    tgz = write_tar(tmp_path / "a.tar.gz", {"x/train/pos/1.txt": b"bad \xff byte"})
    with pytest.raises(DataError, match=r"member x/train/pos/1.txt .*byte 4.*--encoding"):
        list(read_tarball(tgz, "train"))
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(tgz.read_bytes()[:40])
    with pytest.raises(DataError, match="cannot read tar archive"):
        list(read_tarball(broken, "train"))
    noise = "".join(random.Random(0).choices("abcdefgh ", k=100_000))
    big = write_tar(tmp_path / "big.tar.gz", {"x/train/pos/1.txt": noise})
    big.write_bytes(big.read_bytes()[:30_000])
    with pytest.raises(DataError, match=r"cannot read tar archive .*big.tar.gz.*complete"):
        list(read_tarball(big, "train"))


# --- tables ---


def test_read_table_bom_quoted_newlines(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_bytes(b'\xef\xbb\xbftext,label\n"line one\nline two, with comma", pos \nfine,neg\n')
    assert pairs(read_table(path)) == [("line one\nline two, with comma", "pos"), ("fine", "neg")]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("semi.csv", "Review;Sentiment\nnice, really;positive\nbad, sadly;negative\n"),
        ("tabs.tsv", "review\tsentiment\nnice, really\tpositive\nbad, sadly\tnegative\n"),
        ("pipes.txt", "REVIEW|SENTIMENT\nnice, really|positive\nbad, sadly|negative\n"),
    ],
)
def test_read_table_delimiters_and_detection(tmp_path: Path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert pairs(read_table(path)) == [("nice, really", "positive"), ("bad, sadly", "negative")]


def test_read_table_columns(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_text("id,tweet,score\n1,hello,5\n", encoding="utf-8")
    assert pairs(read_table(path)) == [("hello", None)]
    assert pairs(read_table(path, label_column="score")) == [("hello", "5")]
    with pytest.raises(DataError, match=r"column 'stars' not in .*d.csv; available: id, tweet"):
        list(read_table(path, label_column="stars"))
    path.write_text("id,text,review\n1,a,b\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"several possible text.*--text-column.*available"):
        list(read_table(path))
    assert pairs(read_table(path, text_column="REVIEW")) == [("b", None)]
    path.write_text("id,words\n1,a\n", encoding="utf-8")
    with pytest.raises(
        DataError, match=r"no text column.*--text-column NAME; available: id, words"
    ):
        list(read_table(path))


def test_read_table_skips_and_counts_empty_rows(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "d.csv"
    path.write_text("text,label\nok,pos\n,neg\n  ,pos\n\nno label,\nshort\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert pairs(read_table(path)) == [("ok", "pos")]
    assert "skipped 2 row(s) with empty text, 2 row(s) with an empty label" in caplog.text


def test_read_table_encoding(tmp_path: Path) -> None:
    path = tmp_path / "d.csv"
    path.write_bytes("text,label\nok,pos\ncaf\xe9,neg\n".encode("latin-1"))
    with pytest.raises(DataError) as err:
        list(read_table(path, encoding_errors="strict"))
    message = str(err.value)
    assert "d.csv" in message and "row 2, line 3, byte 21" in message
    assert "--encoding latin-1" in message
    assert pairs(read_table(path, encoding="latin-1"))[1] == ("café", "neg")
    with pytest.raises(DataError, match="unknown encoding 'klingon'"):
        list(read_table(path, encoding="klingon"))


# --- JSON Lines ---


def test_read_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text(
        '{"Content": "good", "polarity": 1}\n\n{"Content": "bad", "polarity": 0.0}\n'
        '{"Content": null, "polarity": 1}\n',
        encoding="utf-8",
    )
    assert pairs(read_jsonl(path)) == [("good", "1"), ("bad", "0")]


@pytest.mark.parametrize(
    ("line", "pattern"),
    [("{not json", r"line 2 of .*d.jsonl is not valid JSON"), ("[1, 2]", "line 2 .*JSON object")],
)
def test_read_jsonl_bad_lines(tmp_path: Path, line: str, pattern: str) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text('{"text": "a", "label": "x"}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=pattern):
        list(read_jsonl(path))


def test_read_jsonl_missing_column_and_encoding(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text('{"body": "a", "label": "x"}\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"column 'stars' not in .*available: body, label"):
        list(read_jsonl(path, label_column="stars"))
    path.write_bytes(b'{"body": "a", "label": "x"}\n{"body": "\xe9"}\n')
    with pytest.raises(DataError, match=r"row 2, line 2, byte 38\).*--encoding latin-1"):
        list(read_jsonl(path, encoding_errors="strict"))
