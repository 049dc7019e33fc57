"""Resumable training checkpoints without pickle: one safetensors file, written atomically.

A checkpoint holds the model weights, the optimizer state (flattened into named tensors), the
random-number-generator state, the best weights so far and, in the file's metadata, the loop
position (epoch, batch, history) and a fingerprint of the data and configuration. Everything is
one file replaced in one rename, so a kill leaves the previous checkpoint or the new one, never
weights of one step beside the position of another.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file, save_file

from lstm_sentiment.errors import CheckpointError
from lstm_sentiment.io_utils import atomic_write

WEIGHTS_FILE = "checkpoint.safetensors"
LEGACY_STATE_FILE = "checkpoint.json"
"""Where releases before the one-file checkpoint kept the loop position (still read)."""
STATE_KEY = "state"
MODEL_PREFIX, BEST_PREFIX, OPTIMIZER_PREFIX, RNG_KEY = "model.", "best.", "optimizer.", "rng.torch"
KERNEL_CHOICES = ("fused", "foreach")
"""Optimizer settings that choose how a step is computed, not what it computes: a resumed run
keeps the ones it was built with (a checkpoint from before fused steps resumes fused)."""


def _flatten_optimizer(state: dict[str, Any]) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    tensors: dict[str, torch.Tensor] = {}
    scalars: dict[str, dict[str, Any]] = {}
    for param_id, param_state in state["state"].items():
        for name, value in param_state.items():
            if isinstance(value, torch.Tensor):
                tensors[f"optimizer.{param_id}.{name}"] = value.detach().clone().contiguous()
            else:
                scalars.setdefault(str(param_id), {})[name] = value
    return tensors, {"param_groups": state["param_groups"], "scalars": scalars}


def _unflatten_optimizer(tensors: dict[str, torch.Tensor], meta: dict[str, Any]) -> dict[str, Any]:
    state: dict[int, dict[str, Any]] = {}
    for key, value in tensors.items():
        _, param_id, name = key.split(".", 2)
        state.setdefault(int(param_id), {})[name] = value
    for param_id, values in meta["scalars"].items():
        state.setdefault(int(param_id), {}).update(values)
    return {"state": state, "param_groups": meta["param_groups"]}


def save_checkpoint(
    directory: Path,
    model: torch.nn.Module,
    optimizer: torch.optim.Optimizer,
    progress: dict[str, Any],
    best_weights: dict[str, torch.Tensor] | None = None,
) -> None:
    """Write the checkpoint as one file, atomically."""
    tensors = {MODEL_PREFIX + k: v.detach().contiguous() for k, v in model.state_dict().items()}
    if best_weights is not None:
        tensors.update({BEST_PREFIX + k: v.detach().contiguous() for k, v in best_weights.items()})
    optim_tensors, optim_meta = _flatten_optimizer(optimizer.state_dict())
    tensors.update(optim_tensors)
    tensors[RNG_KEY] = torch.get_rng_state()
    metadata = {STATE_KEY: json.dumps({"progress": progress, "optimizer": optim_meta})}
    atomic_write(
        directory / WEIGHTS_FILE, lambda tmp: save_file(tensors, str(tmp), metadata=metadata)
    )
    (directory / LEGACY_STATE_FILE).unlink(missing_ok=True)


def has_checkpoint(directory: Path) -> bool:
    """Whether ``directory`` holds a checkpoint."""
    return (directory / WEIGHTS_FILE).is_file()


def _corrupt(directory: Path, exc: BaseException) -> CheckpointError:
    first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return CheckpointError(
        f"checkpoint in {directory} is corrupt or from another configuration ({first_line}); "
        "delete it or train without --resume"
    )


def read_state(directory: Path) -> dict[str, Any]:
    """The checkpoint's loop progress and optimizer metadata (no tensors loaded)."""
    if not has_checkpoint(directory):
        raise CheckpointError(f"no checkpoint in {directory}; train without --resume to start anew")
    try:
        with safe_open(str(directory / WEIGHTS_FILE), framework="pt") as handle:
            text = (handle.metadata() or {}).get(STATE_KEY)
        if text is None:  # a checkpoint written before the one-file format
            text = (directory / LEGACY_STATE_FILE).read_text(encoding="utf-8")
        state = json.loads(text)
        if not isinstance(state, dict) or not isinstance(state.get("progress"), dict):
            raise ValueError("no loop progress in the checkpoint")
        return state
    except (SafetensorError, OSError, json.JSONDecodeError, ValueError) as exc:
        raise _corrupt(directory, exc) from None


def load_checkpoint(
    directory: Path, model: torch.nn.Module, optimizer: torch.optim.Optimizer
) -> tuple[dict[str, Any], dict[str, torch.Tensor] | None]:
    """Restore model, optimizer and RNG state; return the saved loop progress and the best
    weights so far (``None`` when the checkpoint has none)."""
    meta = read_state(directory)
    try:
        tensors = load_file(str(directory / WEIGHTS_FILE))
        model.load_state_dict(_prefixed(tensors, MODEL_PREFIX))
        kernels = [{k: g[k] for k in KERNEL_CHOICES if k in g} for g in optimizer.param_groups]
        optimizer.load_state_dict(
            _unflatten_optimizer(
                {k: v for k, v in tensors.items() if k.startswith(OPTIMIZER_PREFIX)},
                meta["optimizer"],
            )
        )
        for group, kernel in zip(optimizer.param_groups, kernels, strict=True):
            group.update(kernel)  # this version's kernels, whichever wrote the checkpoint
        torch.set_rng_state(tensors[RNG_KEY])
    except (SafetensorError, KeyError, RuntimeError, ValueError) as exc:
        raise _corrupt(directory, exc) from None
    return dict(meta["progress"]), _prefixed(tensors, BEST_PREFIX) or None


def _prefixed(tensors: dict[str, torch.Tensor], prefix: str) -> dict[str, torch.Tensor]:
    return {k[len(prefix) :]: v for k, v in tensors.items() if k.startswith(prefix)}


def data_fingerprint(datasets: Iterable[Any]) -> str:
    """SHA-256 over encoded datasets (their id arrays and labels): same data, same hash."""
    digest = hashlib.sha256()
    for dataset in datasets:
        digest.update(np.int64(len(dataset)).tobytes())
        digest.update(np.asarray(dataset.lengths, dtype=np.int64).tobytes())
        for ids in dataset.ids:
            digest.update(np.asarray(ids, dtype=np.int64).tobytes())
        if dataset.labels is not None:
            digest.update(np.asarray(dataset.labels, dtype=np.int64).tobytes())
    return digest.hexdigest()


RESUMABLE_CHANGES = {"train.epochs", "train.threads", "train.checkpoint_every", "data.source"}
"""Settings a resumed run may change: train longer, on other threads, checkpoint more often,
and read the same data from another path (the data fingerprint checks it is the same)."""


def config_changes(saved: dict[str, Any], current: dict[str, Any]) -> list[str]:
    """``section.key: old → new`` for every setting that differs, except resumable ones."""
    changes = []
    for section in sorted(set(saved) | set(current)):
        old, new = saved.get(section, {}), current.get(section, {})
        if not isinstance(old, dict) or not isinstance(new, dict):
            continue
        for key in sorted(set(old) | set(new)):
            name = f"{section}.{key}"
            if name not in RESUMABLE_CHANGES and old.get(key) != new.get(key):
                changes.append(f"{name}: {old.get(key)!r} → {new.get(key)!r}")
    return changes


def check_fingerprint(directory: Path, saved: dict[str, Any], current: dict[str, Any]) -> None:
    """Refuse to resume when the data or the configuration differ from the checkpoint's."""
    if not saved:
        return  # a checkpoint from before fingerprints
    if saved.get("data") != current.get("data"):
        raise CheckpointError(
            f"cannot resume from {directory}: the training data differ from the data the "
            "checkpoint was trained on (other texts, labels or split); rerun with the original "
            "--data, or train without --resume"
        )
    changes = config_changes(saved.get("config") or {}, current.get("config") or {})
    if changes:
        shown = "; ".join(changes[:3]) + ("; ..." if len(changes) > 3 else "")
        raise CheckpointError(
            f"cannot resume from {directory}: the configuration differs from the checkpoint's "
            f"({shown}); rerun with the original settings, or train without --resume"
        )
