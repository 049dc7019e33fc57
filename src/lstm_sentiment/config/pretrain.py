"""The pretrain section: a recurrent language model on unlabelled text (``lstm-sentiment
pretrain``) whose embedding and encoder initialise a classifier (``model.encoder_init``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from lstm_sentiment.errors import ConfigError

PRETRAIN_OBJECTIVES = ("language_model", "region", "lstm_region")
REGION_TARGETS = ("all", "content")


@dataclass
class PretrainConfig:
    """Training of the forward and backward language models.

    The network is the classifier's own embedding and first recurrent layer (``[model]``:
    ``architecture``, ``hidden_size``, ``bidirectional``), so its weights fit the classifier;
    the texts are the training split (validation carved out as for the classifier) and
    ``data.unlabelled``.
    """

    objective: str = "language_model"
    """``language_model``: forward and backward LMs whose embedding and first layer initialise
    the classifier (``model.encoder_init``); ``region``: two-view region embeddings that
    become fixed per-token features of any classifier (``model.region_init``);
    ``lstm_region``: a forward and a backward LSTM whose states predict the words after and
    before each token, fixed per-token features of any classifier
    (``model.lstm_region_init``)."""
    region_size: int = 5
    """``region``: words per region (centred), and per neighbouring region it predicts;
    ``lstm_region``: words each state predicts (after it forwards, before it backwards)."""
    region_dim: int = 200
    """``region``: width of the region embedding; ``lstm_region``: units of each LSTM (and
    width of its word table)."""
    region_vectors: bool = False
    """``lstm_region``: start the LSTMs' word table from ``[vectors]`` (their width must equal
    ``region_dim``) instead of random numbers."""
    region_targets: str = "all"
    """``region``: which neighbouring words a region predicts: ``all``, or ``content`` (function
    words skipped, as Johnson & Zhang do: they sit beside every region alike)."""
    region_stopwords: str = ""
    """``region_targets = "content"``: a file of the words to skip, one per line (empty = the
    built-in English function words, negations kept)."""
    negatives: int = 5
    """``region``: noise words per predicted word (negative sampling)."""
    negative_draws: int = 1024
    """``region``: noise words drawn per batch and shared by its positions."""
    epochs: int = 1
    chunk_tokens: int = 100
    """Texts are cut into chunks of this many tokens, each read from a zero state (the
    classifier reads a text from a zero state too)."""
    batch_size: int = 64
    """Chunks per step."""
    lr: float = 2e-3
    warmup_steps: int = 200
    clip_grad_norm: float = 0.25
    dropout: float = 0.1
    """Dropout on the embeddings and on the recurrent outputs."""
    cutoffs: list[int] = field(default_factory=lambda: [2000, 10000])
    """Vocabulary ids where the adaptive softmax's clusters begin (frequent words first; ids
    past the vocabulary are dropped)."""
    max_tokens: int = 0
    """Read at most this many tokens of corpus (0 = all), for quick runs."""
    checkpoint_every: int = 200
    """Also checkpoint every N steps (0 = at epoch ends only)."""
    threads: int = 0
    """Torch CPU threads (0 = all cores)."""

    def __post_init__(self) -> None:
        if self.objective not in PRETRAIN_OBJECTIVES:
            raise ConfigError(
                f"pretrain.objective must be one of {', '.join(PRETRAIN_OBJECTIVES)}, got "
                f"{self.objective!r}"
            )
        if self.region_targets not in REGION_TARGETS:
            raise ConfigError(
                f"pretrain.region_targets must be one of {', '.join(REGION_TARGETS)}, got "
                f"{self.region_targets!r}"
            )
        if self.region_vectors and self.objective != "lstm_region":
            raise ConfigError('pretrain.region_vectors needs pretrain.objective = "lstm_region"')
        if self.region_stopwords and self.region_targets != "content":
            raise ConfigError('pretrain.region_stopwords needs pretrain.region_targets = "content"')
        if min(self.region_size, self.region_dim, self.negatives, self.negative_draws) < 1:
            raise ConfigError(
                "pretrain.region_size, region_dim, negatives and negative_draws must be >= 1"
            )
        if min(self.epochs, self.chunk_tokens, self.batch_size) < 1:
            raise ConfigError("pretrain.epochs, chunk_tokens and batch_size must be >= 1")
        if self.chunk_tokens < 2:
            raise ConfigError("pretrain.chunk_tokens must be >= 2 (a token and the next)")
        if self.lr <= 0 or not 0.0 <= self.dropout < 1.0 or self.clip_grad_norm < 0:
            raise ConfigError("pretrain.lr must be > 0, dropout in [0, 1), clip_grad_norm >= 0")
        if min(self.max_tokens, self.checkpoint_every, self.threads, self.warmup_steps) < 0:
            raise ConfigError(
                "pretrain.max_tokens, checkpoint_every, threads, warmup_steps must be >= 0"
            )
        if any(c < 1 for c in self.cutoffs) or self.cutoffs != sorted(set(self.cutoffs)):
            raise ConfigError(
                f"pretrain.cutoffs must be increasing positive ids, got {self.cutoffs}"
            )
