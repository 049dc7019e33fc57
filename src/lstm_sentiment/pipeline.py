"""``train()``: data → tokens → vocabulary → vectors → model → fit → evaluate → bundle.

The CLI's ``train`` command is a thin wrapper over this function.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from lstm_sentiment.bundle import Bundle, environment_info, save_bundle
from lstm_sentiment.config import NBSVM_ARCHITECTURE, RunConfig
from lstm_sentiment.data import (
    DataOptions,
    DataReport,
    Example,
    load_splits_with_report,
    stratified_split,
)
from lstm_sentiment.data.report import drop_duplicates
from lstm_sentiment.errors import ConfigError, DataError
from lstm_sentiment.io_utils import write_json
from lstm_sentiment.model_card import render_model_card
from lstm_sentiment.models.registry import build_model, count_parameters
from lstm_sentiment.text.auto import resolve_auto
from lstm_sentiment.text.encode import TextEncoder
from lstm_sentiment.text.tokenize import LearnedTokenizer, build_tokenizer
from lstm_sentiment.text.vocab import Vocabulary
from lstm_sentiment.training.batching import EncodedDataset
from lstm_sentiment.training.callbacks import CsvLogger, TensorBoardLogger
from lstm_sentiment.training.checkpoint import has_checkpoint
from lstm_sentiment.training.evaluation import evaluate_calibrated
from lstm_sentiment.training.plots import plot_confusion_matrix, plot_training_curves
from lstm_sentiment.training.trainer import Callback, FitResult, Trainer
from lstm_sentiment.training.weights import as_tensor, class_weights
from lstm_sentiment.vectors.word_vectors import WordVectors

logger = logging.getLogger(__name__)


@dataclass
class TrainResult:
    """What :func:`train` produced."""

    run_dir: Path
    model_dir: Path
    metrics: dict[str, Any]
    fit: FitResult
    timings: dict[str, float] = field(default_factory=dict)
    data_report: dict[str, Any] = field(default_factory=dict)
    """Per split: rows read, kept, dropped and why, invalid bytes (``data_report.json``)."""


def data_options(config: RunConfig) -> DataOptions:
    """Reader options from the data section of the config."""
    data = config.data
    return DataOptions(
        text_column=data.text_column,
        label_column=data.label_column,
        group_column=data.group_column,
        encoding=data.encoding,
        encoding_errors=data.encoding_errors,
        delimiter=data.delimiter,
        label_map=dict(data.label_map),
        confidence_column=data.confidence_column,
        min_confidence=data.min_confidence,
    )


def load_training_data(config: RunConfig) -> tuple[list[Example], list[Example]]:
    """Labelled train examples and (if the source has one) the test split, read in one pass."""
    train, test, _ = load_training_data_with_report(config)
    return train, test


def load_training_data_with_report(
    config: RunConfig,
) -> tuple[list[Example], list[Example], dict[str, DataReport]]:
    """:func:`load_training_data` plus what was read, kept and dropped per split."""
    data = config.data
    if not data.source:
        raise ConfigError("no training data: pass --data SOURCE (or set data.source)")
    options = data_options(config)
    splits = [data.train_split] + ([data.test_split] if data.test_split else [])
    # The test split is optional: single files (CSV/JSONL) have none.
    loaded, reports = load_splits_with_report(data.source, splits, options, optional=splits[1:])
    train = _usable(loaded[data.train_split], "training")
    train = drop_duplicates(train, reports[data.train_split], drop=data.drop_duplicates)
    test = _usable(loaded[data.test_split], "test") if data.test_split in loaded else []
    if data.limit and data.limit < len(train):
        # A seeded random sample: files are usually grouped by label.
        keep = np.random.default_rng(config.train.seed).permutation(len(train))[: data.limit]
        reports[data.train_split].drop("over_limit", len(train) - data.limit)
        train = [train[i] for i in sorted(keep)]
    out = {"train": reports[data.train_split].finish(train)}
    if test:
        out["test"] = reports[data.test_split].finish(test)
    return train, test, out


def load_extra_training(
    config: RunConfig, labels: list[str]
) -> tuple[list[Example], dict[str, DataReport]]:
    """The examples of ``data.extra_train`` (training part only), checked against ``labels``."""
    options = dataclasses.replace(data_options(config), label_map={})
    examples: list[Example] = []
    reports: dict[str, DataReport] = {}
    for source in config.data.extra_train:
        loaded, read = load_splits_with_report(source, [config.data.train_split], options)
        kept = _usable(loaded[config.data.train_split], f"extra training ({source})")
        unknown = sorted({str(ex.label) for ex in kept} - set(labels))
        if unknown:
            raise DataError(
                f"data.extra_train {source}: labels {', '.join(unknown)} are not among the "
                f"training labels ({', '.join(labels)}); relabel the file"
            )
        examples += kept
        reports[f"extra: {source}"] = read[config.data.train_split].finish(kept)
        logger.info("extra training examples: %d from %s", len(kept), source)
    return examples, reports


def _usable(examples: list[Example], what: str) -> list[Example]:
    kept = [ex for ex in examples if ex.label is not None and ex.text.strip()]
    dropped = len(examples) - len(kept)
    if dropped:
        logger.warning("dropped %d %s examples with empty text or no label", dropped, what)
    if not kept:
        raise DataError(f"no labelled {what} examples with text: check the data and its columns")
    return kept


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
        "vectors": spec,
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
class PreparedData:
    """The examples of a run after reading, cleaning and carving the validation split."""

    fit: list[Example]
    validation: list[Example]
    test: list[Example]
    labels: list[str]
    report: dict[str, Any]


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


def prepare_data(
    config: RunConfig, examples: tuple[list[Example], list[Example]] | None = None
) -> PreparedData:
    """Read (or take) the examples, drop what is unusable, carve the validation split."""
    if examples is None:
        train_examples, test_examples, reports = load_training_data_with_report(config)
    else:
        train_examples = _usable(list(examples[0]), "training")
        report = DataReport("(examples)", rows=len(examples[0]))
        train_examples = drop_duplicates(train_examples, report, drop=config.data.drop_duplicates)
        test_examples = _usable(list(examples[1]), "test") if examples[1] else []
        reports = {"train": report.finish(train_examples)}
    fit_examples, val_examples = stratified_split(
        train_examples,
        config.data.validation_fraction,
        config.validation_seed,
        by_group=config.data.group_validation,
    )
    if not val_examples:
        raise ConfigError("data.validation_fraction must be > 0: validation drives early stopping")
    labels = sorted({str(ex.label) for ex in fit_examples})
    if len(labels) < 2:
        raise DataError(f"training data has only one label ({labels[0]}): need at least two")
    extra, extra_reports = load_extra_training(config, labels)
    fit_examples += extra
    reports.update(extra_reports)
    logger.info(
        "data: %d train, %d validation, %d test examples; labels: %s",
        len(fit_examples),
        len(val_examples),
        len(test_examples),
        ", ".join(labels),
    )
    report = {split: rep.to_dict() for split, rep in reports.items()}
    return PreparedData(fit_examples, val_examples, test_examples, labels, report)


def encode_data(config: RunConfig, data: PreparedData) -> EncodedData:
    """Fit the tokenizer (if it learns) and the vocabulary on the training texts only, derive
    the sizes left to the data, and encode every split."""
    tokenizer = build_tokenizer(config.text)
    if isinstance(tokenizer, LearnedTokenizer):
        # Subword pieces are learned from the training texts only (never validation or test).
        tokenizer.fit([ex.text for ex in data.fit])
    fit_tokens = [tokenizer.tokenize(ex.text) for ex in data.fit]
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


def train(
    config: RunConfig,
    output_dir: str | Path,
    *,
    resume: bool = False,
    examples: tuple[list[Example], list[Example]] | None = None,
    callbacks: Sequence[Callback] = (),
) -> TrainResult:
    """Train a model as ``config`` says and write the run folder (see the README's contract).

    ``model.architecture = "nbsvm"`` trains the linear NBSVM model instead (same data, split and
    tokenizer; :mod:`lstm_sentiment.linear.train`): no epochs, checkpoints or TensorBoard.

    Args:
        config: The full run configuration (data, text, vectors, model, train).
        output_dir: Run folder; receives ``model/``, ``metrics.json``, ``config.json``,
            ``metrics.csv``, ``plots/``, ``tensorboard/`` and ``checkpoints/``.
        resume: Continue from the last checkpoint in ``output_dir`` if there is one.
        examples: Already loaded ``(train, test)`` examples (``test`` may be empty); when
            given, ``config.data.source`` is not read. Used by ``compare``, ``tune`` and the
            scikit-learn estimator.
        callbacks: Extra trainer callbacks (e.g. a tuning pruner) after the run's own loggers.
    """
    run_dir = Path(output_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    _set_threads(config.train.threads)
    torch.manual_seed(config.train.seed)

    started = time.perf_counter()
    data = prepare_data(config, examples)
    write_json(run_dir / "data_report.json", data.report)
    timings["read_seconds"] = time.perf_counter() - started
    if config.model.architecture == NBSVM_ARCHITECTURE:  # linear: no torch, no epochs
        from lstm_sentiment.linear.train import train_nbsvm

        splits = (data.fit, data.validation, data.test)
        return train_nbsvm(config, run_dir, splits, data.labels, timings, data.report)

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
    nb_path = getattr(model, "nb", None)
    if nb_path is not None:  # NB-weighted n-grams: ratios from the training texts only
        nb_path.fit_ratios(encoded.train.ids, encoded.train.labels, config.model.nb_alpha)
    write_json(run_dir / "config.json", config.to_dict())
    weights = class_weights(config.train.class_weights, data.labels, encoded.train.labels)
    weight_of = None if weights is None else dict(zip(data.labels, weights.tolist(), strict=True))
    if weight_of:
        logger.info("class weights: %s", ", ".join(f"{a} {w:.3f}" for a, w in weight_of.items()))
    tensorboard = TensorBoardLogger(run_dir / "tensorboard")
    trainer = Trainer(
        model,
        config.train,
        data.labels,
        run_dir / "checkpoints",
        [tensorboard, CsvLogger(run_dir / "metrics.csv", resume=resume), *callbacks],
        freeze_embedding_epochs=0 if config.vectors.freeze else config.vectors.freeze_epochs,
        class_weights=as_tensor(weights),
    )
    if not resume and has_checkpoint(run_dir / "checkpoints"):
        logger.warning("%s has a checkpoint: starting anew (pass --resume to continue it)", run_dir)
    try:
        fit = trainer.fit(encoded.train, encoded.validation, resume=resume)
    except BaseException:
        tensorboard.close()  # a callback may end training early (a tuning pruner, Ctrl-C)
        raise
    timings["train_seconds"] = fit.train_seconds

    started = time.perf_counter()
    splits = {"validation": encoded.validation}
    if encoded.test is not None:
        splits["test"] = encoded.test
    evaluation = evaluate_calibrated(model, splits, data.labels, config.train, run_dir / "plots")
    timings["evaluate_seconds"] = time.perf_counter() - started
    metrics: dict[str, Any] = {
        **evaluation.metrics,
        "calibration": evaluation.calibration,
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
        "timings": timings,
    }
    _log_to_tensorboard(tensorboard, config, metrics, model, vocab)
    _plot_run(run_dir / "plots", fit, metrics, data.labels)
    bundle = Bundle(
        model=model,
        encoder=encoded.encoder,
        labels=data.labels,
        config=config,
        metrics=metrics,
        temperature=evaluation.temperature,
    )
    model_dir = save_bundle(
        run_dir / "model", bundle, render_model_card(bundle, environment_info())
    )
    write_json(run_dir / "metrics.json", metrics)
    return TrainResult(
        run_dir=run_dir,
        model_dir=model_dir,
        metrics=metrics,
        fit=fit,
        timings=timings,
        data_report=data.report,
    )


def _plot_run(plots: Path, fit: FitResult, metrics: dict[str, Any], labels: list[str]) -> None:
    plot_training_curves(fit.history, plots / "training_curves.png")
    for split in ("validation", "test"):
        if split in metrics:
            plot_confusion_matrix(
                metrics[split]["confusion_matrix"],
                labels,
                plots / f"confusion_matrix_{split}.png",
                title=f"{split} (n={metrics[split]['n']})",
            )
