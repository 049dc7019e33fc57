"""What an exported bundle's header says about its ONNX files (torch-free, onnx-free).

``config.json`` of a bundle carrying ONNX has an ``"onnx"`` object::

    "onnx": {
      "opset": 17,
      "default": "fp32",
      "files": {"fp32": {"path": "model.onnx", "external_data": "model.safetensors"},
                "int8": {"path": "model.int8.onnx", "quantization": "..."}},
      "inputs": {"ids": "int64 [batch, time]", "lengths": "int64 [batch]"},
      "outputs": {"logits": "float32 [batch, outputs]"},
      "exported_with": {"torch": "...", "onnx": "...", "onnxruntime": "..."}
    }

The fp32 graph keeps its large tensors (embeddings, n-gram tables) in ``model.safetensors``
(ONNX external data pointing at their byte ranges), so the bundle holds those bytes once.
"""

from __future__ import annotations

from typing import Any

from lstm_sentiment.errors import BundleError, ConfigError

ONNX_KEY = "onnx"
ONNX_FILES = {"fp32": "model.onnx", "int8": "model.int8.onnx"}
"""File of each precision inside the bundle folder."""
PRECISIONS = tuple(ONNX_FILES)
INPUT_IDS = "ids"
INPUT_LENGTHS = "lengths"
OUTPUT_LOGITS = "logits"


def onnx_info(header: dict[str, Any]) -> dict[str, Any] | None:
    """The header's ``"onnx"`` object, or ``None`` when the bundle carries no ONNX model."""
    info = header.get(ONNX_KEY)
    if info is None:
        return None
    if not isinstance(info, dict) or not isinstance(info.get("files"), dict):
        raise BundleError("the bundle's config.json has an invalid 'onnx' entry; export it again")
    return info


def onnx_file(info: dict[str, Any], precision: str | None) -> tuple[str, str]:
    """``(precision, relative path)`` of the ONNX file to run: ``precision`` or the default."""
    files: dict[str, Any] = info["files"]
    chosen = precision or str(info.get("default", "fp32"))
    if chosen not in PRECISIONS:
        raise ConfigError(f"precision must be one of {', '.join(PRECISIONS)}; got {chosen!r}")
    entry = files.get(chosen)
    if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
        have = ", ".join(sorted(files)) or "none"
        raise ConfigError(
            f"the bundle has no {chosen} ONNX model (it has: {have}); export it with "
            f"lstm-sentiment export --format onnx{' --quantize int8' if chosen == 'int8' else ''}"
        )
    return chosen, entry["path"]
