"""What micro-batching can gain at most, without HTTP: the shipped model's forward-pass cost
per text at several batch sizes on one thread, per runtime and precision, and the service's
micro-batcher driven in-process by 32 concurrent callers, batching on and off.

If a pass of 32 texts costs 0.6x what 32 single-text passes cost, batching cannot raise a
server's throughput beyond 1/0.6x whatever the HTTP layer does; the HTTP work of each request
(which batching does not share) only lowers that bound:

    python bench/batch_ceiling.py
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import random
import statistics
import time
from typing import Any

import benchlib
from serve import review_texts

NAME = "batch_ceiling"
BATCH_SIZES = (1, 2, 4, 8, 16, 32, 64)
RUNTIMES = (("onnx", "int8"), ("onnx", "fp32"), ("torch", None))
CALLERS = 32
"""Concurrent callers of the in-process micro-batcher (the HTTP benchmark's 32 clients)."""


def per_text_ms(model: Any, texts: list[str], size: int, seconds: float) -> float:
    """Median milliseconds per text of forward passes of ``size`` texts."""
    times: list[float] = []
    deadline, start = time.perf_counter() + seconds, 0
    while time.perf_counter() < deadline or len(times) < 5:
        batch = texts[start : start + size]
        start = (start + size) % (len(texts) - size)
        began = time.perf_counter()
        model.predict_proba(batch)
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000 / size


async def batcher_throughput(model: Any, texts: list[str], enabled: bool, seconds: float) -> float:
    """Texts/s through the service's MicroBatcher with ``CALLERS`` concurrent single-text
    callers (no HTTP)."""
    from lstm_sentiment.service.batcher import MicroBatcher
    from lstm_sentiment.service.settings import Settings

    settings = Settings()
    with concurrent.futures.ThreadPoolExecutor(1) as executor:
        batcher = MicroBatcher(
            model.predict_proba,
            executor,
            max_batch_texts=settings.max_batch_texts,
            max_wait_ms=settings.max_wait_ms,
            max_queue_texts=settings.max_queue_texts,
            enabled=enabled,
        )
        batcher.start()
        scored = 0
        deadline = time.perf_counter() + seconds

        async def caller(number: int) -> None:
            nonlocal scored
            rng = random.Random(number)
            while time.perf_counter() < deadline:
                await batcher.score([rng.choice(texts)])
                scored += 1

        began = time.perf_counter()
        await asyncio.gather(*(caller(i) for i in range(CALLERS)))
        elapsed = time.perf_counter() - began
        await batcher.stop()
    return scored / elapsed


def measure(runtime: str, precision: str | None, texts: list[str], seconds: float) -> dict:
    import uvloop

    from lstm_sentiment.predict import SentimentModel

    model = SentimentModel.load(runtime=runtime, precision=precision, threads=1)
    model.predict_proba(texts[:64])  # warm up
    costs = {size: per_text_ms(model, texts, size, seconds) for size in BATCH_SIZES}
    on = uvloop.run(batcher_throughput(model, texts, True, seconds * 3))
    off = uvloop.run(batcher_throughput(model, texts, False, seconds * 3))
    row = {
        "runtime": runtime,
        "precision": precision,
        "ms_per_text": {str(size): round(ms, 4) for size, ms in costs.items()},
        "ceiling_32": round(costs[1] / costs[32], 2),
        "batcher_texts_per_second": {"on": round(on, 1), "off": round(off, 1)},
        "batcher_ratio": round(on / off, 2),
    }
    print(
        f"{runtime:5} {precision or '':4}  ms/text "
        + " ".join(f"{size}:{ms:.3f}" for size, ms in costs.items())
        + f"  ceiling {row['ceiling_32']}x  batcher {on:,.0f} vs {off:,.0f} texts/s "
        f"({row['batcher_ratio']}x)"
    )
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="per batch size (default 2)")
    args = parser.parse_args()
    texts = review_texts(2000)
    rows = [measure(runtime, precision, texts, args.seconds) for runtime, precision in RUNTIMES]
    result = benchlib.header(NAME)
    result.update(
        texts={"count": len(texts), "source": "bench/serve.py's synthetic reviews"},
        threads=1,
        callers=CALLERS,
        runtimes=rows,
    )
    print(f"wrote {benchlib.write_results(NAME, result)}")


if __name__ == "__main__":
    main()
