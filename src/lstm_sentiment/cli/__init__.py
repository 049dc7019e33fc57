"""The ``lstm-sentiment`` command line: thin commands over library functions, one module per
command group (:mod:`.train`, :mod:`.evaluate`, :mod:`.predict`, :mod:`.vectors`, :mod:`.tune`,
:mod:`.ensemble`, :mod:`.serve`) and the options they share (:mod:`.options`)."""

from lstm_sentiment.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
