from __future__ import annotations

import hashlib
import socket
import urllib.request
from pathlib import Path

import pytest

from lstm_sentiment.data import datasets
from lstm_sentiment.data.datasets import (
    KNOWN_DATASETS,
    KnownDataset,
    cache_dir,
    fetch_known_dataset,
)
from lstm_sentiment.errors import DataError

PAYLOAD = b"a tiny archive stand-in\n" * 10


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("LSTM_SENTIMENT_CACHE", str(folder))
    return folder


@pytest.fixture
def tiny(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> KnownDataset:
    source = tmp_path / "remote" / "tiny.tar.gz"
    source.parent.mkdir()
    source.write_bytes(PAYLOAD)
    entry = KnownDataset(
        name="tiny",
        url=source.as_uri(),
        sha256=hashlib.sha256(PAYLOAD).hexdigest(),
        filename="tiny.tar.gz",
        label_map={"pos": "positive"},
        description="test entry",
    )
    monkeypatch.setitem(KNOWN_DATASETS, "tiny", entry)
    return entry


def no_download(url: str, timeout: float) -> None:
    raise AssertionError(f"unexpected download of {url}")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_cache_dir_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LSTM_SENTIMENT_CACHE", str(tmp_path / "own"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "own"
    monkeypatch.delenv("LSTM_SENTIMENT_CACHE")
    assert cache_dir() == tmp_path / "xdg" / "lstm-sentiment"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "lstm-sentiment"


def test_imdb_entry() -> None:
    imdb = KNOWN_DATASETS["imdb"]
    assert imdb.url == "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
    assert imdb.filename == "aclImdb_v1.tar.gz" and imdb.size == 84125825
    assert imdb.label_map == {"neg": "negative", "pos": "positive"}


def test_fetch_downloads_verifies_and_caches(
    cache: Path, tiny: KnownDataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = fetch_known_dataset("tiny", progress=False)
    assert path == cache / "tiny.tar.gz"
    assert path.read_bytes() == PAYLOAD
    assert (cache / "tiny.tar.gz.sha256-ok").is_file()
    assert sorted(p.name for p in cache.iterdir()) == ["tiny.tar.gz", "tiny.tar.gz.sha256-ok"]

    def no_hashing(path: Path) -> str:
        raise AssertionError("the marker should spare rehashing")

    monkeypatch.setattr(datasets, "_sha256", no_hashing)
    assert fetch_known_dataset("tiny", opener=no_download) == path


def test_fetch_accepts_a_file_placed_in_the_cache(cache: Path, tiny: KnownDataset) -> None:
    cache.mkdir()
    (cache / "tiny.tar.gz").write_bytes(PAYLOAD)
    assert fetch_known_dataset("tiny", opener=no_download).read_bytes() == PAYLOAD
    assert (cache / "tiny.tar.gz.sha256-ok").is_file()


def test_fetch_replaces_a_corrupt_cached_file(cache: Path, tiny: KnownDataset) -> None:
    cache.mkdir()
    (cache / "tiny.tar.gz").write_bytes(b"truncated")
    assert fetch_known_dataset("tiny", progress=False).read_bytes() == PAYLOAD


def test_fetch_checksum_mismatch_removes_file(
    cache: Path, tiny: KnownDataset, tmp_path: Path
) -> None:
    other = tmp_path / "other.bin"
    other.write_bytes(b"something else")
    with pytest.raises(DataError, match=r"checksum mismatch for tiny.tar.gz.*the file was removed"):
        fetch_known_dataset("tiny", url=other.as_uri(), progress=False)
    assert list(cache.iterdir()) == []


def test_fetch_without_network(cache: Path, tiny: KnownDataset) -> None:
    url = f"http://127.0.0.1:{closed_port()}/x.tar.gz"
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({})).open
    with pytest.raises(DataError) as err:
        fetch_known_dataset("tiny", url=url, opener=direct, timeout=2, progress=False)
    message = str(err.value)
    assert message.startswith(f"cannot download tiny from {url} (no network?): download ")
    assert "--data /path/to/tiny.tar.gz" in message
    assert str(cache / "tiny.tar.gz") in message
    assert "\n" not in message
    assert not any(cache.iterdir())


def test_fetch_unknown_name(cache: Path) -> None:
    with pytest.raises(DataError, match="unknown dataset 'nope'; known: imdb"):
        fetch_known_dataset("nope")
