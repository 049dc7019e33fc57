"""The HTTP API through FastAPI's TestClient: every status code, the error bodies, limits,
API keys, CORS, metrics, the access log, model details and the page's assets."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

from lstm_sentiment.predict import SentimentModel, default_model_path
from lstm_sentiment.service.app import create_app, static_dir
from lstm_sentiment.service.models import ModelSpec, parse_model_option, resolve_specs
from lstm_sentiment.service.settings import API_KEYS_ENV, Settings, read_api_keys
from service_support import WithoutExplain, fake_explain

TEXTS = ["An unforgettable, moving film.", "A dull, predictable mess. I was bored."]


@pytest.fixture(scope="module")
def shipped() -> SentimentModel:
    return SentimentModel.load()


def spec(model: Any, name: str = "default") -> ModelSpec:
    return ModelSpec(name, default_model_path(), model)


@pytest.fixture
def client(shipped: SentimentModel) -> Iterator[TestClient]:
    with TestClient(create_app([spec(shipped)])) as test_client:
        yield test_client


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code, body
    assert "Traceback" not in response.text
    return body["error"]


def test_predict_matches_the_python_api(client: TestClient, shipped: SentimentModel) -> None:
    response = client.post("/v1/predict", json={"texts": TEXTS})
    assert response.status_code == 200
    body = response.json()
    assert body["model"] == "default"
    expected = shipped.predict(TEXTS)
    for got, want in zip(body["predictions"], expected, strict=True):
        assert got["label"] == want.label
        assert got["abstained"] is False and got["reason"] is None
        for label in shipped.labels:
            assert got["probabilities"][label] == pytest.approx(want.probabilities[label], abs=1e-6)


def test_min_confidence_abstains_with_a_reason(client: TestClient) -> None:
    body = client.post("/v1/predict", json={"texts": TEXTS, "min_confidence": 1.0}).json()
    assert all(p["abstained"] and p["label"] is None for p in body["predictions"])
    assert all("below the minimum confidence" in p["reason"] for p in body["predictions"])


def test_health_readiness_and_not_ready(shipped: SentimentModel) -> None:
    app = create_app([spec(shipped)])
    outside = TestClient(app)  # no lifespan: the models are not loaded
    assert outside.get("/healthz").json() == {"status": "ok"}
    assert_error(outside.get("/readyz"), 503, "not_ready")
    with TestClient(app) as inside:
        assert inside.get("/readyz").json() == {"status": "ready", "models": ["default"]}


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"texts": []}, "invalid_request"),
        ({"texts": "one string"}, "invalid_request"),
        ({"text": ["typo in the field name"]}, "invalid_request"),
        ({"texts": ["fine"], "min_confidence": 2}, "invalid_request"),
        ({"texts": ["fine", "   "]}, "empty_text"),
        ({"texts": [3]}, "invalid_request"),
    ],
)
def test_malformed_or_empty_is_422(client: TestClient, body: dict, code: str) -> None:
    error = assert_error(client.post("/v1/predict", json=body), 422, code)
    assert error["message"]


def test_invalid_json_is_422(client: TestClient) -> None:
    response = client.post(
        "/v1/predict", content=b'{"texts": [', headers={"content-type": "application/json"}
    )
    assert "not valid JSON" in assert_error(response, 422, "invalid_request")["message"]


def test_oversize_is_413_saying_what_to_change(shipped: SentimentModel) -> None:
    settings = Settings(max_texts=3, max_text_chars=50, max_body_bytes=400, max_queue_texts=8)
    with TestClient(create_app([spec(shipped)], settings)) as client:
        error = assert_error(
            client.post("/v1/predict", json={"texts": ["ok"] * 4}), 413, "too_many_texts"
        )
        assert "--max-texts" in error["message"] and "3" in error["message"]
        error = assert_error(
            client.post("/v1/predict", json={"texts": ["ok", "x" * 51]}), 413, "text_too_long"
        )
        assert "text 2" in error["message"]
        big = json.dumps({"texts": ["y " * 300]}).encode()
        assert_error(
            client.post("/v1/predict", content=big, headers={"content-type": "application/json"}),
            413,
            "body_too_large",
        )
        # a streamed body without Content-Length is cut off at the limit too
        chunks = iter([big[:200], big[200:]])
        response = client.post(
            "/v1/predict", content=chunks, headers={"content-type": "application/json"}
        )
        assert_error(response, 413, "body_too_large")
        assert client.post("/v1/predict", json={"texts": ["ok"] * 3}).status_code == 200


def test_unknown_model_and_path_are_404(client: TestClient) -> None:
    error = assert_error(
        client.post("/v1/predict", json={"texts": ["x"], "model": "nope"}), 404, "unknown_model"
    )
    assert "default" in error["message"]
    assert_error(client.get("/v1/models/nope"), 404, "unknown_model")
    assert_error(client.get("/v2/predict"), 404, "not_found")
    assert_error(client.get("/v1/predict"), 405, "method_not_allowed")


class Blocking:
    """A model whose forward pass waits for a signal (to hold a batch in flight)."""

    def __init__(self, model: SentimentModel) -> None:
        self.model, self.labels, self.kind, self.scorer = model, model.labels, model.kind, None
        self.started, self.release = threading.Event(), threading.Event()

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        self.started.set()
        assert self.release.wait(30)
        return self.model.predict_proba(texts)


def test_queue_full_is_429_and_health_answers_during_a_batch(shipped: SentimentModel) -> None:
    blocking = Blocking(shipped)
    settings = Settings(max_texts=4, max_queue_texts=4)
    with TestClient(create_app([spec(blocking)], settings)) as client:
        results: list[Any] = []
        first = threading.Thread(
            target=lambda: results.append(client.post("/v1/predict", json={"texts": ["a"] * 3}))
        )
        first.start()
        assert blocking.started.wait(30)
        started = time.perf_counter()
        assert client.get("/healthz").status_code == 200  # the event loop is free
        assert time.perf_counter() - started < 5
        response = client.post("/v1/predict", json={"texts": ["b", "c"]})
        error = assert_error(response, 429, "queue_full")
        assert response.headers["retry-after"] == "1" and "retry" in error["message"]
        blocking.release.set()
        first.join(30)
        assert results[0].status_code == 200 and len(results[0].json()["predictions"]) == 3


class Broken:
    labels, kind, scorer = ["negative", "positive"], "neural", None

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        raise RuntimeError("secret internal detail /srv/model")


def test_unexpected_failure_is_a_generic_500_logged_server_side(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with (
        TestClient(
            create_app([ModelSpec("broken", None, Broken())]), raise_server_exceptions=False
        ) as client,
        caplog.at_level(logging.ERROR, logger="lstm_sentiment.service"),
    ):
        response = client.post("/v1/predict", json={"texts": ["x"]})
    assert_error(response, 500, "internal_error")
    assert "secret" not in response.text
    assert any("secret internal detail" in str(r.exc_info) for r in caplog.records if r.exc_info)


def test_api_keys_guard_the_api_but_not_health(
    shipped: SentimentModel, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key_file = tmp_path / "keys.txt"
    key_file.write_text("# ops\nkey-one\n\nkey-two\n", encoding="utf-8")
    monkeypatch.setenv(API_KEYS_ENV, "env-key, other")
    keys = read_api_keys(key_file)
    assert keys == ("key-one", "key-two", "env-key", "other")
    with TestClient(create_app([spec(shipped)], Settings(api_keys=keys))) as client:
        body = {"texts": ["fine"]}
        response = client.post("/v1/predict", json=body)
        assert_error(response, 401, "unauthorized")
        assert response.headers["www-authenticate"] == "Bearer"
        assert_error(
            client.post("/v1/predict", json=body, headers={"X-API-Key": "key-on"}),
            401,
            "unauthorized",
        )
        assert_error(client.get("/metrics"), 401, "unauthorized")
        assert_error(client.get("/v1/models"), 401, "unauthorized")
        ok = client.post("/v1/predict", json=body, headers={"Authorization": "Bearer key-two"})
        assert ok.status_code == 200
        assert client.get("/v1/models", headers={"X-API-Key": "env-key"}).status_code == 200
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200
        assert client.get("/").status_code == 200


def test_cors_is_closed_unless_an_origin_is_given(shipped: SentimentModel) -> None:
    origin = {"Origin": "https://example.org"}
    with TestClient(create_app([spec(shipped)])) as client:
        assert "access-control-allow-origin" not in client.get("/v1/models", headers=origin).headers
    settings = Settings(cors_origins=("https://example.org",))
    with TestClient(create_app([spec(shipped)], settings)) as client:
        response = client.get("/v1/models", headers=origin)
        assert response.headers["access-control-allow-origin"] == "https://example.org"
        other = client.get("/v1/models", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


def test_explain_uses_the_models_explain(
    client: TestClient, shipped: SentimentModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(SentimentModel, "explain", fake_explain, raising=False)
    response = client.post("/v1/explain", json={"texts": TEXTS, "steps": 8})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["model"] == "default" and len(body["explanations"]) == 2
    first = body["explanations"][0]
    assert first["text"] == TEXTS[0] and first["method"] == "test-stub(steps=8)"
    assert [e["adds_up"] for e in body["explanations"]] == [True, False]
    token = first["tokens"][0]
    assert TEXTS[0][token["start"] : token["end"]].lower() == token["token"]
    assert set(token["scores"]) == set(shipped.labels)
    assert client.get("/v1/models/default").json()["explain"] is True


def test_explain_without_explain_is_501(shipped: SentimentModel) -> None:
    with TestClient(create_app([spec(WithoutExplain(shipped))])) as client:
        error = assert_error(
            client.post("/v1/explain", json={"texts": ["x"]}), 501, "explain_unavailable"
        )
        assert "/v1/predict" in error["message"]
        assert client.get("/v1/models/default").json()["explain"] is False
        assert_error(client.post("/v1/explain", json={"texts": []}), 422, "invalid_request")


def test_models_list_and_detail(shipped: SentimentModel) -> None:
    models = [spec(shipped, "imdb"), ModelSpec("plain", None, WithoutExplain(shipped))]
    with TestClient(create_app(models, Settings(max_texts=10, max_queue_texts=10))) as client:
        listing = client.get("/v1/models").json()
        assert listing["default"] == "imdb"
        assert [m["name"] for m in listing["models"]] == ["imdb", "plain"]
        assert listing["limits"]["max_texts"] == 10
        detail = client.get("/v1/models/imdb").json()
        assert detail["kind"] == "neural" and detail["labels"] == ["negative", "positive"]
        assert "LSTM" in detail["description"]
        assert detail["metrics"]["test"]["accuracy"] > 0.9
        assert detail["card"].startswith("# lstm-sentiment model")
        assert detail["checksum"].startswith("sha256:") and len(detail["checksum"]) == 71
        response = client.post("/v1/predict", json={"texts": ["fine"], "model": "plain"})
        assert response.json()["model"] == "plain"


def test_metrics_count_requests_batches_and_texts_per_app(shipped: SentimentModel) -> None:
    with (
        TestClient(create_app([spec(shipped)])) as client,
        TestClient(create_app([spec(shipped)])) as other,
    ):
        client.post("/v1/predict", json={"texts": TEXTS})
        client.post("/v1/predict", json={"texts": []})
        client.get("/healthz")
        text = client.get("/metrics").text
        assert 'lstm_sentiment_requests_total{endpoint="/v1/predict",status="200"} 1.0' in text
        assert 'lstm_sentiment_requests_total{endpoint="/v1/predict",status="422"} 1.0' in text
        assert 'lstm_sentiment_texts_scored_total{endpoint="predict",model="default"} 2.0' in text
        assert 'lstm_sentiment_batch_texts_count{model="default"} 1.0' in text
        assert 'lstm_sentiment_request_seconds_bucket{endpoint="/v1/predict"' in text
        assert "/v1/predict" not in other.get("/metrics").text  # its own registry


def test_access_log_is_one_structured_line_without_texts(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="lstm_sentiment.service.access"):
        client.post("/v1/predict", json={"texts": ["a very secret sentence", "another"]})
    lines = [r.getMessage() for r in caplog.records if r.name == "lstm_sentiment.service.access"]
    assert len(lines) == 1
    line = json.loads(lines[0])
    assert line["method"] == "POST" and line["path"] == "/v1/predict" and line["status"] == 200
    assert line["texts"] == 2 and line["ms"] >= 0
    assert "secret" not in lines[0]


def test_openapi_documents_the_versioned_api(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    for path in ("/v1/predict", "/v1/explain", "/v1/models", "/v1/models/{name}", "/healthz"):
        assert path in paths
    assert {"413", "422", "404", "429"} <= set(paths["/v1/predict"]["post"]["responses"])
    assert "PredictRequest" in schema["components"]["schemas"]
    assert client.get("/docs").status_code == 200


def test_page_and_assets_are_served_offline_and_escape_text(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "default-src 'self'" in page.headers["content-security-policy"]
    for asset in ("app.js", "style.css"):
        assert client.get(f"/static/{asset}").status_code == 200
    for path in static_dir().iterdir():
        text = path.read_text(encoding="utf-8")
        assert "http://" not in text and "https://" not in text and "@import" not in text, path
    script = (static_dir() / "app.js").read_text(encoding="utf-8")
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script


def test_model_option_parsing(tmp_path: Path) -> None:
    assert parse_model_option(f"imdb={tmp_path}") == ModelSpec("imdb", tmp_path)
    bundle = tmp_path / "my model"
    assert parse_model_option(str(bundle)).name == "my-model"
    assert parse_model_option("runs/a=b/model").name == "model"
    assert [s.name for s in resolve_specs(None)] == ["default"]
    with pytest.raises(Exception, match="two models are named"):
        resolve_specs([f"a={tmp_path}", f"a={tmp_path}"])


def test_explain_has_its_own_lower_limit_and_bad_unicode_is_422(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(SentimentModel, "explain", fake_explain, raising=False)
    limit = client.get("/v1/models").json()["limits"]["max_explain_texts"]
    error = assert_error(
        client.post("/v1/explain", json={"texts": ["fine"] * (limit + 1)}), 413, "too_many_texts"
    )
    assert "--max-explain-texts" in error["message"]
    response = client.post(
        "/v1/predict",
        content=b'{"texts": ["fine \\ud800 film"]}',
        headers={"content-type": "application/json"},
    )
    assert "text 1" in assert_error(response, 422, "invalid_text")["message"]


def test_docs_page_works_offline_from_packaged_assets(client: TestClient) -> None:
    page = client.get("/docs").text
    assert "/docs-assets/swagger-ui-bundle.js" in page and "/openapi.json" in page
    assert "https://" not in page and "http://" not in page  # nothing from the internet
    script = client.get("/docs-assets/swagger-ui-bundle.js")
    assert script.status_code == 200 and len(script.content) > 100_000
    assert client.get("/docs-assets/swagger-ui.css").status_code == 200
