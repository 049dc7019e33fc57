"""One source of truth for a run: dataclasses loaded from TOML/JSON plus dotted overrides.

The same :class:`RunConfig` flows from the CLI (``--config`` and ``--set train.lr=3e-4``) into the
model, the trainer and the saved bundle. Unknown keys fail with the list of valid ones. The
sections live in :mod:`.data`, :mod:`.model` and :mod:`.train`, the choice lists in
:mod:`.choices`, the parsing in :mod:`.parsing`; everything is importable from here.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lstm_sentiment.config.choices import (
    ACTIVATIONS,
    AUTO,
    DEFAULT_SEED,
    DENSE_OUTPUTS,
    EMBEDDING_POOLING_CHOICES,
    ENCODING_ERRORS,
    HASHTAG_MODES,
    INITIALIZERS,
    LAYER_CONNECTIONS,
    LR_SCHEDULES,
    MIN_VOCAB_SIZE,
    MONITOR_CHOICES,
    NB_WEIGHTS,
    NBSVM_ARCHITECTURE,
    OPTIMIZERS,
    PADDING_CHOICES,
    POOLING_CHOICES,
    SUBWORD_MODELS,
    TOKENIZER_CHOICES,
    TRUNCATION_POLICIES,
    TWEET_PLACEHOLDERS,
    UNKNOWN_INIT_CHOICES,
    unknown_key,
)
from lstm_sentiment.config.data import DataConfig, TextConfig, VectorsConfig
from lstm_sentiment.config.model import ModelConfig
from lstm_sentiment.config.parsing import (
    build_dataclass,
    parse_class_weights,
    parse_value,
    read_config_file,
)
from lstm_sentiment.config.pretrain import PretrainConfig
from lstm_sentiment.config.train import NbsvmConfig, TrainConfig
from lstm_sentiment.errors import ConfigError


@dataclass
class RunConfig:
    """Everything needed to reproduce a run; written to ``config.json`` and into the bundle."""

    data: DataConfig = field(default_factory=DataConfig)
    text: TextConfig = field(default_factory=TextConfig)
    vectors: VectorsConfig = field(default_factory=VectorsConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    nbsvm: NbsvmConfig = field(default_factory=NbsvmConfig)
    pretrain: PretrainConfig = field(default_factory=PretrainConfig)

    def check_unlabelled(self) -> None:
        """Refuse settings of the semi-supervised objectives that contradict each other (checked
        when data is prepared: ``--set`` and ``--unlabelled`` may arrive in any order)."""
        data, train = self.data, self.train
        if train.entropy_weight > 0 and not data.unlabelled:
            raise ConfigError(
                "train.entropy_weight works on unlabelled texts: set data.unlabelled "
                '(e.g. ["aclImdb.tar.gz"] with data.unlabelled_split = "unsup")'
            )
        if data.source in data.unlabelled and data.unlabelled_split == data.test_split:
            raise ConfigError(
                f"data.unlabelled reads the test split ({data.test_split!r}) of the training "
                "source: a model must not learn from the texts it is tested on"
            )
        if data.unlabelled and self.model.architecture == NBSVM_ARCHITECTURE:
            raise ConfigError("data.unlabelled is for neural models; NBSVM does not use it")

    def check_nb_length_gate(self) -> None:
        """The gate scales an NB n-gram path: this run's own, or the one of the model it
        fine-tunes (checked in :func:`~lstm_sentiment.kinds.neural_init.fine_tuning_config`)."""
        if self.model.nb_length_gate and not self.model.nb_ngrams and not self.train.init_from:
            raise ConfigError(
                "model.nb_length_gate scales the NB n-gram path: set model.nb_ngrams too"
            )

    @property
    def validation_seed(self) -> int:
        """Seed of the validation split: ``data.split_seed``, else ``train.seed``."""
        return self.train.seed if self.data.split_seed is None else self.data.split_seed

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-serialisable dictionary."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> RunConfig:
        """Build from a nested dictionary; unknown sections or keys raise :class:`ConfigError`."""
        return build_dataclass(cls, raw, prefix="")

    @classmethod
    def from_file(cls, path: str | Path) -> RunConfig:
        """Load a ``.toml`` or ``.json`` config file."""
        return cls.from_dict(read_config_file(path))

    def with_overrides(self, overrides: list[str]) -> RunConfig:
        """Return a copy with ``section.key=value`` overrides applied (values parsed as JSON)."""
        raw = self.to_dict()
        for item in overrides:
            key, sep, value = item.partition("=")
            if not sep:
                raise ConfigError(f"override {item!r} must look like section.key=value")
            parts = key.strip().split(".")
            if len(parts) != 2:
                raise ConfigError(f"override key {key!r} must be section.key, e.g. train.lr")
            section, name = parts
            if section not in raw:
                raise ConfigError(unknown_key("section", section, list(raw)))
            if name not in raw[section]:
                raise ConfigError(unknown_key(f"key in [{section}]", name, list(raw[section])))
            raw[section][name] = parse_value(value.strip())
        return RunConfig.from_dict(raw)


__all__ = [
    "ACTIVATIONS",
    "AUTO",
    "DEFAULT_SEED",
    "DENSE_OUTPUTS",
    "EMBEDDING_POOLING_CHOICES",
    "ENCODING_ERRORS",
    "HASHTAG_MODES",
    "INITIALIZERS",
    "LAYER_CONNECTIONS",
    "LR_SCHEDULES",
    "MIN_VOCAB_SIZE",
    "MONITOR_CHOICES",
    "NBSVM_ARCHITECTURE",
    "NB_WEIGHTS",
    "OPTIMIZERS",
    "PADDING_CHOICES",
    "POOLING_CHOICES",
    "SUBWORD_MODELS",
    "TOKENIZER_CHOICES",
    "TRUNCATION_POLICIES",
    "TWEET_PLACEHOLDERS",
    "UNKNOWN_INIT_CHOICES",
    "DataConfig",
    "ModelConfig",
    "NbsvmConfig",
    "PretrainConfig",
    "RunConfig",
    "TextConfig",
    "TrainConfig",
    "VectorsConfig",
    "parse_class_weights",
    "parse_value",
    "read_config_file",
]
