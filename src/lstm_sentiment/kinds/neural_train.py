"""Training the neural kind: the tokenizer and vocabulary learned from the training texts, the
pretrained vectors aligned to them, the classifier built and fitted by the trainer."""

from __future__ import annotations

import itertools
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from lstm_sentiment.config import RunConfig
from lstm_sentiment.data import Example
from lstm_sentiment.distributed import ddp
from lstm_sentiment.distributed.ddp import rank_threads
from lstm_sentiment.errors import DataError
from lstm_sentiment.inference.batching import EncodedDataset
from lstm_sentiment.inference.forward import predict_logits
from lstm_sentiment.kinds.base import FitOptions, Fitted
from lstm_sentiment.kinds.neural_model import Bundle
from lstm_sentiment.model_card import source_name
from lstm_sentiment.models.registry import build_model, count_parameters
from lstm_sentiment.preparation import PreparedData
from lstm_sentiment.text.auto import resolve_auto
from lstm_sentiment.text.encode import TextEncoder
from lstm_sentiment.text.tokenize import LearnedTokenizer, build_tokenizer
from lstm_sentiment.text.vocab import Vocabulary
from lstm_sentiment.text.word import Tokenizer
from lstm_sentiment.training.callbacks import CsvLogger, TensorBoardLogger
from lstm_sentiment.training.checkpoint import has_checkpoint
from lstm_sentiment.training.faults import fault_callbacks
from lstm_sentiment.training.trainer import Trainer
from lstm_sentiment.training.weights import as_tensor, class_weights
from lstm_sentiment.vectors.lexicon import Lexicon, load_lexicon
from lstm_sentiment.vectors.word_vectors import WordVectors

logger = logging.getLogger(__name__)


def _set_threads(threads: int) -> None:
    torch.set_num_threads(threads or os.cpu_count() or 1)


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
        ids = [encoder.encode_tokens(t) for t in tokens]
    y = np.array([label_ids[str(ex.label)] for ex in examples], dtype=np.int64)
    return EncodedDataset(ids, y, encoder.vocab.pad_id, pad_to=pad_to)


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


def _log_to_tensorboard(
    tensorboard: TensorBoardLogger,
    config: RunConfig,
    metrics: dict[str, Any],
    model: torch.nn.Module,
    vocab: Vocabulary,
) -> None:
    """Hyperparameters with final metrics (HPARAMS view) and, on request, the projector."""
    final = {
        f"hparam/{split}_{name}": float(metrics[split][name])
        for split in ("validation", "test")
        if split in metrics
        for name in ("accuracy", "macro_f1", "log_loss")
    }
    tensorboard.log_hparams(config.to_dict(), final)
    top = config.train.log_embeddings
    embedding = getattr(model, "embedding", None)
    if top and embedding is not None:
        # Vocabulary ids are in frequency order after the special tokens.
        ids = [i for i in range(len(vocab)) if i not in set(vocab.special_ids)][:top]
        matrix = embedding.weight.detach()[torch.tensor(ids, dtype=torch.long)]
        tensorboard.log_embeddings(matrix, [vocab.tokens[i] for i in ids])
    tensorboard.close()


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


def encode_data(config: RunConfig, data: PreparedData) -> EncodedData:
    """Fit the tokenizer (if it learns) and the vocabulary on the training texts only, derive
    the sizes left to the data, and encode every split."""
    tokenizer = build_tokenizer(config.text)
    if isinstance(tokenizer, LearnedTokenizer):
        # Subword pieces are learned from the training texts only (never validation or test).
        tokenizer.fit([ex.text for ex in data.fit])
    fit_tokens = [tokenizer.tokenize(ex.text) for ex in data.fit]
    check_tokenized(fit_tokens, config.text.tokenizer, data.report)
    config, auto_settings = resolve_auto(config, fit_tokens)
    for key, chosen in auto_settings.items():
        logger.info("%s = %s (auto: %s)", key, chosen["value"], chosen["rule"])
    vocab = Vocabulary.build(
        fit_tokens, min_freq=config.text.min_freq, max_size=config.text.max_vocab_size
    )
    logger.info("vocabulary: %d tokens (min_freq %d)", len(vocab), config.text.min_freq)
    vectors = None
    if uses_pretrained(config) and config.vectors.extra_words:
        vocab, vectors = extend_with_pretrained(config, vocab, fit_tokens)
    if config.model.lexicon != "none":
        vocab = extend_with_lexicon(vocab, tokenizer, load_lexicon(config.model.lexicon))
    encoder = TextEncoder(tokenizer, vocab, config.text.max_length, config.text.truncation)
    # "fixed" pads every training batch to max_length (as the tutorials do); "bucket" pads
    # each length-sorted batch only to its longest text. Predictions are the same either way.
    pad_to = config.text.max_length if config.text.padding == "fixed" else 0
    return EncodedData(
        config=config,
        encoder=encoder,
        train=_encode(encoder, data.fit, data.labels, fit_tokens, pad_to),
        validation=_encode(encoder, data.validation, data.labels, None),
        test=_encode(encoder, data.test, data.labels, None) if data.test else None,
        auto_settings=auto_settings,
        vectors=vectors,
    )


def fit_neural(config: RunConfig, data: PreparedData, options: FitOptions) -> Fitted:
    """Encode the splits, build the classifier (with pretrained vectors) and fit it.

    Under torchrun (:mod:`lstm_sentiment.distributed.ddp`) every rank runs this; rank 0 alone
    logs, checkpoints and scores the splits for the bundle."""
    world = ddp.current()
    _set_threads(
        config.train.threads if world is None else rank_threads(config.train.threads, world)
    )
    torch.manual_seed(config.train.seed)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    encoded = encode_data(config, data)
    config = encoded.config
    timings["encode_seconds"] = time.perf_counter() - started

    started = time.perf_counter()
    vocab = encoded.encoder.vocab
    embeddings, embedding_dim, vector_info = build_embeddings(config, vocab, encoded.vectors)
    timings["vectors_seconds"] = time.perf_counter() - started
    model = build_model(
        config.model,
        vocab_size=len(vocab),
        embedding_dim=embedding_dim,
        num_classes=len(data.labels),
        pad_id=vocab.pad_id,
        embeddings=embeddings,
        freeze_embeddings=config.vectors.freeze,
    )
    if model.lexicon is not None:
        model.lexicon.set_table(load_lexicon(config.model.lexicon).table(vocab.tokens))
    nb_path = getattr(model, "nb", None)
    if nb_path is not None:  # NB-weighted n-grams: ratios from the training texts only
        nb_path.fit_ratios(encoded.train.ids, encoded.train.labels, config.model.nb_alpha)
    weights = class_weights(config.train.class_weights, data.labels, encoded.train.labels)
    weight_of = None if weights is None else dict(zip(data.labels, weights.tolist(), strict=True))
    if weight_of:
        logger.info("class weights: %s", ", ".join(f"{a} {w:.3f}" for a, w in weight_of.items()))
    run_dir = options.run_dir
    main = world is None or world.is_main
    tensorboard = TensorBoardLogger(run_dir / "tensorboard") if main else None
    loggers = [tensorboard, CsvLogger(run_dir / "metrics.csv", resume=options.resume)]
    if world is not None:
        model.to(world.device)
    trainer = Trainer(
        model,
        config.train,
        data.labels,
        run_dir / "checkpoints",
        [*loggers, *options.callbacks] if main else [],
        freeze_embedding_epochs=0 if config.vectors.freeze else config.vectors.freeze_epochs,
        class_weights=as_tensor(weights),
        run_config=config.to_dict(),
        parallel=None if world is None else ddp.DataParallel(world),
    )
    trainer.callbacks += fault_callbacks()  # tests only: a process that dies mid-epoch
    if main and not options.resume and has_checkpoint(run_dir / "checkpoints"):
        logger.warning("%s has a checkpoint: starting anew (pass --resume to continue it)", run_dir)
    try:
        fit = trainer.fit(encoded.train, encoded.validation, resume=options.resume)
    except BaseException:
        if tensorboard is not None:  # a callback may end training early (a pruner, Ctrl-C)
            tensorboard.close()
        raise
    timings["train_seconds"] = fit.train_seconds
    bundle = Bundle(model=model.cpu(), encoder=encoded.encoder, labels=data.labels, config=config)
    if tensorboard is None:  # another rank than 0: rank 0 scores the splits and saves
        return Fitted(bundle, config, {}, {}, fit, {}, timings, None)
    splits = {"validation": encoded.validation}
    if encoded.test is not None:
        splits["test"] = encoded.test
    logits = {name: predict_logits(model, split) for name, split in splits.items()}
    targets = {name: split.labels for name, split in splits.items() if split.labels is not None}
    metrics: dict[str, Any] = {
        "auto_settings": encoded.auto_settings,
        "class_weights": weight_of,
        "best_epoch": fit.best_epoch,
        "epochs_run": len(fit.history),
        "train_examples": len(encoded.train),
        "train_tokens_per_second": fit.tokens_per_second,
        "parameters": count_parameters(model),
        "trainable_parameters": count_parameters(model, trainable_only=True),
        "seconds_per_epoch": fit.train_seconds / max(1, len(fit.history)),
        **vector_info,
    }

    def finish(final: dict[str, Any]) -> None:
        assert tensorboard is not None
        _log_to_tensorboard(tensorboard, config, final, model, vocab)

    return Fitted(bundle, config, logits, targets, fit, metrics, timings, finish)
