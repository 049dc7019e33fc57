"""A real server (uvicorn on a socket) over the shipped model, with the real ``explain`` when
``SentimentModel`` has one and :func:`service_support.fake_explain` otherwise (browser test).

    python tests/service_stub_server.py PORT
"""

from __future__ import annotations

import sys
from pathlib import Path

import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lstm_sentiment.predict import SentimentModel
from lstm_sentiment.service.app import create_app
from lstm_sentiment.service.models import ModelSpec
from lstm_sentiment.shipped import DEFAULT_MODEL, default_model_path
from service_support import WithFakeExplain


def main() -> None:
    port = int(sys.argv[1])
    model = SentimentModel.load()
    served = model if callable(getattr(model, "explain", None)) else WithFakeExplain(model)
    app = create_app([ModelSpec(DEFAULT_MODEL, default_model_path(), served)])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
