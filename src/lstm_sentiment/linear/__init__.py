"""Linear models on n-gram features: NBSVM (Wang & Manning 2012)."""

from __future__ import annotations

from lstm_sentiment.linear.nbsvm import NbsvmModel, load_nbsvm, save_nbsvm

__all__ = ["NbsvmModel", "load_nbsvm", "save_nbsvm"]
