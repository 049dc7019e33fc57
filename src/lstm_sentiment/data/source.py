"""The single entry point from a ``--data`` value to examples.

A source is one of:

* a known dataset name (``imdb``): downloaded once into the cache (:mod:`.datasets`) and read
  as a tar archive, with the dataset's label map (``pos`` → ``positive``) unless
  :attr:`DataConfig.label_map` is given. An existing path with the same name wins;
* a folder: ``<split>/<label>/*.txt`` (aclImdb) or, without splits, ``<label>/*.txt``;
* a tar archive (``.tar.gz``, ``.tgz``, ``.tar``, ``.tar.bz2``, ``.tar.xz``) with the same
  layouts under an optional top-level folder, read in one pass for all requested splits;
* a table (``.csv``, ``.tsv``) or JSON Lines file (``.jsonl``, ``.ndjson``).

Sources without split folders (single files and ``<label>/*.txt`` layouts) return all their
examples for every required split: training carves its validation set out of them and
evaluation uses all of them. Splits passed as ``optional`` are left out of the result when the
source does not have them (e.g. a ``test`` split to evaluate on only when it exists).
The split ``unsup`` reads the unlabelled ``unsup`` folders (labels ``None``).

Labels are mapped through the label map (keys matched exactly, else ignoring case and spaces)
and spellings that differ only in case or spaces are merged (:func:`.report.normalise_labels`).
:func:`load_splits_with_report` also says what was read, skipped and damaged per split.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from pathlib import Path

from lstm_sentiment.config import DataConfig
from lstm_sentiment.data.datasets import KNOWN_DATASETS, fetch_known_dataset
from lstm_sentiment.data.example import Example
from lstm_sentiment.data.readers import (
    UNLABELLED,
    list_splits,
    read_folder,
    read_jsonl,
    read_table,
    read_tarball,
    read_tarball_splits,
)
from lstm_sentiment.data.report import DataReport, normalise_labels
from lstm_sentiment.errors import DataError

logger = logging.getLogger(__name__)

TAR_SUFFIXES = (".tar.gz", ".tgz", ".tar", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")
TABLE_SUFFIXES = (".csv", ".tsv")
JSONL_SUFFIXES = (".jsonl", ".ndjson")


def is_known_dataset(name: str) -> bool:
    """Whether ``name`` is a dataset that can be downloaded by name (see ``KNOWN_DATASETS``)."""
    return name in KNOWN_DATASETS


def load_split(source: str | Path, split: str, options: DataConfig | None = None) -> list[Example]:
    """Load one split of a source; see :func:`load_splits`."""
    return load_splits(source, [split], options)[split]


def load_splits(
    source: str | Path,
    splits: Sequence[str],
    options: DataConfig | None = None,
    *,
    optional: Collection[str] = (),
) -> dict[str, list[Example]]:
    """Load several splits of a source, reading a tar archive only once.

    Args:
        source: A known dataset name or a path (see the module docstring).
        splits: Split names such as ``["train", "test"]``.
        options: Columns, encoding, delimiter, label map and filters; defaults to
            :class:`DataConfig`.
        optional: Splits to leave out of the result when the source lacks them or they are
            empty, instead of raising (sources without split folders never provide them).

    Returns:
        Examples per split, in the order of ``splits``, labels mapped through the label map.

    Raises:
        DataError: The source is missing or unsupported, a required split is missing or has no
            examples, or reading fails.
    """
    return load_splits_with_report(source, splits, options, optional=optional)[0]


def load_splits_with_report(
    source: str | Path,
    splits: Sequence[str],
    options: DataConfig | None = None,
    *,
    optional: Collection[str] = (),
) -> tuple[dict[str, list[Example]], dict[str, DataReport]]:
    """:func:`load_splits`, plus a :class:`DataReport` per loaded split."""
    options = options or DataConfig()
    wanted = list(dict.fromkeys(splits))
    path, label_map = _resolve(source, options)
    raw, reports = _read(path, wanted, set(optional), options)
    present = {split: examples for split, examples in raw.items() if examples}
    relabelled, spellings = normalise_labels(present, label_map)
    loaded: dict[str, list[Example]] = {}
    for split in wanted:
        if split not in relabelled:
            if split in optional:
                continue
            raise DataError(f"no examples found in {source} (split '{split}'){_layouts(path)}")
        loaded[split] = relabelled[split]
        report = reports.get(split) or DataReport(str(source), rows=len(loaded[split]))
        report.source = str(source)
        report.label_spellings = spellings
        reports[split] = report.finish(loaded[split])
        logger.info("loaded %d examples from %s (split '%s')", len(loaded[split]), source, split)
    return loaded, {split: reports[split] for split in loaded}


def _resolve(source: str | Path, options: DataConfig) -> tuple[Path, dict[str, str]]:
    """The path to read and the label map to apply."""
    path = Path(source).expanduser()
    if path.exists():
        return path, options.label_map
    if is_known_dataset(str(source)):
        dataset = KNOWN_DATASETS[str(source)]
        return fetch_known_dataset(dataset.name), options.label_map or dataset.label_map
    known = ", ".join(sorted(KNOWN_DATASETS))
    raise DataError(
        f"no such file or directory: {source} (give a folder, .tar.gz, .csv, .tsv, .jsonl or a "
        f"known dataset: {known})"
    )


def _read(
    path: Path, splits: list[str], optional: set[str], options: DataConfig
) -> tuple[dict[str, list[Example]], dict[str, DataReport]]:
    """Examples per split, before relabelling (absent optional splits are missing keys), and
    the reports of tables and JSON Lines files."""
    name = path.name.lower()
    if path.is_dir():
        return _read_folder(path, splits, optional, options.encoding), {}
    if name.endswith(TAR_SUFFIXES):
        return _read_tarball(path, splits, optional, options.encoding), {}
    if name.endswith(TABLE_SUFFIXES + JSONL_SUFFIXES):
        required = [split for split in splits if split not in optional]
        if not required:
            return {}, {}
        report = DataReport(str(path))
        common = {
            "text_column": options.text_column,
            "label_column": options.label_column,
            "group_column": options.group_column,
            "encoding": options.encoding,
            "encoding_errors": options.encoding_errors,
            "confidence_column": options.confidence_column,
            "min_confidence": options.min_confidence,
            "soft_labels": options.soft_labels,
            "report": report,
        }
        if name.endswith(TABLE_SUFFIXES):
            examples = list(read_table(path, delimiter=options.delimiter, **common))
        else:
            examples = list(read_jsonl(path, **common))
        return (
            {split: list(examples) for split in required},
            {split: report.copy() for split in required},
        )
    raise DataError(
        f"unsupported data file {path}: give a folder, a {'/'.join(TAR_SUFFIXES)} archive, or a "
        f"{', '.join(TABLE_SUFFIXES + JSONL_SUFFIXES)} file"
    )


def _read_folder(
    path: Path, splits: list[str], optional: set[str], encoding: str
) -> dict[str, list[Example]]:
    available = list_splits(path)
    out: dict[str, list[Example]] = {}
    whole: list[Example] | None = None
    for split in splits:
        if split == UNLABELLED or split in available:
            out[split] = list(read_folder(path, split, encoding=encoding))
        elif split in optional:
            continue
        elif available:
            raise _no_split(path, split, available)
        else:  # <label>/*.txt: the whole folder is every split
            whole = whole if whole is not None else list(read_folder(path, None, encoding=encoding))
            out[split] = list(whole)
    return out


def _read_tarball(
    path: Path, splits: list[str], optional: set[str], encoding: str
) -> dict[str, list[Example]]:
    out = read_tarball_splits(path, splits, encoding=encoding)
    lacking = [s for s in splits if not out[s] and s not in optional and s != UNLABELLED]
    if not lacking:
        return out
    available = list_splits(path)  # a second pass, only when a required split came back empty
    if available:
        for split in lacking:
            if split not in available:
                raise _no_split(path, split, available)
        return out
    whole = list(read_tarball(path, None, encoding=encoding))  # <label>/*.txt archive
    for split in lacking:
        out[split] = list(whole)
    return out


def _no_split(path: Path, split: str, available: list[str]) -> DataError:
    return DataError(f"no split '{split}' in {path}; available: {', '.join(available)}")


FOLDER_LAYOUTS = (
    "a folder is read as <label>/*.txt (one folder per class) or <split>/<label>/*.txt "
    "(like aclImdb's train/pos); files: .csv, .tsv, .jsonl, .tar.gz"
)


def _layouts(path: Path | str) -> str:
    """For a folder, the layouts the readers understand (what to change when nothing matched)."""
    return f": {FOLDER_LAYOUTS}" if Path(path).is_dir() else ""
