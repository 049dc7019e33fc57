"""Every choice list and shared default of the configuration, defined once."""

from __future__ import annotations

from lstm_sentiment.errors import ConfigError

TRUNCATION_POLICIES = ("head", "tail", "head+tail")
TOKENIZER_CHOICES = ("word", "tweet", "subword")
"""Names in ``text.tokenize.TOKENIZERS``; kept here so configs fail early on a typo."""
POOLING_CHOICES = ("last", "mean", "max", "attention")
LAYER_CONNECTIONS = ("none", "residual", "highway")
NB_WEIGHTS = ("per_feature", "shared")
ACTIVATIONS = ("relu", "tanh", "sigmoid", "softplus", "softsign", "hard_sigmoid", "linear", "gelu")
INITIALIZERS = (
    "default",
    "uniform",
    "lecun_uniform",
    "normal",
    "zeros",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "orthogonal",
)
OPTIMIZERS = ("sgd", "rmsprop", "adagrad", "adadelta", "adam", "adamw", "adamax", "nadam")
RETAIN_CORRECT = "correct"
RETAIN_EXAMPLES = ("all", RETAIN_CORRECT)
SUBWORD_MODELS = ("unigram", "bpe")
TYPO_DISTANCES = (0, 1)
"""``text.typo_distance``: off, or one edit."""
UNKNOWN_INIT_CHOICES = ("random", "mean", "zeros")
LR_SCHEDULES = ("constant", "linear", "cosine", "one_cycle", "reduce_on_plateau")
MIN_VOCAB_SIZE = 3
"""Padding, unknown and at least one real word."""
AUTO = 0
"""``text.max_length``, ``text.max_vocab_size`` and ``train.batch_size`` set to this are
derived from the training data (see ``text.auto``)."""
ENCODING_ERRORS = ("replace", "strict")
HASHTAG_MODES = ("split", "keep", "strip")
TWEET_PLACEHOLDERS = ("user", "url", "number")
NBSVM_ARCHITECTURE = "nbsvm"
"""``model.architecture`` of the linear NBSVM model (the NBSVM kind, not torch)."""
DEFAULT_SEED = 13
"""Seed of weights, splits and sampling unless a config says otherwise."""
PADDING_CHOICES = ("bucket", "fixed")
EMBEDDING_POOLING_CHOICES = ("mean", "max")
DENSE_OUTPUTS = ("softmax", "sigmoid")
LEXICONS = ("none", "vader")
"""Word lexicons a model can read as per-token features (``model.lexicon``)."""
MONITOR_CHOICES = ("accuracy", "macro_f1", "loss")


def split_list(value: list[str] | str) -> list[str]:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return list(value)


def check_choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}; got {value!r}")


def unknown_key(what: str, name: str, valid: list[str]) -> str:
    return f"unknown config {what} {name!r}; valid: {', '.join(valid)}"
