"""The pretrained language model on disk, and a classifier initialised from it.

A folder like a model bundle (``config.json`` with ``kind = "pretrained"``, a manifest of
checksums, ``model.safetensors``, ``vocab.json``, the tokenizer's own files, ``metrics.json``
and a card), written atomically. ``model.encoder_init`` names it (or the run folder holding it
as ``model/``); the classifier then uses its tokenizer and vocabulary, and takes its embedding
and first recurrent layer.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from lstm_sentiment.bundle import CONFIG_FILE, read_header, read_json
from lstm_sentiment.config import RunConfig
from lstm_sentiment.errors import BundleError, ConfigError, LstmSentimentError
from lstm_sentiment.kinds import KIND_PRETRAINED
from lstm_sentiment.kinds.neural_files import VOCAB_FILE, WEIGHTS_FILE
from lstm_sentiment.models.registry import RECURRENT_ARCHITECTURES
from lstm_sentiment.text.tokenize import Tokenizer, tokenizer_from_dict
from lstm_sentiment.text.vocab import Vocabulary

if TYPE_CHECKING:
    from torch import nn

TEXT_SETTINGS_THAT_MUST_MATCH = (
    "tokenizer",
    "lowercase",
    "keep_punctuation",
    "word_emoji",
    "word_max_repeat",
    "tweet_hashtags",
    "tweet_placeholders",
    "tweet_max_repeat",
    "subword_model",
    "subword_vocab_size",
)
"""How text becomes tokens: the classifier must read text as its language model did."""
OBJECTIVE_LANGUAGE_MODEL = "language_model"
OBJECTIVE_REGION = "region"
OBJECTIVE_LSTM_REGION = "lstm_region"
"""``pretrain.objective`` values, recorded in the folder's header."""
CELLS = {"lstm": "lstm", "gru": "gru"}
"""Architectures whose first layer a language model can initialise, and their cell."""


def artefact_dir(path: str | Path) -> Path:
    """The pretrained model's folder: ``path`` itself, or its ``model/`` (a pretrain run)."""
    folder = Path(path).expanduser()
    if not (folder / CONFIG_FILE).is_file() and (folder / "model" / CONFIG_FILE).is_file():
        return folder / "model"
    return folder


def objective_of(header: dict[str, Any]) -> str:
    """What a pretrained folder learned (folders older than the field are language models)."""
    return str(header.get("objective", OBJECTIVE_LANGUAGE_MODEL))


def read_artefact_header(path: str | Path, setting: str) -> tuple[Path, dict[str, Any]]:
    """The header of the folder ``setting`` names (errors say which setting)."""
    folder = artefact_dir(path)
    try:
        return folder, read_header(folder)
    except BundleError as exc:
        raise ConfigError(f"{setting}: {exc}") from None


def read_pretrained_header(path: str | Path) -> tuple[Path, dict[str, Any]]:
    """The checked header of a pretrained model folder."""
    folder, header = read_artefact_header(path, "model.encoder_init")
    if header.get("kind") != KIND_PRETRAINED:
        raise ConfigError(
            f"model.encoder_init {path} is a {header.get('kind', 'neural')} model, not a "
            "pretrained language model: make one with lstm-sentiment pretrain"
        )
    if objective_of(header) != OBJECTIVE_LANGUAGE_MODEL:
        lstm = objective_of(header) == OBJECTIVE_LSTM_REGION
        setting = "lstm_region_init" if lstm else "region_init"
        raise ConfigError(
            f"model.encoder_init {path} holds {objective_of(header).replace('_', ' ')} "
            f"embeddings, not a language model: give it as model.{setting} instead"
        )
    return folder, header


def check_compatible(config: RunConfig, pretrained: RunConfig, where: str) -> None:
    """Refuse a classifier configuration that reads text or is sized unlike the language model."""
    differing = [
        f"text.{name} ({getattr(config.text, name)!r} here, {getattr(pretrained.text, name)!r} "
        "there)"
        for name in TEXT_SETTINGS_THAT_MUST_MATCH
        if getattr(config.text, name) != getattr(pretrained.text, name)
    ]
    model, lm = config.model, pretrained.model
    if model.architecture not in CELLS:
        differing.append(
            f"model.architecture {model.architecture!r} (an LM initialises "
            f"{' or '.join(CELLS)}; {', '.join(RECURRENT_ARCHITECTURES)} are recurrent)"
        )
    elif CELLS[model.architecture] != CELLS.get(lm.architecture):
        differing.append(
            f"model.architecture ({model.architecture!r} here, {lm.architecture!r} there)"
        )
    first_layer = (model.hidden_sizes or [model.hidden_size])[0]
    if first_layer != lm.hidden_size or model.bidirectional != lm.bidirectional:
        differing.append(
            f"first recurrent layer ({first_layer} units, bidirectional {model.bidirectional} "
            f"here; {lm.hidden_size}, {lm.bidirectional} there)"
        )
    if model.lexicon != "none":
        differing.append("model.lexicon (its features would change the encoder's input)")
    if differing:
        raise ConfigError(
            f"model.encoder_init {where} does not fit this configuration: "
            + "; ".join(differing)
            + ": use the settings it was pretrained with"
        )


def read_pretrained_text(config: RunConfig) -> tuple[Tokenizer, Vocabulary]:
    """The tokenizer and vocabulary of ``model.encoder_init``, after checking that it fits
    ``config``."""
    folder, header = read_pretrained_header(config.model.encoder_init)
    try:
        pretrained = RunConfig.from_dict(header["config"])
        check_compatible(config, pretrained, str(config.model.encoder_init))
        vocab = Vocabulary.from_dict(read_json(folder / VOCAB_FILE))
        tokenizer = tokenizer_from_dict(header["tokenizer"], folder)
    except ConfigError:
        raise
    except (KeyError, TypeError, ValueError, LstmSentimentError) as exc:
        raise ConfigError(f"model.encoder_init {folder} is invalid ({exc})") from None
    return tokenizer, vocab


def pretrained_embedding_dim(path: str | Path) -> int:
    """The embedding size of the language model at ``path``."""
    folder, header = read_pretrained_header(path)
    try:
        return int(header["embedding_dim"])
    except (KeyError, TypeError, ValueError):
        raise ConfigError(f"model.encoder_init {folder} is invalid (no embedding_dim)") from None


def initialise_from_pretrained(model: nn.Module, path: str | Path) -> list[str]:
    """Copy the language model's embedding and first recurrent layer into ``model``; return
    the names of the parameters set."""
    from safetensors.torch import load_file

    folder, _ = read_pretrained_header(path)
    weights = load_file(str(folder / WEIGHTS_FILE))
    own = model.state_dict()
    taken = {name: tensor for name, tensor in weights.items() if name in own}
    wrong = [n for n, t in taken.items() if t.shape != own[n].shape]
    if not taken or wrong:
        raise ConfigError(
            f"model.encoder_init {folder}: its weights do not fit this network "
            f"({', '.join(wrong) or 'no shared parameter'}): use the sizes it was pretrained with"
        )
    model.load_state_dict(taken, strict=False)
    return sorted(taken)
