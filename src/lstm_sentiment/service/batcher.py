"""Micro-batching: texts of concurrent requests merged into one forward pass.

Requests queue on the event loop; the inference worker thread takes whatever is waiting (up to
``max_batch_texts`` texts, after waiting up to ``max_wait_ms`` for more), scores it, hands the
rows back to the event loop in one call, and takes the next batch at once: passes follow each
other in the worker without a round trip through the event loop, which meanwhile answers
health checks and reads new requests. Each request gets its own rows, in its order.
Probabilities are those of the same texts scored alone up to float rounding (a batch pads to
its longest text; padding never changes a prediction).

With batching off each request is its own forward pass, in the same worker thread.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

Forward = Callable[[list[str]], np.ndarray]
"""Scores texts: ``[len(texts), classes]`` probabilities (runs in the worker thread)."""

BATCHES_PER_TURN = 8
"""Passes the worker runs before it lets other work queued on the same thread (explanations,
another model's batches) go first; it then carries on."""


class QueueFull(Exception):
    """More texts are waiting than the queue holds: the client should retry later."""


@dataclass
class _Job:
    texts: list[str]
    future: asyncio.Future[np.ndarray]


class MicroBatcher:
    """Merges concurrent ``score`` calls for one model into forward passes."""

    def __init__(
        self,
        forward: Forward,
        executor: concurrent.futures.Executor,
        *,
        max_batch_texts: int,
        max_wait_ms: float,
        max_queue_texts: int,
        enabled: bool = True,
        on_batch: Callable[[int], None] | None = None,
    ) -> None:
        self._forward = forward
        self._executor = executor
        self.max_batch_texts = max_batch_texts
        self.max_wait = max_wait_ms / 1000.0
        self.max_queue_texts = max_queue_texts
        self.enabled = enabled
        self._on_batch = on_batch or (lambda n: None)
        self._pending: deque[_Job] = deque()  # shared with the worker: under _lock
        self._lock = threading.Condition()
        self._worker_busy = False  # a drain is queued or running in the executor
        self._closed = False
        self._queued = 0  # event loop only
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def queued_texts(self) -> int:
        """Texts waiting for or in a forward pass (the metrics read it when scraped)."""
        return self._queued

    def start(self) -> None:
        """Start merging requests (call from the running event loop)."""
        if self.enabled:
            self._loop = asyncio.get_running_loop()
            self._closed = False

    async def stop(self) -> None:
        """Stop merging; requests still waiting fail (the server drains before this)."""
        with self._lock:
            self._closed = True
            waiting = list(self._pending)
            self._pending.clear()
            self._lock.notify_all()
        for job in waiting:
            if not job.future.done():
                job.future.set_exception(RuntimeError("the service is shutting down"))
        if self._loop is not None:
            # the executor's next free turn: after the pass that may be running
            await asyncio.get_running_loop().run_in_executor(self._executor, _nothing)
            self._loop = None

    async def score(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities of ``texts``, scored with whatever other requests are waiting."""
        texts = list(texts)
        if self._queued + len(texts) > self.max_queue_texts:
            raise QueueFull(
                f"{self._queued} texts are already waiting (the queue holds "
                f"{self.max_queue_texts}): retry shortly or send fewer texts"
            )
        self._queued += len(texts)
        try:
            loop = asyncio.get_running_loop()
            if not self.enabled or self._loop is None:
                self._on_batch(len(texts))
                return await loop.run_in_executor(self._executor, self._forward, texts)
            future: asyncio.Future[np.ndarray] = loop.create_future()
            with self._lock:
                if self._closed:
                    raise RuntimeError("the service is shutting down")
                self._pending.append(_Job(texts, future))
                self._lock.notify()
                if not self._worker_busy:
                    self._worker_busy = True
                    self._executor.submit(self._drain)
            return await future
        finally:
            self._queued -= len(texts)

    def _drain(self) -> None:
        """Worker thread: score batches while requests are waiting."""
        try:
            self._drain_turn()
        except BaseException:  # never leave the worker marked busy: later requests would hang
            with self._lock:
                self._worker_busy = False
            raise

    def _drain_turn(self) -> None:
        for _ in range(BATCHES_PER_TURN):
            jobs = self._next_batch()
            if not jobs:
                return
            texts = [text for job in jobs for text in job.texts]
            self._on_batch(len(texts))
            outcome: np.ndarray | Exception
            try:
                outcome = self._forward(texts)
            except Exception as exc:  # every request of the batch gets the failure
                outcome = exc
            assert self._loop is not None
            self._loop.call_soon_threadsafe(_deliver, jobs, outcome)
        self._executor.submit(self._drain)  # other work queued meanwhile goes first

    def _next_batch(self) -> list[_Job]:
        """Worker thread: the next batch, or ``[]`` (and the worker marked idle) when nothing
        is waiting."""
        with self._lock:
            while True:
                if self._closed or not self._pending:
                    self._worker_busy = False
                    return []
                if self.max_wait > 0:
                    deadline = time.monotonic() + self.max_wait
                    while self._waiting_texts() < self.max_batch_texts and not self._closed:
                        remaining = deadline - time.monotonic()
                        if remaining <= 0:
                            break
                        self._lock.wait(remaining)
                jobs = self._take_batch()
                if jobs:
                    return jobs

    def _waiting_texts(self) -> int:
        return sum(len(job.texts) for job in self._pending)

    def _take_batch(self) -> list[_Job]:
        """Waiting jobs in arrival order up to ``max_batch_texts`` (at least one job)."""
        jobs: list[_Job] = []
        count = 0
        while self._pending:
            job = self._pending[0]
            if job.future.done():  # the client went away
                self._pending.popleft()
                continue
            if jobs and count + len(job.texts) > self.max_batch_texts:
                break
            jobs.append(self._pending.popleft())
            count += len(job.texts)
        return jobs


def _nothing() -> None:
    return None


def _deliver(jobs: list[_Job], outcome: np.ndarray | Exception) -> None:
    """Event loop: each request's rows of a scored batch (or the batch's failure)."""
    start = 0
    for job in jobs:
        end = start + len(job.texts)
        if not job.future.done():
            if isinstance(outcome, Exception):
                job.future.set_exception(outcome)
            else:
                job.future.set_result(outcome[start:end])
        start = end
