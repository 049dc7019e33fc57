"""``serve --runtime/--precision/--threads``: each served model loads on the runtime asked for."""

from __future__ import annotations

import pytest

from lstm_sentiment.errors import ConfigError
from lstm_sentiment.predict import default_model_path
from lstm_sentiment.service.models import ModelSpec, load_served
from lstm_sentiment.service.settings import Settings


@pytest.mark.parametrize(
    ("runtime", "precision", "expected"),
    [("torch", None, "torch"), ("onnx", "fp32", "onnx"), ("auto", None, "onnx")],
)
def test_served_model_runs_on_the_runtime_asked_for(
    runtime: str, precision: str | None, expected: str
) -> None:
    settings = Settings(runtime=runtime, precision=precision, threads=1)
    served = load_served(ModelSpec("default", default_model_path()), settings)
    assert served.model.runtime == expected
    if precision is not None:
        assert served.model.scorer.precision == precision
        assert served.model.scorer.threads == 1


def test_threads_below_one_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="--threads must be at least 1"):
        Settings(threads=0)


def test_serve_settings_freeze_the_collector_after_loading() -> None:
    import gc

    from fastapi.testclient import TestClient

    from lstm_sentiment.service.app import create_app

    before = gc.get_freeze_count()
    app = create_app([ModelSpec("default", default_model_path())], Settings(freeze_gc=True))
    try:
        with TestClient(app) as client:
            assert client.get("/readyz").status_code == 200
            assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()
