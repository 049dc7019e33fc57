"""One source of truth for a run: dataclasses loaded from TOML/JSON plus dotted overrides.

The same :class:`RunConfig` flows from the CLI (``--config`` and ``--set train.lr=3e-4``) into the
model, the trainer and the saved bundle. Unknown keys fail with the list of valid ones.
"""

from __future__ import annotations

import dataclasses
import json
import math
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_type_hints

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
SUBWORD_MODELS = ("unigram", "bpe")
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


@dataclass
class DataConfig:
    """Where the examples come from and how the validation split is carved."""

    source: str = ""
    """A path (folder, .tar.gz, .csv, .tsv, .jsonl) or a known dataset name such as ``imdb``."""
    train_split: str = "train"
    test_split: str = "test"
    """Evaluated once after training when the source has it (folders, tarballs, known datasets)."""
    validation_fraction: float = 0.1
    split_seed: int | None = None
    """Seed of the validation split; unset = ``train.seed``. Fix it to train several seeds on
    one split (a seed ensemble can then fit its weights on the validation split they share)."""
    group_validation: bool = False
    """Carve validation from whole groups (aclImdb: movies, read from ``urls_<label>.txt``), so
    that no movie has reviews on both sides, as IMDB's train and test share no movie. A split
    sharing movies with training rewards memorised names and titles: its accuracy runs above
    test and chooses epochs, models and ensemble weights badly."""
    group_column: str | None = None
    """CSV/JSONL column naming each row's group (a user, a customer, a product) for
    ``group_validation``; rows with an empty group are refused then."""
    text_column: str | None = None
    label_column: str | None = None
    encoding: str = "utf-8"
    encoding_errors: str = "replace"
    """Bytes invalid in ``encoding``: ``replace`` them with U+FFFD (counted and reported) or
    stop with their position (``strict``)."""
    delimiter: str | None = None
    """Field separator of a CSV/TSV file (sniffed when unset)."""
    label_map: dict[str, str] = field(default_factory=dict)
    confidence_column: str | None = None
    """Per-row confidence (e.g. annotator agreement); ``<label>_confidence`` when unset."""
    min_confidence: float = 0.0
    """Drop rows whose confidence is below this (0 = keep every row)."""
    drop_duplicates: bool = False
    """Drop training rows repeating an earlier row's text and label. Off by default: repeated
    texts (retweets, copied posts) tend to recur in the texts a model is used on, and the
    repetition weighs them; the repeats are counted in the data report either way."""
    limit: int = 0
    """Use a seeded random sample of N training examples (0 = all); for quick experiments."""
    extra_train: list[str] = field(default_factory=list)
    """More labelled sources (CSV/TSV/JSONL files, folders) added to the training part only,
    after the validation split is carved from ``source``: e.g. unlabelled texts labelled by a
    teacher model (self-training, distillation). Their labels must be the model's labels
    (``label_map`` is not applied to them)."""

    def __post_init__(self) -> None:
        if not 0.0 <= self.validation_fraction < 1.0:
            raise ConfigError(
                f"data.validation_fraction must be in [0, 1), got {self.validation_fraction}"
            )
        _check_choice("data.encoding_errors", self.encoding_errors, ENCODING_ERRORS)
        if not 0.0 <= self.min_confidence <= 1.0:
            raise ConfigError(f"data.min_confidence must be in [0, 1], got {self.min_confidence}")
        if self.group_column and not self.group_validation:
            raise ConfigError(
                f"data.group_column = {self.group_column!r} needs data.group_validation = true "
                "(the groups only decide the validation split)"
            )


@dataclass
class TextConfig:
    """Cleaning, tokenization, vocabulary and encoding; saved with the model."""

    tokenizer: str = "word"
    lowercase: bool = True
    keep_punctuation: str = "!?"
    """Punctuation characters kept as tokens; all other punctuation is dropped."""
    min_freq: int = 2
    max_vocab_size: int = AUTO
    """Largest vocabulary including padding and unknown; 0 = derived from the training data
    (the most frequent words covering ``text.auto``'s share of the training tokens)."""
    max_length: int = AUTO
    """Tokens kept per text; 0 = derived from the training data (95th length percentile)."""
    truncation: str = "head+tail"
    padding: str = "bucket"
    """``bucket``: length-bucketed batches padded to their longest text; ``fixed``: every
    training batch padded to ``max_length``."""
    tweet_hashtags: str = "split"
    """``tweet`` tokenizer: ``split`` (``#MakeAmericaGreat`` → ``<hashtag> make america
    great``), ``keep`` (one token ``#makeamericagreat``) or ``strip`` (``makeamericagreat``)."""
    tweet_placeholders: list[str] = field(default_factory=lambda: list(TWEET_PLACEHOLDERS))
    """``tweet`` tokenizer: which of ``user``, ``url``, ``number`` become ``<user>``,
    ``<url>``, ``<number>``; mentions and numbers not listed stay as they are, URLs are
    dropped."""
    tweet_max_repeat: int = 2
    """``tweet`` tokenizer: letters repeated more often are cut to this (``soooo`` → ``soo``);
    0 keeps elongations."""
    subword_model: str = "unigram"
    """``subword`` tokenizer: SentencePiece ``unigram`` or ``bpe``, learned from the training
    texts and saved in the bundle."""
    subword_vocab_size: int = 8000
    """``subword`` tokenizer: pieces to learn (fewer on a corpus too small for them)."""

    def __post_init__(self) -> None:
        _check_choice("text.truncation", self.truncation, TRUNCATION_POLICIES)
        _check_choice("text.tokenizer", self.tokenizer, TOKENIZER_CHOICES)
        _check_choice("text.padding", self.padding, ("bucket", "fixed"))
        _check_choice("text.tweet_hashtags", self.tweet_hashtags, HASHTAG_MODES)
        self.tweet_placeholders = _split_list(self.tweet_placeholders)
        for name in self.tweet_placeholders:
            _check_choice("text.tweet_placeholders", name, TWEET_PLACEHOLDERS)
        if self.max_length < 0:
            raise ConfigError(f"text.max_length must be >= 1 or 0 (auto), got {self.max_length}")
        if self.min_freq < 1:
            raise ConfigError(f"text.min_freq must be >= 1, got {self.min_freq}")
        if self.max_vocab_size != AUTO and self.max_vocab_size < MIN_VOCAB_SIZE:
            raise ConfigError(
                f"text.max_vocab_size must be 0 (auto) or >= {MIN_VOCAB_SIZE}, "
                f"got {self.max_vocab_size}"
            )
        if self.tweet_max_repeat < 0:
            raise ConfigError(f"text.tweet_max_repeat must be >= 0, got {self.tweet_max_repeat}")
        _check_choice("text.subword_model", self.subword_model, SUBWORD_MODELS)
        if self.subword_vocab_size < MIN_VOCAB_SIZE:
            raise ConfigError(
                f"text.subword_vocab_size must be >= {MIN_VOCAB_SIZE}, "
                f"got {self.subword_vocab_size}"
            )


@dataclass
class VectorsConfig:
    """Pretrained word vectors for the embedding layer."""

    source: str = "glove-6b-50d"
    """``glove-6b-50d`` (embedded), a GloVe/word2vec file, or ``none`` for random init."""
    embedding_dim: int = 50
    """Only used when ``source`` is ``none``; otherwise the vectors' dimension is used."""
    freeze: bool = False
    freeze_epochs: int = 0
    """Keep the pretrained embeddings fixed for the first N epochs, then fine-tune them."""
    unknown_init: str = "random"
    extra_words: int = 20000
    """Also give ids to up to N pretrained words the training vocabulary lacks (the vectors' most
    frequent first, rare training words included), so that words unseen in training still carry
    their pretrained meaning at prediction time; 0 = only the training vocabulary."""

    def __post_init__(self) -> None:
        _check_choice("vectors.unknown_init", self.unknown_init, UNKNOWN_INIT_CHOICES)
        if self.freeze_epochs < 0 or self.extra_words < 0:
            raise ConfigError("vectors.freeze_epochs and vectors.extra_words must be >= 0")


@dataclass
class ModelConfig:
    """Embedding → encoder → pooling → dropout → [dense] → linear head → logits.

    ``architecture`` names the encoder (see ``models.registry.ARCHITECTURES``); the other
    fields apply where they make sense (``hidden_size`` to recurrent encoders, ``conv_*`` to
    convolutional ones) and are all saved with the model.
    """

    architecture: str = "lstm"
    """A registered architecture name: ``lstm``, ``gru``, ``cnn``, ``cnn_lstm``, ``cnn_gru``,
    ``embedding_pool``; or ``nbsvm``, the linear NB-weighted n-gram model set by ``[nbsvm]``."""
    hidden_size: int = 128
    num_layers: int = 1
    hidden_sizes: list[int] = field(default_factory=list)
    """Units per stacked layer (e.g. ``[64, 32]``); overrides ``hidden_size × num_layers``."""
    bidirectional: bool = True
    layer_connection: str = "none"
    """Between stacked recurrent layers: ``none``, ``residual`` or ``highway``."""
    pooling: list[str] = field(default_factory=lambda: ["max", "mean"])
    """Any of ``last``, ``mean``, ``max``, ``attention`` (concatenated)."""
    attention_heads: int = 1
    attention_size: int = 64
    """Hidden units of the additive attention scorer."""
    attention_penalty: float = 0.0
    """Weight of Lin et al.'s (2017) ‖AAᵀ − I‖²_F penalty that keeps heads apart."""
    embedding_pooling: list[str] = field(default_factory=list)
    """Also pool the word embeddings themselves (``mean``/``max``) into the head: a direct
    lexical path beside the encoder's features (as in SWEM); empty = off."""
    ngram_buckets: int = 0
    """Hashed word-bigram features beside the encoder (fastText-style; 0 = off): each pair of
    adjacent words is hashed into one of this many learned vectors, averaged over the text."""
    ngram_dim: int = 32
    nb_ngrams: int = 0
    """Longest word n-gram of an NB-weighted n-gram path added to the logits (NBSVM, Wang &
    Manning 2012, inside the network: binary n-gram features scaled by naive-Bayes log-count
    ratios from the training texts, with learned weights); 0 = off."""
    nb_buckets: int = 524288
    """Hash-table rows of the 2..n-grams of the NB path (unigrams use the vocabulary ids)."""
    nb_alpha: float = 1.0
    """Smoothing count of the NB path's log-count ratios."""
    nb_init: float = 0.1
    """Starting weight of every NB feature (1 would start as multinomial naive Bayes)."""
    nb_dropout: float = 0.0
    """Share of each text's n-grams dropped while training (the NB path's regulariser)."""
    nb_weights: str = "per_feature"
    """``per_feature``: a learned weight per n-gram (NBSVM's reweighting; can memorise rare
    n-grams); ``shared``: one learned scale per class column (naive Bayes with a learned
    temperature, the encoder learning what it misses)."""
    conv_filters: int = 128
    conv_kernel_sizes: list[int] = field(default_factory=lambda: [3, 5])
    """One convolution per width, ``conv_filters`` each, concatenated."""
    conv_activation: str = "relu"
    conv_pool_size: int = 4
    """Max-pooling stride between the convolution and the recurrent layer of ``cnn_lstm``."""
    dense_size: int = 0
    """Units of a dense layer before the output (0 = none)."""
    dense_activation: str = "relu"
    output: str = "softmax"
    """``softmax`` (one logit per class) or ``sigmoid`` (one logit; two classes only)."""
    embedding_dropout: float = 0.3
    dropout: float = 0.3
    """Dropout between stacked layers (and before the output unless ``output_dropout`` is set)."""
    output_dropout: float | None = None
    recurrent_dropout: float = 0.0
    """DropConnect on the hidden-to-hidden matrices (AWD-LSTM's weight drop)."""
    init: str = "default"
    """Initialiser of input/dense/convolution weights (``default`` keeps PyTorch's)."""
    recurrent_init: str = "default"
    """Initialiser of hidden-to-hidden matrices, e.g. ``orthogonal``."""

    def __post_init__(self) -> None:
        self.pooling = _split_list(self.pooling)
        self.embedding_pooling = _split_list(self.embedding_pooling)
        if not self.pooling:
            raise ConfigError(f"model.pooling needs at least one of {', '.join(POOLING_CHOICES)}")
        for name in self.pooling:
            _check_choice("model.pooling", name, POOLING_CHOICES)
        for name in self.embedding_pooling:
            _check_choice("model.embedding_pooling", name, ("mean", "max"))
        _check_choice("model.layer_connection", self.layer_connection, LAYER_CONNECTIONS)
        _check_choice("model.conv_activation", self.conv_activation, ACTIVATIONS)
        _check_choice("model.dense_activation", self.dense_activation, ACTIVATIONS)
        _check_choice("model.output", self.output, ("softmax", "sigmoid"))
        _check_choice("model.init", self.init, INITIALIZERS)
        _check_choice("model.recurrent_init", self.recurrent_init, INITIALIZERS)
        for key in ("embedding_dropout", "dropout", "recurrent_dropout"):
            value = getattr(self, key)
            if not 0.0 <= value < 1.0:
                raise ConfigError(f"model.{key} must be in [0, 1), got {value}")
        if self.output_dropout is not None and not 0.0 <= self.output_dropout < 1.0:
            raise ConfigError(f"model.output_dropout must be in [0, 1), got {self.output_dropout}")
        positive = ("hidden_size", "num_layers", "attention_heads", "attention_size")
        for key in (*positive, "conv_filters", "conv_pool_size"):
            if getattr(self, key) < 1:
                raise ConfigError(f"model.{key} must be >= 1, got {getattr(self, key)}")
        for key in ("hidden_sizes", "conv_kernel_sizes"):
            if any(size < 1 for size in getattr(self, key)):
                raise ConfigError(f"model.{key} must hold sizes >= 1, got {getattr(self, key)}")
        if not self.conv_kernel_sizes:
            raise ConfigError("model.conv_kernel_sizes needs at least one width, e.g. [3, 5]")
        if self.ngram_buckets < 0 or self.ngram_dim < 1:
            raise ConfigError("model.ngram_buckets must be >= 0 and model.ngram_dim >= 1")
        if self.nb_ngrams < 0 or self.nb_buckets < 1 or self.nb_alpha <= 0:
            raise ConfigError(
                "model.nb_ngrams must be >= 0, model.nb_buckets >= 1 and model.nb_alpha > 0"
            )
        if self.nb_weights not in NB_WEIGHTS:
            raise ConfigError(
                f"model.nb_weights must be one of {', '.join(NB_WEIGHTS)}, got {self.nb_weights!r}"
            )
        if not 0.0 <= self.nb_dropout < 1.0:
            raise ConfigError(f"model.nb_dropout must be in [0, 1), got {self.nb_dropout}")
        if self.dense_size < 0 or self.attention_penalty < 0:
            raise ConfigError("model.dense_size and model.attention_penalty must be >= 0")

    @property
    def layer_sizes(self) -> list[int]:
        """Hidden units of each stacked recurrent layer."""
        return list(self.hidden_sizes) or [self.hidden_size] * self.num_layers

    @property
    def head_dropout(self) -> float:
        """Dropout applied to the pooled features before the dense/output layers."""
        return self.dropout if self.output_dropout is None else self.output_dropout


@dataclass
class TrainConfig:
    """The optimisation loop."""

    epochs: int = 10
    batch_size: int = AUTO
    """Examples per step; 0 = derived from the number of training examples."""
    lr: float = 2e-3
    weight_decay: float = 0.0
    clip_grad_norm: float = 1.0
    patience: int = 2
    """Epochs without validation improvement before stopping (0 disables early stopping)."""
    monitor: str = "macro_f1"
    """Validation metric of early stopping and of the best epoch: ``macro_f1`` (the default:
    every class counts, whatever its size; equal to accuracy on balanced data), ``accuracy``
    or ``loss``."""
    seed: int = 13
    checkpoint_every: int = 200
    """Also checkpoint every N optimisation steps (0 = only at epoch ends)."""
    bucket_size: int = 50
    """Batches per length-sorted pool: larger pools pad less, smaller pools shuffle more."""
    threads: int = 0
    """Torch CPU threads (0 = all cores)."""
    lr_schedule: str = "linear"
    """``constant``, ``linear`` (decay to 0 over all epochs), ``cosine``, ``one_cycle``
    (warm up to ``lr`` over the first 30% of steps, then anneal) or ``reduce_on_plateau``
    (multiply by ``plateau_factor`` after ``plateau_patience`` epochs without improvement)."""
    warmup_steps: int = 100
    """Linear warm-up from 0 (capped at 10% of all steps, so tiny data sets still train)."""
    plateau_factor: float = 0.5
    plateau_patience: int = 1
    optimizer: str = "adam"
    """One of ``sgd``, ``rmsprop``, ``adagrad``, ``adadelta``, ``adam``, ``adamw``, ``adamax``,
    ``nadam``."""
    momentum: float = 0.9
    """Momentum of ``sgd`` and ``rmsprop``."""
    l1: float = 0.0
    """L1 penalty on the weight matrices (embeddings excluded), added to the loss."""
    l2: float = 0.0
    """L2 penalty on the weight matrices (embeddings excluded), added to the loss; unlike
    ``weight_decay`` it is part of the objective for every optimizer."""
    adversarial_epsilon: float = 0.0
    """Adversarial training on the embeddings (Goodfellow 2015; Miyato et al. 2017): each step
    also fits the loss on the embeddings moved by ``ε·g/‖g‖`` (``g`` the loss gradient, norm over
    each text); 0 = off. Costs about one more forward and backward pass per step."""
    crop_probability: float = 0.0
    """Share of training texts replaced, each epoch, by a random contiguous span of themselves
    (log-uniform length from ``crop_min_tokens`` to the whole text), so that a model trained on
    long reviews also reads single sentences and short posts; 0 = off."""
    crop_min_tokens: int = 4
    """Shortest span a random crop keeps."""
    log_embeddings: int = 0
    """Write the N most frequent words' learned embeddings for TensorBoard's projector."""
    class_weights: str = "balanced"
    """Loss weight per class: ``balanced`` (the default: inverse class frequency in the training
    data, as scikit-learn's; all 1 on balanced data), ``none`` or explicit
    ``label=weight,...`` (unlisted labels weigh 1)."""
    calibrate: bool = True
    """Fit a softmax temperature on the validation split (saved with the model)."""
    calibration_bins: int = 15
    """Equal-width confidence bins of the expected calibration error and reliability plot."""

    def __post_init__(self) -> None:
        _check_choice("train.monitor", self.monitor, ("accuracy", "macro_f1", "loss"))
        _check_choice("train.lr_schedule", self.lr_schedule, LR_SCHEDULES)
        _check_choice("train.optimizer", self.optimizer, OPTIMIZERS)
        if self.epochs < 1 or self.batch_size < 0:
            raise ConfigError("train.epochs must be >= 1 and train.batch_size >= 1 or 0 (auto)")
        parse_class_weights(self.class_weights)
        if self.calibration_bins < 1:
            raise ConfigError(f"train.calibration_bins must be >= 1, got {self.calibration_bins}")
        if self.adversarial_epsilon < 0:
            raise ConfigError(
                f"train.adversarial_epsilon must be >= 0, got {self.adversarial_epsilon}"
            )
        if not 0.0 <= self.crop_probability <= 1.0 or self.crop_min_tokens < 1:
            raise ConfigError(
                "train.crop_probability must be in [0, 1] and train.crop_min_tokens >= 1, got "
                f"{self.crop_probability} and {self.crop_min_tokens}"
            )
        if min(self.lr, self.l1, self.l2, self.weight_decay, self.momentum) < 0 or self.lr == 0:
            raise ConfigError("train.lr must be > 0; l1, l2, weight_decay, momentum >= 0")
        if not 0.0 < self.plateau_factor < 1.0:
            raise ConfigError(f"train.plateau_factor must be in (0, 1), got {self.plateau_factor}")


NBSVM_ARCHITECTURE = "nbsvm"
"""``model.architecture`` of the linear NBSVM model (trained by ``linear.train``, not torch)."""


@dataclass
class NbsvmConfig:
    """NBSVM (Wang & Manning 2012): logistic regression on binary n-grams scaled by NB ratios.

    Used when ``model.architecture = "nbsvm"``: the longest n-gram and ``C`` are chosen on the
    validation split (``train.monitor``) from the candidates below.
    """

    ngram_orders: list[int] = field(default_factory=lambda: [2, 3])
    """Candidate longest n-grams (features are all 1..n-grams of the tokenizer's tokens)."""
    c_values: list[float] = field(default_factory=lambda: [0.03, 0.1, 0.3, 1.0])
    """Candidate inverse L2 regularisation strengths of the logistic regression."""
    alpha: float = 1.0
    """Smoothing of the naive Bayes log-count ratio ``r``."""
    beta: float = 1.0
    """Interpolation ``w' = (1 - β)·mean|w| + β·w`` (the paper's SVM used 0.25); 1 = none."""
    min_df: int = 2
    """Keep n-grams found in at least this many training texts."""
    max_features: int = 0
    """Keep only the most frequent (document frequency) n-grams; 0 = no limit."""
    max_iter: int = 1000
    """Iterations of the liblinear solver."""
    refit: bool = False
    """After choosing on validation, refit on train + validation. The bundle then records that
    its validation split is not held out, and ensembles refuse to fit weights on it."""

    def __post_init__(self) -> None:
        if not self.ngram_orders or min(self.ngram_orders) < 1:
            raise ConfigError(f"nbsvm.ngram_orders must hold orders >= 1, got {self.ngram_orders}")
        if not self.c_values or min(self.c_values) <= 0:
            raise ConfigError(f"nbsvm.c_values must hold values > 0, got {self.c_values}")
        if self.alpha <= 0 or not 0.0 <= self.beta <= 1.0:
            raise ConfigError("nbsvm.alpha must be > 0 and nbsvm.beta in [0, 1]")
        if self.min_df < 1 or self.max_features < 0 or self.max_iter < 1:
            raise ConfigError("nbsvm.min_df and max_iter must be >= 1, max_features >= 0")


@dataclass
class RunConfig:
    """Everything needed to reproduce a run; written to ``config.json`` and into the bundle."""

    data: DataConfig = field(default_factory=DataConfig)
    text: TextConfig = field(default_factory=TextConfig)
    vectors: VectorsConfig = field(default_factory=VectorsConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    nbsvm: NbsvmConfig = field(default_factory=NbsvmConfig)

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
        return _build(cls, raw, prefix="")

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
                raise ConfigError(_unknown("section", section, list(raw)))
            if name not in raw[section]:
                raise ConfigError(_unknown(f"key in [{section}]", name, list(raw[section])))
            raw[section][name] = parse_value(value.strip())
        return RunConfig.from_dict(raw)


def parse_class_weights(spec: str) -> str | dict[str, float]:
    """``none``, ``balanced`` or a ``label=weight,...`` mapping (weights > 0)."""
    text = spec.strip()
    if text in ("none", "balanced"):
        return text
    weights: dict[str, float] = {}
    for item in text.split(","):
        label, sep, value = item.rpartition("=")
        try:
            weight = float(value)
        except ValueError:
            weight = math.nan
        if not sep or not label.strip() or not weight > 0 or math.isinf(weight):
            raise ConfigError(
                f"train.class_weights must be none, balanced or label=weight,... with "
                f"weights > 0; got {spec!r}"
            )
        weights[label.strip()] = weight
    return weights


def parse_value(text: str) -> Any:
    """Parse an override value: JSON when possible (numbers, booleans, lists), else a string."""
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def read_config_file(path: str | Path) -> dict[str, Any]:
    """Read a TOML or JSON config file into a dictionary."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"no such config file: {path}")
    try:
        if path.suffix == ".json":
            return json.loads(path.read_text(encoding="utf-8"))
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot parse config file {path}: {exc}") from None


def _build(cls: type, raw: dict[str, Any], prefix: str) -> Any:
    if not isinstance(raw, dict):
        raise ConfigError(f"[{prefix.rstrip('.')}] must be a table, got {type(raw).__name__}")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    hints = get_type_hints(cls)
    kwargs: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in fields:
            where = f"key in [{prefix.rstrip('.')}]" if prefix else "section"
            raise ConfigError(_unknown(where, key, list(fields)))
        hint = hints[key]
        if dataclasses.is_dataclass(hint):
            kwargs[key] = _build(hint, value, prefix=f"{prefix}{key}.")
        else:
            kwargs[key] = _coerce(f"{prefix}{key}", value, hint)
    try:
        return cls(**kwargs)
    except TypeError as exc:  # pragma: no cover - guarded by the key check above
        raise ConfigError(str(exc)) from None


def _coerce(name: str, value: Any, hint: Any) -> Any:
    """Check a value against its field type; ints are accepted where floats are expected."""
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        options = typing.get_args(hint)
        if value is None and type(None) in options:
            return None
        hint = next(option for option in options if option is not type(None))
        origin = typing.get_origin(hint)
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{name} must be a table of strings, got {value!r}")
        return {str(k): str(v) for k, v in value.items()}
    if origin is list:
        (item,) = typing.get_args(hint)
        if isinstance(value, str):
            value = _split_list(value)  # "max,mean" or "64,32" from the command line
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = [value]
        if not isinstance(value, list):
            raise ConfigError(f"{name} must be a list of {item.__name__}, got {value!r}")
        try:
            return [_coerce_item(v, item) for v in value]
        except (TypeError, ValueError):
            raise ConfigError(f"{name} must be a list of {item.__name__}, got {value!r}") from None
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    expected = {int: int, float: float, bool: bool, str: str}.get(hint)
    if expected is not None and (
        not isinstance(value, expected) or (expected is int and isinstance(value, bool))
    ):
        raise ConfigError(f"{name} must be {expected.__name__}, got {value!r}")
    return value


def _coerce_item(value: Any, item: type) -> Any:
    if item is int:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise TypeError(value)
        return int(value)
    if item is float:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise TypeError(value)
        return float(value)
    if not isinstance(value, str):
        raise TypeError(value)
    return value


def _split_list(value: list[str] | str) -> list[str]:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return list(value)


def _check_choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}; got {value!r}")


def _unknown(what: str, name: str, valid: list[str]) -> str:
    return f"unknown config {what} {name!r}; valid: {', '.join(valid)}"
