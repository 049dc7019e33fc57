"""What one service app holds (models, micro-batchers, the inference thread, metrics), shared
by its routes and its ``/v1/predict`` fast path."""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
from dataclasses import dataclass, field
from typing import Any

from lstm_sentiment.service.batcher import MicroBatcher
from lstm_sentiment.service.errors import ServiceError
from lstm_sentiment.service.metrics import ServiceMetrics
from lstm_sentiment.service.models import ModelSpec, ServedModel
from lstm_sentiment.service.settings import Settings


@dataclass
class ServiceState:
    """Everything one app holds."""

    settings: Settings
    specs: list[ModelSpec]
    metrics: ServiceMetrics = field(default_factory=ServiceMetrics)
    models: dict[str, ServedModel] = field(default_factory=dict)
    batchers: dict[str, MicroBatcher] = field(default_factory=dict)
    executor: concurrent.futures.ThreadPoolExecutor | None = None
    ready: bool = False

    @property
    def default(self) -> str:
        return self.specs[0].name

    def model(self, name: str | None) -> ServedModel:
        name = name or self.default
        if name not in self.models:
            known = ", ".join(self.models) or "none yet"
            raise ServiceError(
                404, "unknown_model", f"no model named {name!r}; this server has: {known}"
            )
        return self.models[name]

    async def run(self, function: Any, *args: Any, **kwargs: Any) -> Any:
        """Run blocking work in the inference thread."""
        assert self.executor is not None
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self.executor, functools.partial(function, *args, **kwargs)
        )
