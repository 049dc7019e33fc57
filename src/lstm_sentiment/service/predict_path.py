"""``POST /v1/predict``: scoring one request (:func:`predict_answer`, shared by the FastAPI route
and the fast path) and :class:`PredictFastPath`, which answers well-formed requests without
FastAPI's generic request machinery.

A single-text request's int8 forward pass costs about what FastAPI's layers cost per request
(routing, the exception and exit-stack middlewares, dependency solving, body parsing): on two
cores the event loop, not the model, then limits a micro-batching server. The fast path parses
the body with the same pydantic schema (``PredictRequest.model_validate_json``) and scores it
through the same code as the route; anything it does not accept as is — another content type,
a body that fails validation — goes on to the FastAPI route, which answers exactly as before
(the same 422 messages), so the two paths cannot disagree. The route stays the documented one
in the OpenAPI schema.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError
from starlette.types import ASGIApp, Receive, Scope, Send

from lstm_sentiment.errors import LstmSentimentError
from lstm_sentiment.predict import to_predictions
from lstm_sentiment.service.batcher import QueueFull
from lstm_sentiment.service.errors import ServiceError
from lstm_sentiment.service.limits import check_texts, replay_body, send_error, send_json
from lstm_sentiment.service.schemas import PredictRequest
from lstm_sentiment.service.state import ServiceState

PREDICT_PATH = "/v1/predict"
JSON_CONTENT_TYPES = (b"application/json",)
"""Content types the fast path takes (with or without parameters such as a charset)."""


async def predict_answer(state: ServiceState, request: PredictRequest) -> bytes:
    """The JSON answer (the ``PredictResponse`` schema) to ``request``; refusals raise
    :class:`ServiceError`."""
    served = state.model(request.model)
    check_texts(request.texts, state.settings)
    try:
        rows = await state.batchers[served.name].score(request.texts)
    except QueueFull as exc:
        raise ServiceError(429, "queue_full", str(exc), {"Retry-After": "1"}) from None
    except LstmSentimentError as exc:
        raise ServiceError(422, "invalid_texts", str(exc)) from None
    state.metrics.count_texts(served.name, "predict", len(request.texts))
    predictions = to_predictions(request.texts, rows, served.labels, request.min_confidence)
    # Written as JSON directly: no pydantic object built and re-validated per text.
    answer = {
        "model": served.name,
        "predictions": [
            {
                "label": p.label,
                "probabilities": p.probabilities,
                "abstained": p.abstained,
                "reason": p.reason,
            }
            for p in predictions
        ],
    }
    return json.dumps(answer).encode("utf-8")


def _is_json(scope: Scope) -> bool:
    for key, value in scope.get("headers", ()):
        if key.lower() == b"content-type":
            media_type = value.split(b";", 1)[0].strip().lower()
            return media_type in JSON_CONTENT_TYPES
    return False


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


class PredictFastPath:
    """Answers ``POST /v1/predict`` with a JSON body that validates; passes everything else on
    (pure ASGI, inside the app's guard middleware: keys, body limit, log and metrics apply)."""

    def __init__(self, app: ASGIApp, state: ServiceState, route: Any) -> None:
        self.app = app
        self.state = state
        self.route = route  # the FastAPI route: its path labels the request in the metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or scope["path"] != PREDICT_PATH
            or not _is_json(scope)
        ):
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        try:
            request = PredictRequest.model_validate_json(body)
        except ValidationError:  # the route answers with its usual 422 message
            await self.app(scope, replay_body(body, receive), send)
            return
        scope["route"] = self.route
        scope.setdefault("state", {})["texts"] = len(request.texts)
        try:
            answer = await predict_answer(self.state, request)
        except ServiceError as error:
            await send_error(send, error)
            return
        await send_json(send, 200, answer)
