"""The model section of a run configuration."""

from __future__ import annotations

from dataclasses import dataclass, field

from lstm_sentiment.config.choices import (
    ACTIVATIONS,
    DENSE_OUTPUTS,
    EMBEDDING_POOLING_CHOICES,
    INITIALIZERS,
    LAYER_CONNECTIONS,
    LEXICONS,
    NB_WEIGHTS,
    POOLING_CHOICES,
    check_choice,
    split_list,
)
from lstm_sentiment.errors import ConfigError


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
    nb_length_gate: bool = False
    """Scale the NB path by a learned function of the text's length,
    ``sigmoid(slope · log(tokens) + offset)``, starting near 1: short texts may learn to lean
    on the encoder (a bag of n-grams cannot read "not bad") while reviews keep the path. A
    fine-tune (``train.init_from``) may add it to a model without one."""
    embedding_standardization: bool = False
    """Standardise the word embeddings per dimension, weighted by word frequency, before the
    encoder (Miyato et al. 2017): perturbation-based training (``train.vat_epsilon``,
    ``train.adversarial_epsilon``) then cannot be defeated by growing the embeddings."""
    encoder_init: str = ""
    """A pretrained language model (``lstm-sentiment pretrain``) whose vocabulary, embedding
    and first recurrent layer initialise this classifier; empty = none. Its text settings and
    network sizes must match this configuration's."""
    region_init: list[str] = field(default_factory=list)
    """Region embeddings (``lstm-sentiment pretrain --set pretrain.objective=region``), one
    folder or several (e.g. regions of 5 and 9 words): each token's input gains the fixed
    embedding of the region around it from each, learned on unlabelled text (Johnson & Zhang
    2015, 2016: several embeddings side by side work best); empty = none. ``region_dim`` and
    ``region_size`` are then taken from them and saved with the model."""
    region_dim: list[int] = field(default_factory=list)
    """Width of each ``region_init``'s features (set from the folders; empty = none)."""
    region_size: list[int] = field(default_factory=list)
    """Words per region of each ``region_init``, centred on the token (set from the folders)."""
    lstm_region_init: str = ""
    """LSTM region embeddings (``lstm-sentiment pretrain --set pretrain.objective=lstm_region``;
    Johnson & Zhang 2016): each token's input gains the fixed states of a forward LSTM that
    has read the text up to it and a backward one that has read it from the end, learned on
    unlabelled text; beside ``region_init``'s or alone; empty = none. ``lstm_region_dim`` is
    then taken from the folder and saved with the model."""
    lstm_region_dim: int = 0
    """Units of each ``lstm_region_init`` LSTM (set from the folder; 0 = none): a token gains
    twice as many features."""
    lexicon: str = "none"
    """Per-token lexicon features beside the word embedding (``none`` or ``vader``: VADER's
    MIT-licensed valence lexicon, negation words and intensifiers, Hutto & Gilbert 2014). The
    lexicon's words join the vocabulary and its features are stored with the weights, so a
    word the training texts never taught still carries its valence; the network learns how to
    use them (negation, contrast) from the training data."""
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
        self.pooling = split_list(self.pooling)
        self.embedding_pooling = split_list(self.embedding_pooling)
        if not self.pooling:
            raise ConfigError(f"model.pooling needs at least one of {', '.join(POOLING_CHOICES)}")
        for name in self.pooling:
            check_choice("model.pooling", name, POOLING_CHOICES)
        for name in self.embedding_pooling:
            check_choice("model.embedding_pooling", name, EMBEDDING_POOLING_CHOICES)
        check_choice("model.layer_connection", self.layer_connection, LAYER_CONNECTIONS)
        check_choice("model.conv_activation", self.conv_activation, ACTIVATIONS)
        check_choice("model.dense_activation", self.dense_activation, ACTIVATIONS)
        check_choice("model.output", self.output, DENSE_OUTPUTS)
        check_choice("model.init", self.init, INITIALIZERS)
        check_choice("model.lexicon", self.lexicon, LEXICONS)
        check_choice("model.recurrent_init", self.recurrent_init, INITIALIZERS)
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
        self._check_regions()
        if self.dense_size < 0 or self.attention_penalty < 0:
            raise ConfigError("model.dense_size and model.attention_penalty must be >= 0")

    def _check_regions(self) -> None:
        if not any(self.region_dim):  # configs saved before several regions: 0 and 5 = none
            self.region_dim, self.region_size = [], []
        if any(dim < 1 for dim in self.region_dim) or any(n < 1 for n in self.region_size):
            raise ConfigError("model.region_dim and model.region_size must hold numbers >= 1")
        if self.region_dim and len(self.region_init) != len(self.region_dim):
            raise ConfigError(
                "model.region_dim comes from model.region_init (one width per folder): give the "
                "folders of region embeddings (lstm-sentiment pretrain --set "
                "pretrain.objective=region) and leave the widths unset"
            )
        if len(self.region_size) != len(self.region_dim):
            raise ConfigError("model.region_size needs one size per model.region_dim width")
        if self.lstm_region_dim < 0 or (self.lstm_region_dim and not self.lstm_region_init):
            raise ConfigError(
                "model.lstm_region_dim comes from model.lstm_region_init: give the folder of LSTM "
                "region embeddings (lstm-sentiment pretrain --set pretrain.objective=lstm_region) "
                "and leave the width unset"
            )

    @property
    def region_width(self) -> int:
        """Width of all region features of a token together, bag and LSTM (0 = none)."""
        return sum(self.region_dim) + 2 * self.lstm_region_dim

    @property
    def layer_sizes(self) -> list[int]:
        """Hidden units of each stacked recurrent layer."""
        return list(self.hidden_sizes) or [self.hidden_size] * self.num_layers

    @property
    def head_dropout(self) -> float:
        """Dropout applied to the pooled features before the dense/output layers."""
        return self.dropout if self.output_dropout is None else self.output_dropout
