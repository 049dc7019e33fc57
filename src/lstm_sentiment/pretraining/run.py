"""``lstm-sentiment pretrain``: forward and backward language models on the training texts and
``data.unlabelled``, checkpointed and resumable, saved as a pretrained model folder.

The validation split is carved out exactly as ``train`` carves it (same seed) and never read
for learning: the language models' perplexity is measured on it each epoch. The test split is
never read at all.
"""

from __future__ import annotations

import logging
import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from tqdm import tqdm

from lstm_sentiment.bundle import write_bundle
from lstm_sentiment.config import PretrainConfig, RunConfig
from lstm_sentiment.errors import ConfigError, DataError
from lstm_sentiment.inference.batching import EncodedDataset
from lstm_sentiment.io_utils import write_json
from lstm_sentiment.kinds import KIND_PRETRAINED
from lstm_sentiment.kinds.neural_encoding import build_embeddings, learn_vocabulary
from lstm_sentiment.kinds.neural_files import VOCAB_FILE, WEIGHTS_FILE
from lstm_sentiment.preparation import prepare_data
from lstm_sentiment.pretraining.artefact import CELLS, OBJECTIVE_LSTM_REGION, OBJECTIVE_REGION
from lstm_sentiment.pretraining.card import pretrain_card
from lstm_sentiment.pretraining.function_words import FUNCTION_WORDS, stopwords_from_file
from lstm_sentiment.pretraining.language_model import LanguageModel
from lstm_sentiment.pretraining.lstm_region_model import LstmRegionModel
from lstm_sentiment.pretraining.region_model import RegionModel
from lstm_sentiment.run_folder import locked_run_folder
from lstm_sentiment.text.tokenize import LearnedTokenizer
from lstm_sentiment.text.vocab import Vocabulary
from lstm_sentiment.training.checkpoint import (
    check_fingerprint,
    data_fingerprint,
    has_checkpoint,
    load_checkpoint,
    read_state,
    save_checkpoint,
)
from lstm_sentiment.training.optim import FUSED, lr_factor
from lstm_sentiment.training.trainer import TrainingInterrupted

logger = logging.getLogger(__name__)

REGION_OBJECTIVES = (OBJECTIVE_REGION, OBJECTIVE_LSTM_REGION)
"""Objectives that predict neighbouring words (negative sampling) rather than the next word."""
VALIDATION_BATCH = 128
"""Chunks per validation batch."""


@dataclass
class PretrainResult:
    """Where the pretrained model went and how its training went."""

    run_dir: Path
    model_dir: Path
    history: list[dict[str, float]] = field(default_factory=list)
    corpus: dict[str, Any] = field(default_factory=dict)
    objective: str = "language_model"


def chunk(id_lists: list[list[int]], length: int, max_tokens: int = 0) -> list[np.ndarray]:
    """Each text cut into consecutive chunks of at most ``length`` ids (chunks of one id
    predict nothing and are dropped), up to ``max_tokens`` ids in all (0 = no limit)."""
    chunks: list[np.ndarray] = []
    total = 0
    for ids in id_lists:
        for start in range(0, len(ids), length):
            piece = ids[start : start + length]
            if len(piece) < 2:
                continue
            chunks.append(np.asarray(piece, dtype=np.int64))
            total += len(piece)
            if max_tokens and total >= max_tokens:
                return chunks
    return chunks


def _check_architecture(config: RunConfig) -> None:
    if config.pretrain.objective in REGION_OBJECTIVES:  # any classifier takes region features
        _target_stopwords(config.pretrain)  # a bad word list fails before the corpus is read
        return
    model = config.model
    if model.architecture not in CELLS:
        raise ConfigError(
            f"pretrain trains the first layer of {' or '.join(CELLS)} classifiers; "
            f"model.architecture is {model.architecture!r}"
        )
    if model.lexicon != "none":
        raise ConfigError("pretrain does not use model.lexicon: set it to none for both steps")


def pretrain(
    config: RunConfig, output_dir: str | Path, *, resume: bool = False, overwrite: bool = False
) -> PretrainResult:
    """Train the language models ``config`` describes into the run folder ``output_dir``
    (``model/``, ``metrics.json``, ``config.json``, ``checkpoints/``)."""
    _check_architecture(config)
    with locked_run_folder(Path(output_dir), resume=resume, overwrite=overwrite) as run_dir:
        return _pretrain(config, run_dir, resume)


def _pretrain(config: RunConfig, run_dir: Path, resume: bool) -> PretrainResult:
    settings = config.pretrain
    torch.set_num_threads(settings.threads or os.cpu_count() or 1)
    torch.manual_seed(config.train.seed)
    data = prepare_data(config, read_unlabelled=True)
    texts = [ex.text for ex in data.fit] + data.unlabelled
    learned = learn_vocabulary(config, texts, data.report)
    config, vocab = learned.config, learned.vocab
    chunks = chunk(
        [vocab.lookup(t) for t in learned.tokens], settings.chunk_tokens, settings.max_tokens
    )
    held_out = [vocab.lookup(learned.tokenizer.tokenize(ex.text)) for ex in data.validation]
    validation = EncodedDataset(chunk(held_out, settings.chunk_tokens), None, vocab.pad_id)
    if not chunks:
        raise DataError("no text of two tokens or more to learn a language model from")
    corpus = EncodedDataset(chunks, None, vocab.pad_id)
    summary = {
        "texts": len(texts),
        "unlabelled_texts": len(data.unlabelled),
        "chunks": len(corpus),
        "tokens": corpus.num_tokens,
        "validation_tokens": validation.num_tokens,
        "vocabulary": len(vocab),
    }
    logger.info("language model corpus: %s", summary)
    write_json(run_dir / "config.json", config.to_dict())
    model, header, vector_info = _network(config, vocab, learned.vectors, corpus)
    history = LanguageModelTrainer(model, config, run_dir / "checkpoints").fit(
        corpus, validation, resume=resume
    )
    metrics = {"corpus": summary, "history": history, **vector_info}
    header = {
        "config": config.to_dict(),
        "tokenizer": learned.tokenizer.to_dict(),
        "vocab_size": len(vocab),
        "objective": settings.objective,
        **header,
    }
    model_dir = write_bundle(
        run_dir / "model",
        kind=KIND_PRETRAINED,
        header=header,
        metrics=metrics,
        card=pretrain_card(config, summary, history),
        write_files=lambda folder: _write_files(folder, model, vocab, learned.tokenizer),
    )
    write_json(run_dir / "metrics.json", metrics)
    return PretrainResult(run_dir, model_dir, history, summary, settings.objective)


def _network(
    config: RunConfig, vocab: Vocabulary, vectors: Any, corpus: EncodedDataset
) -> tuple[LanguageModel | RegionModel | LstmRegionModel, dict[str, Any], dict[str, Any]]:
    """The network ``pretrain.objective`` trains, its header fields and its vector info."""
    settings = config.pretrain
    if settings.objective in REGION_OBJECTIVES:
        counts = np.bincount(np.concatenate(corpus.ids), minlength=len(vocab))
        sampling = {
            "negatives": settings.negatives,
            "negative_draws": settings.negative_draws,
            "special_ids": tuple(vocab.special_ids),
            "skipped_ids": _skipped_targets(settings, vocab),
        }
        network: RegionModel | LstmRegionModel
        vector_info: dict[str, Any] = {}
        if settings.objective == OBJECTIVE_REGION:
            network = RegionModel(
                len(vocab),
                settings.region_dim,
                settings.region_size,
                vocab.pad_id,
                counts,
                **sampling,
            )
        else:
            table, vector_info = _region_table_start(config, vocab, vectors)
            network = LstmRegionModel(
                len(vocab),
                settings.region_dim,
                settings.region_size,
                vocab.pad_id,
                counts,
                dropout=settings.dropout,
                table=table,
                **sampling,
            )
        header = {
            "region_dim": settings.region_dim,
            "region_size": settings.region_size,
            "region_targets": settings.region_targets,
        }
        return network, header, vector_info
    embeddings, embedding_dim, vector_info = build_embeddings(config, vocab, vectors)
    model = LanguageModel(
        CELLS[config.model.architecture],
        len(vocab),
        embedding_dim,
        (config.model.hidden_sizes or [config.model.hidden_size])[0],
        vocab.pad_id,
        bidirectional=config.model.bidirectional,
        dropout=settings.dropout,
        cutoffs=settings.cutoffs,
        embeddings=embeddings,
    )
    header = {"embedding_dim": embedding_dim, "hidden_size": model.softmax.in_features}
    return model, header, vector_info


def _region_table_start(
    config: RunConfig, vocab: Vocabulary, vectors: Any
) -> tuple[np.ndarray | None, dict[str, Any]]:
    """The LSTM regions' starting word table: the vectors with ``pretrain.region_vectors``."""
    if not config.pretrain.region_vectors:
        return None, {}
    table, width, info = build_embeddings(config, vocab, vectors)
    if table is None or width != config.pretrain.region_dim:
        raise ConfigError(
            f"pretrain.region_vectors needs vectors.source of {config.pretrain.region_dim} "
            f"dimensions (pretrain.region_dim); got {width if table is not None else 'none'}: "
            "set pretrain.region_dim to the vectors' width"
        )
    return table, info


def _skipped_targets(settings: PretrainConfig, vocab: Vocabulary) -> tuple[int, ...]:
    """The vocabulary ids the region objective does not predict (``region_targets``)."""
    words = _target_stopwords(settings)
    return tuple(sorted(vocab.lookup([word for word in words if word in vocab])))


def _target_stopwords(settings: PretrainConfig) -> frozenset[str]:
    """The words ``region_targets`` skips (none for ``all``)."""
    if settings.region_targets == "all":
        return frozenset()
    if settings.region_stopwords:
        return stopwords_from_file(settings.region_stopwords)
    return FUNCTION_WORDS


def _write_files(
    folder: Path,
    model: LanguageModel | RegionModel | LstmRegionModel,
    vocab: Vocabulary,
    tokenizer: Any,
) -> None:
    from safetensors.torch import save_file

    regions = isinstance(model, RegionModel | LstmRegionModel)
    state = model.transferable_state() if regions else model.state_dict()
    tensors = {k: v.detach().contiguous() for k, v in state.items()}
    save_file(tensors, str(folder / WEIGHTS_FILE))
    if isinstance(tokenizer, LearnedTokenizer):
        tokenizer.save(folder)
    write_json(folder / VOCAB_FILE, vocab.to_dict())


class LanguageModelTrainer:
    """Adam over length-bucketed chunks with warm-up and linear decay; checkpoints every
    ``pretrain.checkpoint_every`` steps and at epoch ends; ``resume`` continues mid-epoch."""

    def __init__(self, model: LanguageModel, config: RunConfig, checkpoint_dir: Path) -> None:
        self.model = model
        self.settings = config.pretrain
        self.seed = config.train.seed
        self.checkpoint_dir = checkpoint_dir
        self.optimizer = torch.optim.Adam(model.parameters(), lr=self.settings.lr, **FUSED)

    def fit(
        self, corpus: EncodedDataset, validation: EncodedDataset, *, resume: bool = False
    ) -> list[dict[str, float]]:
        """Train every epoch; the per-epoch record (loss, perplexities, speed)."""
        cfg = self.settings
        state: dict[str, Any] = {"epoch": 1, "batch": 0, "global_step": 0, "history": []}
        state.update(elapsed=0.0, epoch_seconds=0.0, epoch_nll=0.0, epoch_count=0)
        state["fingerprint"] = {"data": data_fingerprint([corpus, validation])}
        if resume and has_checkpoint(self.checkpoint_dir):
            saved = read_state(self.checkpoint_dir)["progress"].get("fingerprint", {})
            check_fingerprint(self.checkpoint_dir, saved, state["fingerprint"])
            state, _ = load_checkpoint(self.checkpoint_dir, self.model, self.optimizer)
            logger.info("resuming at epoch %d, batch %d", state["epoch"], state["batch"])
        try:
            while state["epoch"] <= cfg.epochs:
                self._run_epoch(corpus, validation, state)
        except KeyboardInterrupt:
            self._save(state)
            raise TrainingInterrupted(
                f"pretraining interrupted in epoch {state['epoch']}; checkpoint saved in "
                f"{self.checkpoint_dir}: rerun the same command with --resume to continue"
            ) from None
        return list(state["history"])

    def _save(self, state: dict[str, Any]) -> None:
        save_checkpoint(self.checkpoint_dir, self.model, self.optimizer, dict(state))

    def _run_epoch(
        self, corpus: EncodedDataset, validation: EncodedDataset, state: dict[str, Any]
    ) -> None:
        cfg, epoch = self.settings, state["epoch"]
        plan = corpus.batches(cfg.batch_size, rng=np.random.default_rng([self.seed, epoch]))
        total_steps = cfg.epochs * len(plan)
        self.model.train()
        started, elapsed_before = time.perf_counter(), state["elapsed"]
        # the epoch's time so far, before an interruption too (older checkpoints lack it)
        epoch_before = state.get("epoch_seconds", 0.0)
        what = "regions" if cfg.objective in REGION_OBJECTIVES else "LM"
        bar = tqdm(
            total=len(plan), initial=state["batch"], desc=f"{what} epoch {epoch}/{cfg.epochs}"
        )
        for batch in corpus.iterate(plan, state["batch"]):
            factor = lr_factor("linear", state["global_step"], total_steps, cfg.warmup_steps)
            for group in self.optimizer.param_groups:
                group["lr"] = cfg.lr * factor
            self.optimizer.zero_grad(set_to_none=True)
            nll, count = self.model(batch.ids, batch.lengths)
            (nll / max(1, count)).backward()
            if cfg.clip_grad_norm > 0:
                nn.utils.clip_grad_norm_(self.model.parameters(), cfg.clip_grad_norm)
            self.optimizer.step()
            state["global_step"] += 1
            state["batch"] += 1
            state["epoch_nll"] += float(nll.detach())
            state["epoch_count"] += count
            state["elapsed"] = elapsed_before + time.perf_counter() - started
            state["epoch_seconds"] = epoch_before + time.perf_counter() - started
            bar.update(1)
            mean_loss = state["epoch_nll"] / max(1, state["epoch_count"])
            if cfg.objective in REGION_OBJECTIVES:
                bar.set_postfix(loss=f"{mean_loss:.3f}")
            else:
                bar.set_postfix(ppl=f"{math.exp(mean_loss):.1f}")
            if cfg.checkpoint_every and state["global_step"] % cfg.checkpoint_every == 0:
                self._save(state)
        bar.close()
        seconds = state["epoch_seconds"]
        train_loss = state["epoch_nll"] / max(1, state["epoch_count"])
        val_loss = self.validation_loss(validation)
        record = {
            "epoch": epoch,
            "train_loss": train_loss,
            "train_perplexity": math.exp(train_loss),
            "val_loss": val_loss,
            "val_perplexity": math.exp(val_loss),
            "seconds": seconds,
            "tokens_per_second": corpus.num_tokens / seconds if seconds else 0.0,
        }
        logger.info(
            "%s epoch %d: train loss %.3f | validation loss %.3f | %.0fs",
            what,
            epoch,
            train_loss,
            val_loss,
            seconds,
        )
        state["history"] = [*state["history"], record]
        state.update(epoch=epoch + 1, batch=0, epoch_seconds=0.0, epoch_nll=0.0, epoch_count=0)
        self._save(state)

    @torch.no_grad()
    def validation_loss(self, validation: EncodedDataset) -> float:
        """Mean negative log-likelihood per predicted token (both directions)."""
        if not len(validation):
            return float("nan")
        self.model.eval()
        nll, count = 0.0, 0
        for batch in validation.iterate(validation.batches(VALIDATION_BATCH)):
            total, seen = self.model(batch.ids, batch.lengths)
            nll, count = nll + float(total), count + seen
        self.model.train()
        return nll / max(1, count)
