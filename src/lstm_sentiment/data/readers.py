"""Streaming readers turning folders, tar archives, CSV/TSV and JSONL files into examples.

Layouts:

* folder per class (aclImdb): ``<root>/<split>/<label>/*.txt``, or ``<root>/<label>/*.txt``
  without splits;
* the same layout inside a tar archive, optionally under one top-level folder of any name
  (``aclImdb/train/pos/1_9.txt``), read in streaming mode without extracting;
* a CSV/TSV table or a JSON Lines file with a text column and an optional label column.

A folder named ``unsup`` holds unlabelled text (aclImdb's ``train/unsup``); it is not a class.
It is skipped unless asked for: ``split="unsup"`` reads every ``unsup`` folder, and
``include_unlabelled=True`` adds a split's ``unsup`` folder; both give label ``None``.

Readers do not complain about zero examples: the caller (:mod:`.source`) does.
"""

from __future__ import annotations

import codecs
import csv
import itertools
import json
import logging
import tarfile
import zlib
from collections.abc import Collection, Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import IO, Any

from lstm_sentiment.data.example import Example
from lstm_sentiment.errors import DataError

logger = logging.getLogger(__name__)

UNLABELLED = "unsup"
TEXT_COLUMNS = ("text", "review", "sentence", "tweet", "content", "body")
LABEL_COLUMNS = ("label", "sentiment", "airline_sentiment", "polarity", "class", "target")
SPLIT_NAMES = frozenset({"train", "test", "dev", "val", "valid", "validation", UNLABELLED})
"""Names never taken for a tarball's top-level folder (see :func:`list_splits`)."""

_DELIMITERS = (",", ";", "\t", "|")


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
        for file in sorted(folder.glob("*.txt"), key=lambda p: p.name):
            if file.name.startswith(".") or not file.is_file():
                continue
            text = _decode(file.read_bytes(), codec, str(file))
            if text.strip():
                yield Example(text, label)
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
    return sorted(
        (p for p in path.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.name,
    )


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
    empty = 0
    for parts, file in _tar_text_files(path):
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
        for split, label in targets:
            yield split, Example(text, label)
    if empty:
        logger.warning("skipped %d empty member(s) in %s", empty, path)


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
            for member in tar:
                parts = tuple(p for p in PurePosixPath(member.name).parts if p not in ("/", "."))
                if not member.isfile() or not parts or not parts[-1].endswith(".txt"):
                    continue
                if any(p.startswith(".") for p in parts):
                    continue
                file = tar.extractfile(member)
                if file is not None:
                    yield parts, file
    except _TAR_ERRORS as err:
        raise _tar_error(path, err) from None


def _read_member(file: IO[bytes], path: Path) -> bytes:
    try:
        return file.read()
    except _TAR_ERRORS as err:
        raise _tar_error(path, err) from None


_TAR_ERRORS = (tarfile.TarError, EOFError, zlib.error, OSError)


def _tar_error(path: Path, err: Exception) -> DataError:
    return DataError(f"cannot read tar archive {path}: {err} (is the file complete?)")


# --- tables and JSON Lines -----------------------------------------------------------------------


def read_table(
    path: Path,
    *,
    text_column: str | None = None,
    label_column: str | None = None,
    delimiter: str | None = None,
    encoding: str = "utf-8",
) -> Iterator[Example]:
    """Stream a CSV/TSV file with a header row; quoted fields may span lines.

    Args:
        path: The table.
        text_column: Header of the text column; detected from :data:`TEXT_COLUMNS` if ``None``.
        label_column: Header of the label column; detected from :data:`LABEL_COLUMNS` if
            ``None``, and labels are ``None`` when there is no such column.
        delimiter: Field separator; ``None`` uses tab for ``.tsv`` and otherwise whichever of
            ``, ; TAB |`` splits the header into the most fields.
        encoding: File encoding; a UTF-8 byte-order mark is dropped.

    Rows with empty text, or an empty label when there is a label column, are skipped and
    counted in a warning. Labels are stripped strings.

    Raises:
        DataError: A column is missing or ambiguous, the file is malformed or cannot be decoded.
    """
    path = Path(path)
    codec = _codec(encoding)
    skipped = _Skipped(path)
    with _open_text(path, codec) as file:
        reader = None
        try:
            header = file.readline()
            if not header:
                return
            if delimiter is None:
                delimiter = "\t" if path.suffix.lower() == ".tsv" else _sniff_delimiter(header)
            delimiter = {"\\t": "\t", "tab": "\t"}.get(delimiter, delimiter)
            if len(delimiter) != 1:
                raise DataError(f"the delimiter must be one character, got {delimiter!r}")
            reader = csv.reader(itertools.chain([header], file), delimiter=delimiter)
            names = [name.strip() for name in next(reader)]
            text_name, label_name = _resolve_columns(names, text_column, label_column, path)
            text_at = names.index(text_name)
            label_at = None if label_name is None else names.index(label_name)
            for row in reader:
                if not row:
                    continue
                text = row[text_at] if text_at < len(row) else ""
                label = None
                if label_at is not None:
                    label = row[label_at].strip() if label_at < len(row) else ""
                if skipped.check(text, label, label_at is not None):
                    yield Example(text, label)
        except UnicodeDecodeError:
            raise _encoding_error(path, codec) from None
        except csv.Error as err:
            line = f" at line {reader.line_num}" if reader is not None else ""
            raise DataError(f"malformed table {path}{line}: {err}") from None
    skipped.report()


def read_jsonl(
    path: Path,
    *,
    text_column: str | None = None,
    label_column: str | None = None,
    encoding: str = "utf-8",
) -> Iterator[Example]:
    """Stream a JSON Lines file: one object per line, blank lines ignored.

    Columns are detected from the keys of the first object, as in :func:`read_table`.
    Non-string labels are converted (``1`` and ``1.0`` both become ``"1"``).

    Raises:
        DataError: A line is not a JSON object, a column is missing or ambiguous, or the file
            cannot be decoded.
    """
    path = Path(path)
    codec = _codec(encoding)
    skipped = _Skipped(path)
    columns: tuple[str, str | None] | None = None
    with _open_text(path, codec) as file:
        try:
            for number, line in enumerate(file, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as err:
                    raise DataError(
                        f"line {number} of {path} is not valid JSON ({err.msg}, column "
                        f"{err.colno}): fix or remove that line"
                    ) from None
                if not isinstance(record, dict):
                    raise DataError(f"line {number} of {path} is not a JSON object")
                if columns is None:
                    columns = _resolve_columns(list(record), text_column, label_column, path)
                text = _to_str(record.get(columns[0]))
                label = None if columns[1] is None else _to_str(record.get(columns[1])).strip()
                if skipped.check(text, label, columns[1] is not None):
                    yield Example(text, label)
        except UnicodeDecodeError:
            raise _encoding_error(path, codec) from None
    skipped.report()


def _to_str(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if isinstance(value, str) else str(value)


class _Skipped:
    """Counts rows dropped for an empty text or label and reports them once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.no_text = 0
        self.no_label = 0

    def check(self, text: str, label: str | None, labelled: bool) -> bool:
        if not text.strip():
            self.no_text += 1
            return False
        if labelled and not label:
            self.no_label += 1
            return False
        return True

    def report(self) -> None:
        if self.no_text or self.no_label:
            logger.warning(
                "skipped %d row(s) with empty text and %d with an empty label in %s",
                self.no_text,
                self.no_label,
                self.path,
            )


def _sniff_delimiter(header: str) -> str:
    def width(delimiter: str) -> int:
        return len(next(csv.reader([header], delimiter=delimiter), []))

    return max(_DELIMITERS, key=width)  # the first (comma) wins ties


def _resolve_columns(
    names: list[str], text_column: str | None, label_column: str | None, path: Path
) -> tuple[str, str | None]:
    text = _pick_column(names, text_column, TEXT_COLUMNS, "text", path, required=True)
    label = _pick_column(names, label_column, LABEL_COLUMNS, "label", path, required=False)
    assert text is not None
    return text, label


def _pick_column(
    names: list[str],
    requested: str | None,
    candidates: tuple[str, ...],
    kind: str,
    path: Path,
    *,
    required: bool,
) -> str | None:
    available = ", ".join(names) or "none"
    if requested is not None:
        if requested in names:
            return requested
        folded = [name for name in names if name.casefold() == requested.strip().casefold()]
        if len(folded) == 1:
            return folded[0]
        raise DataError(f"column '{requested}' not in {path}; available: {available}")
    found = [name for name in names if name.casefold() in candidates]
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        raise DataError(
            f"several possible {kind} columns in {path} ({', '.join(found)}): pass "
            f"--{kind}-column NAME; available: {available}"
        )
    if required:
        raise DataError(
            f"no {kind} column found in {path} (looked for {', '.join(candidates)}): pass "
            f"--{kind}-column NAME; available: {available}"
        )
    return None


# --- encodings -----------------------------------------------------------------------------------


def _codec(encoding: str) -> str:
    """Canonical codec name (``utf-8-sig`` becomes ``utf-8``: BOMs are always dropped)."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise DataError(
            f"unknown encoding '{encoding}': pass --encoding with a codec such as utf-8 or latin-1"
        ) from None
    return "utf-8" if name == "utf-8-sig" else name


def _open_text(path: Path, codec: str) -> IO[str]:
    try:
        return path.open(encoding="utf-8-sig" if codec == "utf-8" else codec, newline="")
    except OSError as err:
        raise DataError(f"cannot open {path}: {err.strerror}") from None


def _decode(data: bytes, codec: str, where: str) -> str:
    skip = len(codecs.BOM_UTF8) if codec == "utf-8" and data.startswith(codecs.BOM_UTF8) else 0
    try:
        return data[skip:].decode(codec)
    except UnicodeDecodeError as err:
        raise _encoding_message(where, codec, f"byte {skip + err.start}") from None


def _encoding_error(path: Path, codec: str) -> DataError:
    """Locate the first undecodable byte of a file (a second, binary pass) and describe it."""
    found = _find_bad_byte(path, codec)
    where = "unknown position" if found is None else f"byte {found[0]}, line {found[1]}"
    return _encoding_message(str(path), codec, where)


def _encoding_message(where: str, codec: str, position: str) -> DataError:
    return DataError(
        f"{where} is not valid {codec} ({position}): pass --encoding with the file's "
        "encoding, e.g. --encoding latin-1"
    )


def _find_bad_byte(path: Path, codec: str) -> tuple[int, int] | None:
    """Return ``(byte offset, line number)`` of the first undecodable byte, if any."""
    decoder = codecs.getincrementaldecoder(codec)()
    offset = newlines = 0
    with path.open("rb") as file:
        if codec == "utf-8" and file.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8:
            offset = len(codecs.BOM_UTF8)
        else:
            file.seek(0)
        chunks: Iterable[bytes] = itertools.chain(iter(lambda: file.read(1 << 16), b""), [b""])
        for chunk in chunks:
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as err:
                bad = offset - pending + err.start
                return bad, newlines + chunk.count(b"\n", 0, max(0, bad - offset)) + 1
            offset += len(chunk)
            newlines += chunk.count(b"\n")
    return None
