"""bench/wrk_load.py, the wrk load generator of bench/serve.py: the Lua script's request
bodies, the summary's shape, and a real run against ``lstm-sentiment serve``."""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import wrk_load
from service_support import free_port, running_server

TEXTS = [f'review number {i}, quite "quoted" and good' for i in range(50)]


def test_the_script_holds_json_bodies_of_the_asked_size() -> None:
    lua = wrk_load.script(TEXTS, 3)
    bodies = re.findall(r"\[==\[(.*?)\]==\]", lua)
    assert len(bodies) == wrk_load.BODIES
    for body in bodies[:100]:
        texts = json.loads(body)["texts"]
        assert len(texts) == 3 and set(texts) <= set(TEXTS)
    assert len(set(bodies)) > wrk_load.BODIES // 2  # not one body repeated
    with pytest.raises(ValueError, match="long string"):
        wrk_load.script(["ends ]==] here", "other"], 1)


def test_the_summary_counts_only_2xx_answers_as_requests() -> None:
    raw = {"requests": 1000, "duration_us": 2_000_000, "non_2xx": 10, "connect": 0, "read": 2}
    raw |= {"write": 0, "timeout": 0, "p50_us": 1500, "p95_us": 4000, "p99_us": 9000}
    row = wrk_load.summary({**raw, "mean_us": 2000.0}, clients=8, size=1)
    assert row["requests"] == 990 and row["requests_per_second"] == 495.0
    assert row["statuses"] == {"200": 990, "non-2xx": 10, "read": 2}
    assert (row["p50_ms"], row["p95_ms"], row["p99_ms"]) == (1.5, 4.0, 9.0)


NO_WRK = shutil.which("wrk") is None


@pytest.mark.skipif(NO_WRK, reason="wrk is not installed (.ci/run installs it)")
def test_wrk_loads_the_real_server(tmp_path: Path) -> None:
    port = free_port()
    argv = ["-m", "lstm_sentiment", "serve", "--port", str(port)]
    ticks: list[float] = []
    with running_server(argv, port, tmp_path / "server.log") as (base, _):
        row = wrk_load.run_wrk(base, 4, 2, 1.0, 0, TEXTS, on_tick=ticks.append)
    assert row["requests"] > 10
    assert set(row["statuses"]) == {"200"}
    assert 0 < row["p50_ms"] <= row["p95_ms"] <= row["p99_ms"]
    log = (tmp_path / "server.log").read_text(encoding="utf-8")
    assert '"path": "/v1/predict", "status": 200' in log and '"texts": 2}' in log


@pytest.mark.skipif(NO_WRK, reason="wrk is not installed (.ci/run installs it)")
def test_the_wrk_version_is_recorded() -> None:
    version = wrk_load.wrk_version()
    assert version is not None and version.startswith("wrk ")


def test_a_missing_wrk_is_a_one_line_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wrk_load.shutil, "which", lambda name: None)
    with pytest.raises(SystemExit, match=r"^error: wrk is not installed: apt-get install wrk"):
        wrk_load.run_wrk("http://127.0.0.1:1", 1, 1, 1.0, 0, TEXTS)
    assert wrk_load.wrk_version() is None
