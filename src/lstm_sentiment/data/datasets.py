"""Known datasets: downloaded once into a cache folder and verified by SHA-256."""

from __future__ import annotations

import hashlib
import http.client
import logging
import os
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lstm_sentiment.errors import DataError
from lstm_sentiment.io_utils import atomic_write, write_text

logger = logging.getLogger(__name__)

CACHE_ENV = "LSTM_SENTIMENT_CACHE"
DOWNLOAD_TIMEOUT = 15.0
"""Seconds to wait for the server to connect or send the next block."""
_CHUNK = 1 << 20


@dataclass(frozen=True)
class KnownDataset:
    """A dataset that ``--data NAME`` downloads: one archive in the aclImdb layout."""

    name: str
    url: str
    sha256: str
    filename: str
    label_map: dict[str, str]
    """Archive label → label shown to users (``pos`` → ``positive``)."""
    description: str
    size: int | None = None
    """Archive size in bytes, for the progress bar when the server sends no length."""
    splits: tuple[str, ...] = ()
    """Split folders in the archive (besides ``unsup``)."""


KNOWN_DATASETS: dict[str, KnownDataset] = {
    "imdb": KnownDataset(
        name="imdb",
        url="https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz",
        sha256="c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe",
        filename="aclImdb_v1.tar.gz",
        label_map={"neg": "negative", "pos": "positive"},
        description=(
            "Large Movie Review Dataset (Maas et al., 2011): 25,000 train and 25,000 test "
            "IMDb reviews labelled pos/neg, plus 50,000 unlabelled (unsup)."
        ),
        size=84_125_825,
        splits=("test", "train"),
    ),
}

Opener = Callable[..., Any]
"""Called as ``opener(url, timeout=seconds)``; returns a response usable in ``with``."""


def cache_dir() -> Path:
    """Where downloads are kept: ``$LSTM_SENTIMENT_CACHE``, else the XDG cache folder."""
    if override := os.environ.get(CACHE_ENV):
        return Path(override).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "lstm-sentiment"


def fetch_known_dataset(
    name: str,
    *,
    url: str | None = None,
    opener: Opener | None = None,
    timeout: float = DOWNLOAD_TIMEOUT,
    progress: bool = True,
) -> Path:
    """Return the verified cached archive of a known dataset, downloading it if needed.

    A ``<file>.sha256-ok`` marker next to the archive records a successful check, so later
    calls skip hashing as long as the file's size and modification time are unchanged.

    Args:
        name: A key of :data:`KNOWN_DATASETS`.
        url: Download from here instead of the registry's URL (tests, mirrors).
        opener: Replaces :func:`urllib.request.urlopen`.
        timeout: Seconds to wait for a connection or the next block.
        progress: Show a progress bar on stderr.

    Raises:
        DataError: The download failed (no network, HTTP error) or the checksum did not match.
    """
    if name not in KNOWN_DATASETS:
        raise DataError(f"unknown dataset '{name}'; known: {', '.join(sorted(KNOWN_DATASETS))}")
    dataset = KNOWN_DATASETS[name]
    target = cache_dir() / dataset.filename
    marker = target.with_name(target.name + ".sha256-ok")
    if target.is_file():
        if marker.is_file() and marker.read_text(encoding="utf-8").strip() == _stamp(
            target, dataset.sha256
        ):
            return target
        if _sha256(target) == dataset.sha256:
            write_text(marker, _stamp(target, dataset.sha256) + "\n")
            return target
        logger.warning("cached %s has the wrong checksum; downloading it again", target)
        target.unlink()
    marker.unlink(missing_ok=True)
    source = url or dataset.url
    logger.info("downloading %s from %s to %s", name, source, target)
    atomic_write(
        target,
        lambda tmp: _download(dataset, source, tmp, target, opener, timeout, progress),
    )
    write_text(marker, _stamp(target, dataset.sha256) + "\n")
    return target


def _download(
    dataset: KnownDataset,
    url: str,
    tmp: Path,
    target: Path,
    opener: Opener | None,
    timeout: float,
    progress: bool,
) -> None:
    """Download ``url`` into ``tmp`` and check its SHA-256; the caller renames or removes it."""
    from tqdm import tqdm

    digest = hashlib.sha256()
    try:
        with (opener or urllib.request.urlopen)(url, timeout=timeout) as response:
            length = (getattr(response, "headers", None) or {}).get("Content-Length")
            total = int(length) if length and length.isdigit() else dataset.size
            with (
                tmp.open("wb") as out,
                tqdm(
                    total=total,
                    unit="B",
                    unit_scale=True,
                    unit_divisor=1024,
                    desc=dataset.filename,
                    file=sys.stderr,
                    disable=not progress,
                    leave=False,
                ) as bar,
            ):
                while chunk := response.read(_CHUNK):
                    out.write(chunk)
                    digest.update(chunk)
                    bar.update(len(chunk))
    except urllib.error.HTTPError as err:
        raise _download_error(dataset, url, target, f"HTTP {err.code} {err.reason}") from None
    except (urllib.error.URLError, TimeoutError, ConnectionError, http.client.HTTPException):
        raise _download_error(dataset, url, target, "no network?") from None
    if digest.hexdigest() != dataset.sha256:
        raise DataError(
            f"checksum mismatch for {dataset.filename} downloaded from {url} (sha256 "
            f"{digest.hexdigest()[:16]}..., expected {dataset.sha256[:16]}...); the file was "
            f"removed: try again, or download it yourself and pass --data /path/to/"
            f"{dataset.filename}"
        )


def _download_error(dataset: KnownDataset, url: str, target: Path, reason: str) -> DataError:
    return DataError(
        f"cannot download {dataset.name} from {url} ({reason}): download {dataset.filename} "
        f"elsewhere and pass --data /path/to/{dataset.filename} (or a folder with its train/ "
        f"and test/), or place it at {target}"
    )


def _stamp(path: Path, sha256: str) -> str:
    stat = path.stat()
    return f"{sha256} {stat.st_size} {stat.st_mtime_ns}"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
