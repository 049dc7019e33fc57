"""Model bundles: one folder per model, one header writer and one reader for every kind.

A bundle folder holds ``config.json`` (the header: format, version, kind, labels, the
configuration, calibration and what the kind adds), ``metrics.json``, the model card
``README.md``, the kind's own files (safetensors weights, vocabulary, n-grams, member bundles)
and ``manifest.json``: the size and SHA-256 of every other file. Loading never unpickles, checks
the manifest (the files belong together and are complete) and resolves every path a bundle
names inside the bundle folder.

A bundle is written into a temporary folder beside its target and swapped in with one rename,
so a killed save leaves the old bundle or the new one, never a mix.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import hashlib
import json
import os
import platform
import shutil
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any

from lstm_sentiment.errors import BundleError
from lstm_sentiment.io_utils import write_json, write_text

BUNDLE_FORMAT = "lstm-sentiment-bundle"
BUNDLE_VERSION = 3
"""Newest bundle format this release reads and the one it writes. Version 2 added model kinds
(``"kind"`` in the header), version 3 the manifest; versions 1 and 2 (no manifest) still load."""
CONFIG_FILE = "config.json"
METRICS_FILE = "metrics.json"
CARD_FILE = "README.md"
MANIFEST_FILE = "manifest.json"
HASH_CHUNK_BYTES = 1 << 20
_RENAME_EXCHANGE = 2
"""``renameat2`` flag swapping two paths atomically (Linux)."""
_AT_FDCWD = -100


def package_version() -> str:
    """Installed version of this package."""
    try:
        return metadata.version("lstm-sentiment")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


def environment_info() -> dict[str, str]:
    """Versions and machine recorded with bundles and benchmark results."""
    try:
        torch_version = metadata.version("torch")
    except metadata.PackageNotFoundError:  # pragma: no cover - a torch-free install
        torch_version = "not installed"
    return {
        "lstm_sentiment": package_version(),
        "torch": torch_version,
        "python": platform.python_version(),
        "machine": f"{platform.machine()} {platform.system()}",
    }


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def bundle_path(directory: str | Path, relative: str) -> Path:
    """The file a bundle names by ``relative``, checked to resolve inside the bundle folder
    (symlinks followed): an absolute path, ``..`` or a link out is a :class:`BundleError`."""
    root = Path(directory).resolve()
    name = PurePosixPath(str(relative))
    if not str(relative) or name.is_absolute() or ".." in name.parts or "\\" in str(relative):
        raise BundleError(f"bundle {directory} names the path {relative!r}, which is outside it")
    target = root.joinpath(*name.parts).resolve()
    if not target.is_relative_to(root):
        raise BundleError(
            f"bundle {directory}: {relative!r} links outside the bundle folder ({target}); "
            "refusing to read it"
        )
    return target


def _bundle_files(directory: Path) -> list[Path]:
    """Every file of a bundle folder except the manifest and hidden temporary files."""
    return sorted(
        path
        for path in directory.rglob("*")
        if path.is_file() and path.name != MANIFEST_FILE and not path.name.startswith(".")
    )


def write_manifest(directory: Path) -> None:
    """``manifest.json``: size and SHA-256 of every file of the bundle folder."""
    files = {
        path.relative_to(directory).as_posix(): {
            "bytes": path.stat().st_size,
            "sha256": file_sha256(path),
        }
        for path in _bundle_files(directory)
    }
    write_json(directory / MANIFEST_FILE, {"files": files})


def verify_manifest(directory: Path) -> None:
    """Check that every file the manifest lists is there, inside, and unchanged."""
    manifest = read_json(directory / MANIFEST_FILE)
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(files, dict) or CONFIG_FILE not in files:
        raise BundleError(f"{directory / MANIFEST_FILE} is invalid; re-save or re-train the model")
    for name, entry in files.items():
        path = bundle_path(directory, name)
        if not path.is_file():
            raise BundleError(
                f"model bundle {directory} is missing {name} (listed in its manifest); "
                "re-save or re-train it"
            )
        if not isinstance(entry, dict) or path.stat().st_size != entry.get("bytes"):
            raise BundleError(
                f"{path} is corrupt or changed: its size does not match the bundle's manifest "
                "(the files do not belong together); re-save or re-train the model"
            )
        if file_sha256(path) != entry.get("sha256"):
            raise BundleError(
                f"{path} is corrupt or changed: its checksum does not match the bundle's "
                "manifest (the files do not belong together); re-save or re-train the model"
            )


def read_json(path: Path) -> Any:
    """A JSON file of a bundle (a missing or corrupt file is a :class:`BundleError`)."""
    if not path.is_file():
        raise BundleError(
            f"model bundle {path.parent} is missing {path.name}; re-save or re-train it"
        )
    try:
        return json.loads(path.read_text(encoding="utf-8"), parse_constant=_reject_constant)
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError) as exc:
        raise BundleError(f"{path} is corrupt ({exc}); re-save or re-train the model") from None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def read_header(directory: str | Path, *, verify: bool = True) -> dict[str, Any]:
    """The checked ``config.json`` of a bundle folder of any kind (format, version and, for
    bundles that have one, the manifest)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise BundleError(f"no model bundle at {directory} (expected a folder with {CONFIG_FILE})")
    header = read_json(directory / CONFIG_FILE)
    if not isinstance(header, dict) or header.get("format") != BUNDLE_FORMAT:
        raise BundleError(
            f"{directory} is not an lstm-sentiment model bundle ({CONFIG_FILE} has "
            "no 'format' of this package)"
        )
    version = header.get("format_version")
    if not isinstance(version, int) or version > BUNDLE_VERSION:
        environment = header.get("environment")
        made_by = environment.get("lstm_sentiment", "?") if isinstance(environment, dict) else "?"
        raise BundleError(
            f"bundle {directory} has format version {version} (made by lstm-sentiment {made_by}); "
            f"this version reads up to {BUNDLE_VERSION}: upgrade lstm-sentiment"
        )
    if verify and (version >= BUNDLE_VERSION or (directory / MANIFEST_FILE).exists()):
        verify_manifest(directory)
    return header


def _exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths atomically (Linux ``renameat2``); False where unsupported."""
    libc_name = ctypes.util.find_library("c")
    if platform.system() != "Linux" or not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def swap_in(staging: Path, target: Path) -> None:
    """Put the complete folder ``staging`` at ``target`` in one step (the old one removed)."""
    if target.exists() and _exchange(staging, target):
        shutil.rmtree(staging)  # now holds the old bundle
        return
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
        os.replace(target, old / target.name)
        os.replace(staging, target)
        shutil.rmtree(old)
    else:
        os.replace(staging, target)


def write_bundle(
    directory: str | Path,
    *,
    kind: str,
    header: dict[str, Any],
    metrics: dict[str, Any],
    card: str,
    write_files: Callable[[Path], None],
) -> Path:
    """Write a bundle folder of any kind atomically.

    Args:
        directory: The bundle folder; an existing bundle there is replaced in one step.
        kind: The model kind (``neural``, ``nbsvm``, ``ensemble``).
        header: The kind's header fields (labels, config, temperature, ...); the format,
            version, kind, creation time and environment are added here.
        metrics: What was measured (``metrics.json``).
        card: The model card (``README.md``).
        write_files: Writes the kind's own files into the folder it is given.
    """
    target = Path(directory)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.new.", dir=target.parent))
    try:
        write_files(staging)
        write_json(staging / METRICS_FILE, metrics)
        write_text(staging / CARD_FILE, card)
        write_json(
            staging / CONFIG_FILE,
            {
                "format": BUNDLE_FORMAT,
                "format_version": BUNDLE_VERSION,
                "kind": kind,
                "created": datetime.now(UTC).isoformat(timespec="seconds"),
                "environment": environment_info(),
                **header,
            },
        )
        write_manifest(staging)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(staging, 0o777 & ~mask)  # mkdtemp makes it private
        swap_in(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return target
