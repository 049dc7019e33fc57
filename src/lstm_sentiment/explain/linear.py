"""Exact attributions of linear n-gram models: NBSVM, and the NB n-gram path of a neural model.

A binary n-gram feature adds its weight to the logits once, however often it occurs; that
contribution is spread equally over the tokens of all its occurrences (an n-gram of ``n``
tokens occurring twice gives each of its ``2n`` token occurrences ``1/(2n)`` of it). The scores
then add up, with the intercept, to the model's logits exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from lstm_sentiment.explain.offsets import locate_tokens
from lstm_sentiment.explain.registry import Attribute, ExplainOptions
from lstm_sentiment.explain.result import METHOD_LINEAR, Attribution, centred
from lstm_sentiment.inference.probabilities import class_logits


def spread(
    length: int, features: np.ndarray, starts: np.ndarray, orders: np.ndarray, values: np.ndarray
) -> np.ndarray:
    """Per-token ``[length, outputs]`` shares of binary features.

    Args:
        length: Tokens in the text.
        features: The feature (column, hashed row) of each n-gram occurrence.
        starts: Its first token.
        orders: Its number of tokens.
        values: ``[len(features), outputs]``: the feature's contribution to the logits (the
            same for every occurrence of one feature: it counts once).
    """
    outputs = values.shape[1] if values.ndim == 2 else 1
    out = np.zeros((length, outputs), dtype=np.float64)
    if len(features) == 0:
        return out
    _, inverse, counts = np.unique(features, return_inverse=True, return_counts=True)
    share = values / (counts[inverse] * orders)[:, None]
    for offset in range(int(orders.max())):
        covered = offset < orders
        np.add.at(out, starts[covered] + offset, share[covered])
    return out


def nbsvm_contributions(model: Any, tokens: Sequence[str]) -> np.ndarray:
    """``[len(tokens), rows]``: each token's share of the NBSVM logit rows (intercept not
    included)."""
    column_of = model.featurizer.column
    features, starts, orders = [], [], []
    for order in range(1, model.max_order + 1):
        for start in range(len(tokens) - order + 1):
            column = column_of(" ".join(tokens[start : start + order]))
            if column is not None:
                features.append(column)
                starts.append(start)
                orders.append(order)
    columns = np.asarray(features, dtype=np.int64)
    weights = (
        model.ratios[:, columns].astype(np.float64) * model.coef[:, columns].astype(np.float64)
    ).T
    return spread(
        len(tokens), columns, np.asarray(starts, np.int64), np.asarray(orders, np.int64), weights
    )


def explain_nbsvm(
    model: Any, texts: Sequence[str], options: ExplainOptions, attribute: Attribute
) -> list[Attribution]:
    """Exact n-gram contributions of an :class:`~lstm_sentiment.linear.nbsvm.NbsvmModel`."""
    temperature = float(model.temperature)
    intercept = centred(class_logits(model.intercept[None, :].astype(np.float64)), temperature)[0]
    logits = model.logits(texts)
    out = []
    for text, row in zip(texts, logits, strict=True):
        tokens = locate_tokens(model.tokenizer, text)
        raw = nbsvm_contributions(model, [token.text for token in tokens])
        per_class = class_logits(raw) if raw.shape[1] == 1 else raw
        out.append(
            Attribution(
                tokens=tokens,
                scores=centred(per_class, temperature),
                baseline=intercept,
                output=centred(class_logits(row[None, :]), temperature)[0],
                method=METHOD_LINEAR,
                exact=True,
            )
        )
    return out
