"""Resumable training checkpoints without pickle: safetensors for tensors, JSON for the rest.

A checkpoint holds the model weights, the optimizer state (flattened into named tensors), the
random-number-generator state and the loop position (epoch, batch, history).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from lstm_sentiment.errors import CheckpointError
from lstm_sentiment.io_utils import atomic_write, write_json

WEIGHTS_FILE = "checkpoint.safetensors"
STATE_FILE = "checkpoint.json"


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
) -> None:
    """Write the checkpoint atomically (weights first, then the JSON that points at them)."""
    tensors = {f"model.{k}": v.detach().contiguous() for k, v in model.state_dict().items()}
    optim_tensors, optim_meta = _flatten_optimizer(optimizer.state_dict())
    tensors.update(optim_tensors)
    tensors["rng.torch"] = torch.get_rng_state()
    atomic_write(directory / WEIGHTS_FILE, lambda tmp: save_file(tensors, str(tmp)))
    write_json(directory / STATE_FILE, {"progress": progress, "optimizer": optim_meta})


def has_checkpoint(directory: Path) -> bool:
    """Whether ``directory`` holds a complete checkpoint."""
    return (directory / WEIGHTS_FILE).is_file() and (directory / STATE_FILE).is_file()


def load_checkpoint(
    directory: Path, model: torch.nn.Module, optimizer: torch.optim.Optimizer
) -> dict[str, Any]:
    """Restore model, optimizer and RNG state; return the saved loop progress."""
    if not has_checkpoint(directory):
        raise CheckpointError(f"no checkpoint in {directory}; train without --resume to start anew")
    try:
        tensors = load_file(str(directory / WEIGHTS_FILE))
        meta = json.loads((directory / STATE_FILE).read_text(encoding="utf-8"))
        model.load_state_dict(
            {k[len("model.") :]: v for k, v in tensors.items() if k.startswith("model.")}
        )
        optimizer.load_state_dict(
            _unflatten_optimizer(
                {k: v for k, v in tensors.items() if k.startswith("optimizer.")},
                meta["optimizer"],
            )
        )
        torch.set_rng_state(tensors["rng.torch"])
        return dict(meta["progress"])
    except (SafetensorError, json.JSONDecodeError, KeyError, RuntimeError, ValueError) as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise CheckpointError(
            f"checkpoint in {directory} is corrupt or from another configuration ({first_line}); "
            "delete it or train without --resume"
        ) from None
