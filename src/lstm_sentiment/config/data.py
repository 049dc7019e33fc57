"""The data, text and vectors sections of a run configuration."""

from __future__ import annotations

from dataclasses import dataclass, field

from lstm_sentiment.config.choices import (
    AUTO,
    ENCODING_ERRORS,
    HASHTAG_MODES,
    MIN_VOCAB_SIZE,
    PADDING_CHOICES,
    SUBWORD_MODELS,
    TOKENIZER_CHOICES,
    TRUNCATION_POLICIES,
    TWEET_PLACEHOLDERS,
    TYPO_DISTANCES,
    UNKNOWN_INIT_CHOICES,
    check_choice,
    split_list,
)
from lstm_sentiment.errors import ConfigError


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
    soft_labels: bool = False
    """Train toward each row's label distribution where a CSV/TSV source has ``p_<label>``
    columns (as ``predict --format csv`` writes them) or a JSONL record a ``probabilities``
    object: soft cross-entropy, e.g. a teacher's uncertainty on texts it labelled. Rows
    without one count as their label, one-hot. Class weights (``train.class_weights``) weigh
    a distribution's classes too: ``none`` trains toward it exactly. The neural kind only."""
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

    unlabelled: list[str] = field(default_factory=list)
    """Sources of unlabelled texts for the semi-supervised objectives (``train.vat_epsilon``,
    ``train.entropy_weight``): folders or archives (their ``unlabelled_split``, e.g. aclImdb's
    ``unsup``), CSV/TSV/JSONL files (their text column; labels, if any, are ignored) or ``.txt``
    files (one text per line). Never the texts you will test on."""
    unlabelled_split: str = "unsup"
    """The split read from folder and archive sources of ``unlabelled``."""
    unlabelled_text_column: str | None = None
    """The text column of CSV/TSV/JSONL sources of ``unlabelled`` (default: ``text_column``,
    else detected by name)."""
    unlabelled_limit: int = 0
    """Use a seeded random sample of N unlabelled texts (0 = all)."""

    def __post_init__(self) -> None:
        if self.unlabelled_limit < 0:
            raise ConfigError(f"data.unlabelled_limit must be >= 0, got {self.unlabelled_limit}")
        if not 0.0 <= self.validation_fraction < 1.0:
            raise ConfigError(
                f"data.validation_fraction must be in [0, 1), got {self.validation_fraction}"
            )
        check_choice("data.encoding_errors", self.encoding_errors, ENCODING_ERRORS)
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
    word_emoji: bool = False
    """``word`` tokenizer: emoji are tokens (skin tones and variation selectors dropped)."""
    word_max_repeat: int = 0
    """``word`` tokenizer: letters repeated more often are cut to this (``sooo`` → ``soo``
    with 2); 0 keeps elongations."""
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
    typo_distance: int = 0
    """1: a lower-case word outside the vocabulary is read as the most frequent vocabulary word
    one edit away ("usless" → "useless"); 0: it stays unknown."""

    def __post_init__(self) -> None:
        check_choice("text.truncation", self.truncation, TRUNCATION_POLICIES)
        check_choice("text.tokenizer", self.tokenizer, TOKENIZER_CHOICES)
        check_choice("text.padding", self.padding, PADDING_CHOICES)
        check_choice("text.tweet_hashtags", self.tweet_hashtags, HASHTAG_MODES)
        if self.word_max_repeat < 0:
            raise ConfigError(f"text.word_max_repeat must be >= 0, got {self.word_max_repeat}")
        self.tweet_placeholders = split_list(self.tweet_placeholders)
        for name in self.tweet_placeholders:
            check_choice("text.tweet_placeholders", name, TWEET_PLACEHOLDERS)
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
        check_choice("text.subword_model", self.subword_model, SUBWORD_MODELS)
        if self.typo_distance not in TYPO_DISTANCES:
            raise ConfigError(
                "text.typo_distance must be 0 (unknown words stay unknown) or 1 (a word one "
                f"edit from a vocabulary word reads as it), got {self.typo_distance}"
            )
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
        check_choice("vectors.unknown_init", self.unknown_init, UNKNOWN_INIT_CHOICES)
        if self.freeze_epochs < 0 or self.extra_words < 0:
            raise ConfigError("vectors.freeze_epochs and vectors.extra_words must be >= 0")
