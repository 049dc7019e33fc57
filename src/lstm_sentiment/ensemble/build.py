"""``build_ensemble()``: member bundles → checked labels → validation → weights → ensemble bundle.

The CLI's ``ensemble`` command is a thin wrapper over this function.
"""

from __future__ import annotations

import copy
import logging
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from lstm_sentiment.bundle import (
    BUNDLE_FORMAT,
    BUNDLE_VERSION,
    CARD_FILE,
    CONFIG_FILE,
    METRICS_FILE,
    environment_info,
)
from lstm_sentiment.data import DataOptions, Example
from lstm_sentiment.ensemble.model import (
    COMBINATION,
    MEMBERS_DIR,
    WEIGHTS_JSON,
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
from lstm_sentiment.io_utils import write_json, write_text
from lstm_sentiment.model_card import render_ensemble_card
from lstm_sentiment.scorer import KIND_ENSEMBLE, Scorer, bundle_kind, load_model
from lstm_sentiment.training.metrics import classification_metrics

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
    options: DataOptions = field(default_factory=DataOptions)
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


def _write(
    output: Path, model: EnsembleModel, sources: list[Path], weights_info: dict, card: str
) -> None:
    """Write the bundle into a temporary sibling folder, then move it to ``output``."""
    if output.exists() and any(output.iterdir()):
        try:
            is_ensemble = bundle_kind(output) == KIND_ENSEMBLE
        except BundleError:
            is_ensemble = False
        if not is_ensemble:
            raise ConfigError(
                f"{output} exists and is not an ensemble bundle: choose a new --output"
            )
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.", dir=output.parent))
    try:
        for member, source in zip(model.members, sources, strict=True):
            shutil.copytree(source, staging / member.path)
        header = {
            "format": BUNDLE_FORMAT,
            "format_version": BUNDLE_VERSION,
            "kind": KIND_ENSEMBLE,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "environment": environment_info(),
            "labels": model.labels,
            "combination": COMBINATION,
            "members": [
                {
                    "path": member.path,
                    "kind": member.scorer.kind,
                    "description": member.scorer.description,
                    "copied_from": str(source),
                }
                for member, source in zip(model.members, sources, strict=True)
            ],
        }
        write_json(staging / WEIGHTS_JSON, weights_info)
        write_json(staging / METRICS_FILE, model.metrics)
        write_text(staging / CARD_FILE, card)
        write_json(staging / CONFIG_FILE, header)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(staging, 0o777 & ~mask)  # mkdtemp makes it private
        if output.exists():
            shutil.rmtree(output)
        os.replace(staging, output)
    finally:
        if staging.exists():
            shutil.rmtree(staging)


def build_ensemble(
    model_paths: Sequence[str | Path],
    output: str | Path,
    *,
    weights: str = "equal",
    validation: ValidationData | None = None,
    batch_size: int = 256,
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
            f"{MEMBERS_DIR}/{index:02d}", scorer, float(w), label_columns(scorer.labels, labels)
        )
        for index, ((_, scorer), w) in enumerate(zip(members, chosen, strict=True))
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
    card = render_ensemble_card(model, environment_info())
    _write(output, model, [Path(name) for name, _ in members], weights_info, card)
    logger.info("ensemble of %d members (%s weights) saved in %s", count, method, output)
    return EnsembleResult(model_dir=output, model=model, method=method, metrics=metrics)
