"""Micro-batching: merged forward passes give each request its own rows, in order, equal to
scoring it alone; many concurrent requests through the app agree with unbatched answers."""

from __future__ import annotations

import asyncio
import concurrent.futures
import random
import threading
import time
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from lstm_sentiment.predict import SentimentModel, default_model_path
from lstm_sentiment.service.app import create_app
from lstm_sentiment.service.batcher import BATCHES_PER_TURN, MicroBatcher, QueueFull
from lstm_sentiment.service.models import ModelSpec
from lstm_sentiment.service.settings import Settings

WORDS = [
    "great",
    "awful",
    "film",
    "plot",
    "boring",
    "moving",
    "superb",
    "dull",
    "actors",
    "loved",
    "hated",
    "fine",
    "the",
    "a",
]


def random_texts(rng: random.Random, n: int) -> list[str]:
    return [" ".join(rng.choices(WORDS, k=rng.randint(1, 30))) for _ in range(n)]


@pytest.fixture(scope="module")
def shipped() -> SentimentModel:
    return SentimentModel.load(precision="fp32")  # int8 quantises activations per batch


def coded_forward(calls: list[int]):
    """Rows that name their text (``"t17"`` → [17, 0]), and a record of batch sizes."""

    def forward(texts: list[str]) -> np.ndarray:
        calls.append(len(texts))
        return np.array([[float(t[1:]), 0.0] for t in texts])

    return forward


def test_concurrent_requests_are_merged_and_keep_their_order() -> None:
    calls: list[int] = []
    sizes: list[int] = []

    async def scenario() -> list[np.ndarray]:
        with concurrent.futures.ThreadPoolExecutor(1) as executor:
            batcher = MicroBatcher(
                coded_forward(calls),
                executor,
                max_batch_texts=16,
                max_wait_ms=20,
                max_queue_texts=1000,
                on_batch=sizes.append,
            )
            batcher.start()
            rng = random.Random(3)
            requests, next_id = [], 0
            for _ in range(60):
                n = rng.randint(1, 5)
                requests.append([f"t{next_id + i}" for i in range(n)])
                next_id += n
            results = await asyncio.gather(*(batcher.score(r) for r in requests))
            await batcher.stop()
            return [requests, results]

    requests, results = asyncio.run(scenario())
    for request, rows in zip(requests, results, strict=True):
        assert [int(v) for v in rows[:, 0]] == [int(t[1:]) for t in request]
    assert sum(calls) == sum(len(r) for r in requests)
    assert max(calls) > 5, calls  # requests were merged
    assert max(calls) <= 16 + 4, calls
    assert sizes == calls


def test_without_waiting_requests_that_arrive_during_a_pass_form_the_next_batch() -> None:
    """max_wait_ms=0 (the default): a lone request is scored at once; requests that arrive
    while its pass runs are merged into the next pass."""
    calls: list[int] = []
    first_pass_running = threading.Event()
    release_first_pass = threading.Event()
    forward = coded_forward(calls)

    def slow_first(texts: list[str]) -> np.ndarray:
        if not calls:
            first_pass_running.set()
            release_first_pass.wait(5)
        return forward(texts)

    async def scenario() -> list[np.ndarray]:
        loop = asyncio.get_running_loop()
        with concurrent.futures.ThreadPoolExecutor(1) as executor:
            batcher = MicroBatcher(
                slow_first, executor, max_batch_texts=16, max_wait_ms=0, max_queue_texts=100
            )
            batcher.start()
            lone = asyncio.ensure_future(batcher.score(["t0"]))
            await loop.run_in_executor(None, first_pass_running.wait, 5)
            later = [asyncio.ensure_future(batcher.score([f"t{i}"])) for i in range(1, 6)]
            await asyncio.sleep(0.05)  # they queue while the first pass runs
            release_first_pass.set()
            results = await asyncio.gather(lone, *later)
            await batcher.stop()
            return results

    results = asyncio.run(scenario())
    assert [int(r[0, 0]) for r in results] == [0, 1, 2, 3, 4, 5]
    assert calls == [1, 5]


def test_queue_limit_and_unbatched_mode() -> None:
    async def scenario() -> None:
        with concurrent.futures.ThreadPoolExecutor(1) as executor:
            calls: list[int] = []
            off = MicroBatcher(
                coded_forward(calls),
                executor,
                max_batch_texts=16,
                max_wait_ms=5,
                max_queue_texts=4,
                enabled=False,
            )
            off.start()
            results = await asyncio.gather(*(off.score([f"t{i}"]) for i in range(4)))
            assert [int(r[0, 0]) for r in results] == [0, 1, 2, 3]
            assert calls == [1, 1, 1, 1]  # one forward pass per request
            with pytest.raises(QueueFull):
                await off.score([f"t{i}" for i in range(5)])
            assert off.queued_texts == 0

    asyncio.run(scenario())


def test_a_failing_batch_fails_its_requests_and_the_batcher_goes_on() -> None:
    async def scenario() -> None:
        state = {"fail": True}

        def forward(texts: list[str]) -> np.ndarray:
            if state["fail"]:
                raise RuntimeError("boom")
            return np.zeros((len(texts), 2))

        with concurrent.futures.ThreadPoolExecutor(1) as executor:
            batcher = MicroBatcher(
                forward, executor, max_batch_texts=8, max_wait_ms=1, max_queue_texts=100
            )
            batcher.start()
            with pytest.raises(RuntimeError, match="boom"):
                await batcher.score(["x"])
            state["fail"] = False
            assert (await batcher.score(["y", "z"])).shape == (2, 2)
            await batcher.stop()

    asyncio.run(scenario())


def test_batched_model_scores_equal_unbatched(shipped: SentimentModel) -> None:
    """Through the app, with the real model: 48 concurrent requests of 1-4 texts."""
    rng = random.Random(11)
    requests = [random_texts(rng, rng.randint(1, 4)) for _ in range(48)]
    settings = Settings(max_batch_texts=32, max_wait_ms=10)
    app = create_app([ModelSpec("default", default_model_path(), shipped)], settings)
    with TestClient(app) as client, concurrent.futures.ThreadPoolExecutor(16) as pool:
        responses = list(
            pool.map(lambda texts: client.post("/v1/predict", json={"texts": texts}), requests)
        )
        metrics = client.get("/metrics").text
    for texts, response in zip(requests, responses, strict=True):
        assert response.status_code == 200
        predictions = response.json()["predictions"]
        assert len(predictions) == len(texts)
        alone = shipped.predict_proba(texts)
        got = np.array([[p["probabilities"][lb] for lb in shipped.labels] for p in predictions])
        np.testing.assert_allclose(got, alone, rtol=0, atol=1e-5)
        assert [p["label"] for p in predictions] == [
            shipped.labels[i] for i in alone.argmax(axis=1)
        ]
    # fewer forward passes than requests: requests were merged
    passes = float(
        metrics.split('lstm_sentiment_batch_texts_count{model="default"} ')[1].split()[0]
    )
    assert passes < len(requests), metrics


def test_other_work_on_the_inference_thread_is_not_starved() -> None:
    """Under a steady stream of batches, work queued on the same thread (an explanation, model
    loading) runs after a few passes, not when the stream ends."""
    calls: list[int] = []
    forward = coded_forward(calls)

    def slow(texts: list[str]) -> np.ndarray:
        time.sleep(0.002)
        return forward(texts)

    async def scenario() -> tuple[int, int]:
        loop = asyncio.get_running_loop()
        with concurrent.futures.ThreadPoolExecutor(1) as executor:
            batcher = MicroBatcher(
                slow, executor, max_batch_texts=1, max_wait_ms=0, max_queue_texts=1000
            )
            batcher.start()
            stream = [asyncio.ensure_future(batcher.score([f"t{i}"])) for i in range(60)]
            await asyncio.sleep(0.005)  # the worker is draining the stream
            passes_before = await loop.run_in_executor(executor, len, calls)
            await asyncio.gather(*stream)
            await batcher.stop()
            return passes_before, len(calls)

    passes_before, total = asyncio.run(scenario())
    assert total == 60
    assert passes_before < 60 - BATCHES_PER_TURN, passes_before


def test_stop_waits_for_the_running_pass_and_fails_waiting_requests() -> None:
    started, release = threading.Event(), threading.Event()

    def blocking(texts: list[str]) -> np.ndarray:
        started.set()
        release.wait(5)
        return np.zeros((len(texts), 2))

    async def scenario() -> tuple[Any, Any]:
        loop = asyncio.get_running_loop()
        with concurrent.futures.ThreadPoolExecutor(1) as executor:
            batcher = MicroBatcher(
                blocking, executor, max_batch_texts=1, max_wait_ms=0, max_queue_texts=100
            )
            batcher.start()
            running = asyncio.ensure_future(batcher.score(["a"]))
            await loop.run_in_executor(None, started.wait, 5)
            waiting = asyncio.ensure_future(batcher.score(["b"]))
            await asyncio.sleep(0.01)
            stopping = asyncio.ensure_future(batcher.stop())
            await asyncio.sleep(0.01)
            assert not stopping.done()  # the pass in flight finishes first
            release.set()
            await stopping
            results = await asyncio.gather(running, waiting, return_exceptions=True)
            return results[0], results[1]

    done, refused = asyncio.run(scenario())
    assert isinstance(done, np.ndarray) and done.shape == (1, 2)
    assert isinstance(refused, RuntimeError) and "shutting down" in str(refused)
