"""What an explanation is: per-token attributions with character offsets, and the prediction.

**Scale.** Every score is an attribution toward a class's *centred, calibrated logit*
``(z_c − mean_k z_k) / T`` (``T`` the model's temperature): the log of the class's calibrated
probability up to a constant shared by the classes, so a model with one sigmoid logit and a
model with one logit per class are explained alike, and two classes get opposite scores. For
each class, the scores of a text's tokens plus the explanation's ``baseline`` add up to that
value (exactly for linear models; up to ``completeness_gap`` otherwise).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lstm_sentiment.explain.offsets import Token

METHOD_IG = "integrated_gradients"
METHOD_LINEAR = "linear"
METHOD_ENSEMBLE = "ensemble"
LARGE_RELATIVE_GAP = 0.1
"""A completeness gap above this share of the change the scores share out: they still rank the
tokens, but they do not add up to the prediction (see docs/explain.md)."""


@dataclass
class Attribution:
    """What a kind's explainer returns for one text, in the model's label order."""

    tokens: list[Token]
    scores: np.ndarray
    """``[len(tokens), classes]`` on the centred calibrated-logit scale; a row of NaN for a
    token the model never read (cut off by ``max_length``)."""
    baseline: np.ndarray
    """``[classes]``: the centred calibrated logits of the reference input (padding for
    integrated gradients, the intercept for a linear model)."""
    output: np.ndarray
    """``[classes]``: the centred calibrated logits of the text."""
    method: str
    exact: bool = False
    """Whether the scores add up to ``output − baseline`` by construction (a linear model)."""

    @property
    def class_gaps(self) -> np.ndarray:
        """``|Σ_t scores[t, c] − (output[c] − baseline[c])|`` per class (on the scores' scale)."""
        total = np.nansum(self.scores, axis=0) if len(self.scores) else np.zeros_like(self.output)
        return np.abs(total - (self.output - self.baseline))

    @property
    def completeness_gap(self) -> float:
        """The largest of :attr:`class_gaps`."""
        return float(np.max(self.class_gaps))


@dataclass(frozen=True)
class TokenScore:
    """A token, its ``[start, end)`` characters in the original text and its scores (``None``
    when the model never read it: cut off by the model's ``max_length``)."""

    token: str
    start: int
    end: int
    scores: dict[str, float] | None

    def to_dict(self) -> dict[str, Any]:
        return {"token": self.token, "start": self.start, "end": self.end, "scores": self.scores}


@dataclass(frozen=True)
class Explanation:
    """A text's prediction and the attribution of every token toward every class."""

    text: str
    label: str
    probabilities: dict[str, float]
    tokens: list[TokenScore]
    completeness_gap: float | None
    """How far the scores are from adding up to the explained output (see the module)."""
    method: str
    """``integrated_gradients``, ``linear`` or ``ensemble``."""
    baseline: dict[str, float] = field(default_factory=dict)
    """The reference input's centred calibrated logit per class (not part of :meth:`to_dict`)."""
    class_gaps: dict[str, float] = field(default_factory=dict)
    """The completeness gap of each class (``completeness_gap`` is the largest; not part of
    :meth:`to_dict`)."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``explain --format json``, the HTTP service)."""
        return {
            "text": self.text,
            "label": self.label,
            "probabilities": self.probabilities,
            "tokens": [token.to_dict() for token in self.tokens],
            "completeness_gap": self.completeness_gap,
            "adds_up": self.adds_up,
            "method": self.method,
        }

    @property
    def explained_change(self) -> float | None:
        """What the scores toward the predicted label share out: its centred log-probability
        minus the reference input's (``None`` without a reference)."""
        if self.label not in self.baseline:
            return None
        labels = list(self.probabilities)
        log_p = np.log(np.maximum([self.probabilities[k] for k in labels], np.finfo(float).tiny))
        centred_output = float(log_p[labels.index(self.label)] - log_p.mean())
        return centred_output - self.baseline[self.label]

    @property
    def adds_up(self) -> bool:
        """Whether the scores add up to :attr:`explained_change` within
        :data:`LARGE_RELATIVE_GAP` of it (always for an exact, linear explanation)."""
        change = self.explained_change
        if self.completeness_gap is None or change is None:
            return True
        return self.completeness_gap <= LARGE_RELATIVE_GAP * abs(change)

    def score_of(self, token: TokenScore, label: str | None = None) -> float | None:
        """A token's score toward ``label`` (default: the predicted label)."""
        return None if token.scores is None else token.scores[label or self.label]


def centred(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    """``(z − mean z) / T`` along the last axis."""
    logits = np.asarray(logits, dtype=np.float64)
    return (logits - logits.mean(axis=-1, keepdims=True)) / temperature


def build_explanation(
    text: str,
    attribution: Attribution,
    labels: list[str],
    probabilities: np.ndarray,
    gap: float | None,
) -> Explanation:
    """The public form of one text's attribution (label order of ``labels``)."""
    tokens = []
    for token, row in zip(attribution.tokens, attribution.scores, strict=True):
        scores = (
            None
            if np.isnan(row).all()
            else {label: float(value) for label, value in zip(labels, row, strict=True)}
        )
        tokens.append(TokenScore(token.text, token.start, token.end, scores))
    return Explanation(
        text=text,
        label=labels[int(np.argmax(probabilities))],
        probabilities={label: float(p) for label, p in zip(labels, probabilities, strict=True)},
        tokens=tokens,
        completeness_gap=gap,
        method=attribution.method,
        baseline={label: float(v) for label, v in zip(labels, attribution.baseline, strict=True)},
        class_gaps={
            label: float(v) for label, v in zip(labels, attribution.class_gaps, strict=True)
        },
    )
