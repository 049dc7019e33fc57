"""Runtimes of a bundle: torch or onnxruntime, chosen when a model is loaded.

:func:`load_scorer` is what :meth:`lstm_sentiment.SentimentModel.load` calls. ``auto`` runs a
neural bundle on onnxruntime when it carries an ONNX model (``lstm-sentiment export``) and on
torch otherwise; ``onnx`` insists on onnxruntime; ``torch`` insists on torch. NBSVM models have
no network and ignore the choice; ensembles pass it to their members.

:class:`OnnxScorer` is a :class:`~lstm_sentiment.kinds.base.Scorer`, so calibration,
prediction and evaluation above it work unchanged. This module, and everything it imports on
the ONNX path (tokenizer, vocabulary, encoding, calibration), never imports torch.
"""

from __future__ import annotations

import concurrent.futures
import functools
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from lstm_sentiment.bundle import METRICS_FILE, bundle_path, read_header, read_json
from lstm_sentiment.config import RunConfig
from lstm_sentiment.errors import BundleError, ConfigError
from lstm_sentiment.export.files import (
    INPUT_IDS,
    INPUT_LENGTHS,
    onnx_file,
    onnx_info,
)
from lstm_sentiment.export.padding import padding_plan
from lstm_sentiment.inference import INFERENCE_BATCH_SIZE
from lstm_sentiment.kinds import KIND_NEURAL, Scorer, get_kind
from lstm_sentiment.kinds.neural_files import read_neural_parts
from lstm_sentiment.text.encode import TextEncoder

RUNTIMES = ("auto", "torch", "onnx")
ONNX_BATCH_SIZE = 256
"""Most texts per onnxruntime call: larger batches than torch's pay off for short texts."""
ONNX_BATCH_TOKENS = 32_768
"""Most padded tokens per call: bounds the largest intermediate tensors (and so the memory
onnxruntime's arena keeps) for long texts; 256 reviews of 400 tokens would need ~0.5 GB."""


PARALLEL_MIN_BATCHES = 2
"""Batches per thread from which batches run side by side on one-thread sessions instead of
one after another on a session with every thread."""
ONE_THREAD_MAX_TOKENS = 1024
"""A call that is one batch of at most this many padded tokens, and too few texts to split,
runs on the one-thread session: splitting small products across threads costs more in
hand-offs than it saves (shipped model on 2 cores: one review 1.51 ms on one thread, 1.90 ms
on two)."""
PIPELINE_CHUNK_TEXTS = 2048
"""With several threads, texts are encoded this many at a time while onnxruntime runs the
batches of the chunks before (tokenizing holds the GIL; onnxruntime releases it)."""
PIPELINE_CHUNKS_IN_FLIGHT = 2
"""Encoded chunks waiting for or in onnxruntime at once: bounds the memory of long inputs."""


def default_threads() -> int:
    """CPU cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def batch_plan(sorted_lengths: np.ndarray, batch_size: int, max_tokens: int) -> list[slice]:
    """Consecutive slices of length-sorted texts: at most ``batch_size`` texts and (unless one
    text alone is longer) ``max_tokens`` padded tokens each."""
    plan, start = [], 0
    for end, width in enumerate(sorted_lengths.tolist(), start=1):
        if end - start > batch_size or ((end - start) * width > max_tokens and end - 1 > start):
            plan.append(slice(start, end - 1))
            start = end - 1
    if start < len(sorted_lengths):
        plan.append(slice(start, len(sorted_lengths)))
    return plan


def batch_ids(
    flat: np.ndarray, offsets: np.ndarray, lengths: np.ndarray, pad_id: int
) -> np.ndarray:
    """Right-padded ``[len(offsets), longest]`` ids of the texts starting at ``offsets`` in
    ``flat``, gathered in one vectorised step."""
    steps = np.arange(int(lengths.max()))
    index = np.minimum(offsets[:, None] + steps[None, :], len(flat) - 1)
    return np.where(steps[None, :] < lengths[:, None], flat[index], pad_id)


class OnnxScorer:
    """A neural bundle scored by onnxruntime (CPUExecutionProvider) from its ONNX file."""

    kind: str = KIND_NEURAL
    runtime: str = "onnx"

    def __init__(
        self,
        directory: Path,
        header: dict[str, Any],
        *,
        precision: str | None = None,
        threads: int | None = None,
    ) -> None:
        info = onnx_info(header)
        if info is None:
            raise ConfigError(
                f"{directory} carries no ONNX model: run lstm-sentiment export --model "
                f"{directory} --format onnx, or use the torch runtime"
            )

        self.directory = directory
        self._torch: Scorer | None = None
        self.precision, relative = onnx_file(info, precision)
        self.path = bundle_path(directory, relative)
        if not self.path.is_file():
            raise BundleError(f"model bundle {directory} is missing {relative}; export it again")
        parts = read_neural_parts(directory, header)
        self.encoder: TextEncoder = parts.encoder
        self._labels = parts.labels
        self._config = parts.config
        self._temperature = parts.temperature
        self.opset = int(info.get("opset", 0))
        self.threads = threads or default_threads()
        self.session = self._new_session(self.threads)
        self._single_thread_session: Any = None
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None
        metrics_path = directory / METRICS_FILE
        self._metrics = read_json(metrics_path) if metrics_path.is_file() else {}

    def __getstate__(self) -> dict[str, Any]:
        """Pickled (e.g. to a Ray actor) without its onnxruntime sessions, which cannot be:
        the copy opens its own from the bundle's ONNX file."""
        state = dict(self.__dict__)
        state.update(session=None, _single_thread_session=None, _torch=None, _pool=None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.session = self._new_session(self.threads)

    def _new_session(self, threads: int) -> Any:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        try:
            return ort.InferenceSession(str(self.path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # onnxruntime raises its own exception types
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise BundleError(
                f"{self.path} cannot be loaded by onnxruntime ({first[:200]})"
            ) from None

    def _parallel_session(self) -> Any:
        """A one-thread session that several threads run at once, one batch each (created on
        first use): a recurrent network's small per-step matrix products keep one core busy
        better than they split across two."""
        if self._single_thread_session is None:
            self._single_thread_session = self._new_session(1)
        return self._single_thread_session

    def _thread_pool(self) -> concurrent.futures.ThreadPoolExecutor:
        """The threads that run batches side by side (created on first use and kept: starting
        threads for every call would cost more than a small batch's forward pass)."""
        if self._pool is None:
            self._pool = concurrent.futures.ThreadPoolExecutor(
                self.threads - 1, thread_name_prefix="lstm-sentiment-onnx"
            )
        return self._pool

    @property
    def labels(self) -> list[str]:
        return self._labels

    @property
    def temperature(self) -> float:
        return self._temperature

    @property
    def config(self) -> RunConfig:
        return self._config

    @property
    def label_map(self) -> dict[str, str]:
        return dict(self._config.data.label_map)

    @property
    def calibration_bins(self) -> int:
        return self._config.train.calibration_bins

    @property
    def metrics(self) -> dict[str, Any]:
        return self._metrics

    @property
    def description(self) -> str:
        from lstm_sentiment.models.describe import describe_architecture

        model = self._config.model
        return (
            f"{model.architecture}: {describe_architecture(model)} "
            f"(on onnxruntime, {self.precision})"
        )

    @property
    def held_out_validation(self) -> bool:
        return True

    def encode(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """All texts' ids concatenated and their lengths (the bundle's one encoding path)."""
        return self.encoder.encode_flat(texts)

    def _batches(
        self, flat: np.ndarray, lengths: np.ndarray, batch_size: int
    ) -> tuple[list[np.ndarray], Callable[[np.ndarray], np.ndarray], bool]:
        """The positions of each batch (cut from length-sorted texts), a function that runs
        one of them, and whether they run side by side on one-thread sessions. A batch's
        padded ids are built only when it runs, so a call holds the padded copy of the batches
        in flight, not of every text."""
        if not len(lengths):
            raise ValueError("cannot predict on an empty dataset")
        offsets = np.zeros(len(lengths), dtype=np.int64)
        np.cumsum(lengths[:-1], out=offsets[1:])
        order = np.argsort(lengths, kind="stable")
        plan = batch_plan(lengths[order], batch_size, ONNX_BATCH_TOKENS)
        pad_id = self.encoder.vocab.pad_id
        if self.threads > 1 and len(plan) == 1 and len(lengths) >= self.threads:
            # One batch's texts dealt round-robin (by length) to every thread's one-thread
            # session: the parts are as long as the whole, so no padding is added, and a
            # recurrent network's per-step products stay on one core each.
            parts = [order[start :: self.threads] for start in range(self.threads)]
            session, parallel = self._parallel_session(), True
        else:
            parts = [order[part] for part in plan]
            small = len(parts) == 1 and int(lengths.max()) * len(lengths) <= ONE_THREAD_MAX_TOKENS
            parallel = self.threads > 1 and len(parts) >= PARALLEL_MIN_BATCHES * self.threads
            one_thread = self.threads > 1 and (parallel or small)
            session = self._parallel_session() if one_thread else self.session

        def run_pass(positions: np.ndarray) -> np.ndarray:
            batch_lengths = lengths[positions]
            ids = batch_ids(flat, offsets[positions], batch_lengths, pad_id)
            return session.run(None, {INPUT_IDS: ids, INPUT_LENGTHS: batch_lengths})[0]

        def run(positions: np.ndarray) -> np.ndarray:
            """Logits of length-sorted ``positions``, in passes cut where padding costs more
            than a pass (see :mod:`lstm_sentiment.export.padding`)."""
            passes = padding_plan(lengths[positions])
            if len(passes) == 1:
                return run_pass(positions)
            return np.concatenate([run_pass(positions[cut]) for cut in passes])

        return parts, run, parallel

    def logits_of_encoded(
        self, flat: np.ndarray, lengths: np.ndarray, batch_size: int = ONNX_BATCH_SIZE
    ) -> np.ndarray:
        """Logits of encoded texts in their order; batches are cut from length-sorted texts."""
        parts, run, parallel = self._batches(flat, lengths, batch_size)
        if parallel:  # onnxruntime releases the GIL while it runs
            # the last batch runs in this thread, which would otherwise only wait
            futures = [self._thread_pool().submit(run, part) for part in parts[:-1]]
            last = run(parts[-1])
            results = [future.result() for future in futures] + [last]
        else:
            results = [run(positions) for positions in parts]
        out = np.empty((len(lengths), results[0].shape[1]), dtype=np.float32)
        for positions, logits in zip(parts, results, strict=True):
            out[positions] = logits
        return out

    def logits(self, texts: Sequence[str], batch_size: int = INFERENCE_BATCH_SIZE) -> np.ndarray:
        batch_size = max(batch_size, ONNX_BATCH_SIZE)
        if self.threads < 2 or len(texts) <= PIPELINE_CHUNK_TEXTS:
            return self.logits_of_encoded(*self.encode(texts), batch_size)
        return self._pipelined_logits(texts, batch_size)

    def _pipelined_logits(self, texts: Sequence[str], batch_size: int) -> np.ndarray:
        """Logits of many texts, encoding chunk k+1 while the threads run chunk k's batches on
        one-thread sessions (every core busy instead of one tokenizing while the rest wait)."""
        out: np.ndarray | None = None
        in_flight: list[list[tuple[np.ndarray, concurrent.futures.Future[np.ndarray]]]] = []

        def collect(chunk: list[tuple[np.ndarray, concurrent.futures.Future[np.ndarray]]]) -> None:
            nonlocal out
            for positions, future in chunk:
                logits = future.result()
                if out is None:
                    out = np.empty((len(texts), logits.shape[1]), dtype=np.float32)
                out[positions] = logits

        with concurrent.futures.ThreadPoolExecutor(self.threads) as pool:
            for start in range(0, len(texts), PIPELINE_CHUNK_TEXTS):
                chunk = texts[start : start + PIPELINE_CHUNK_TEXTS]
                parts, run, _ = self._batches(*self.encode(chunk), batch_size)
                in_flight.append(
                    [(start + positions, pool.submit(run, positions)) for positions in parts]
                )
                while len(in_flight) > PIPELINE_CHUNKS_IN_FLIGHT:
                    collect(in_flight.pop(0))
            for chunk_futures in in_flight:
                collect(chunk_futures)
        assert out is not None
        return out

    def torch_bundle(self) -> Scorer:
        """The same bundle loaded on torch (for what needs the network: explanations), once:
        later calls return the same model."""
        if self._torch is None:
            self._torch = load_scorer(self.directory, "torch")
        return self._torch

    def _read_only(self) -> ConfigError:
        return ConfigError(
            "a model loaded on onnxruntime cannot be saved: load it with runtime='torch'"
        )

    def bundle_header(self) -> dict[str, Any]:
        raise self._read_only()

    def write_files(self, directory: Path) -> None:
        raise self._read_only()

    def model_card(self, environment: dict[str, str]) -> str:
        raise self._read_only()


def load_scorer(
    directory: str | Path,
    runtime: str = "auto",
    *,
    precision: str | None = None,
    threads: int | None = None,
) -> Scorer:
    """Load a bundle folder of any kind on the runtime asked for (see the module docs)."""
    if runtime not in RUNTIMES:
        raise ConfigError(f"runtime must be one of {', '.join(RUNTIMES)}; got {runtime!r}")
    if precision is not None and runtime == "torch":
        raise ConfigError("--precision chooses an ONNX file: it needs the onnx runtime")
    directory = Path(directory)
    header = read_header(directory)
    kind_name = str(header.get("kind", KIND_NEURAL))
    if kind_name == KIND_NEURAL:  # before get_kind: the neural kind's module imports torch
        has_onnx = onnx_info(header) is not None
        if runtime == "onnx" or (runtime == "auto" and has_onnx):
            return OnnxScorer(directory, header, precision=precision, threads=threads)
        if threads:
            import torch

            torch.set_num_threads(threads)
    kind = get_kind(kind_name)
    # Ensemble members load on the same runtime (an NBSVM member has no network: any runtime).
    loader = functools.partial(load_scorer, runtime=runtime, precision=precision, threads=threads)
    return kind.load(directory, header, loader)
