"""``lstm-sentiment serve``: the HTTP service and web page (FastAPI on uvicorn).

Every bundle is checked (header, manifest checksums, kind) before the server starts, so a bad
``--model`` is the usual one-line error with exit code 2; the models are then loaded once, in
the app's lifespan. SIGTERM or Ctrl-C stop taking connections, finish the requests in flight
(up to ``--shutdown-seconds``) and exit 0.
"""

from __future__ import annotations

import argparse
import logging
import socket
from typing import Any

from lstm_sentiment.cli.options import add_runtime_options
from lstm_sentiment.errors import ConfigError, LstmSentimentError
from lstm_sentiment.service.settings import (
    API_KEYS_ENV,
    DEFAULT_MAX_BATCH_TEXTS,
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_EXPLAIN_TEXTS,
    DEFAULT_MAX_QUEUE_TEXTS,
    DEFAULT_MAX_TEXT_CHARS,
    DEFAULT_MAX_TEXTS,
    DEFAULT_MAX_WAIT_MS,
    DEFAULT_SHUTDOWN_SECONDS,
)

logger = logging.getLogger(__name__)
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def add_serve_command(commands: argparse._SubParsersAction) -> None:
    """Add ``serve`` to the top-level command parsers."""
    serve = commands.add_parser(
        "serve",
        help="serve models over HTTP with a web page",
        description="Serve models over HTTP: POST /v1/predict and /v1/explain, GET /v1/models, "
        "/healthz, /readyz, /metrics (Prometheus), the API docs at /docs and a web page at /.",
    )
    serve.add_argument(
        "--model",
        action="append",
        metavar="[NAME=]PATH",
        help="a bundle folder to serve, optionally named (repeatable; the first is the default; "
        "a bare PATH is named after its folder; default: the shipped model, named 'default')",
    )
    serve.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"address to listen on (default {DEFAULT_HOST}: this machine only; 0.0.0.0 "
        "exposes the service to the network)",
    )
    serve.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"TCP port (default {DEFAULT_PORT})"
    )
    limits = serve.add_argument_group("limits (a request over a limit gets 413)")
    limits.add_argument(
        "--max-texts",
        type=int,
        default=DEFAULT_MAX_TEXTS,
        help=f"texts per request (default {DEFAULT_MAX_TEXTS})",
    )
    limits.add_argument(
        "--max-explain-texts",
        type=int,
        default=DEFAULT_MAX_EXPLAIN_TEXTS,
        help=f"texts per /v1/explain request (default {DEFAULT_MAX_EXPLAIN_TEXTS})",
    )
    limits.add_argument(
        "--max-text-chars",
        type=int,
        default=DEFAULT_MAX_TEXT_CHARS,
        help=f"characters per text (default {DEFAULT_MAX_TEXT_CHARS})",
    )
    limits.add_argument(
        "--max-body-bytes",
        type=int,
        default=DEFAULT_MAX_BODY_BYTES,
        help=f"bytes per request body (default {DEFAULT_MAX_BODY_BYTES})",
    )
    batching = serve.add_argument_group("micro-batching")
    batching.add_argument(
        "--max-batch-texts",
        type=int,
        default=DEFAULT_MAX_BATCH_TEXTS,
        help="texts of concurrent requests merged into one forward pass "
        f"(default {DEFAULT_MAX_BATCH_TEXTS})",
    )
    batching.add_argument(
        "--max-wait-ms",
        type=float,
        default=DEFAULT_MAX_WAIT_MS,
        help="how long a forward pass waits for more requests (default "
        f"{DEFAULT_MAX_WAIT_MS:g}: it starts as soon as the previous one ends, and requests "
        "that arrive meanwhile form the next batch)",
    )
    batching.add_argument(
        "--max-queue-texts",
        type=int,
        default=DEFAULT_MAX_QUEUE_TEXTS,
        help="texts waiting per model before new requests get 429 "
        f"(default {DEFAULT_MAX_QUEUE_TEXTS})",
    )
    batching.add_argument(
        "--no-batching",
        action="store_true",
        help="score each request on its own (to compare with micro-batching)",
    )
    safety = serve.add_argument_group("access")
    safety.add_argument(
        "--api-key-file",
        metavar="FILE",
        help="require an API key (Authorization: Bearer KEY or X-API-Key) on /v1 and /metrics: "
        f"one key per line (keys in ${API_KEYS_ENV}, comma-separated, also count)",
    )
    safety.add_argument(
        "--cors-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="let web pages from ORIGIN (e.g. https://example.org) call the API (repeatable; "
        "default: none)",
    )
    add_runtime_options(
        serve,
        threads_default=None,
        threads_help="CPU threads of each model's runtime (default: every core on onnxruntime, "
        "where a micro-batch is dealt to one-thread sessions side by side; 1 on torch, whose "
        "thread pool collapses when the cores are shared)",
    )
    serve.add_argument(
        "--shutdown-seconds",
        type=int,
        default=DEFAULT_SHUTDOWN_SECONDS,
        help="on SIGTERM, how long to let requests in flight finish "
        f"(default {DEFAULT_SHUTDOWN_SECONDS})",
    )
    serve.set_defaults(handler=run_serve)


def _graceful_server_class() -> type:
    import uvicorn

    class GracefulServer(uvicorn.Server):
        """uvicorn's server, whose graceful stop on SIGTERM/SIGINT ends with exit code 0
        (uvicorn re-raises the signal once it has drained, which would exit with -15)."""

        def handle_exit(self, sig: int, frame: Any) -> None:
            super().handle_exit(sig, frame)
            captured = getattr(self, "_captured_signals", None)
            if isinstance(captured, list):
                captured.clear()

    return GracefulServer


def listen(host: str, port: int) -> socket.socket:
    """A listening socket on ``host:port`` (port 0: any free port), or a one-line error."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, UnicodeError) as exc:
        raise ConfigError(f"--host {host!r} is not an address of this machine: {exc}") from None
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise ConfigError(
            f"cannot listen on {host}:{port} ({exc.strerror}): choose another --port or --host, "
            "or stop the program using it"
        ) from None
    sock.set_inheritable(True)
    return sock


def run_serve(args: argparse.Namespace) -> None:
    """``serve``: check every bundle, then run the app until SIGTERM/Ctrl-C."""
    import uvicorn

    from lstm_sentiment.service.app import create_app
    from lstm_sentiment.service.models import check_bundle, resolve_specs
    from lstm_sentiment.service.settings import Settings, read_api_keys

    if not 0 <= args.port <= 65535:
        raise ConfigError(f"--port {args.port} is not a TCP port (0-65535)")
    specs = resolve_specs(args.model)
    for spec in specs:
        check_bundle(spec)
    settings = Settings(
        max_texts=args.max_texts,
        max_explain_texts=args.max_explain_texts,
        max_text_chars=args.max_text_chars,
        max_body_bytes=args.max_body_bytes,
        batching=not args.no_batching,
        max_batch_texts=args.max_batch_texts,
        max_wait_ms=args.max_wait_ms,
        max_queue_texts=args.max_queue_texts,
        api_keys=read_api_keys(args.api_key_file),
        cors_origins=tuple(args.cors_origin),
        threads=args.threads,
        freeze_gc=True,
        runtime=args.runtime,
        precision=args.precision,
    )
    app = create_app(specs, settings)
    sock = listen(args.host, args.port)
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    logger.info(
        "serving %s on http://%s:%d (API docs at /docs; %s)",
        ", ".join(s.name for s in specs),
        shown,
        port,
        "API keys required" if settings.api_keys else "no API key required",
    )
    config = uvicorn.Config(
        app,
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=args.shutdown_seconds,
        server_header=False,
    )
    server = _graceful_server_class()(config)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    if not server.started:
        raise LstmSentimentError(
            "the server did not start (see the messages above): check the --model bundles"
        )
