"""``lstm-sentiment export --format onnx``: a neural bundle's network as ONNX, added to the bundle.

The whole forward pass is exported, NB n-gram path included (its hashing, de-duplication and
table look-ups are integer tensor ops inside the graph), with dynamic batch and time axes and
the TorchScript-based exporter (the torch.export one cannot trace the data-dependent pooling
shortcut). Tokenizer, vocabulary and calibration stay in the bundle as they are: the ONNX graph
maps ``ids [batch, time]`` (right-padded) and ``lengths [batch]`` to ``logits``.

The bundle is re-written atomically with :func:`~lstm_sentiment.bundle.write_bundle`: every
existing file is copied unchanged, the ONNX files are added, the header gains an ``"onnx"``
entry (:mod:`.files`) and the manifest their checksums. Both graphs point at the byte ranges
of their large float tensors inside ``model.safetensors`` instead of holding a second copy (the
int8 graph quantises only the recurrent and dense weights; embeddings and n-gram tables are
looked up, not multiplied, and stay float).
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import struct
import tempfile
import warnings
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from lstm_sentiment.bundle import (
    read_header,
)
from lstm_sentiment.errors import BundleError, ConfigError
from lstm_sentiment.export.card import rewrite_bundle
from lstm_sentiment.export.files import (
    INPUT_IDS,
    INPUT_LENGTHS,
    ONNX_FILES,
    ONNX_KEY,
    OUTPUT_LOGITS,
    PRECISIONS,
)
from lstm_sentiment.kinds.neural_files import KIND_NEURAL, WEIGHTS_FILE

DEFAULT_OPSET = 17
MIN_OPSET = 14
MAX_OPSET = 20
"""Opsets the TorchScript-based exporter writes for these models."""
EXTERNAL_MIN_BYTES = 1 << 16
"""Tensors at least this large are read from ``model.safetensors`` rather than copied."""
PARITY_TOLERANCE = 1e-3
"""Largest logit difference between torch and the fp32 graph accepted right after export."""
QUANTIZED_OPS = ["LSTM", "MatMul"]
"""Operators whose weights int8 quantisation converts: the products that cost the time
(onnxruntime has no int8 GRU kernel: a GRU's recurrence stays float). Table look-ups (Gather)
stay float: quantising them saves no time, and the float tables are shared with
``model.safetensors``."""


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:  # pragma: no cover
        return "not installed"


def refuse_kind(kind: str, directory: Path) -> None:
    """Explain why a non-neural bundle is not exported (one line)."""
    if kind == "nbsvm":
        raise ConfigError(
            f"{directory} is an nbsvm model: it has no torch network to export to ONNX and "
            "already predicts without torch"
        )
    if kind == "ensemble":
        raise ConfigError(
            f"{directory} is an ensemble: export each neural member bundle first "
            "(lstm-sentiment export --model MEMBER --format onnx), then build the ensemble from "
            "them; members carrying ONNX run on onnxruntime"
        )
    if kind != KIND_NEURAL:
        raise ConfigError(f"{directory} holds a {kind} model; only neural models export to ONNX")


def example_inputs(vocab_size: int, pad_id: int, time: int = 12) -> tuple[Any, Any]:
    """A traced batch: two rows, one full and one short, so padding paths are in the graph."""
    import torch

    rng = np.random.default_rng(0)
    ids = rng.integers(0, vocab_size, size=(3, time), dtype=np.int64)
    ids[ids == pad_id] = (pad_id + 1) % vocab_size
    lengths = np.array([time, 3, 1], dtype=np.int64)
    ids[np.arange(time)[None, :] >= lengths[:, None]] = pad_id
    return torch.from_numpy(ids), torch.from_numpy(lengths)


def torch_to_onnx(model: Any, inputs: tuple[Any, Any], path: Path, opset: int) -> None:
    """Write ``model`` as an ONNX graph with inline weights."""
    import torch

    if not MIN_OPSET <= opset <= MAX_OPSET:
        raise ConfigError(f"--opset must be between {MIN_OPSET} and {MAX_OPSET}; got {opset}")
    model.eval()
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # tracer and LSTM-batch warnings: checked by parity
        try:
            torch.onnx.export(
                model,
                inputs,
                str(path),
                input_names=[INPUT_IDS, INPUT_LENGTHS],
                output_names=[OUTPUT_LOGITS],
                dynamic_axes={
                    INPUT_IDS: {0: "batch", 1: "time"},
                    INPUT_LENGTHS: {0: "batch"},
                    OUTPUT_LOGITS: {0: "batch"},
                },
                opset_version=opset,
                do_constant_folding=True,
                dynamo=False,
            )
        except Exception as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise ConfigError(f"this model could not be exported to ONNX: {first[:200]}") from None


def quantize_int8(source: Path, target: Path) -> None:
    """Dynamic int8 quantisation (weights int8, activations quantised at run time)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)  # it logs advice about pre-processing image models
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            quantize_dynamic(
                str(source),
                str(target),
                weight_type=QuantType.QInt8,
                op_types_to_quantize=QUANTIZED_OPS,
            )
    finally:
        root.setLevel(level)


def safetensors_ranges(path: Path) -> dict[str, tuple[int, int]]:
    """SHA-256 of each float32 tensor's bytes → ``(offset, length)`` in the file."""
    with path.open("rb") as handle:
        (header_size,) = struct.unpack("<Q", handle.read(8))
        header = json.loads(handle.read(header_size))
        start = 8 + header_size
        ranges: dict[str, tuple[int, int]] = {}
        for name, entry in header.items():
            if name == "__metadata__" or entry.get("dtype") != "F32":
                continue
            begin, end = entry["data_offsets"]
            if end - begin < EXTERNAL_MIN_BYTES:
                continue
            handle.seek(start + begin)
            digest = hashlib.sha256(handle.read(end - begin)).hexdigest()
            ranges[digest] = (start + begin, end - begin)
    return ranges


def point_at_safetensors(source: Path, target: Path, weights: Path) -> int:
    """Write ``source`` as ``target`` with its large float32 initializers read from byte ranges
    of ``weights`` (same folder) where the bytes are identical; returns how many moved."""
    import onnx

    model = onnx.load(str(source))
    ranges = safetensors_ranges(weights)
    moved = 0
    for tensor in model.graph.initializer:
        if tensor.data_type != onnx.TensorProto.FLOAT or not tensor.HasField("raw_data"):
            continue
        if len(tensor.raw_data) < EXTERNAL_MIN_BYTES:
            continue
        found = ranges.get(hashlib.sha256(tensor.raw_data).hexdigest())
        if found is None:
            continue
        tensor.ClearField("raw_data")
        tensor.data_location = onnx.TensorProto.EXTERNAL
        del tensor.external_data[:]
        for key, value in (("location", weights.name), ("offset", found[0]), ("length", found[1])):
            entry = tensor.external_data.add()
            entry.key, entry.value = key, str(value)
        moved += 1
    target.write_bytes(model.SerializeToString())
    return moved


def check_parity(model: Any, inputs: tuple[Any, Any], path: Path, tolerance: float) -> float:
    """Largest |torch − onnxruntime| logit on the traced batch and on each row alone."""
    import onnxruntime as ort
    import torch

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    ids, lengths = inputs
    worst = 0.0
    cases = [(ids, lengths)] + [
        (ids[i : i + 1, : int(lengths[i])], lengths[i : i + 1]) for i in range(len(lengths))
    ]
    for case_ids, case_lengths in cases:
        with torch.inference_mode():
            expected = model(case_ids, case_lengths).float().numpy()
        feed = {INPUT_IDS: case_ids.numpy(), INPUT_LENGTHS: case_lengths.numpy()}
        got = session.run(None, feed)[0]
        worst = max(worst, float(np.abs(got - expected).max()))
    if worst > tolerance:
        raise BundleError(
            f"the exported ONNX graph disagrees with the torch model (max logit difference "
            f"{worst:.2e} > {tolerance:g}); this architecture cannot be exported faithfully"
        )
    return worst


def export_onnx(
    directory: str | Path,
    *,
    quantize: str | None = None,
    opset: int = DEFAULT_OPSET,
    default: str = "fp32",
) -> dict[str, Any]:
    """Export a neural bundle's network to ONNX inside the bundle; returns the header's
    ``"onnx"`` entry. ``quantize="int8"`` adds a dynamically quantised copy; ``default`` is the
    precision that ``runtime="onnx"`` (and ``"auto"``) runs unless told otherwise."""
    from lstm_sentiment.kinds.neural_model import load_neural

    directory = Path(directory)
    header = read_header(directory)
    refuse_kind(str(header.get("kind", KIND_NEURAL)), directory)
    if quantize not in (None, "int8"):
        raise ConfigError(f"--quantize must be int8; got {quantize!r}")
    if default not in PRECISIONS or (default == "int8" and quantize is None):
        raise ConfigError("the default precision int8 needs --quantize int8")
    bundle = load_neural(directory, header)
    inputs = example_inputs(len(bundle.encoder.vocab), bundle.encoder.vocab.pad_id)
    old = header.get(ONNX_KEY)
    old_files = {e.get("path") for e in (old or {}).get("files", {}).values()} if old else set()
    work = Path(tempfile.mkdtemp(prefix=".onnx-export.", dir=directory.parent))
    try:
        inline = work / "inline.onnx"
        torch_to_onnx(bundle.model, inputs, inline, opset)
        files: dict[str, Any] = {}
        parity = check_parity(bundle.model, inputs, inline, PARITY_TOLERANCE)
        files["fp32"] = {"path": ONNX_FILES["fp32"], "max_logit_difference": parity}
        sources = {"fp32": inline, "int8": work / "inline.int8.onnx"}
        if quantize == "int8":
            quantize_int8(inline, sources["int8"])
            files["int8"] = {
                "path": ONNX_FILES["int8"],
                "quantization": "onnxruntime quantize_dynamic, int8 weights of "
                f"{', '.join(QUANTIZED_OPS)}; activations quantised at run time, per batch",
            }
        # The weights file is copied byte for byte, so its byte ranges stay valid.
        for precision, entry in files.items():
            moved = point_at_safetensors(
                sources[precision], work / entry["path"], directory / WEIGHTS_FILE
            )
            entry["external_data"] = WEIGHTS_FILE if moved else None
        files_written = [entry["path"] for entry in files.values()]
        info = {
            "opset": opset,
            "default": default,
            "files": files,
            "inputs": {INPUT_IDS: "int64 [batch, time]", INPUT_LENGTHS: "int64 [batch]"},
            "outputs": {OUTPUT_LOGITS: f"float32 [batch, {len(bundle.labels)}]"},
            "exported_with": {p: _version(p) for p in ("torch", "onnx", "onnxruntime")},
        }

        def add(staging: Path) -> None:
            for name in files_written:
                shutil.copy2(work / name, staging / name)

        skip = {*ONNX_FILES.values(), *old_files}
        rewrite_bundle(directory, header, info, skip=skip, add=add)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return info
