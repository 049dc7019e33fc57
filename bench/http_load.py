"""The HTTP load generator of ``bench/serve.py``: concurrent keep-alive clients sending
``/v1/predict`` requests for a bounded time, and a summary of their latencies."""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import time
from typing import Any

JSON_HEADERS = {"Content-Type": "application/json"}


async def load(
    base: str,
    clients: int,
    texts_per_request: int,
    seconds: float,
    max_requests: int,
    texts: list[str],
    on_tick: Any = None,
) -> dict[str, Any]:
    """``clients`` concurrent clients (keep-alive connections) sending requests back to back
    for ``seconds`` (or until ``max_requests`` were sent); latency of each answered request.

    The generator is aiohttp (C HTTP parser) on one event loop: it shares the machine's two
    cores with the server, so it must cost far less per request than the server does."""
    import aiohttp

    latencies: list[float] = []
    statuses: dict[str, int] = {}
    sent = 0
    connector = aiohttp.TCPConnector(limit=clients, force_close=False)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(base, connector=connector, timeout=timeout) as session:
        started = time.perf_counter()
        deadline = started + seconds

        async def one_client(number: int) -> None:
            nonlocal sent
            rng = random.Random(number)
            while time.perf_counter() < deadline and sent < max_requests:
                sent += 1
                body = json.dumps({"texts": rng.sample(texts, texts_per_request)})
                t0 = time.perf_counter()
                try:
                    async with session.post(
                        "/v1/predict", data=body, headers=JSON_HEADERS
                    ) as response:
                        await response.read()
                        status = str(response.status)
                except (aiohttp.ClientError, TimeoutError) as exc:
                    status = type(exc).__name__
                if status == "200":
                    latencies.append(time.perf_counter() - t0)
                statuses[status] = statuses.get(status, 0) + 1

        async def ticker() -> None:
            while time.perf_counter() < deadline:
                on_tick(time.perf_counter() - started)
                await asyncio.sleep(min(10.0, max(seconds / 10, 0.5)))

        tasks = [one_client(i) for i in range(clients)]
        if on_tick is not None:
            tasks.append(ticker())
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - started
    return summarize(latencies, statuses, elapsed, clients, texts_per_request)


def run_load(*args: Any, **kwargs: Any) -> dict[str, Any]:
    """:func:`load` on uvloop (the server's loop too)."""
    import uvloop

    return uvloop.run(load(*args, **kwargs))


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def summarize(
    latencies: list[float], statuses: dict[str, int], elapsed: float, clients: int, size: int
) -> dict[str, Any]:
    ms = [1000 * v for v in latencies]
    return {
        "clients": clients,
        "texts_per_request": size,
        "seconds": round(elapsed, 2),
        "requests": len(latencies),
        "statuses": statuses,
        "requests_per_second": round(len(latencies) / elapsed, 2),
        "texts_per_second": round(len(latencies) * size / elapsed, 1),
        "p50_ms": _round(percentile(ms, 50)),
        "p95_ms": _round(percentile(ms, 95)),
        "p99_ms": _round(percentile(ms, 99)),
        "mean_ms": _round(statistics.fmean(ms) if ms else None),
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
