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

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from lstm_sentiment.bundle import CONFIG_FILE, METRICS_FILE, read_header, read_json
from lstm_sentiment.config import RunConfig
from lstm_sentiment.errors import BundleError
from lstm_sentiment.scorer import KIND_ENSEMBLE, Scorer, load_model, probabilities
from lstm_sentiment.training.calibration import DEFAULT_BINS

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

    def probabilities(self, texts: Sequence[str], batch_size: int) -> np.ndarray:
        """The member's calibrated probabilities in the ensemble's label order."""
        return probabilities(self.scorer, texts, batch_size)[:, self.columns]


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


def _member_dir(directory: Path, entry: Any) -> tuple[str, Path]:
    path = str(entry["path"])
    relative = PurePosixPath(path)
    if relative.is_absolute() or ".." in relative.parts or relative.parts[:1] != (MEMBERS_DIR,):
        raise ValueError(f"member path {path!r} is not inside {MEMBERS_DIR}/")
    return path, directory.joinpath(*relative.parts)


def load_ensemble(directory: str | Path) -> EnsembleModel:
    """Load an ensemble bundle folder and its members (a bad member is a :class:`BundleError`)."""
    directory = Path(directory)
    header = read_header(directory)
    weights_file = read_json(directory / WEIGHTS_JSON)
    try:
        labels = [str(label) for label in header["labels"]]
        entries = list(header["members"])
        weights = [float(w) for w in weights_file["weights"]]
        paths = [_member_dir(directory, entry) for entry in entries]
        if len(entries) < 1 or len(weights) != len(entries):
            raise ValueError(f"{len(entries)} members but {len(weights)} weights")
        if min(weights) < 0 or abs(sum(weights) - 1.0) > WEIGHT_TOLERANCE:
            raise ValueError(f"weights must be >= 0 and sum to 1, got {weights}")
    except (KeyError, TypeError, ValueError) as exc:
        raise BundleError(
            f"ensemble {directory} has an invalid {CONFIG_FILE} or {WEIGHTS_JSON} ({exc}); "
            "rebuild it with lstm-sentiment ensemble"
        ) from None
    members = []
    for (path, member_dir), weight in zip(paths, weights, strict=True):
        scorer = load_model(member_dir)
        if scorer.kind == KIND_ENSEMBLE:
            raise BundleError(f"ensemble member {member_dir} is itself an ensemble; rebuild it")
        try:
            columns = label_columns(scorer.labels, labels)
        except ValueError as exc:
            raise BundleError(f"ensemble member {member_dir}: {exc}; rebuild it") from None
        members.append(EnsembleMember(path, scorer, weight, columns))
    metrics_path = directory / METRICS_FILE
    metrics = read_json(metrics_path) if metrics_path.is_file() else {}
    return EnsembleModel(labels=labels, members=members, metrics=metrics, info=header)
