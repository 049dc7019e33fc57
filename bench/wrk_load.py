"""A second load generator for ``bench/serve.py``: wrk (C, epoll; Debian's ``wrk`` package),
driven by a generated Lua script that posts the same kind of ``/v1/predict`` bodies as
:mod:`http_load` and prints its summary as JSON.

The server and the load generator share the machine's two cores: every CPU-millisecond the
client spends per request is taken from the server. wrk spends far less per request than a
Python client, so its numbers are closer to what the server does on its own."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import Any

BODIES = 2000
"""Distinct request bodies in the script, picked at random per request."""
THREADS = 2
"""wrk's own threads (one per core)."""
TICK_SECONDS = 10.0

SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local bodies = {%(bodies)s}
local counter = 1
function setup(thread)
  counter = counter + 1
  thread:set("seed", counter)
end
function init(args)
  math.randomseed(seed)
end
function request()
  return wrk.format(nil, "/v1/predict", nil, bodies[math.random(#bodies)])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '@@{"requests": %%d, "duration_us": %%d, "non_2xx": %%d, "connect": %%d, "read": %%d, '
    .. '"write": %%d, "timeout": %%d, "p50_us": %%d, "p95_us": %%d, "p99_us": %%d, '
    .. '"mean_us": %%.1f}\\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean))
end
"""


def script(texts: list[str], texts_per_request: int, seed: int = 0) -> str:
    """The Lua script with :data:`BODIES` JSON bodies in long-bracket strings."""
    rng = random.Random(seed)
    bodies = [json.dumps({"texts": rng.sample(texts, texts_per_request)}) for _ in range(BODIES)]
    if any("]==]" in body for body in bodies):
        raise ValueError("a text holds ]==], which ends a Lua long string")
    return SCRIPT % {"bodies": ",\n".join(f"[==[{body}]==]" for body in bodies)}


def run_wrk(
    base: str,
    clients: int,
    texts_per_request: int,
    seconds: float,
    max_requests: int,
    texts: list[str],
    on_tick: Any = None,
) -> dict[str, Any]:
    """Like :func:`http_load.run_load`; bounded by time only (wrk has no request cap, so
    ``max_requests`` is not used); ``on_tick`` is called every :data:`TICK_SECONDS`."""
    del max_requests
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("error: wrk is not installed: apt-get install wrk, or --generator aiohttp")
    with tempfile.TemporaryDirectory() as folder:
        lua = Path(folder) / "predict.lua"
        lua.write_text(script(texts, texts_per_request), encoding="utf-8")
        command = [wrk, "-t", str(min(THREADS, clients)), "-c", str(clients)]
        command += ["-d", f"{max(1, round(seconds))}s", "--timeout", "60s", "-s", str(lua), base]
        stop = threading.Event()
        ticker = threading.Thread(target=_tick, args=(on_tick, stop), daemon=True)
        if on_tick is not None:
            ticker.start()
        try:
            finished = subprocess.run(command, capture_output=True, text=True, check=False)
        finally:
            stop.set()
    if finished.returncode != 0:
        raise SystemExit(f"wrk failed ({finished.returncode}): {finished.stderr.strip()}")
    line = next(line for line in finished.stdout.splitlines() if line.startswith("@@"))
    return summary(json.loads(line[2:]), clients, texts_per_request)


def wrk_version() -> str | None:
    """wrk's version line (``wrk debian/4.1.0-3+b2 [epoll] ...``), or None when not installed."""
    wrk = shutil.which("wrk")
    if wrk is None:
        return None
    output = subprocess.run([wrk, "--version"], capture_output=True, text=True, check=False)
    return (output.stdout or output.stderr).split("Copyright")[0].strip() or None


def _tick(on_tick: Any, stop: threading.Event) -> None:
    elapsed = 0.0
    while not stop.wait(TICK_SECONDS):
        elapsed += TICK_SECONDS
        on_tick(elapsed)


def summary(raw: dict[str, Any], clients: int, size: int) -> dict[str, Any]:
    """wrk's numbers in :func:`http_load.summarize`'s shape (latencies of every request)."""
    elapsed = raw["duration_us"] / 1e6
    failed = {k: raw[k] for k in ("connect", "read", "write", "timeout") if raw[k]}
    answered = raw["requests"] - raw["non_2xx"]
    statuses = {"200": answered, **({"non-2xx": raw["non_2xx"]} if raw["non_2xx"] else {})}
    return {
        "clients": clients,
        "texts_per_request": size,
        "seconds": round(elapsed, 2),
        "requests": answered,
        "statuses": {**statuses, **failed},
        "requests_per_second": round(answered / elapsed, 2),
        "texts_per_second": round(answered * size / elapsed, 1),
        "p50_ms": round(raw["p50_us"] / 1000, 1),
        "p95_ms": round(raw["p95_us"] / 1000, 1),
        "p99_ms": round(raw["p99_us"] / 1000, 1),
        "mean_ms": round(raw["mean_us"] / 1000, 1),
        "generator": "wrk",
    }
