"""``/v1/predict``'s fast path answers exactly as the FastAPI route does: the same bodies, the
same statuses and error messages, the same metrics and access log."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from lstm_sentiment.predict import SentimentModel, default_model_path
from lstm_sentiment.service import predict_path
from lstm_sentiment.service.app import create_app
from lstm_sentiment.service.models import ModelSpec
from lstm_sentiment.service.predict_path import PredictFastPath
from lstm_sentiment.service.settings import Settings

JSON = {"Content-Type": "application/json"}
JSON_UTF8 = {"Content-Type": "application/json; charset=utf-8"}
REQUESTS: list[tuple[str, dict[str, str]]] = [
    ('{"texts": ["A moving film.", "Dull and long."]}', JSON),
    ('{"texts": ["A moving film."], "min_confidence": 0.999}', JSON),
    ('{"texts": ["fine"], "model": "default"}', JSON_UTF8),
    ('{"texts": ["fine"], "model": "nope"}', JSON),  # 404
    ('{"texts": []}', JSON),  # 422 from validation
    ('{"texts": ["  "]}', JSON),  # 422 empty text
    ('{"texts": ["a", "b", "c"]}', JSON),  # 413 over max_texts
    ('{"texts": ["' + "x" * 50 + '"]}', JSON),  # 413 text too long
    ('{"texts": ["a"], "extra": 1}', JSON),  # 422 extra field
    ('{"texts": ["a"], "min_confidence": 2}', JSON),  # 422 out of range
    ('{"texts": [1, 2]}', JSON),  # 422 not strings
    ("{not json", JSON),  # 422 invalid JSON
    ('{"texts": ["A moving film."]}', {"Content-Type": "text/plain"}),  # route decides
    ('{"texts": ["A moving film."]}', {}),  # no content type: route decides
]
SETTINGS = {"max_texts": 2, "max_text_chars": 40}


@pytest.fixture(scope="module")
def shipped() -> SentimentModel:
    return SentimentModel.load(precision="fp32")  # int8 quantises activations per batch


def client_for(shipped: SentimentModel, fast_path: bool) -> TestClient:
    spec = ModelSpec("default", default_model_path(), shipped)
    return TestClient(create_app([spec], Settings(fast_path=fast_path, **SETTINGS)))


@pytest.fixture(scope="module")
def clients(shipped: SentimentModel) -> Iterator[tuple[TestClient, TestClient]]:
    with client_for(shipped, True) as fast, client_for(shipped, False) as route:
        yield fast, route


def answer(client: TestClient, body: str, headers: dict[str, str]) -> tuple[int, Any]:
    response = client.post("/v1/predict", content=body.encode("utf-8"), headers=headers)
    assert "Traceback" not in response.text
    return response.status_code, response.json()


@pytest.mark.parametrize(("body", "headers"), REQUESTS)
def test_fast_path_answers_as_the_route_does(
    clients: tuple[TestClient, TestClient], body: str, headers: dict[str, str]
) -> None:
    fast, route = clients
    fast_status, fast_json = answer(fast, body, headers)
    route_status, route_json = answer(route, body, headers)
    assert fast_status == route_status
    if fast_status == 200:
        for got, want in zip(fast_json["predictions"], route_json["predictions"], strict=True):
            assert got["label"] == want["label"] and got["reason"] == want["reason"]
            for label, p in want["probabilities"].items():
                assert got["probabilities"][label] == pytest.approx(p, abs=1e-6)
    else:
        assert fast_json == route_json


def test_the_fast_path_is_taken_only_when_on(
    shipped: SentimentModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[bytes] = []
    original = predict_path.PredictRequest.model_validate_json

    def spy(data: Any, *args: Any, **kwargs: Any) -> Any:
        parsed.append(data)
        return original(data, *args, **kwargs)

    monkeypatch.setattr(predict_path.PredictRequest, "model_validate_json", spy)
    for fast_path, expected in ((True, 1), (False, 0)):
        parsed.clear()
        with client_for(shipped, fast_path) as client:
            assert client.post("/v1/predict", json={"texts": ["good"]}).status_code == 200
            middleware = [m.cls for m in client.app.user_middleware]  # type: ignore[attr-defined]
        assert len(parsed) == expected
        assert (PredictFastPath in middleware) is fast_path


def test_fast_path_requests_are_counted_logged_and_guarded(shipped: SentimentModel) -> None:
    spec = ModelSpec("default", default_model_path(), shipped)
    settings = Settings(api_keys=("k1",))
    with TestClient(create_app([spec], settings)) as client:
        refused = client.post("/v1/predict", json={"texts": ["good"]})
        assert refused.status_code == 401  # the guard runs before the fast path
        key = {"X-API-Key": "k1"}
        ok = client.post("/v1/predict", json={"texts": ["good", "bad"]}, headers=key)
        assert ok.status_code == 200 and len(ok.json()["predictions"]) == 2
        metrics = client.get("/metrics", headers=key).text
    assert 'lstm_sentiment_requests_total{endpoint="/v1/predict",status="200"} 1.0' in metrics
    assert 'lstm_sentiment_texts_scored_total{endpoint="predict",model="default"} 2.0' in metrics
