"""Region embeddings on disk (a ``pretrain`` folder with ``objective = "region"``) and the
classifier settings and table taken from them (``model.region_init``: one folder or several,
side by side).

The classifier keeps its own tokenizer and vocabulary: each of its words takes the region
model's row for the same word (zeros for a word the region model never saw), so the region
embedding adds to any vectors and vocabulary instead of replacing them. The text settings must
match, or the same word would not be the same token.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from lstm_sentiment.bundle import read_json
from lstm_sentiment.config import RunConfig
from lstm_sentiment.errors import ConfigError, LstmSentimentError
from lstm_sentiment.kinds import KIND_PRETRAINED
from lstm_sentiment.kinds.neural_files import VOCAB_FILE, WEIGHTS_FILE
from lstm_sentiment.pretraining.artefact import (
    OBJECTIVE_REGION,
    TEXT_SETTINGS_THAT_MUST_MATCH,
    objective_of,
    read_artefact_header,
)
from lstm_sentiment.text.vocab import Vocabulary

SETTING = "model.region_init"


def read_region_header(path: str | Path) -> tuple[Path, dict[str, Any]]:
    """The checked header of a region-embedding folder."""
    return read_objective_header(path, SETTING, OBJECTIVE_REGION, "region embeddings")


def read_objective_header(
    path: str | Path, setting: str, objective: str, what: str
) -> tuple[Path, dict[str, Any]]:
    """The header of the pretrained folder ``setting`` names, refused unless it holds
    ``objective`` (``what`` names it in the message)."""
    folder, header = read_artefact_header(path, setting)
    if header.get("kind") != KIND_PRETRAINED or objective_of(header) != objective:
        held = objective_of(header) if header.get("kind") == KIND_PRETRAINED else "classifier"
        raise ConfigError(
            f"{setting} {path} holds a {held.replace('_', ' ')}, not {what}: make them with "
            f"lstm-sentiment pretrain --set pretrain.objective={objective}"
        )
    return folder, header


def region_config(config: RunConfig) -> RunConfig:
    """``config`` with the region size and width of each ``model.region_init`` folder (each
    checked to read text as this configuration does)."""
    dims, sizes = [], []
    for path in config.model.region_init:
        dim, size = _region_shape(path, config)
        dims.append(dim)
        sizes.append(size)
    model = dataclasses.replace(config.model, region_dim=dims, region_size=sizes)
    return dataclasses.replace(config, model=model)


def _region_shape(path: str | Path, config: RunConfig) -> tuple[int, int]:
    folder, header = read_region_header(path)
    try:
        saved = RunConfig.from_dict(header["config"])
        dim, size = int(header["region_dim"]), int(header["region_size"])
    except (KeyError, TypeError, ValueError, LstmSentimentError) as exc:
        raise ConfigError(f"{SETTING} {folder} is invalid ({exc})") from None
    differing = differing_text_settings(config, saved)
    if differing:
        raise ConfigError(
            f"{SETTING} {folder} read text differently: {'; '.join(differing)}: use the text "
            "settings it was pretrained with"
        )
    return dim, size


def differing_text_settings(config: RunConfig, saved: RunConfig) -> list[str]:
    """The text settings of ``config`` that differ from the pretrained folder's ``saved``."""
    return [
        f"text.{name} ({getattr(config.text, name)!r} here, {getattr(saved.text, name)!r} there)"
        for name in TEXT_SETTINGS_THAT_MUST_MATCH
        if getattr(config.text, name) != getattr(saved.text, name)
    ]


def region_table(
    paths: Sequence[str | Path], tokens: list[str], pad_id: int
) -> tuple[np.ndarray, np.ndarray]:
    """The region table for a classifier vocabulary ``tokens`` (row ``i`` for ``tokens[i]``;
    zeros for padding and for words a region model lacks) and the bias: each folder's columns
    in the order of ``paths``."""
    tables, biases = zip(*(_one_table(path, tokens, pad_id) for path in paths), strict=True)
    return np.concatenate(tables, axis=1), np.concatenate(biases)


def _one_table(path: str | Path, tokens: list[str], pad_id: int) -> tuple[np.ndarray, np.ndarray]:
    from safetensors.numpy import load_file

    folder, _ = read_region_header(path)
    try:
        weights = load_file(str(folder / WEIGHTS_FILE))
        table, bias = weights["region.table"], weights["region.bias"]
        own = Vocabulary.from_dict(read_json(folder / VOCAB_FILE))
    except (KeyError, OSError, ValueError, LstmSentimentError) as exc:
        raise ConfigError(f"{SETTING} {folder} is invalid ({exc})") from None
    if table.shape[0] != len(own):
        raise ConfigError(f"{SETTING} {folder} is invalid (table rows != vocabulary)")
    mapped = follow_vocabulary(table, own.tokens, tokens, pad_id)
    return mapped, np.asarray(bias, dtype=np.float32)


def follow_vocabulary(
    table: np.ndarray, own_tokens: list[str], tokens: list[str], pad_id: int
) -> np.ndarray:
    """``table`` (one row per word of ``own_tokens``) re-ordered to ``tokens``: zeros for
    padding and for the words it lacks."""
    index = {token: row for row, token in enumerate(own_tokens)}
    rows = np.array([index.get(token, -1) for token in tokens])
    rows[pad_id] = -1
    mapped = np.zeros((len(tokens), table.shape[1]), dtype=np.float32)
    found = rows >= 0
    mapped[found] = table[rows[found]]
    return mapped
