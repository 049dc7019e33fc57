"""Ensembles of saved models: weighted averages of calibrated probabilities, saved as bundles
(:mod:`~lstm_sentiment.ensemble.build` makes them, :mod:`~lstm_sentiment.ensemble.model` holds
and loads them)."""
