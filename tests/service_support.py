"""Helpers of the service tests: a model wrapper without ``explain``, a stand-in ``explain`` in
the shape of ``Explanation.to_dict()``, free ports and a real server in a child process."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
WORD = re.compile(r"\w+")
STUB_WORDS_THAT_ADD_UP = 6
"""The stub's explanations of texts longer than this say they do not add up (as a long review's
integrated gradients may not)."""


class FakeExplanation:
    """What ``SentimentModel.explain`` returns, reduced to ``to_dict()``."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def to_dict(self) -> dict[str, Any]:
        return self.data


def fake_explain(model: Any, texts: Sequence[str], steps: int | None = None) -> list[Any]:
    """Attributions in the shape of ``Explanation.to_dict()``: each word's score is its own
    probability of a class minus the uniform one (cheap, and it points the right way)."""
    out = []
    labels = list(model.labels)
    for text in texts:
        proba = model.predict_proba([text])[0]
        words = list(WORD.finditer(text))
        word_proba = model.predict_proba([m.group() for m in words]) if words else []
        tokens = [
            {
                "token": match.group().lower(),
                "start": match.start(),
                "end": match.end(),
                "scores": {
                    label: float(p) - 1 / len(labels) for label, p in zip(labels, row, strict=True)
                },
            }
            for match, row in zip(words, word_proba, strict=True)
        ]
        top = labels[int(proba.argmax())]
        out.append(
            FakeExplanation(
                {
                    "text": text,
                    "label": top,
                    "probabilities": {lb: float(p) for lb, p in zip(labels, proba, strict=True)},
                    "tokens": tokens,
                    "completeness_gap": 0.0,
                    "adds_up": len(words) <= STUB_WORDS_THAT_ADD_UP,
                    "method": f"test-stub(steps={steps})",
                }
            )
        )
    return out


class WithoutExplain:
    """A model that cannot explain (as before ``SentimentModel.explain`` existed)."""

    def __init__(self, model: Any) -> None:
        self._model = model
        self.labels = model.labels
        self.kind = model.kind
        self.scorer = model.scorer

    def predict_proba(self, texts: Sequence[str]) -> Any:
        return self._model.predict_proba(texts)


class WithFakeExplain(WithoutExplain):
    """A model whose ``explain`` is :func:`fake_explain` (for the browser test's server)."""

    def explain(self, texts: Sequence[str], steps: int | None = None) -> list[Any]:
        return fake_explain(self._model, texts, steps)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def child_env() -> dict[str, str]:
    """This interpreter's environment with this checkout's ``src`` first on the path."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), *filter(None, [env.get("PYTHONPATH")])])
    return env


def wait_ready(base: str, process: subprocess.Popen, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode} before ready")
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"the server at {base} was not ready in {timeout:.0f} s")


@contextlib.contextmanager
def running_server(
    argv: Sequence[str], port: int, log: Path, timeout: float = 120.0
) -> Iterator[tuple[str, subprocess.Popen]]:
    """``python <argv>`` (a server on 127.0.0.1:port) until ready; stopped with SIGTERM."""
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, *argv], env=child_env(), stdout=out, stderr=subprocess.STDOUT
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base, process, timeout)
        yield base, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
