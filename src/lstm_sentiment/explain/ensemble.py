"""Ensemble attributions: the members' attributions, weighted, on shared character spans.

Members tokenize differently (words, tweets, subword pieces), so each member's token scores are
first spread evenly over the characters of their tokens; the weighted sum over members of these
per-character scores is then read back per segment of a common segmentation: the raw text cut
at every token boundary of every member (only where some member has a token). A segment's score
is the sum of its characters' scores, so nothing is lost or counted twice.

Scale: each member's scores are toward its own centred *calibrated* logit (its temperature
applied), the scale on which the ensemble averages probabilities; the ensemble's score is
``Σ_m w_m · score_m``. These add up to ``Σ_m w_m · (centred log p_m)``, the centred log of the
weighted *geometric* mean of the members' probabilities, while the ensemble predicts their
weighted *arithmetic* mean: the reported completeness gap is the distance between the two (plus
the members' own integration error), on the centred log-probabilities of the ensemble.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import numpy as np

from lstm_sentiment.explain.offsets import Token
from lstm_sentiment.explain.registry import Attribute, ExplainOptions
from lstm_sentiment.explain.result import METHOD_ENSEMBLE, Attribution, centred


def project(
    attribution: Attribution, length: int, columns: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per-character scores ``[length, classes]`` (columns reordered) and which characters a
    token with scores covers."""
    chars = np.zeros((length, len(columns)))
    covered = np.zeros(length, dtype=bool)
    for token, row in zip(attribution.tokens, attribution.scores, strict=True):
        if np.isnan(row).all() or length == 0:
            continue
        start, end = token.start, token.end
        if end <= start:  # a token standing for no character: give it the nearest one
            start = min(start, length - 1)
            end = start + 1
        chars[start:end] += row[columns] / (end - start)
        covered[start:end] = True
    return chars, covered


def segments(text: str, token_lists: Sequence[Sequence[Token]]) -> list[tuple[int, int]]:
    """The raw text cut at every token boundary of every member, where some token lies."""
    inside = np.zeros(len(text) + 1, dtype=bool)
    cuts = set()
    for tokens in token_lists:
        for token in tokens:
            if token.end > token.start:
                inside[token.start : token.end] = True
                cuts.update((token.start, token.end))
    bounds = sorted(cuts)
    return [(a, b) for a, b in pairwise(bounds) if inside[a:b].any()]


def combine(
    text: str, parts: Sequence[tuple[float, Attribution, np.ndarray]], classes: int
) -> tuple[list[Token], np.ndarray]:
    """Segments and their weighted scores from ``(weight, attribution, columns)`` per member."""
    chars = np.zeros((len(text), classes))
    covered = np.zeros(len(text), dtype=bool)
    for weight, attribution, columns in parts:
        member_chars, member_covered = project(attribution, len(text), columns)
        chars += weight * member_chars
        covered |= member_covered
    spans = segments(text, [attribution.tokens for _, attribution, _ in parts])
    tokens = [Token(text[a:b], a, b) for a, b in spans]
    scores = np.full((len(spans), classes), np.nan)
    for row, (a, b) in enumerate(spans):
        if covered[a:b].any():
            scores[row] = chars[a:b].sum(axis=0)
    return tokens, scores


def explain_ensemble(
    model: Any, texts: Sequence[str], options: ExplainOptions, attribute: Attribute
) -> list[Attribution]:
    """Weighted member attributions of an :class:`~lstm_sentiment.ensemble.model.EnsembleModel`
    on a common segmentation (members with weight 0 are not run)."""
    members = [member for member in model.members if member.weight > 0]
    explained = [attribute(member.scorer, texts, options) for member in members]
    outputs = centred(model.logits(texts, 64))
    classes = len(model.labels)
    out = []
    for index, text in enumerate(texts):
        parts = [
            (float(member.weight), attributions[index], np.asarray(member.columns))
            for member, attributions in zip(members, explained, strict=True)
        ]
        tokens, scores = combine(text, parts, classes)
        baseline = sum(
            (weight * attribution.baseline[columns] for weight, attribution, columns in parts),
            np.zeros(classes),
        )
        out.append(
            Attribution(
                tokens=tokens,
                scores=scores,
                baseline=baseline,
                output=outputs[index],
                method=METHOD_ENSEMBLE,
            )
        )
    return out
