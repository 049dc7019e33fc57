"""LSTM region embeddings on disk (a ``pretrain`` folder with ``objective = "lstm_region"``) and
what a classifier takes from them (``model.lstm_region_init``).

As with bag-of-words regions, the classifier keeps its own tokenizer and vocabulary: each of
its words takes the pretrained table's row for the same word (zeros for a word the pretraining
never saw); the text settings must match, or the same word would not be the same token.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np

from lstm_sentiment.bundle import read_json
from lstm_sentiment.config import RunConfig
from lstm_sentiment.errors import ConfigError, LstmSentimentError
from lstm_sentiment.kinds.neural_files import VOCAB_FILE, WEIGHTS_FILE
from lstm_sentiment.pretraining.artefact import OBJECTIVE_LSTM_REGION
from lstm_sentiment.pretraining.lstm_region_model import PREFIX, TRANSFERRED
from lstm_sentiment.pretraining.region_artefact import (
    differing_text_settings,
    follow_vocabulary,
    read_objective_header,
)
from lstm_sentiment.text.vocab import Vocabulary

SETTING = "model.lstm_region_init"


def read_lstm_region_header(path: str | Path) -> tuple[Path, dict[str, Any]]:
    """The checked header of an LSTM region folder."""
    return read_objective_header(path, SETTING, OBJECTIVE_LSTM_REGION, "LSTM region embeddings")


def lstm_region_config(config: RunConfig) -> RunConfig:
    """``config`` with the units of its ``model.lstm_region_init`` folder (checked to read text
    as this configuration does)."""
    folder, header = read_lstm_region_header(config.model.lstm_region_init)
    try:
        saved = RunConfig.from_dict(header["config"])
        units = int(header["region_dim"])
    except (KeyError, TypeError, ValueError, LstmSentimentError) as exc:
        raise ConfigError(f"{SETTING} {folder} is invalid ({exc})") from None
    if differing := differing_text_settings(config, saved):
        raise ConfigError(
            f"{SETTING} {folder} read text differently: {'; '.join(differing)}: use the text "
            "settings it was pretrained with"
        )
    model = dataclasses.replace(config.model, lstm_region_dim=units)
    return dataclasses.replace(config, model=model)


def lstm_region_tensors(path: str | Path, tokens: list[str], pad_id: int) -> dict[str, Any]:
    """The tensors for :meth:`LstmRegionFeatures.set_weights` (names without the prefix), the
    table's rows following the classifier's vocabulary ``tokens``."""
    import torch
    from safetensors.numpy import load_file

    folder, _ = read_lstm_region_header(path)
    try:
        weights = load_file(str(folder / WEIGHTS_FILE))
        tensors = {name[len(PREFIX) + 1 :]: weights[name] for name in TRANSFERRED}
        own = Vocabulary.from_dict(read_json(folder / VOCAB_FILE))
    except (KeyError, OSError, ValueError, LstmSentimentError) as exc:
        raise ConfigError(f"{SETTING} {folder} is invalid ({exc})") from None
    table = tensors["table"]
    if table.shape[0] != len(own):
        raise ConfigError(f"{SETTING} {folder} is invalid (table rows != vocabulary)")
    mapped = follow_vocabulary(table, own.tokens, tokens, pad_id)
    tensors["table"] = mapped
    return {
        name: torch.from_numpy(np.asarray(value, dtype=np.float32))
        for name, value in tensors.items()
    }
