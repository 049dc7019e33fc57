"""Request limits and guards: texts per request and characters per text (413), empty texts
(422), body size (413, enforced while the body is read), API keys (401) and the access log.

:class:`GuardMiddleware` wraps the whole app: it checks the key and the body size before any
endpoint runs, and logs one structured line per request (method, path, status, milliseconds,
number of texts) — never the texts themselves — and counts it in the app's metrics.
"""

from __future__ import annotations

import hmac
import json
import logging
import time
from collections.abc import Sequence
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lstm_sentiment.service.errors import ServiceError, error_body
from lstm_sentiment.service.metrics import ServiceMetrics
from lstm_sentiment.service.settings import Settings

access_logger = logging.getLogger("lstm_sentiment.service.access")

OPEN_PREFIXES = ("/healthz", "/readyz")
PROTECTED_PREFIXES = ("/v1/", "/metrics")
"""With API keys on, these need a key; the page, its assets and /docs hold no data."""
BODY_METHODS = {"POST", "PUT", "PATCH"}


def check_texts(
    texts: Sequence[str], settings: Settings, *, limit: int | None = None, option: str = ""
) -> None:
    """Refuse too many texts, too long texts (413) and empty or unencodable ones (422), saying
    which. ``limit``/``option``: a lower texts-per-request limit and the option that sets it."""
    limit, option = (limit, option) if limit is not None else (settings.max_texts, "--max-texts")
    if len(texts) > limit:
        raise ServiceError(
            413,
            "too_many_texts",
            f"{len(texts)} texts in one request; the limit is {limit}: split them into several "
            f"requests (the server's {option})",
        )
    for position, text in enumerate(texts, start=1):
        if len(text) > settings.max_text_chars:
            raise ServiceError(
                413,
                "text_too_long",
                f"text {position} has {len(text)} characters; the limit is "
                f"{settings.max_text_chars}: shorten it (the server's --max-text-chars)",
            )
        if not text.strip():
            raise ServiceError(
                422, "empty_text", f"text {position} is empty: give some words to classify"
            )
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise ServiceError(
                422,
                "invalid_text",
                f"text {position} holds an unpaired surrogate escape (\\ud800-\\udfff): send "
                "valid Unicode",
            ) from None


def key_is_valid(given: str | None, keys: Sequence[str]) -> bool:
    """Whether ``given`` is one of ``keys`` (constant-time comparisons, every key checked)."""
    if not given:
        return False
    given_bytes = given.encode("utf-8")
    found = False
    for key in keys:
        found |= hmac.compare_digest(given_bytes, key.encode("utf-8"))
    return found


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def request_key(scope: Scope) -> str | None:
    """The API key of a request: ``Authorization: Bearer KEY`` or ``X-API-Key: KEY``."""
    authorization = _header(scope, b"authorization")
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    return _header(scope, b"x-api-key")


def replay_body(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands the app ``body`` (already read) and then the connection's
    later messages."""
    delivered = False

    async def replay() -> Message:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def send_json(
    send: Send, status: int, body: bytes, headers: dict[str, str] | None = None
) -> None:
    """A complete JSON response on a raw ASGI ``send``."""
    raw_headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})


async def send_error(send: Send, error: ServiceError) -> None:
    """``error`` as the service's JSON error body, with its status and headers."""
    body = json.dumps(error_body(error.code, error.message)).encode("utf-8")
    await send_json(send, error.status, body, error.headers)


class _BodyTooLarge(Exception):
    pass


class GuardMiddleware:
    """API keys, the body-size limit, the access log and request metrics (pure ASGI)."""

    def __init__(self, app: ASGIApp, settings: Settings, metrics: ServiceMetrics) -> None:
        self.app = app
        self.settings = settings
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = [500]

        async def send_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            refusal = self._refusal(scope)
            if refusal is None and scope["method"] in BODY_METHODS:
                try:
                    receive = await self._read_body(scope, receive)
                except _BodyTooLarge:
                    refusal = ServiceError(
                        413,
                        "body_too_large",
                        f"the request body is over {self.settings.max_body_bytes} bytes: send "
                        "fewer or shorter texts per request (the server's --max-body-bytes)",
                    )
            if refusal is not None:
                await self._answer(send_status, refusal)
            else:
                await self.app(scope, receive, send_status)
        finally:
            self._record(scope, status[0], time.perf_counter() - started)

    def _refusal(self, scope: Scope) -> ServiceError | None:
        path: str = scope["path"]
        keys = self.settings.api_keys
        if not keys or path.startswith(OPEN_PREFIXES) or not path.startswith(PROTECTED_PREFIXES):
            return None
        if key_is_valid(request_key(scope), keys):
            return None
        return ServiceError(
            401,
            "unauthorized",
            "a valid API key is needed: send it as 'Authorization: Bearer KEY' or 'X-API-Key: KEY'",
            {"WWW-Authenticate": "Bearer"},
        )

    async def _read_body(self, scope: Scope, receive: Receive) -> Receive:
        """Read the whole body (refusing it as soon as it is over the limit) and hand the app
        a ``receive`` that replays it."""
        limit = self.settings.max_body_bytes
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise _BodyTooLarge
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                raise _BodyTooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return replay_body(b"".join(chunks), receive)

    @staticmethod
    async def _answer(send: Send, error: ServiceError) -> None:
        await send_error(send, error)

    def _record(self, scope: Scope, status: int, seconds: float) -> None:
        route = scope.get("route")
        endpoint = getattr(route, "path", None) or "unmatched"
        self.metrics.observe_request(endpoint, status, seconds)
        if not access_logger.isEnabledFor(logging.INFO):
            return
        state: Any = scope.get("state") or {}
        line = {
            "method": scope["method"],
            "path": scope["path"],
            "status": status,
            "ms": round(seconds * 1000, 2),
            "texts": state.get("texts") if isinstance(state, dict) else None,
        }
        access_logger.info(json.dumps(line))
