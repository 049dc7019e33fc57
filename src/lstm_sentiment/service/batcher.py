"""Micro-batching: texts of concurrent requests merged into one forward pass.

Requests wait up to ``max_wait_ms`` (or until ``max_batch_texts`` texts are waiting) and are
scored together in a worker thread, off the event loop, so the server keeps answering (health
checks, new requests) while a batch runs; while one batch runs the next one fills. Each request
gets its own rows back, in its order. Probabilities are those of the same texts scored alone up
to float rounding (a batch pads to its longest text; padding never changes a prediction).

With batching off each request is its own forward pass, in the same worker thread.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

Forward = Callable[[list[str]], np.ndarray]
"""Scores texts: ``[len(texts), classes]`` probabilities (runs in the worker thread)."""


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
        on_queue: Callable[[int], None] | None = None,
    ) -> None:
        self._forward = forward
        self._executor = executor
        self.max_batch_texts = max_batch_texts
        self.max_wait = max_wait_ms / 1000.0
        self.max_queue_texts = max_queue_texts
        self.enabled = enabled
        self._on_batch = on_batch or (lambda n: None)
        self._on_queue = on_queue or (lambda n: None)
        self._pending: deque[_Job] = deque()
        self._queued = 0
        self._wakeup: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def queued_texts(self) -> int:
        """Texts waiting for or in a forward pass."""
        return self._queued

    def start(self) -> None:
        """Start collecting batches (call from the running event loop)."""
        if self.enabled and self._task is None:
            self._wakeup = asyncio.Event()
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        """Stop collecting; requests still waiting fail (the server drains before this)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        while self._pending:
            job = self._pending.popleft()
            if not job.future.done():
                job.future.set_exception(RuntimeError("the service is shutting down"))

    async def score(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities of ``texts``, scored with whatever other requests are waiting."""
        texts = list(texts)
        if self._queued + len(texts) > self.max_queue_texts:
            raise QueueFull(
                f"{self._queued} texts are already waiting (the queue holds "
                f"{self.max_queue_texts}): retry shortly or send fewer texts"
            )
        self._queued += len(texts)
        self._on_queue(self._queued)
        try:
            if not self.enabled or self._task is None:
                loop = asyncio.get_running_loop()
                self._on_batch(len(texts))
                return await loop.run_in_executor(self._executor, self._forward, texts)
            future: asyncio.Future[np.ndarray] = asyncio.get_running_loop().create_future()
            self._pending.append(_Job(texts, future))
            assert self._wakeup is not None
            self._wakeup.set()
            return await future
        finally:
            self._queued -= len(texts)
            self._on_queue(self._queued)

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

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        assert self._wakeup is not None
        while True:
            while not self._pending:
                self._wakeup.clear()
                await self._wakeup.wait()
            deadline = loop.time() + self.max_wait
            while self._waiting_texts() < self.max_batch_texts:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                self._wakeup.clear()
                try:
                    await asyncio.wait_for(self._wakeup.wait(), remaining)
                except TimeoutError:
                    break
            jobs = self._take_batch()
            if not jobs:
                continue
            texts = [text for job in jobs for text in job.texts]
            self._on_batch(len(texts))
            try:
                rows = await loop.run_in_executor(self._executor, self._forward, texts)
            except Exception as exc:  # every request of the batch gets the failure
                for job in jobs:
                    if not job.future.done():
                        job.future.set_exception(exc)
                continue
            start = 0
            for job in jobs:
                end = start + len(job.texts)
                if not job.future.done():
                    job.future.set_result(rows[start:end])
                start = end
