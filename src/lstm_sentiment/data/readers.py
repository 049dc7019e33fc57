"""Streaming readers turning folders, tar archives, CSV/TSV and JSONL files into examples.

Layouts:

* folder per class (aclImdb): ``<root>/<split>/<label>/*.txt``, or ``<root>/<label>/*.txt``
  without splits;
* the same layout inside a tar archive, optionally under one top-level folder of any name
  (``aclImdb/train/pos/1_9.txt``), read in streaming mode without extracting;
* a CSV/TSV table or a JSON Lines file with a text column and an optional label column
  (:mod:`.tables` and :mod:`.jsonl`, re-exported here).

A folder named ``unsup`` holds unlabelled text (aclImdb's ``train/unsup``); it is not a class.
It is skipped unless asked for: ``split="unsup"`` reads every ``unsup`` folder, and
``include_unlabelled=True`` adds a split's ``unsup`` folder; both give label ``None``.

Groups: aclImdb puts ``urls_<label>.txt`` beside the class folders, line ``N`` naming the movie
of review ``N_<rating>.txt``. Readers attach that movie (``tt0453418``) as the example's
``group``, so that a validation split can keep each movie on one side (IMDB's test movies are
not in train: a validation split that shares movies with training flatters a model).

Readers do not complain about zero examples: the caller (:mod:`.source`) does.
"""

from __future__ import annotations

import logging
import re
import tarfile
import zlib
from collections.abc import Collection, Iterator
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import IO

from lstm_sentiment.data.columns import LABEL_COLUMNS, TEXT_COLUMNS
from lstm_sentiment.data.encoding import codec_name as _codec
from lstm_sentiment.data.encoding import decode_bytes as _decode
from lstm_sentiment.data.example import Example
from lstm_sentiment.data.jsonl import read_jsonl
from lstm_sentiment.data.limits import MAX_TEXT_BYTES, check_archive_size, check_text_size
from lstm_sentiment.data.tables import read_table
from lstm_sentiment.errors import DataError

logger = logging.getLogger(__name__)

__all__ = [
    "LABEL_COLUMNS",
    "TEXT_COLUMNS",
    "UNLABELLED",
    "list_splits",
    "read_folder",
    "read_jsonl",
    "read_table",
    "read_tarball",
    "read_tarball_splits",
]

UNLABELLED = "unsup"
SPLIT_NAMES = frozenset({"train", "test", "dev", "val", "valid", "validation", UNLABELLED})
"""Names never taken for a tarball's top-level folder (see :func:`list_splits`)."""


# --- groups (aclImdb urls_<label>.txt) -----------------------------------------------------------

_URLS_FILE = re.compile(r"urls_(.+)\.txt")
_MOVIE = re.compile(r"/title/(tt\d+)")


def urls_label(name: str) -> str | None:
    """The class folder an ``urls_<label>.txt`` file describes, ``None`` for other names."""
    match = _URLS_FILE.fullmatch(name)
    return match.group(1) if match else None


def groups_from_urls(text: str) -> list[str | None]:
    """Group per line of an urls file: the IMDB title id in the URL (else the line itself)."""
    groups: list[str | None] = []
    for line in text.splitlines():
        movie = _MOVIE.search(line)
        groups.append(movie.group(1) if movie else (line.strip() or None))
    return groups


def review_group(name: str, groups: list[str | None] | None) -> str | None:
    """The group of review file ``<id>_<rating>.txt`` (``None`` when unknown)."""
    number = name.split("_", 1)[0]
    if groups is None or not number.isdigit() or int(number) >= len(groups):
        return None
    return groups[int(number)]


# --- folders -------------------------------------------------------------------------------------


def read_folder(
    root: Path,
    split: str | None,
    *,
    include_unlabelled: bool = False,
    encoding: str = "utf-8",
) -> Iterator[Example]:
    """Yield the ``*.txt`` files of a folder-per-class layout, labels and files sorted by name.

    Args:
        root: The dataset folder (e.g. the extracted ``aclImdb``).
        split: A split subfolder (``"train"``), ``None`` for ``<root>/<label>/*.txt``, or
            ``"unsup"`` for the unlabelled ``<root>/unsup`` and ``<root>/*/unsup`` folders.
        include_unlabelled: Also yield the split's ``unsup`` folder, with label ``None``.
        encoding: Encoding of the files; a UTF-8 byte-order mark is dropped.

    Raises:
        DataError: The folder or split is missing, or a file cannot be decoded.
    """
    root = Path(root)
    codec = _codec(encoding)
    if not root.is_dir():
        raise DataError(f"no such folder: {root}")
    if split == UNLABELLED:
        dirs: list[tuple[Path, str | None]] = [(d, None) for d in _unlabelled_dirs(root)]
    else:
        base = root if split is None else root / split
        if split is None and (splits := list_splits(root)):
            raise DataError(f"{root} has split folders ({', '.join(splits)}): choose a split")
        if not base.is_dir():
            available = ", ".join(list_splits(root)) or "none"
            raise DataError(f"no split folder '{split}' in {root}; available: {available}")
        dirs = []
        for sub in _subdirs(base):
            if sub.name != UNLABELLED:
                dirs.append((sub, sub.name))
            elif include_unlabelled:
                dirs.append((sub, None))
    empty = 0
    for folder, label in dirs:
        urls = folder.parent / f"urls_{folder.name}.txt"
        groups = groups_from_urls(urls.read_text(errors="replace")) if urls.is_file() else None
        for file in sorted(folder.glob("*.txt"), key=lambda p: p.name):
            if file.name.startswith(".") or not file.is_file():
                continue
            check_text_size(file.stat().st_size, str(file))
            text = _decode(file.read_bytes(), codec, str(file))
            if text.strip():
                yield Example(text, label, review_group(file.name, groups))
            else:
                empty += 1
    if empty:
        logger.warning("skipped %d empty file(s) in %s", empty, root)


def list_splits(path: Path) -> list[str]:
    """Return the sorted split names of a folder or tar archive, ``[]`` if it has no splits.

    A split is a folder holding class folders (``train/pos/*.txt``). A tar archive is read once
    (headers only); a single top-level folder is ignored unless its name is a usual split name
    such as ``train`` (:data:`SPLIT_NAMES`).
    """
    path = Path(path)
    if path.is_dir():
        return sorted(d.name for d in _subdirs(path) if _subdirs(d))
    rel = _strip_top([parts for parts, _ in _tar_text_files(path)])
    return sorted({parts[0] for parts in rel if len(parts) == 3})


def _subdirs(path: Path) -> list[Path]:
    """Visible subfolders, without symlinks that lead back up the tree (a loop)."""
    return sorted(
        (
            p
            for p in path.iterdir()
            if p.is_dir() and not p.name.startswith(".") and not _loops_back(p)
        ),
        key=lambda p: p.name,
    )


def _loops_back(folder: Path) -> bool:
    """Whether a symlinked ``folder`` points at itself or one of its ancestors."""
    if not folder.is_symlink():
        return False
    target = folder.resolve()
    parent = folder.parent.resolve()
    if target == parent or target in parent.parents:
        logger.warning("ignoring %s: a symlink back into its own parent folders (a loop)", folder)
        return True
    return False


def _unlabelled_dirs(root: Path) -> list[Path]:
    found = [root / UNLABELLED] if (root / UNLABELLED).is_dir() else []
    return found + [d / UNLABELLED for d in _subdirs(root) if (d / UNLABELLED).is_dir()]


# --- tar archives --------------------------------------------------------------------------------


def read_tarball(
    path: Path,
    split: str | None,
    *,
    include_unlabelled: bool = False,
    encoding: str = "utf-8",
) -> Iterator[Example]:
    """Yield the ``*.txt`` members of an aclImdb-style tar archive in archive order.

    Members are ``[<top>/]<split>/<label>/<name>.txt`` (the top-level folder may have any
    name). With a split the archive is streamed; with ``split=None`` the layout must be
    ``[<top>/]<label>/<name>.txt`` and the members are buffered to detect the top folder.

    Args:
        path: A ``.tar``, ``.tar.gz``/``.tgz`` (or other compressed) tar archive.
        split: The split folder, ``"unsup"`` (every ``unsup`` folder) or ``None``.
        include_unlabelled: Also yield the split's ``unsup`` folder, with label ``None``.
        encoding: Encoding of the members; a UTF-8 byte-order mark is dropped.

    Raises:
        DataError: The archive is unreadable, a member cannot be decoded, or ``split=None``
            was given for an archive with split folders.
    """
    path = Path(path)
    if split is None:
        yield from _read_tarball_flat(path, include_unlabelled, _codec(encoding))
        return
    for _, example in _iter_tar_splits(path, [split], include_unlabelled, _codec(encoding)):
        yield example


def read_tarball_splits(
    path: Path,
    splits: Collection[str],
    *,
    include_unlabelled: bool = False,
    encoding: str = "utf-8",
) -> dict[str, list[Example]]:
    """Read several splits of a tar archive in one pass (see :func:`read_tarball`).

    Returns:
        A list per requested split, in archive order; empty for a split the archive lacks.
    """
    out: dict[str, list[Example]] = {split: [] for split in splits}
    for split, example in _iter_tar_splits(Path(path), out, include_unlabelled, _codec(encoding)):
        out[split].append(example)
    return out


def _iter_tar_splits(
    path: Path, splits: Collection[str], include_unlabelled: bool, codec: str
) -> Iterator[tuple[str, Example]]:
    """The examples of ``splits``, with their groups; aclImdb's urls files follow the reviews
    they describe in the archive, so the examples are yielded once the archive is read."""
    empty = 0
    found: list[tuple[str, Example, tuple[str, ...]]] = []
    urls: dict[tuple[str, ...], list[str | None]] = {}
    for parts, file in _tar_text_files(path):
        if (described := urls_label(parts[-1])) is not None:
            urls[(*parts[:-1], described)] = groups_from_urls(
                _read_member(file, path).decode("utf-8", errors="replace")
            )
            continue
        targets = []
        for split in splits:
            member_of, label = _tar_label(parts, split, include_unlabelled)
            if member_of:
                targets.append((split, label))
        if not targets:
            continue
        text = _decode(_read_member(file, path), codec, f"{path} member {'/'.join(parts)}")
        if not text.strip():
            empty += 1
            continue
        found += [(split, Example(text, label), parts) for split, label in targets]
    if empty:
        logger.warning("skipped %d empty member(s) in %s", empty, path)
    for split, example, parts in found:
        group = review_group(parts[-1], urls.get(parts[:-1]))
        yield split, example if group is None else replace(example, group=group)


def _tar_label(
    parts: tuple[str, ...], split: str, include_unlabelled: bool
) -> tuple[bool, str | None]:
    """Whether member ``[<top>/]<split>/<label>/<name>.txt`` is in ``split``, and its label."""
    if split == UNLABELLED:
        return 2 <= len(parts) <= 4 and parts[-2] == UNLABELLED, None
    if len(parts) not in (3, 4) or parts[-3] != split:
        return False, None
    if parts[-2] == UNLABELLED:
        return include_unlabelled, None
    return True, parts[-2]


def _read_tarball_flat(path: Path, include_unlabelled: bool, codec: str) -> Iterator[Example]:
    members = [(parts, _read_member(file, path)) for parts, file in _tar_text_files(path)]
    rel = _strip_top([parts for parts, _ in members])
    if splits := sorted({parts[0] for parts in rel if len(parts) == 3}):
        raise DataError(f"{path} has split folders ({', '.join(splits)}): choose a split")
    empty = 0
    for (parts, data), short in zip(members, rel, strict=True):
        if len(short) != 2 or (short[0] == UNLABELLED and not include_unlabelled):
            continue
        text = _decode(data, codec, f"{path} member {'/'.join(parts)}")
        if text.strip():
            yield Example(text, None if short[0] == UNLABELLED else short[0])
        else:
            empty += 1
    if empty:
        logger.warning("skipped %d empty member(s) in %s", empty, path)


def _strip_top(all_parts: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Drop a top-level folder shared by every member, unless it is named like a split."""
    tops = {parts[0] for parts in all_parts}
    nested = any(len(parts) >= 3 for parts in all_parts)
    if len(tops) == 1 and nested and not tops & SPLIT_NAMES:
        return [parts[1:] for parts in all_parts]
    return all_parts


def _tar_text_files(path: Path) -> Iterator[tuple[tuple[str, ...], IO[bytes]]]:
    """Stream ``(path parts, file)`` for each ``*.txt`` member; read ``file`` before the next."""
    try:
        with tarfile.open(path, mode="r|*") as tar:
            unpacked = 0
            for member in tar:
                unpacked += max(0, member.size)
                check_archive_size(unpacked, path)
                parts = tuple(p for p in PurePosixPath(member.name).parts if p not in ("/", "."))
                if not member.isfile() or not parts or not parts[-1].endswith(".txt"):
                    continue
                if any(p.startswith(".") for p in parts):
                    continue
                check_text_size(member.size, f"{path} member {member.name}")
                file = tar.extractfile(member)
                if file is not None:
                    yield parts, file
    except _TAR_ERRORS as err:
        raise _tar_error(path, err) from None


def _read_member(file: IO[bytes], path: Path) -> bytes:
    try:
        data = file.read(MAX_TEXT_BYTES + 1)  # the header's size can lie: never read more
        check_text_size(len(data), f"{path} member")
        return data
    except _TAR_ERRORS as err:
        raise _tar_error(path, err) from None


_TAR_ERRORS = (tarfile.TarError, EOFError, zlib.error, OSError)


def _tar_error(path: Path, err: Exception) -> DataError:
    return DataError(f"cannot read tar archive {path}: {err} (is the file complete?)")
