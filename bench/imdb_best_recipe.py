"""The recipe of ``imdb_best.py``: its configs, seeds, settings and models (members).

Each member is a committed config plus overrides; :func:`cli` is how every step runs
``lstm-sentiment``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import benchlib

NAME = "imdb_best"
BEST_CONFIG = benchlib.ROOT / "configs" / "imdb_best.toml"
SHIP_CONFIG = benchlib.ROOT / "configs" / "imdb_ship.toml"
SINGLE_CONFIG = benchlib.ROOT / "configs" / "imdb_single.toml"
NBSVM_CONFIG = benchlib.ROOT / "configs" / "imdb_nbsvm.toml"
THREADS = 2
SPLIT_SEED = 13
"""Every member carves the same validation split, so the ensemble can fit weights on it."""
W2V_DIM = 100
W2V_EPOCHS = 5
ENSEMBLE_WEIGHTS = "equal"
"""How ensembles weigh their members. Validation is a random 10% of train and shares movies with
the training part (IMDB test does not): weights fitted on it favour the members that memorise
names and titles, so the ensembles average; the fitted ensemble is measured for comparison."""
LABEL_MAP = "neg=negative,pos=positive"
SHORT_TEXT_SEED = 0


@dataclass(frozen=True)
class Member:
    """One model of the recipe: a committed config plus overrides."""

    name: str
    description: str
    config: Path = BEST_CONFIG
    overrides: list[str] = field(default_factory=list)
    self_trained: bool = False
    """Whether it also trains on the unsup reviews the labeller ensemble labelled."""


SUPERVISED = Member(
    "bigru",
    "BiGRU + NB path on train: configs/imdb_best.toml with a GRU encoder, seed 14",
    overrides=["model.architecture=gru", "train.seed=14"],
)
SHIP = Member(
    "ship",
    "shipped student, BiLSTM 80 units, on train + unsup labels, random crops: "
    "configs/imdb_ship.toml",
    SHIP_CONFIG,
    self_trained=True,
)
SINGLE = Member(
    "single",
    "single model, BiLSTM 128 units, on train + unsup labels, random crops: "
    "configs/imdb_single.toml",
    SINGLE_CONFIG,
    self_trained=True,
)
PSEUDO_MIN_CONFIDENCE = 0.8
"""Unlabelled reviews the labelling ensemble is less sure of stay unlabelled (left out)."""
SHIPPED = SHIP.name


def cli(*arguments: str) -> list[str]:
    """A ``lstm-sentiment`` command run by this interpreter."""
    return [sys.executable, "-m", "lstm_sentiment", "-q", *arguments]
