"""Training the neural kind: the classifier built on the encoded splits
(:mod:`.neural_encoding`) and fitted by the trainer."""

from __future__ import annotations

import copy
import logging
import os
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch

from lstm_sentiment.config import RunConfig
from lstm_sentiment.distributed import ddp
from lstm_sentiment.distributed.ddp import rank_threads
from lstm_sentiment.errors import ConfigError
from lstm_sentiment.inference.forward import predict_logits
from lstm_sentiment.kinds.base import FitOptions, Fitted
from lstm_sentiment.kinds.neural_encoding import EncodedData, build_embeddings, encode_data
from lstm_sentiment.kinds.neural_init import (
    check_labels,
    fine_tuning_config,
    load_init_weights,
    read_init_parts,
)
from lstm_sentiment.kinds.neural_model import Bundle
from lstm_sentiment.models.registry import build_model, count_parameters
from lstm_sentiment.preparation import PreparedData
from lstm_sentiment.pretraining.artefact import initialise_from_pretrained, pretrained_embedding_dim
from lstm_sentiment.pretraining.lstm_region_artefact import lstm_region_config, lstm_region_tensors
from lstm_sentiment.pretraining.region_artefact import region_config, region_table
from lstm_sentiment.text.vocab import Vocabulary
from lstm_sentiment.training.callbacks import CsvLogger, TensorBoardLogger
from lstm_sentiment.training.checkpoint import has_checkpoint
from lstm_sentiment.training.faults import fault_callbacks
from lstm_sentiment.training.trainer import Trainer
from lstm_sentiment.training.weights import as_tensor, class_weights
from lstm_sentiment.vectors.lexicon import load_lexicon

logger = logging.getLogger(__name__)


def _set_threads(threads: int) -> None:
    torch.set_num_threads(threads or os.cpu_count() or 1)


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


def _fit_tables(model: torch.nn.Module, config: RunConfig, encoded: EncodedData) -> None:
    """The tables a new network learns from the training texts before training: word
    frequencies (embedding standardisation), the lexicon's features, the region embeddings
    and the NB ratios."""
    vocab = encoded.encoder.vocab
    if model.standardizer is not None:  # the training texts' word frequencies
        counts = np.bincount(np.concatenate(encoded.train.ids), minlength=len(vocab))
        model.standardizer.set_counts(counts.tolist())
    if model.lexicon is not None:
        model.lexicon.set_table(load_lexicon(config.model.lexicon).table(vocab.tokens))
    if model.region is not None:
        model.region.set_table(*region_table(config.model.region_init, vocab.tokens, vocab.pad_id))
    if model.lstm_region is not None:
        path = config.model.lstm_region_init
        model.lstm_region.set_weights(lstm_region_tensors(path, vocab.tokens, vocab.pad_id))
    nb_path = getattr(model, "nb", None)
    if nb_path is not None:  # NB-weighted n-grams: ratios from the training texts only
        nb_path.fit_ratios(encoded.train.ids, encoded.train.labels, config.model.nb_alpha)


def ratio_rows(config: RunConfig, total: int, extra_sizes: list[int]) -> list[int]:
    """Rows of the training texts that count in re-fitted NB ratios: the main data, then the
    ``data.extra_train`` sources that ``train.nb_ratio_extra`` names (all when it is empty)."""
    chosen = config.train.nb_ratio_extra
    if unknown := sorted(set(chosen) - set(config.data.extra_train)):
        raise ConfigError(
            f"train.nb_ratio_extra names {', '.join(unknown)}, which data.extra_train does not "
            "hold: list sources of data.extra_train"
        )
    start = total - sum(extra_sizes)
    rows = list(range(start))
    for source, size in zip(config.data.extra_train, extra_sizes, strict=True):
        if not chosen or source in chosen:
            rows += range(start, start + size)
        start += size
    return rows


def _refit_nb_ratios(
    model: torch.nn.Module, config: RunConfig, encoded: EncodedData, extra_sizes: list[int]
) -> None:
    """A fine-tune's NB ratios from its own training texts (``train.refit_nb_ratios``)."""
    nb_path = getattr(model, "nb", None)
    if nb_path is None:
        raise ConfigError(
            f"train.refit_nb_ratios re-fits the NB n-gram path, and train.init_from "
            f"{config.train.init_from} has none: leave it out"
        )
    rows = ratio_rows(config, len(encoded.train.ids), extra_sizes)
    before = nb_path.ratios.clone()
    texts = [encoded.train.ids[i] for i in rows]
    nb_path.fit_ratios(texts, encoded.train.labels[rows], config.model.nb_alpha)
    moved = float((nb_path.ratios - before).abs().mean())
    logger.info("NB ratios re-fitted on %d training texts (mean change %.3f)", len(rows), moved)


def fit_neural(config: RunConfig, data: PreparedData, options: FitOptions) -> Fitted:
    """Encode the splits, build the classifier (with pretrained vectors) and fit it.

    Under torchrun (:mod:`lstm_sentiment.distributed.ddp`) every rank runs this; rank 0 alone
    logs, checkpoints and scores the splits for the bundle."""
    world = ddp.current()
    _set_threads(
        config.train.threads if world is None else rank_threads(config.train.threads, world)
    )
    torch.manual_seed(config.train.seed)
    if config.train.init_from:
        config = fine_tuning_config(config)
        check_labels(config, data.labels)
    else:  # the region embeddings' sizes and widths, saved with the model
        if config.model.region_init:
            config = region_config(config)
        if config.model.lstm_region_init:
            config = lstm_region_config(config)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    encoded = encode_data(config, data)
    config = encoded.config
    timings["encode_seconds"] = time.perf_counter() - started

    started = time.perf_counter()
    vocab = encoded.encoder.vocab
    encoder_init, init_from = config.model.encoder_init, config.train.init_from
    if init_from:  # the saved model's embedding, set after building with its other weights
        embedding_dim = read_init_parts(config).embedding_dim
        embeddings = None
        vector_info: dict[str, Any] = {"vectors": f"fine-tuned from {Path(init_from).name}"}
    elif encoder_init:  # the language model's embedding, set after building
        embeddings, embedding_dim = None, pretrained_embedding_dim(encoder_init)
        vector_info = {"vectors": f"language model {Path(encoder_init).name}"}
    else:
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
    pretrained = initialise_from_pretrained(model, encoder_init) if encoder_init else []
    if pretrained:
        logger.info("%d tensors initialised from %s", len(pretrained), encoder_init)
    reference = None
    if init_from:  # its frequencies, lexicon table and NB ratios come with its weights
        load_init_weights(model, config)
        reference = copy.deepcopy(model) if config.train.retain_weight > 0 else None
        if config.train.refit_nb_ratios:  # after the copy: the pull is toward the saved model
            _refit_nb_ratios(model, config, encoded, data.extra_sizes)
    else:
        _fit_tables(model, config, encoded)

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
        if reference is not None:
            reference.to(world.device)
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
        pretrained=pretrained,
        reference=reference,
    )
    trainer.callbacks += fault_callbacks()  # tests only: a process that dies mid-epoch
    if main and not options.resume and has_checkpoint(run_dir / "checkpoints"):
        logger.warning("%s has a checkpoint: starting anew (pass --resume to continue it)", run_dir)
    try:
        fit = trainer.fit(
            encoded.train, encoded.validation, resume=options.resume, unlabelled=encoded.unlabelled
        )
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
