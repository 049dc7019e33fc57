"""``build_ensemble()``: member bundles → checked labels → validation → weights → ensemble bundle.

The CLI's ``ensemble`` command is a thin wrapper over this function.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from lstm_sentiment.config import DataConfig
from lstm_sentiment.data import Example
from lstm_sentiment.ensemble.model import (
    KIND_ENSEMBLE,
    MEMBERS_DIR,
    EnsembleMember,
    EnsembleModel,
    label_columns,
)
from lstm_sentiment.ensemble.validation import explicit_validation, members_validation
from lstm_sentiment.ensemble.weights import (
    equal_weights,
    fit_weights,
    parse_weights,
    true_class_probabilities,
    weighted_log_loss,
)
from lstm_sentiment.errors import BundleError, ConfigError, DataError
from lstm_sentiment.inference import INFERENCE_BATCH_SIZE
from lstm_sentiment.inference.metrics import classification_metrics
from lstm_sentiment.kinds import Scorer, bundle_kind, load_model, save_model

logger = logging.getLogger(__name__)

MIN_MEMBERS = 2
HELD_OUT_SPLIT = "validation"
"""Default split of ``--validation-data`` (single files have only one)."""


@dataclass
class ValidationData:
    """Where the ensemble's validation texts come from (at most one of the two sources)."""

    data: str | None = None
    """The members' training source: their validation split is carved from it."""
    held_out: str | None = None
    """Or a source of held-out texts used whole."""
    split: str | None = None
    """With ``data``: the members' training split (checked against their configs); with
    ``held_out``: its split (default ``validation``; single files have only one)."""
    options: DataConfig = field(default_factory=DataConfig)
    """Reading options of ``held_out`` (the carve uses the members' own)."""


@dataclass
class EnsembleResult:
    """What :func:`build_ensemble` produced."""

    model_dir: Path
    model: EnsembleModel
    method: str
    metrics: dict[str, Any]


def _load_members(paths: Sequence[str | Path]) -> list[tuple[str, Scorer]]:
    if len(paths) < MIN_MEMBERS:
        raise ConfigError(f"an ensemble needs at least {MIN_MEMBERS} models, got {len(paths)}")
    members = []
    for path in paths:
        scorer = load_model(path)
        if scorer.kind == KIND_ENSEMBLE:
            raise ConfigError(f"{path} is an ensemble: list its members' bundles instead")
        members.append((str(path), scorer))
    return members


def _check_labels(members: Sequence[tuple[str, Scorer]]) -> list[str]:
    labels = members[0][1].labels
    for name, scorer in members[1:]:
        if sorted(scorer.labels) != sorted(labels):
            raise ConfigError(
                f"ensemble members must predict the same labels: {members[0][0]} has "
                f"{', '.join(labels)} but {name} has {', '.join(scorer.labels)}"
            )
    return list(labels)


def _class_ids(examples: list[Example], labels: list[str]) -> np.ndarray:
    folded = {label.strip().casefold(): i for i, label in enumerate(labels)}
    ids = [folded.get(str(ex.label).strip().casefold()) for ex in examples]
    unknown = sorted({str(ex.label) for ex, i in zip(examples, ids, strict=True) if i is None})
    if unknown:
        raise DataError(
            f"validation labels {', '.join(map(repr, unknown))} are not the members' "
            f"({', '.join(labels)}): map them with --label-map"
        )
    return np.array(ids, dtype=np.int64)


def _validation(
    members: list[tuple[str, Scorer]], source: ValidationData, needed: bool
) -> tuple[list[Example], dict[str, Any]]:
    if source.data and source.held_out:
        raise ConfigError("give either --data (carve the members' split) or --validation-data")
    if source.held_out:
        options = copy.copy(source.options)
        if not options.label_map:  # as evaluate: the renaming the models were trained with
            options.label_map = members[0][1].label_map
        split = source.split or HELD_OUT_SPLIT
        examples = explicit_validation(members, source.held_out, split, options)
        return examples, {"source": source.held_out, "split": split, "carved": False}
    if source.data or needed:
        examples = members_validation(members, source.data, source.split)
        config = members[0][1].config
        assert config is not None
        described = {
            "source": source.data or config.data.source,
            "split": config.data.train_split,
            "carved": True,
            "validation_fraction": config.data.validation_fraction,
            "seed": config.validation_seed,
        }
        return examples, described
    return [], {}


def _summary(probabilities: np.ndarray, y: np.ndarray) -> dict[str, float]:
    rows = np.arange(len(y))
    return {
        "accuracy": float((probabilities.argmax(axis=1) == y).mean()),
        "log_loss": float(-np.log(np.clip(probabilities[rows, y], 1e-12, 1.0)).mean()),
    }


def _write(output: Path, model: EnsembleModel) -> None:
    """Write the bundle (atomically: the old one stays until the new one is complete)."""
    if output.exists() and any(output.iterdir()):
        try:
            is_ensemble = bundle_kind(output) == KIND_ENSEMBLE
        except BundleError:
            is_ensemble = False
        if not is_ensemble:
            raise ConfigError(
                f"{output} exists and is not an ensemble bundle: choose a new --output"
            )
    save_model(output, model)


def build_ensemble(
    model_paths: Sequence[str | Path],
    output: str | Path,
    *,
    weights: str = "equal",
    validation: ValidationData | None = None,
    batch_size: int = INFERENCE_BATCH_SIZE,
) -> EnsembleResult:
    """Combine model bundles into one ensemble bundle.

    Args:
        model_paths: Member bundle folders (neural or NBSVM, the same labels).
        output: The ensemble bundle folder to write (replaced if it is an ensemble).
        weights: ``equal``, ``fit`` (minimise the validation log loss) or ``w1,w2,...``.
        validation: Where validation texts come from; with ``fit`` and none given, the
            members' recorded training source is carved.
        batch_size: Texts per forward pass of neural members.
    """
    validation = validation or ValidationData()
    members = _load_members(model_paths)
    labels = _check_labels(members)
    method, given = parse_weights(weights, len(members))
    examples, described = _validation(members, validation, needed=method == "fit")
    count = len(members)
    chosen = given if given is not None else equal_weights(count)
    metrics: dict[str, Any] = {}
    weights_info: dict[str, Any] = {"method": method}
    per_member: list[dict[str, Any]] = [{} for _ in members]
    if examples:
        y = _class_ids(examples, labels)
        texts = [ex.text for ex in examples]
        probs = np.stack(
            [
                EnsembleMember(name, scorer, 1.0, label_columns(scorer.labels, labels))
                .probabilities(texts, batch_size)
                .astype(np.float64)
                for name, scorer in members
            ]
        )
        probs /= probs.sum(axis=2, keepdims=True)  # float32 rows, renormalised in float64
        true = true_class_probabilities(probs, y)
        if method == "fit":
            chosen = fit_weights(true)
        equal = equal_weights(count)
        mixed = np.tensordot(chosen, probs, axes=1)
        n_bins = next(s.calibration_bins for _, s in members)
        metrics["validation"] = classification_metrics(y, mixed, labels, n_bins)
        metrics["validation_equal_weights"] = _summary(np.tensordot(equal, probs, axes=1), y)
        weights_info["validation"] = {
            **described,
            "n": len(examples),
            "log_loss": weighted_log_loss(chosen, true),
            "log_loss_equal_weights": weighted_log_loss(equal, true),
        }
        per_member = [_summary(p, y) for p in probs]
    weights_info["weights"] = [float(w) for w in chosen]
    ensemble_members = [
        EnsembleMember(
            f"{MEMBERS_DIR}/{index:02d}",
            scorer,
            float(w),
            label_columns(scorer.labels, labels),
            source=Path(name),
        )
        for index, ((name, scorer), w) in enumerate(zip(members, chosen, strict=True))
    ]
    metrics["members"] = [
        {
            "path": member.path,
            "copied_from": name,
            "kind": scorer.kind,
            "weight": member.weight,
            "validation": summary,
            "recorded": {
                split: {k: scorer.metrics[split][k] for k in ("n", "accuracy", "log_loss")}
                for split in ("validation", "test")
                if isinstance(scorer.metrics.get(split), dict)
                and {"n", "accuracy", "log_loss"} <= set(scorer.metrics[split])
            },
        }
        for member, (name, scorer), summary in zip(
            ensemble_members, members, per_member, strict=True
        )
    ]
    metrics["weights"] = weights_info
    model = EnsembleModel(labels=labels, members=ensemble_members, metrics=metrics)
    output = Path(output)
    _write(output, model)
    logger.info("ensemble of %d members (%s weights) saved in %s", count, method, output)
    return EnsembleResult(model_dir=output, model=model, method=method, metrics=metrics)
