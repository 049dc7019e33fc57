"""``train()``: prepare the data → the model's kind trains → shared calibration and evaluation →
bundle → metrics. The CLI's ``train`` command is a thin wrapper over this function."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lstm_sentiment.config import RunConfig
from lstm_sentiment.data import Example
from lstm_sentiment.distributed import ddp
from lstm_sentiment.errors import ConfigError, LstmSentimentError, describe_os_error
from lstm_sentiment.io_utils import write_json
from lstm_sentiment.kinds import KIND_NEURAL, kind_for, save_model
from lstm_sentiment.kinds.base import FitOptions, Fitted, ModelKind
from lstm_sentiment.preparation import prepare_data
from lstm_sentiment.provenance import portable_config, source_identity
from lstm_sentiment.run_folder import locked_run_folder
from lstm_sentiment.training.evaluation import evaluate_logits
from lstm_sentiment.training.plots import plot_confusion_matrix, plot_training_curves
from lstm_sentiment.training.trainer import Callback, FitResult

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


def train(
    config: RunConfig,
    output_dir: str | Path,
    *,
    resume: bool = False,
    overwrite: bool = False,
    examples: tuple[list[Example], list[Example]] | None = None,
    callbacks: Sequence[Callback] = (),
) -> TrainResult:
    """Train a model as ``config`` says and write the run folder (see the README's contract).

    The kind that trains ``model.architecture`` (a neural network, or ``nbsvm``) does the
    fitting; calibration, metrics, the bundle and the plots are the same for every kind.

    Args:
        config: The full run configuration (data, text, vectors, model, train).
        output_dir: Run folder; receives ``model/``, ``metrics.json``, ``config.json``,
            ``metrics.csv``, ``plots/``, ``tensorboard/`` and ``checkpoints/``.
        resume: Continue from the last checkpoint in ``output_dir`` if there is one.
        overwrite: Replace a finished run in ``output_dir`` (otherwise refused); the old model
            stays until the new one is complete.
        examples: Already loaded ``(train, test)`` examples (``test`` may be empty); when
            given, ``config.data.source`` is not read. Used by ``compare``, ``tune`` and the
            scikit-learn estimator.
        callbacks: Extra trainer callbacks (e.g. a tuning pruner) after the run's own loggers.

    Started by ``torchrun --nproc-per-node N`` (``WORLD_SIZE`` > 1), each process is one rank
    of a data-parallel run (:mod:`lstm_sentiment.distributed.ddp`); rank 0 returns the result,
    the others a result without metrics.
    """
    kind = kind_for(config.model)
    if ddp.requested_world_size() > 1:
        return _train_distributed(kind, config, Path(output_dir), resume, overwrite, examples)
    with locked_run_folder(Path(output_dir), resume=resume, overwrite=overwrite) as run_dir:
        return _train(kind, config, run_dir, resume, examples, callbacks)


def _train_distributed(
    kind: ModelKind,
    config: RunConfig,
    output_dir: Path,
    resume: bool,
    overwrite: bool,
    examples: tuple[list[Example], list[Example]] | None,
) -> TrainResult:
    """One rank of a torchrun group: rank 0 holds the run folder and writes into it; every
    rank trains its share (see :mod:`lstm_sentiment.distributed.ddp`)."""
    if kind.name != KIND_NEURAL:
        raise ConfigError(
            f"torchrun trains neural models; model.architecture {config.model.architecture!r} "
            "trains in one process: run it without torchrun"
        )
    with ddp.process_group() as world, contextlib.ExitStack() as stack:
        if world.is_main:
            try:
                folder = locked_run_folder(output_dir, resume=resume, overwrite=overwrite)
                stack.enter_context(folder)
            except (LstmSentimentError, OSError) as exc:
                why = describe_os_error(exc) if isinstance(exc, OSError) else str(exc)
                ddp.broadcast_error(why)  # the other ranks stop with the same message
                raise
        ddp.broadcast_error(None)
        result = _train(kind, config, output_dir, resume, examples, (), world.is_main)
        ddp.barrier()  # the other ranks wait until rank 0 has written the bundle
        return result


def _train(
    kind: ModelKind,
    config: RunConfig,
    run_dir: Path,
    resume: bool,
    examples: tuple[list[Example], list[Example]] | None,
    callbacks: Sequence[Callback],
    writes: bool = True,
) -> TrainResult:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    data = prepare_data(config, examples)
    timings["read_seconds"] = time.perf_counter() - started
    if writes and not resume:  # a resume that does not match its checkpoint changes nothing
        write_json(run_dir / "data_report.json", data.report)
        write_json(run_dir / "config.json", config.to_dict())

    fitted = kind.fit(config, data, FitOptions(run_dir, resume, callbacks))
    if not writes:  # another rank than 0 (torchrun): rank 0 evaluates and saves
        return TrainResult(run_dir, run_dir / "model", {}, fitted.fit, timings, data.report)
    write_json(run_dir / "data_report.json", data.report)  # with what training found
    config = fitted.config
    write_json(run_dir / "config.json", config.to_dict())  # with the data-derived sizes
    timings.update(fitted.timings)

    started = time.perf_counter()
    metrics = _evaluate(fitted, data.labels, run_dir / "plots")
    timings["evaluate_seconds"] = time.perf_counter() - started
    metrics["timings"] = timings
    model = fitted.model
    model.metrics = metrics
    model.config = portable_config(config, run_dir)
    model.info = {**model.info, "data": source_identity(config, examples is not None)}
    # The model is saved before the plots: a plot that fails never costs the model.
    model_dir = save_model(run_dir / "model", model)
    write_json(run_dir / "metrics.json", metrics)
    if fitted.finish is not None:
        fitted.finish(metrics)
    _plot_run(run_dir / "plots", fitted.fit, metrics, data.labels)
    return TrainResult(
        run_dir=run_dir,
        model_dir=model_dir,
        metrics=metrics,
        fit=fitted.fit,
        timings=timings,
        data_report=data.report,
    )


def _evaluate(fitted: Fitted, labels: list[str], plots: Path) -> dict[str, Any]:
    """Fit the temperature on validation, measure every split, set the model's temperature."""
    train_config = fitted.config.train
    evaluation = evaluate_logits(fitted.logits, fitted.targets, labels, train_config, plots)
    fitted.model.temperature = evaluation.temperature
    return {**evaluation.metrics, "calibration": evaluation.calibration, **fitted.metrics}


def _plot_run(plots: Path, fit: FitResult, metrics: dict[str, Any], labels: list[str]) -> None:
    if fit.history:
        plot_training_curves(fit.history, plots / "training_curves.png")
    for split in ("validation", "test"):
        if split in metrics:
            plot_confusion_matrix(
                metrics[split]["confusion_matrix"],
                labels,
                plots / f"confusion_matrix_{split}.png",
                title=f"{split} (n={metrics[split]['n']})",
            )
