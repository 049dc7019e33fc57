"""Encoding a run's texts for the neural kind: the tokenizer and vocabulary learned from the
training texts (or taken from a pretrained language model, ``model.encoder_init``, or from the
model a run fine-tunes, ``train.init_from``), the
pretrained vectors aligned to them, and every split encoded once."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from lstm_sentiment.config import RunConfig
from lstm_sentiment.data import Example
from lstm_sentiment.data.soft_labels import require_soft_labels, target_matrix
from lstm_sentiment.errors import DataError
from lstm_sentiment.inference.batching import EncodedDataset
from lstm_sentiment.kinds.neural_init import read_init_parts
from lstm_sentiment.model_card import source_name
from lstm_sentiment.preparation import PreparedData
from lstm_sentiment.text.auto import resolve_auto
from lstm_sentiment.text.encode import TextEncoder
from lstm_sentiment.text.tokenize import LearnedTokenizer, build_tokenizer
from lstm_sentiment.text.vocab import Vocabulary
from lstm_sentiment.text.word import Tokenizer
from lstm_sentiment.vectors.lexicon import Lexicon, load_lexicon
from lstm_sentiment.vectors.word_vectors import WordVectors

logger = logging.getLogger(__name__)


def _encode(
    encoder: TextEncoder,
    examples: list[Example],
    labels: list[str],
    tokens: list[list[str]] | None,
    pad_to: int = 0,
) -> EncodedDataset:
    label_ids = {label: i for i, label in enumerate(labels)}
    unknown = sorted({ex.label for ex in examples if ex.label not in label_ids}, key=str)
    if unknown:
        raise DataError(
            f"labels {', '.join(map(repr, unknown))} do not occur in the training split; "
            f"known: {', '.join(labels)}"
        )
    if tokens is None:
        ids = encoder.encode_many([ex.text for ex in examples])
    else:
        ids = [encoder.encode_tokens(t, ex.text) for t, ex in zip(tokens, examples, strict=True)]
    y = np.array([label_ids[str(ex.label)] for ex in examples], dtype=np.int64)
    targets = target_matrix(examples, labels)
    return EncodedDataset(ids, y, encoder.vocab.pad_id, pad_to=pad_to, targets=targets)


def uses_pretrained(config: RunConfig) -> bool:
    """Whether the run initialises its embeddings from a vectors source."""
    return config.vectors.source.lower() not in ("", "none", "random")


def extend_with_pretrained(
    config: RunConfig, vocab: Vocabulary, fit_tokens: Sequence[Sequence[str]]
) -> tuple[Vocabulary, WordVectors]:
    """``vocab`` plus up to ``vectors.extra_words`` pretrained words it lacks, and the vectors.

    The vectors are read once, restricted to the training words and the file's first words;
    candidates come in file order (most frequent first), so rare training words with a vector
    and common words the training texts never used both get ids. With ``text.lowercase`` only
    lowercase words are candidates: the tokenizer never produces the others.
    """
    from lstm_sentiment.vectors import load_vectors, lookup_words

    extra = config.vectors.extra_words
    training_words = lookup_words({token for tokens in fit_tokens for token in tokens})
    vectors = load_vectors(
        config.vectors.source, restrict_to=training_words, first=extra + len(vocab)
    )
    lowercase = config.text.lowercase
    candidates = (
        word
        for word in vectors.words
        if word not in vocab and (not lowercase or word == word.lower())
    )
    added = list(itertools.islice(candidates, extra))
    logger.info(
        "vocabulary: %d pretrained words without enough training occurrences added "
        "(vectors.extra_words %d)",
        len(added),
        extra,
    )
    return vocab.extended(added), vectors


def extend_with_lexicon(vocab: Vocabulary, tokenizer: Tokenizer, lexicon: Lexicon) -> Vocabulary:
    """``vocab`` plus the lexicon's words it lacks that the tokenizer reads as one token, so a
    word the training texts never used still has its lexicon features."""
    missing = [
        word for word in lexicon.words if word not in vocab and tokenizer.tokenize(word) == [word]
    ]
    logger.info("vocabulary: %d %s lexicon words added", len(missing), lexicon.name)
    return vocab.extended(missing)


def build_embeddings(
    config: RunConfig, vocab: Vocabulary, vectors: WordVectors | None = None
) -> tuple[np.ndarray | None, int, dict[str, Any]]:
    """Pretrained embedding matrix aligned to ``vocab`` (or None for random init).

    ``vectors`` already read (see :func:`extend_with_pretrained`) are used as they are;
    otherwise ``vectors.source`` is read, restricted to the vocabulary.
    """
    spec = config.vectors.source
    if not uses_pretrained(config):
        return None, config.vectors.embedding_dim, {"vectors": "none"}
    from lstm_sentiment.vectors import build_embedding_matrix, load_vectors, lookup_words

    if vectors is None:
        vectors = load_vectors(spec, restrict_to=lookup_words(vocab.tokens))
    matrix, coverage = build_embedding_matrix(
        vocab.tokens,
        vectors,
        special_ids=vocab.special_ids,
        counts=vocab.counts,
        unknown_init=config.vectors.unknown_init,
        seed=config.train.seed,
    )
    logger.debug("vectors %s: %s", spec, coverage)
    info = {
        "vectors": source_name(spec),  # the file's name, never the machine's path
        "coverage_tokens": coverage.token_share,
        "coverage_types": coverage.type_share,
        "coverage": str(coverage),
    }
    return matrix.astype(np.float32), int(matrix.shape[1]), info


@dataclass
class EncodedData:
    """The encoder learned from the training texts and the three splits it encoded."""

    config: RunConfig
    """The run's config with the sizes derived from the data filled in."""
    encoder: TextEncoder
    train: EncodedDataset
    validation: EncodedDataset
    test: EncodedDataset | None
    auto_settings: dict[str, Any]
    vectors: WordVectors | None = None
    """The pretrained vectors, when reading them was needed to build the vocabulary."""
    unlabelled: EncodedDataset | None = None
    """The ``data.unlabelled`` texts (no labels), for the semi-supervised objectives."""


MAX_EMPTY_SHARE = 0.5
"""Refuse training when more than this share of the training texts tokenize to nothing."""


def check_tokenized(tokens: Sequence[Sequence[str]], tokenizer: str, report: dict) -> None:
    """Count training texts that tokenize to nothing (e.g. emoji-only texts with the word
    tokenizer) in the data report; warn, and refuse when they are most of the data."""
    empty = sum(1 for text_tokens in tokens if not text_tokens)
    if not empty:
        return
    report.setdefault("train", {})["empty_after_tokenizing"] = empty
    hint = "try text.tokenizer=tweet (emoji and emoticons are tokens there)"
    if empty > MAX_EMPTY_SHARE * len(tokens):
        raise DataError(
            f"{empty} of {len(tokens)} training texts have no tokens with the {tokenizer!r} "
            f"tokenizer: nothing to learn from; {hint}"
        )
    logger.warning(
        "%d of %d training texts have no tokens with the %r tokenizer (read as empty); %s",
        empty,
        len(tokens),
        tokenizer,
        hint,
    )


@dataclass
class LearnedText:
    """A tokenizer and vocabulary for a run, and the training texts' tokens."""

    config: RunConfig
    """The run's config with the sizes derived from the data filled in."""
    tokenizer: Tokenizer
    vocab: Vocabulary
    tokens: list[list[str]]
    auto_settings: dict[str, Any]
    vectors: WordVectors | None = None


def learn_vocabulary(config: RunConfig, texts: list[str], report: dict[str, Any]) -> LearnedText:
    """Fit the tokenizer (if it learns) and the vocabulary on ``texts`` (training texts only,
    never validation or test), with the pretrained and lexicon words the config adds, and
    derive the sizes left to the data."""
    tokenizer = build_tokenizer(config.text)
    if isinstance(tokenizer, LearnedTokenizer):
        tokenizer.fit(texts)
    tokens = [tokenizer.tokenize(text) for text in texts]
    check_tokenized(tokens, config.text.tokenizer, report)
    config, auto_settings = resolve_auto(config, tokens)
    for key, chosen in auto_settings.items():
        logger.info("%s = %s (auto: %s)", key, chosen["value"], chosen["rule"])
    vocab = Vocabulary.build(
        tokens, min_freq=config.text.min_freq, max_size=config.text.max_vocab_size
    )
    logger.info("vocabulary: %d tokens (min_freq %d)", len(vocab), config.text.min_freq)
    vectors = None
    if uses_pretrained(config) and config.vectors.extra_words:
        vocab, vectors = extend_with_pretrained(config, vocab, tokens)
    if config.model.lexicon != "none":
        vocab = extend_with_lexicon(vocab, tokenizer, load_lexicon(config.model.lexicon))
    return LearnedText(config, tokenizer, vocab, tokens, auto_settings, vectors)


def pretrained_vocabulary(
    config: RunConfig, texts: list[str], report: dict[str, Any]
) -> LearnedText:
    """The tokenizer and vocabulary of the language model ``model.encoder_init`` names."""
    from lstm_sentiment.pretraining.artefact import read_pretrained_text

    tokenizer, vocab = read_pretrained_text(config)
    tokens = [tokenizer.tokenize(text) for text in texts]
    check_tokenized(tokens, config.text.tokenizer, report)
    config, auto_settings = resolve_auto(config, tokens)
    logger.info("vocabulary: %d tokens of %s", len(vocab), config.model.encoder_init)
    return LearnedText(config, tokenizer, vocab, tokens, auto_settings)


def saved_vocabulary(config: RunConfig, texts: list[str], report: dict[str, Any]) -> LearnedText:
    """The tokenizer and vocabulary of the model ``train.init_from`` names (fine-tuning)."""
    encoder = read_init_parts(config).encoder
    tokens = [encoder.tokenizer.tokenize(text) for text in texts]
    check_tokenized(tokens, config.text.tokenizer, report)
    config, auto_settings = resolve_auto(config, tokens)
    logger.info("vocabulary: %d tokens of %s", len(encoder.vocab), config.train.init_from)
    return LearnedText(config, encoder.tokenizer, encoder.vocab, tokens, auto_settings)


def encode_data(config: RunConfig, data: PreparedData) -> EncodedData:
    """Learn the tokenizer and vocabulary from the training texts (or take the pretrained
    language model's), derive the sizes left to the data, and encode every split."""
    texts = [ex.text for ex in data.fit]
    if config.train.init_from:
        learned = saved_vocabulary(config, texts, data.report)
    elif config.model.encoder_init:
        learned = pretrained_vocabulary(config, texts, data.report)
    else:
        learned = learn_vocabulary(config, texts, data.report)
    config = learned.config
    text = config.text
    encoder = TextEncoder(
        learned.tokenizer, learned.vocab, text.max_length, text.truncation, text.typo_distance
    )
    # "fixed" pads every training batch to max_length (as the tutorials do); "bucket" pads
    # each length-sorted batch only to its longest text. Predictions are the same either way.
    pad_to = config.text.max_length if config.text.padding == "fixed" else 0
    train = _encode(encoder, data.fit, data.labels, learned.tokens, pad_to)
    if config.data.soft_labels:
        require_soft_labels(train.targets)
        share = int((train.targets.max(axis=1) < 1.0).sum())  # type: ignore[union-attr]
        logger.info("soft labels: %d of %d training texts are not one-hot", share, len(train))
    else:
        train.targets = None  # a distribution read by another path is not trained toward
    return EncodedData(
        config=config,
        encoder=encoder,
        train=train,
        validation=_encode(encoder, data.validation, data.labels, None),
        test=_encode(encoder, data.test, data.labels, None) if data.test else None,
        auto_settings=learned.auto_settings,
        vectors=learned.vectors,
        unlabelled=encode_unlabelled(encoder, data.unlabelled),
    )


def encode_unlabelled(encoder: TextEncoder, texts: list[str]) -> EncodedDataset | None:
    """Unlabelled texts encoded like the training texts; those with no known token are left
    out (they carry nothing to be consistent about)."""
    if not texts:
        return None
    unknown = encoder.vocab.unk_id
    ids = [row for row in encoder.encode_many(texts) if (row != unknown).any()]
    logger.info(
        "unlabelled texts: %d encoded (%d without tokens left out)", len(ids), len(texts) - len(ids)
    )
    if not ids:
        raise DataError("no data.unlabelled text has a token the model knows: check the source")
    return EncodedDataset(ids, None, encoder.vocab.pad_id)
