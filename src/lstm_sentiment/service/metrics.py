"""Prometheus metrics of one app, in its own :class:`CollectorRegistry` (never the global one, so
several apps in one process — tests, benchmarks — count separately)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

if TYPE_CHECKING:
    from lstm_sentiment.service.batcher import MicroBatcher

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)


class ServiceMetrics:
    """Requests by endpoint and status, latency, forward-pass batch sizes, texts scored."""

    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "lstm_sentiment_requests",
            "HTTP requests answered, by endpoint (route template) and status code",
            ["endpoint", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "lstm_sentiment_request_seconds",
            "Time to answer an HTTP request, by endpoint",
            ["endpoint"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.batch_size = Histogram(
            "lstm_sentiment_batch_texts",
            "Texts per forward pass (after micro-batching), by model",
            ["model"],
            buckets=BATCH_BUCKETS,
            registry=self.registry,
        )
        self.texts = Counter(
            "lstm_sentiment_texts_scored",
            "Texts scored, by model and endpoint",
            ["model", "endpoint"],
            registry=self.registry,
        )
        self.queued = Gauge(
            "lstm_sentiment_queued_texts",
            "Texts waiting for or in a forward pass, by model",
            ["model"],
            registry=self.registry,
        )
        self._request_children: dict[tuple[str, int], tuple[Any, Any]] = {}
        self._texts_children: dict[tuple[str, str], Any] = {}

    def watch_queue(self, model: str, batcher: MicroBatcher) -> None:
        """Report ``batcher.queued_texts`` as the model's queue gauge, read when scraped (no
        per-request update)."""
        self.queued.labels(model).set_function(lambda: batcher.queued_texts)

    def count_texts(self, model: str, endpoint: str, count: int) -> None:
        """``count`` texts scored by ``model`` for ``endpoint``."""
        key = (model, endpoint)
        child = self._texts_children.get(key)
        if child is None:
            child = self._texts_children[key] = self.texts.labels(model, endpoint)
        child.inc(count)

    def observe_request(self, endpoint: str, status: int, seconds: float) -> None:
        key = (endpoint, status)
        children = self._request_children.get(key)
        if children is None:  # labels() costs a lookup under a lock: once per endpoint/status
            children = (self.requests.labels(endpoint, str(status)), self.latency.labels(endpoint))
            self._request_children[key] = children
        children[0].inc()
        children[1].observe(seconds)

    def render(self) -> bytes:
        """The Prometheus text exposition of this app's metrics."""
        return generate_latest(self.registry)
