"""HTTP service benchmark: ``lstm-sentiment serve`` (the shipped model) under load, with
micro-batching on and off side by side, and a soak that watches the server's memory.

The server runs as a child process on 127.0.0.1 (loopback only); an asyncio aiohttp load
generator (bounded in requests and in time) measures requests/s and p50/p95/p99 latency for
single-text requests at 1, 8 and 32 concurrent clients and for 32-text requests; then a soak at
32 clients records the server's RSS every 10 s (bench/results/serve_rss.png). Client and server
share the machine's cores, so the numbers are a floor for a dedicated server.

    python bench/serve.py                 # 20 s per scenario, 300 s soak (a quiet machine)
    python bench/serve.py --quick         # a few seconds in all, to check the script
    python bench/serve.py --generator wrk # the same with wrk (C) as the load generator

With ``--generator wrk`` (``bench/wrk_load.py``) the results go to ``serve_wrk.json`` and their
own README section: a C client takes less of the shared cores from the server per request.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import benchlib
from forward_cost import CALLS_PER_SIZE, forward_costs, readme_line
from http_load import run_load
from wrk_load import run_wrk, wrk_version

NAME = "serve"
SERVE_DEFAULT_THREADS = "serve's default (every core on onnxruntime, 1 on torch)"
SCENARIOS = [(1, 1), (8, 1), (32, 1), (8, 32)]
"""(concurrent clients, texts per request)."""
OTHER_RUNTIMES = ("torch",)
"""Runtimes also measured at 32 single-text clients, batching on and off: how much batching is
worth depends on what one forward pass costs next to the HTTP work of a request."""
SOAK_CLIENTS = 32
GENERATORS = {"aiohttp": run_load, "wrk": run_wrk}
"""Load generators by name: a Python asyncio client, or wrk."""
SERVER_PACKAGES = ("fastapi", "uvicorn", "uvloop", "httptools", "prometheus-client")
FRAGMENTS = [
    "The film is a moving portrait of a family",
    "the acting is wooden and the plot predictable",
    "I loved every minute of it",
    "a dull, overlong mess that goes nowhere",
    "the soundtrack is superb and the photography gorgeous",
    "the dialogue made me cringe more than once",
    "one of the best performances of the year",
    "I was bored and checked my watch twice",
    "funny, sharp and surprisingly tender",
    "the ending ruins whatever goodwill it had built",
]


def review_texts(n: int, seed: int = 0) -> list[str]:
    """Synthetic reviews of 1-12 fragments (about 8-110 words), the same for every run."""
    rng = random.Random(seed)
    return [". ".join(rng.choices(FRAGMENTS, k=rng.randint(1, 12))) + "." for _ in range(n)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Server:
    """``python -m lstm_sentiment serve`` on a free loopback port."""

    def __init__(
        self, batching: bool, log: Path, threads: int | None = None, runtime: str = "auto"
    ) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.argv = [sys.executable, "-m", "lstm_sentiment", "-q", "serve", "--port"]
        self.argv += [str(self.port), "--max-queue-texts", "8192"]
        self.argv += [] if batching else ["--no-batching"]
        self.argv += [] if threads is None else ["--threads", str(threads)]
        self.argv += ["--runtime", runtime]
        self.log = log
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            [str(benchlib.ROOT / "src"), *filter(None, [env.get("PYTHONPATH")])]
        )
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(self.argv, env=env, stdout=out, stderr=out)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"the server exited ({self.process.returncode}); see {self.log}")
            try:
                with urllib.request.urlopen(f"{self.base}/readyz", timeout=2) as answer:
                    if answer.status == 200:
                        return self
            except OSError:  # refused while starting; 503 (HTTPError) while loading
                pass
            time.sleep(0.2)
        raise SystemExit(f"the server was not ready in 180 s; see {self.log}")

    def __exit__(self, *exc: object) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def run_scenarios(args: argparse.Namespace, texts: list[str], log: Path) -> list[dict[str, Any]]:
    plan = [("auto", SCENARIOS)] + [(runtime, [(32, 1)]) for runtime in OTHER_RUNTIMES]
    rows = []
    for runtime, scenarios in plan:
        for batching in (True, False):
            rows += run_server_scenarios(args, texts, log, runtime, batching, scenarios)
    return rows


def run_server_scenarios(
    args: argparse.Namespace,
    texts: list[str],
    log: Path,
    runtime: str,
    batching: bool,
    scenarios: list[tuple[int, int]],
) -> list[dict[str, Any]]:
    rows = []
    with Server(batching, log, args.threads, runtime) as server:
        run_load(server.base, 4, 1, 1 if args.quick else 5, 200, texts)  # warm up
        for clients, size in scenarios:
            load = GENERATORS[args.generator]
            result = load(server.base, clients, size, args.seconds, args.max_requests, texts)
            rows.append({"runtime": runtime, "batching": batching, **result})
            print(
                f"{runtime:>5} batching {'on ' if batching else 'off'} clients {clients:>2} "
                f"texts/request "
                f"{size:>2}: {result['requests_per_second']:>8.1f} req/s  p50 "
                f"{result['p50_ms']} ms  p95 {result['p95_ms']} ms  p99 {result['p99_ms']} ms"
                f"  {result['statuses']}",
                flush=True,
            )
    return rows


def run_ratio_repeats(args: argparse.Namespace, texts: list[str], log: Path) -> dict[str, Any]:
    """The 32-client single-text pair (batching on, off) again ``--repeats`` times, alternating:
    the unbatched server's throughput varies from run to run (its inference thread and the event
    loop hand Python's GIL back and forth per request), so the ratio is read as a median."""
    pairs = []
    for _ in range(args.repeats):
        pair = {}
        for batching in (True, False):
            rows = run_server_scenarios(args, texts, log, "auto", batching, [(32, 1)])
            pair["on" if batching else "off"] = rows[0]["requests_per_second"]
        pair["ratio"] = round(pair["on"] / pair["off"], 2)
        pairs.append(pair)
    return {
        "clients": 32,
        "pairs": pairs,
        "median_on": statistics.median(p["on"] for p in pairs),
        "median_off": statistics.median(p["off"] for p in pairs),
        "median_ratio": statistics.median(p["ratio"] for p in pairs),
    }


def run_soak(args: argparse.Namespace, texts: list[str], log: Path) -> dict[str, Any]:
    samples: list[tuple[float, float]] = []
    with Server(True, log, args.threads) as server:
        assert server.process is not None
        pid = server.process.pid
        samples.append((0.0, rss_mb(pid)))
        result = GENERATORS[args.generator](
            server.base,
            SOAK_CLIENTS,
            1,
            args.soak_seconds,
            10**9,
            texts,
            on_tick=lambda t: samples.append((round(t, 1), round(rss_mb(pid), 1))),
        )
        samples.append((result["seconds"], round(rss_mb(pid), 1)))
    rss = [mb for _, mb in samples]
    print(
        f"soak {args.soak_seconds:g} s at {SOAK_CLIENTS} clients: "
        f"{result['requests_per_second']} req/s, RSS {rss[0]:.0f} → {rss[-1]:.0f} MB "
        f"(max {max(rss):.0f})",
        flush=True,
    )
    plot_rss(samples, benchlib.RESULTS_DIR / f"{args.name}_rss.png", args.soak_seconds)
    settled = next((mb for t, mb in samples if t >= min(10.0, args.soak_seconds / 4)), rss[-1])
    return {**result, "rss_mb": samples, "rss_growth_mb": round(rss[-1] - settled, 1)}


def plot_rss(samples: list[tuple[float, float]], path: Path, seconds: float) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.plot([t for t, _ in samples], [mb for _, mb in samples], marker="o")
    ax.set_xlabel("seconds")
    ax.set_ylabel("server RSS (MB)")
    ax.set_title(f"lstm-sentiment serve: RSS during a {seconds:g} s soak at {SOAK_CLIENTS} clients")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def readme_lines(result: dict[str, Any]) -> list[str]:
    machine = result["machine"]
    lines = [
        f"Command: `{result['command']}`  ",
        f"Date: {result['date']}; machine: {machine['cpu']} ({machine['cores']} cores); "
        f"torch {machine.get('torch')}, fastapi {result['versions'].get('fastapi')}, "
        f"uvicorn {result['versions'].get('uvicorn')}; serve --threads "
        f"{result['server_threads']}. Load generator: {result['generator']}; client and "
        "server on the same cores.",
        "",
        "| runtime | batching | clients | texts/request | requests/s | texts/s | p50 (ms) "
        "| p95 (ms) | p99 (ms) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in result["scenarios"]:
        lines.append(
            f"| {row.get('runtime', 'auto')} | {'on' if row['batching'] else 'off'} | "
            f"{row['clients']} | "
            f"{row['texts_per_request']} | {row['requests_per_second']:,.1f} | "
            f"{row['texts_per_second']:,.0f} | {row['p50_ms']} | {row['p95_ms']} | "
            f"{row['p99_ms']} |"
        )
    repeats = result.get("ratio_repeats")
    if repeats:
        ratios = ", ".join(f"{p['on']:,.0f}/{p['off']:,.0f}" for p in repeats["pairs"])
        lines += [
            "",
            f"- Micro-batching at 32 clients, {len(repeats['pairs'])} more on/off pairs "
            f"(requests/s on/off: {ratios}): median {repeats['median_on']:,.0f} vs "
            f"{repeats['median_off']:,.0f}, ratio {repeats['median_ratio']}x.",
        ]
    if "forward_costs" in result:
        lines += ["", readme_line(result["forward_costs"])]
    soak = result["soak"]
    lines += [
        "",
        f"- Soak: {soak['seconds']:g} s at {SOAK_CLIENTS} clients (batching on): "
        f"{soak['requests_per_second']} requests/s; server RSS {soak['rss_mb'][0][1]:.0f} MB "
        f"at start, {soak['rss_mb'][-1][1]:.0f} MB at the end "
        f"(growth after the first 10 s: {soak['rss_growth_mb']} MB); "
        f"plot `{result.get('rss_plot', 'bench/results/serve_rss.png')}`.",
    ]
    if result["quick"]:
        lines.append("- **--quick run**: seconds per scenario, not a measurement to quote.")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="per scenario (default 20)")
    parser.add_argument("--max-requests", type=int, default=100_000, help="per scenario")
    parser.add_argument("--soak-seconds", type=float, default=300.0, help="(default 300)")
    parser.add_argument("--quick", action="store_true", help="a few seconds in all")
    parser.add_argument(
        "--repeats", type=int, default=3, help="extra 32-client on/off pairs (default 3)"
    )
    parser.add_argument("--threads", type=int, help="serve --threads (default: serve's)")
    parser.add_argument(
        "--generator", choices=sorted(GENERATORS), default="aiohttp", help="(default aiohttp)"
    )
    parser.add_argument("--no-readme", action="store_true", help="do not update bench/README.md")
    args = parser.parse_args()
    args.name = NAME if args.generator == "aiohttp" else f"{NAME}_{args.generator}"
    if args.quick:  # a check of the script: its own files, never the README's table
        args.seconds, args.soak_seconds, args.max_requests = 1.5, 4.0, 2000
        args.repeats = 1
        args.name, args.no_readme = f"{args.name}_quick", True
    from importlib import metadata

    texts = review_texts(2000)
    mean_words = statistics.fmean(len(t.split()) for t in texts)
    log = benchlib.RESULTS_DIR / f"{args.name}_server.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("")
    result: dict[str, Any] = {
        **benchlib.header(NAME),
        "versions": {
            **{p: metadata.version(p) for p in (*SERVER_PACKAGES, "aiohttp")},
            **({"wrk": wrk_version()} if args.generator == "wrk" else {}),
        },
        "quick": args.quick,
        "generator": args.generator,
        "model": "shipped default (bidirectional LSTM, IMDB)",
        "texts": {
            "count": len(texts),
            "mean_words": round(mean_words, 1),
        },
        "server": "python -m lstm_sentiment serve (default limits and batching settings)",
        "server_threads": args.threads or SERVE_DEFAULT_THREADS,
        # in this process, before any server starts: a quiet machine
        "forward_costs": forward_costs(
            ("auto", *OTHER_RUNTIMES), texts, calls=10 if args.quick else CALLS_PER_SIZE
        ),
        "scenarios": run_scenarios(args, texts, log),
        "ratio_repeats": run_ratio_repeats(args, texts, log),
        "soak": run_soak(args, texts, log),
        "rss_plot": f"bench/results/{args.name}_rss.png",
    }
    path = benchlib.write_results(args.name, result)
    if not args.no_readme:
        title = "HTTP service under load" + ("" if args.name == NAME else f" ({args.generator})")
        benchlib.replace_readme_section(args.name, title, readme_lines(result))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
