"""What one forward pass of the shipped model costs per text at each batch size, on each
runtime, loaded as ``serve`` loads it (its default threads): the ceiling of what micro-batching
can save. A server's request costs its HTTP work plus its share of a forward pass; batching
shrinks only the second, and only by as much as a pass of many texts is cheaper per text than
a pass of one.

``bench/batch_ceiling.py`` measures passes on one thread beside the in-process micro-batcher;
this one loads the model with serve's threads, counts CPU time as well as wall time, and is
recorded in the same run as the HTTP benchmark (``bench/serve.py``: the ``forward_costs`` part
of its results). On its own:

    python bench/forward_cost.py --runtimes auto,torch
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

BATCH_SIZES = (1, 8, 16, 24, 32, 64)
CALLS_PER_SIZE = 200
WARMUP_CALLS = 20


def _timed(call: Callable[[int], object], calls: int) -> tuple[float, float]:
    """Median wall and CPU (this process, every thread) seconds of ``call(i)``."""
    walls, cpus = [], []
    for i in range(WARMUP_CALLS):
        call(i)
    for i in range(calls):
        wall, cpu = time.perf_counter(), time.process_time()
        call(i)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def runtime_costs(
    runtime: str,
    texts: Sequence[str],
    sizes: Sequence[int] = BATCH_SIZES,
    calls: int = CALLS_PER_SIZE,
) -> dict[str, Any]:
    """Per-text wall and CPU microseconds of ``predict_proba`` on batches of ``sizes`` texts
    (consecutive slices of ``texts``), with serve's threads for ``runtime``."""
    from lstm_sentiment.service.models import load_served, resolve_specs
    from lstm_sentiment.service.settings import TORCH_SERVE_THREADS, Settings

    model = load_served(resolve_specs(None)[0], Settings(runtime=runtime)).model
    torch = sys.modules.get("torch")
    if torch is not None and model.runtime == "torch":
        torch.set_num_threads(TORCH_SERVE_THREADS)  # as serve's inference thread
    rows = []
    for size in sizes:
        span = len(texts) - size

        def call(i: int, size: int = size, span: int = span) -> object:
            start = (i * size) % span
            return model.predict_proba(list(texts[start : start + size]))

        wall, cpu = _timed(call, calls)
        rows.append(
            {
                "texts": size,
                "wall_us_per_text": round(wall / size * 1e6, 1),
                "cpu_us_per_text": round(cpu / size * 1e6, 1),
            }
        )
    first, last = rows[0], rows[-1]
    return {
        "runtime": runtime,
        "loaded_as": model.runtime,
        "batches": rows,
        "cpu_saving": round(first["cpu_us_per_text"] / last["cpu_us_per_text"], 2),
        "wall_saving": round(first["wall_us_per_text"] / last["wall_us_per_text"], 2),
    }


def forward_costs(
    runtimes: Sequence[str], texts: Sequence[str], calls: int = CALLS_PER_SIZE
) -> list[dict[str, Any]]:
    """:func:`runtime_costs` of each runtime, printed as it goes."""
    results = []
    for runtime in runtimes:
        costs = runtime_costs(runtime, texts, calls=calls)
        for row in costs["batches"]:
            print(
                f"{runtime:>5} forward of {row['texts']:>2} texts: "
                f"{row['wall_us_per_text']:>7.1f} us/text wall, "
                f"{row['cpu_us_per_text']:>7.1f} us/text CPU",
                flush=True,
            )
        results.append(costs)
    return results


def readme_line(costs: list[dict[str, Any]]) -> str:
    """One line on what batching can save per forward pass."""
    parts = []
    for cost in costs:
        first, last = cost["batches"][0], cost["batches"][-1]
        parts.append(
            f"{cost['runtime']} ({cost['loaded_as']}): {first['cpu_us_per_text']:,.0f} us of CPU "
            f"per text alone, {last['cpu_us_per_text']:,.0f} in a pass of {last['texts']} "
            f"({cost['cpu_saving']}x less)"
        )
    return "- Forward pass, the ceiling of batching's saving: " + "; ".join(parts) + "."


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runtimes", default="auto,torch", help="comma-separated")
    parser.add_argument("--calls", type=int, default=CALLS_PER_SIZE, help="per batch size")
    args = parser.parse_args()
    from serve import review_texts

    costs = forward_costs(args.runtimes.split(","), review_texts(2000), args.calls)
    print(json.dumps(costs, indent=1))


if __name__ == "__main__":
    main()
