"""An ensemble bundle: member bundles of any single-model kind, averaged with fixed weights.

Layout of the folder (self-contained: the members are copied in)::

    config.json      header: format, version, "kind": "ensemble", labels, members (path, kind)
    weights.json     one weight per member (non-negative, summing to 1) and how they were chosen
    members/00/ ...  the member bundles, each as it was saved (neural or NBSVM)
    metrics.json     validation metrics of the ensemble and of each member (when measured)
    README.md        the model card

Each member reads the raw texts with its own tokenizer and returns calibrated probabilities
(its own temperature); the ensemble's probabilities are their weighted mean, columns matched
by label name. It has no temperature of its own: its "logits" are the log of those means.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from lstm_sentiment.bundle import CONFIG_FILE, METRICS_FILE, bundle_path, read_json
from lstm_sentiment.config import RunConfig
from lstm_sentiment.ensemble.card import ensemble_card_lines
from lstm_sentiment.errors import BundleError
from lstm_sentiment.inference.probabilities import DEFAULT_BINS, softmax
from lstm_sentiment.io_utils import write_json
from lstm_sentiment.kinds.base import MemberLoader, Scorer
from lstm_sentiment.model_card import card_footer, metric_lines

KIND_ENSEMBLE = "ensemble"
"""``"kind"`` of an ensemble bundle."""
WEIGHTS_JSON = "weights.json"
MEMBERS_DIR = "members"
COMBINATION = "weighted mean of the members' calibrated probabilities"
_TINY = float(np.finfo(np.float32).tiny)
"""Floor of the probabilities before the log (a member may be exactly sure)."""
WEIGHT_TOLERANCE = 1e-6
"""How far the saved weights may sum from 1."""


def label_columns(member_labels: Sequence[str], labels: Sequence[str]) -> np.ndarray:
    """Column of each of ``labels`` in a member's output (same set, maybe another order)."""
    if sorted(member_labels) != sorted(labels):
        raise ValueError(
            f"labels {', '.join(member_labels)} are not the ensemble's {', '.join(labels)}"
        )
    return np.array([list(member_labels).index(label) for label in labels], dtype=np.int64)


@dataclass
class EnsembleMember:
    """A loaded member, where it lives in the bundle, its weight and its label columns."""

    path: str
    scorer: Scorer
    weight: float
    columns: np.ndarray
    source: Path | None = None
    """The bundle folder the member is copied from when the ensemble is saved."""

    def probabilities(self, texts: Sequence[str], batch_size: int) -> np.ndarray:
        """The member's calibrated probabilities in the ensemble's label order."""
        logits = self.scorer.logits(texts, batch_size)
        return softmax(logits, self.scorer.temperature)[:, self.columns]


@dataclass
class EnsembleModel:
    """Members and weights; predicts the weighted mean of calibrated probabilities."""

    labels: list[str]
    members: list[EnsembleMember]
    metrics: dict[str, Any] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)
    kind: str = KIND_ENSEMBLE

    @property
    def temperature(self) -> float:
        return 1.0  # the members are calibrated; their mean needs no temperature

    @property
    def config(self) -> RunConfig | None:
        return None

    @property
    def weights(self) -> np.ndarray:
        """One weight per member, in member order."""
        return np.array([member.weight for member in self.members])

    @property
    def label_map(self) -> dict[str, str]:
        merged: dict[str, str] = {}
        for member in reversed(self.members):  # the first member wins a conflict
            merged.update(member.scorer.label_map)
        return merged

    @property
    def calibration_bins(self) -> int:
        configs = [m.scorer.config for m in self.members if m.scorer.config is not None]
        return configs[0].train.calibration_bins if configs else DEFAULT_BINS

    @property
    def description(self) -> str:
        parts = [f"{m.weight:.3f} × {m.scorer.description}" for m in self.members]
        return f"ensemble of {len(self.members)}: " + "; ".join(parts)

    def probabilities(self, texts: Sequence[str], batch_size: int) -> np.ndarray:
        """Weighted mean of the members' calibrated probabilities ``[len(texts), classes]``
        (members with weight 0 are not run)."""
        total = np.zeros((len(texts), len(self.labels)), dtype=np.float64)
        for member in self.members:
            if member.weight > 0:
                total += member.weight * member.probabilities(texts, batch_size)
        return total.astype(np.float32)

    def logits(self, texts: Sequence[str], batch_size: int) -> np.ndarray:
        """Log of :meth:`probabilities` (their softmax gives the probabilities back)."""
        return np.log(np.maximum(self.probabilities(texts, batch_size), _TINY))

    @property
    def combination(self) -> str:
        """How the members' probabilities are combined."""
        return COMBINATION

    @property
    def held_out_validation(self) -> bool:
        return False  # its weights may have been fitted on the members' validation split

    def bundle_header(self) -> dict[str, Any]:
        return {
            **self.info,
            "labels": self.labels,
            "combination": COMBINATION,
            "members": [
                {
                    "path": member.path,
                    "kind": member.scorer.kind,
                    "description": member.scorer.description,
                }
                for member in self.members
            ],
        }

    def write_files(self, directory: Path) -> None:
        for member in self.members:
            if member.source is None:
                raise BundleError(f"ensemble member {member.path} has no bundle folder to copy")
            # Copy the member's folder as it is (with its own manifest); never follow links.
            shutil.copytree(member.source, directory / member.path, symlinks=True)
        write_json(directory / WEIGHTS_JSON, self.metrics.get("weights", {"weights": []}))

    def model_card(self, environment: dict[str, str]) -> str:
        return card_footer(ensemble_card_lines(self, metric_lines), environment)


def _member_dir(directory: Path, entry: Any) -> tuple[str, Path]:
    path = str(entry["path"])
    relative = PurePosixPath(path)
    if relative.is_absolute() or ".." in relative.parts or relative.parts[:1] != (MEMBERS_DIR,):
        raise ValueError(f"member path {path!r} is not inside {MEMBERS_DIR}/")
    return path, bundle_path(directory, path)


def load_ensemble(
    directory: Path, header: dict[str, Any], load_member: MemberLoader
) -> EnsembleModel:
    """An ensemble bundle folder (header read and checked) and its members, each loaded by
    ``load_member`` (a bad member is a :class:`BundleError`)."""
    weights_file = read_json(bundle_path(directory, WEIGHTS_JSON))
    try:
        labels = [str(label) for label in header["labels"]]
        entries = list(header["members"])
        weights = [float(w) for w in weights_file["weights"]]
        paths = [_member_dir(directory, entry) for entry in entries]
        if len(entries) < 1 or len(weights) != len(entries):
            raise ValueError(f"{len(entries)} members but {len(weights)} weights")
        if min(weights) < 0 or abs(sum(weights) - 1.0) > WEIGHT_TOLERANCE:
            raise ValueError(f"weights must be >= 0 and sum to 1, got {weights}")
    except BundleError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise BundleError(
            f"ensemble {directory} has an invalid {CONFIG_FILE} or {WEIGHTS_JSON} ({exc}); "
            "rebuild it with lstm-sentiment ensemble"
        ) from None
    members = []
    for (path, member_dir), weight in zip(paths, weights, strict=True):
        if (directory / path).is_symlink():
            raise BundleError(
                f"ensemble {directory}: member {path} is a symbolic link; members must be "
                "copied into the bundle: rebuild it with lstm-sentiment ensemble"
            )
        scorer = load_member(member_dir)
        if scorer.kind == KIND_ENSEMBLE:
            raise BundleError(f"ensemble member {member_dir} is itself an ensemble; rebuild it")
        try:
            columns = label_columns(scorer.labels, labels)
        except ValueError as exc:
            raise BundleError(f"ensemble member {member_dir}: {exc}; rebuild it") from None
        members.append(EnsembleMember(path, scorer, weight, columns, source=member_dir))
    metrics_path = directory / METRICS_FILE
    metrics = read_json(metrics_path) if metrics_path.is_file() else {}
    metrics.setdefault("weights", weights_file)
    info = {k: v for k, v in header.items() if k not in _HEADER_KEYS}
    return EnsembleModel(labels=labels, members=members, metrics=metrics, info=info)


_HEADER_KEYS = {"format", "format_version", "kind", "created", "environment", "labels"}
_HEADER_KEYS |= {"combination", "members"}
"""Header fields every save writes afresh (the rest is the model's own ``info``)."""
