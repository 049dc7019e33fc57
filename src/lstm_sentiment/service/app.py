"""The FastAPI app: :func:`create_app` builds one from the models to serve and the settings,
and holds everything it uses (models, micro-batchers, the inference thread, metrics).

Models are loaded once, in the app's lifespan, before it answers; inference runs in one worker
thread so the event loop stays free (``/healthz`` answers while a batch runs).
"""

from __future__ import annotations

import concurrent.futures
import gc
import logging
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from lstm_sentiment.errors import LstmSentimentError
from lstm_sentiment.service import schemas
from lstm_sentiment.service.batcher import MicroBatcher
from lstm_sentiment.service.errors import ServiceError, install_error_handlers
from lstm_sentiment.service.limits import GuardMiddleware, check_texts
from lstm_sentiment.service.models import ModelSpec, ServedModel, load_served
from lstm_sentiment.service.predict_path import PREDICT_PATH, PredictFastPath, predict_answer
from lstm_sentiment.service.schemas import ErrorResponse
from lstm_sentiment.service.settings import TORCH_SERVE_THREADS, Settings
from lstm_sentiment.service.state import ServiceState

logger = logging.getLogger("lstm_sentiment.service")
API_VERSION = "v1"
DOCS_ASSETS = "/docs-assets"
"""Where Swagger UI's JavaScript and CSS are served from (no CDN)."""
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": what}
    for status, what in {
        401: "missing or invalid API key",
        404: "unknown model",
        413: "too many texts, a text too long or a body too large",
        422: "malformed request or empty text",
        429: "the queue is full: retry shortly",
    }.items()
}


PAGE_HEADERS = {
    # the page runs only its own script and styles, and talks only to this server
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def static_dir() -> Path:
    """The web page's assets, shipped inside the package."""
    return Path(str(resources.files("lstm_sentiment") / "service" / "static"))


async def _set_torch_threads(state: ServiceState) -> None:
    """``settings.threads`` (or ``TORCH_SERVE_THREADS``) for torch in the inference thread,
    where the forward passes run (only when a model has imported torch)."""
    torch = sys.modules.get("torch")
    if torch is not None:
        await state.run(torch.set_num_threads, state.settings.threads or TORCH_SERVE_THREADS)


def _forward(model: Any) -> Any:
    def forward(texts: list[str]) -> np.ndarray:
        return model.predict_proba(texts)

    return forward


NO_OPENTELEMETRY = {"tracing": False, "metrics": False, "logs": False, "operation_spans": False}
"""The service reports through its own Prometheus metrics and request log; FastAPI's
OpenTelemetry hooks would only add per-request checks."""


def create_app(
    models: Sequence[ModelSpec], settings: Settings | None = None, *, title: str | None = None
) -> FastAPI:
    """The service for ``models`` (the first is the default) with ``settings``."""
    if not models:
        raise ValueError("create_app needs at least one model to serve")
    state = ServiceState(settings or Settings(), list(models))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state.executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="lstm-sentiment-inference"
        )
        try:
            for spec in state.specs:
                served = await state.run(load_served, spec, state.settings)
                batcher = MicroBatcher(
                    _forward(served.model),
                    state.executor,
                    max_batch_texts=state.settings.max_batch_texts,
                    max_wait_ms=state.settings.max_wait_ms,
                    max_queue_texts=state.settings.max_queue_texts,
                    enabled=state.settings.batching,
                    on_batch=state.metrics.batch_size.labels(spec.name).observe,
                )
                state.metrics.watch_queue(spec.name, batcher)
                batcher.start()
                state.models[spec.name], state.batchers[spec.name] = served, batcher
            await _set_torch_threads(state)
            if state.settings.freeze_gc:
                # The models and libraries loaded above live as long as the process: moved out
                # of the collector's generations, full collections stop re-scanning them (the
                # pauses that set the latency tail under load).
                gc.collect()
                gc.freeze()
            state.ready = True
            logger.info("serving %s", ", ".join(state.models))
            yield
        finally:
            state.ready = False
            for batcher in state.batchers.values():
                await batcher.stop()
            state.executor.shutdown(wait=True)

    app = FastAPI(
        title=title or "lstm-sentiment",
        summary="Sentiment of texts with LSTM-family classifiers",
        version=API_VERSION,
        lifespan=lifespan,
        docs_url=None,  # served below from packaged assets: FastAPI's own page needs a CDN
        redoc_url=None,
        telemetry=NO_OPENTELEMETRY,
    )
    app.state.service = state
    install_error_handlers(app)
    _add_routes(app, state)
    if state.settings.fast_path:
        # innermost of the middlewares (added first): CORS and the guard wrap it
        predict_route = next(r for r in app.routes if getattr(r, "path", None) == PREDICT_PATH)
        app.add_middleware(PredictFastPath, state=state, route=predict_route)
    if state.settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=list(state.settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type", "Authorization", "X-API-Key"],
        )
    app.add_middleware(GuardMiddleware, settings=state.settings, metrics=state.metrics)
    return app


def _add_docs(app: FastAPI) -> None:
    """The interactive API documentation at ``/docs``, with Swagger UI's files served by this
    server (the ``swagger-ui-bundle`` package), so it works without internet access."""
    from fastapi.openapi.docs import get_swagger_ui_html
    from swagger_ui_bundle import swagger_ui_path

    app.mount(DOCS_ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> Response:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url or "/openapi.json",
            title=f"{app.title}: API",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon-32x32.png",
        )


def _add_routes(app: FastAPI, state: ServiceState) -> None:
    app.mount("/static", StaticFiles(directory=static_dir()), name="static")
    _add_docs(app)

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(static_dir() / "index.html", headers=PAGE_HEADERS)

    @app.get("/healthz", response_model=schemas.Health, tags=["operations"])
    async def healthz() -> schemas.Health:
        """The process is alive (answers even while a batch is being scored)."""
        return schemas.Health(status="ok")

    @app.get(
        "/readyz",
        response_model=schemas.Readiness,
        responses={503: {"model": ErrorResponse, "description": "models not loaded"}},
        tags=["operations"],
    )
    async def readyz() -> schemas.Readiness:
        """Every model is loaded and the server takes requests."""
        if not state.ready:
            raise ServiceError(503, "not_ready", "the models are still loading: retry shortly")
        return schemas.Readiness(status="ready", models=list(state.models))

    @app.get("/metrics", tags=["operations"], response_class=Response)
    async def metrics() -> Response:
        """Prometheus text: requests, latency, batch sizes, texts scored, queue."""
        return Response(state.metrics.render(), media_type=state.metrics.content_type)

    @app.get("/v1/models", response_model=schemas.ModelsResponse, responses=ERRORS, tags=["models"])
    async def list_models() -> schemas.ModelsResponse:
        """The served models (the default first) and the request limits."""
        settings = state.settings
        return schemas.ModelsResponse(
            default=state.default,
            models=[_summary(state, served) for served in state.models.values()],
            limits=schemas.Limits(
                max_texts=settings.max_texts,
                max_explain_texts=settings.max_explain_texts,
                max_text_chars=settings.max_text_chars,
                max_body_bytes=settings.max_body_bytes,
            ),
        )

    @app.get(
        "/v1/models/{name}", response_model=schemas.ModelDetail, responses=ERRORS, tags=["models"]
    )
    async def model_detail(name: str) -> schemas.ModelDetail:
        """Labels, kind, description, metrics, model card and checksum of one model."""
        served = state.model(name)
        return schemas.ModelDetail(
            **_summary(state, served).model_dump(),
            metrics=served.metrics,
            card=served.card,
            checksum=served.checksum,
            explain=callable(getattr(served.model, "explain", None)),
        )

    @app.post("/v1/predict", response_model=schemas.PredictResponse, responses=ERRORS)
    async def predict(body: schemas.PredictRequest, request: Request) -> Response:
        """Label and calibrated probabilities of each text (micro-batched with other requests)."""
        request.state.texts = len(body.texts)
        answer = await predict_answer(state, body)
        return Response(answer, media_type="application/json")

    @app.post(
        "/v1/explain",
        response_model=schemas.ExplainResponse,
        responses={
            **ERRORS,
            501: {"model": ErrorResponse, "description": "this model cannot explain"},
        },
    )
    async def explain(body: schemas.ExplainRequest, request: Request) -> schemas.ExplainResponse:
        """Per-token attributions (with character offsets) of each text, with its prediction."""
        request.state.texts = len(body.texts)
        served = state.model(body.model)
        check_texts(
            body.texts,
            state.settings,
            limit=state.settings.max_explain_texts,
            option="--max-explain-texts",
        )
        explain_texts = getattr(served.model, "explain", None)
        if not callable(explain_texts):
            raise ServiceError(
                501,
                "explain_unavailable",
                f"model {served.name!r} cannot explain predictions in this version: use "
                "/v1/predict, or a version of lstm-sentiment with explanations",
            )
        options = {} if body.steps is None else {"steps": body.steps}
        try:
            explanations = await state.run(explain_texts, body.texts, **options)
        except LstmSentimentError as exc:
            raise ServiceError(422, "explain_failed", str(exc)) from None
        state.metrics.count_texts(served.name, "explain", len(body.texts))
        return schemas.ExplainResponse(
            model=served.name,
            explanations=[
                schemas.ExplanationOut.model_validate(e.to_dict() if hasattr(e, "to_dict") else e)
                for e in explanations
            ],
        )


def _summary(state: ServiceState, served: ServedModel) -> schemas.ModelSummary:
    return schemas.ModelSummary(
        name=served.name,
        kind=served.kind,
        labels=served.labels,
        description=served.description,
        default=served.name == state.default,
    )
