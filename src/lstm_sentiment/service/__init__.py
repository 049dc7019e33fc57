"""The HTTP service behind ``lstm-sentiment serve``.

A FastAPI app (:mod:`.app`) over :class:`~lstm_sentiment.predict.SentimentModel`, with a
micro-batcher (:mod:`.batcher`), request limits and guards (:mod:`.limits`), JSON errors
(:mod:`.errors`), Prometheus metrics (:mod:`.metrics`), the served models (:mod:`.models`), the
versioned JSON schemas (:mod:`.schemas`), settings (:mod:`.settings`) and the web page's assets
(``static/``).

Importing the service never imports the training loop, and this package's ``__init__`` imports
nothing, so the command line reads the settings' defaults cheaply. Everything an app uses is
held by the app :func:`~lstm_sentiment.service.app.create_app` builds (no module-level state).
"""
