"""``lstm-sentiment serve`` for real: a child process on a free port answers over a socket,
drains a request in flight on SIGTERM and exits 0; bad bundles and busy ports fail fast with
one line and exit 2; ``--help`` states the limits' defaults."""

from __future__ import annotations

import json
import signal
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest

from lstm_sentiment.cli import main
from service_support import free_port, running_server


def test_serve_answers_over_a_socket_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    log = tmp_path / "server.log"
    # a batch waits up to 2 s for more texts, so a small request is surely in flight at SIGTERM
    argv = ["-m", "lstm_sentiment", "serve", "--port", str(port), "--max-batch-texts", "8"]
    argv += ["--max-wait-ms", "2000"]
    with running_server(argv, port, log) as (base, process):
        response = httpx.post(
            f"{base}/v1/predict",
            json={"texts": ["An unforgettable, moving film.", "A dull, predictable mess."]},
            timeout=30,
        )
        assert response.status_code == 200
        labels = [p["label"] for p in response.json()["predictions"]]
        assert labels == ["positive", "negative"]
        assert httpx.get(f"{base}/v1/models", timeout=10).json()["default"] == "default"

        # a request in flight when SIGTERM arrives is answered before the server stops:
        # SIGTERM is sent once the server reports its texts queued (in the metrics), while the
        # batcher still waits for more
        long_texts = ["a long, slow and thoughtful film about nothing much " * 20] * 3
        answers: list[httpx.Response] = []
        sender = threading.Thread(
            target=lambda: answers.append(
                httpx.post(f"{base}/v1/predict", json={"texts": long_texts}, timeout=120)
            )
        )
        sender.start()
        gauge = 'lstm_sentiment_queued_texts{model="default"} 3.0'
        deadline = time.monotonic() + 60
        while gauge not in httpx.get(f"{base}/metrics", timeout=10).text:
            assert time.monotonic() < deadline and sender.is_alive(), "the request never queued"
            time.sleep(0.005)
        process.send_signal(signal.SIGTERM)
        sender.join(120)
        assert process.wait(timeout=60) == 0
    assert answers and answers[0].status_code == 200
    assert len(answers[0].json()["predictions"]) == 3
    output = log.read_text(encoding="utf-8")
    assert f"http://127.0.0.1:{port}" in output
    lines = output.splitlines()
    drained = next(i for i, line in enumerate(lines) if '"texts": 3' in line)
    assert lines.index("Shutting down") < drained  # answered after SIGTERM
    assert json.loads(lines[drained])["status"] == 200
    assert "unforgettable" not in output  # texts are never logged
    assert "Traceback" not in output


def test_a_bad_bundle_fails_before_the_server_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.perf_counter()
    assert main(["serve", "--model", f"x={tmp_path / 'missing'}", "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: no model bundle at") and err.count("\n") == 1
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "config.json").write_text("{}", encoding="utf-8")
    assert main(["serve", "--model", str(tmp_path / "junk")]) == 2
    assert "not an lstm-sentiment model bundle" in capsys.readouterr().err
    assert time.perf_counter() - started < 30


def test_a_busy_port_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert f"cannot listen on 127.0.0.1:{port}" in err and "--port" in err


def test_bad_settings_and_key_files_are_one_line_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--max-texts", "0"]) == 2
    assert "--max-texts must be at least 1" in capsys.readouterr().err
    assert main(["serve", "--api-key-file", str(tmp_path / "none.txt")]) == 2
    assert "--api-key-file" in capsys.readouterr().err
    empty = tmp_path / "empty.txt"
    empty.write_text("# no keys yet\n", encoding="utf-8")
    assert main(["serve", "--api-key-file", str(empty)]) == 2
    assert "holds no key" in capsys.readouterr().err


def test_help_states_the_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    for text in (
        "default 127.0.0.1",
        "default 8000",
        "default 256",
        "default 20000",
        "default 2097152",
        "--no-batching",
        "--api-key-file",
        "--cors-origin",
    ):
        assert text in out, text
