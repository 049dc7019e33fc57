"""The service's settings: request limits, micro-batching, API keys and CORS (one frozen
dataclass; the command line fills it, tests build it directly)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from lstm_sentiment.errors import ConfigError

API_KEYS_ENV = "LSTM_SENTIMENT_API_KEYS"
"""Environment variable holding API keys, separated by commas or whitespace."""

DEFAULT_MAX_TEXTS = 256
DEFAULT_MAX_EXPLAIN_TEXTS = 16
DEFAULT_MAX_TEXT_CHARS = 20_000
DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024
DEFAULT_MAX_BATCH_TEXTS = 64
DEFAULT_MAX_WAIT_MS = 0.0
"""No waiting: a pass starts as soon as the inference thread is free, and requests that arrive
while it runs form the next one. Measured (bench/serve.py repeats, 2 cores) better than a 2 ms
wait at 1, 8 and 32 clients."""
DEFAULT_MAX_QUEUE_TEXTS = 2048
DEFAULT_SHUTDOWN_SECONDS = 30
TORCH_SERVE_THREADS = 1
"""torch's threads when ``--threads`` is not given: its intra-op pool spins, and with the event
loop on the same cores two threads were measured 66 vs 3 requests/s at 8 clients."""


@dataclass(frozen=True)
class Settings:
    """How the service limits, batches and guards requests."""

    max_texts: int = DEFAULT_MAX_TEXTS
    """Texts per request (more → 413)."""
    max_explain_texts: int = DEFAULT_MAX_EXPLAIN_TEXTS
    """Texts per explain request (an explanation costs many forward passes; more → 413)."""
    max_text_chars: int = DEFAULT_MAX_TEXT_CHARS
    """Characters per text (longer → 413)."""
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    """Bytes of a request body (larger → 413)."""
    batching: bool = True
    """Merge concurrent requests into one forward pass."""
    max_batch_texts: int = DEFAULT_MAX_BATCH_TEXTS
    """Texts of one merged forward pass (a larger request runs alone)."""
    max_wait_ms: float = DEFAULT_MAX_WAIT_MS
    """How long a batch waits for more requests once the first one arrived."""
    max_queue_texts: int = DEFAULT_MAX_QUEUE_TEXTS
    """Texts waiting or being scored, per model, before new requests get 429."""
    api_keys: tuple[str, ...] = ()
    """Accepted API keys (empty: no key needed)."""
    cors_origins: tuple[str, ...] = ()
    """Origins allowed to call the API from a browser (empty: CORS closed)."""
    threads: int | None = None
    """CPU threads of each model's runtime (onnxruntime's intra-op pool; torch's, set in the
    inference thread); ``None``: every core on onnxruntime (a micro-batch is dealt to
    one-thread sessions side by side), ``TORCH_SERVE_THREADS`` on torch (its thread pool
    collapses when the cores are shared with the event loop)."""
    runtime: str = "auto"
    """What runs neural models: ``auto`` (onnxruntime when the bundle carries ONNX), ``torch``
    or ``onnx``."""
    precision: str | None = None
    """The ONNX file to run (``fp32``/``int8``; ``None``: the bundle's default)."""
    fast_path: bool = True
    """Answer well-formed ``/v1/predict`` requests without FastAPI's generic request layers
    (:mod:`lstm_sentiment.service.predict_path`); the answers are the same either way."""
    freeze_gc: bool = False
    """After the models load, move every object alive into the garbage collector's permanent
    generation (``gc.freeze``): ``serve`` does, as a process of its own; an app embedded in
    another process leaves the collector alone."""

    def __post_init__(self) -> None:
        numbers = ("max_texts", "max_explain_texts", "max_text_chars", "max_body_bytes")
        for name in (*numbers, "max_batch_texts"):
            if getattr(self, name) < 1:
                raise ConfigError(f"--{name.replace('_', '-')} must be at least 1")
        if self.max_queue_texts < self.max_texts:
            raise ConfigError(
                f"--max-queue-texts ({self.max_queue_texts}) must be at least --max-texts "
                f"({self.max_texts}), or no full request could ever be queued"
            )
        if self.threads is not None and self.threads < 1:
            raise ConfigError("--threads must be at least 1")
        if self.max_wait_ms < 0:
            raise ConfigError("--max-wait-ms must be 0 or more")


def read_api_keys(
    path: str | Path | None, environ: dict[str, str] | None = None
) -> tuple[str, ...]:
    """API keys from a file (one per line; blank lines and ``#`` comments skipped) and from
    :data:`API_KEYS_ENV`."""
    keys: list[str] = []
    if path is not None:
        file = Path(path)
        if not file.is_file():
            raise ConfigError(
                f"--api-key-file {file} is not a file: give a file of keys, one a line"
            )
        for line in file.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                keys.append(line)
        if not keys:
            raise ConfigError(f"--api-key-file {file} holds no key: put one key on each line")
    env = os.environ if environ is None else environ
    keys += env.get(API_KEYS_ENV, "").replace(",", " ").split()
    return tuple(dict.fromkeys(keys))
