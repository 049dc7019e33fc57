"""Integrated gradients for neural models (Captum's ``LayerIntegratedGradients``).

The path runs from the padding embedding (every token replaced by padding, the text's length
kept) to the text's own embeddings, on the embedding layer (and on the hashed-bigram table of
models that have one; a bigram's share is split between its two tokens). What is attributed
is each class's centred logit ``z_c − mean_k z_k``, divided by the model's temperature (see
:mod:`lstm_sentiment.explain.result`); for two classes one integral gives both (the centred
logits are opposite), for ``C`` classes ``C − 1`` integrals do.

A model's NB n-gram path (``model.nb_ngrams``) reads ids, not embeddings, so gradients cannot
see it; it is linear, and its exact n-gram contributions are added
(:mod:`lstm_sentiment.explain.linear`). Tokens cut off by ``max_length`` get no scores.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from lstm_sentiment.explain.linear import spread
from lstm_sentiment.explain.offsets import locate_tokens
from lstm_sentiment.explain.registry import Attribute, ExplainOptions
from lstm_sentiment.explain.result import METHOD_IG, Attribution, centred
from lstm_sentiment.inference.probabilities import class_logits
from lstm_sentiment.models.nb_ngrams import HASH_MULTIPLIERS
from lstm_sentiment.text.encode import truncate


def _as_classes(extra: torch.Tensor, classes: int) -> torch.Tensor:
    """A path's logits as one column per class (a sigmoid's single column is class 1)."""
    if extra.size(-1) == classes:
        return extra
    return torch.cat([torch.zeros_like(extra), extra], dim=-1)


class _WithoutNgramPath(nn.Module):
    """The model's centred logits minus its NB n-gram path's logits ``constant`` (the path reads
    the text's ids, the same at every step of the integral, so its value is computed once)."""

    def __init__(self, model: nn.Module, constant: Any) -> None:
        super().__init__()
        self.model = model
        self.constant = constant

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        logits = self.model(ids, lengths) - self.constant
        return logits - logits.mean(dim=-1, keepdim=True)


def _ngram_path(model: nn.Module, ids: torch.Tensor, lengths: torch.Tensor, classes: int) -> Any:
    """The NB n-gram path's logits of ``ids``, one column per class (0 without the path)."""
    nb = getattr(model, "nb", None)
    if nb is None:
        return 0.0
    with torch.no_grad():
        return _as_classes(nb(ids, lengths), classes)


def ngram_path_contributions(nb: nn.Module, ids: Sequence[int]) -> np.ndarray:
    """``[len(ids), outputs]``: each token's exact share of the NB n-gram path's logits (bias
    excluded), hashing n-grams as :class:`~lstm_sentiment.models.nb_ngrams.NbNgramLogits`."""
    tokens = np.asarray(ids, dtype=np.int64)
    features, starts, orders = [tokens], [np.arange(len(tokens))], [np.ones(len(tokens), np.int64)]
    hashed = tokens
    for order in range(2, int(nb.orders) + 1):
        if len(tokens) < order:
            break
        multiplier = HASH_MULTIPLIERS[(order - 2) % len(HASH_MULTIPLIERS)]
        hashed = (hashed[:-1] * multiplier + tokens[order - 1 :]) % int(nb.buckets)
        features.append(hashed + int(nb.vocab_size))
        starts.append(np.arange(len(hashed)))
        orders.append(np.full(len(hashed), order, dtype=np.int64))
    rows = np.concatenate(features)
    ratios = nb.ratios.detach().double().numpy()[rows]
    weight = nb.weight.detach().double().numpy()
    values = ratios * (weight[0] if nb.shared_weights else weight[rows])
    return spread(len(tokens), rows, np.concatenate(starts), np.concatenate(orders), values)


def _integrate(
    model: nn.Module, ids: list[int], pad_id: int, options: ExplainOptions
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-token scores ``[len(ids), classes]``, the reference's and the text's centred logits
    (uncalibrated)."""
    from captum.attr import LayerIntegratedGradients

    inputs = torch.tensor([ids], dtype=torch.long)
    lengths = torch.tensor([len(ids)], dtype=torch.long)
    baseline = torch.full_like(inputs, pad_id)
    with torch.no_grad():
        output = model(inputs, lengths).double()[0]
        classes = int(output.numel())
        forward = _WithoutNgramPath(model, _ngram_path(model, inputs, lengths, classes))
        at_baseline = _WithoutNgramPath(model, _ngram_path(model, baseline, lengths, classes))
        reference = at_baseline(baseline, lengths).double()[0]
    classes = int(output.numel())
    output = output - output.mean()
    nb = getattr(model, "nb", None)
    ngram = np.zeros((len(ids), classes))
    if nb is not None:
        bias = class_logits(nb.bias.detach().double().numpy()[None, :])
        reference = reference + torch.from_numpy(centred(bias)[0])
        ngram = centred(class_logits(ngram_path_contributions(nb, ids)))
    layers: list[nn.Module] = [model.embedding]  # type: ignore[list-item]
    bigrams = getattr(model, "bigrams", None)
    if bigrams is not None and len(ids) >= 2:
        layers.append(bigrams.embedding)
    targets = list(range(max(1, classes - 1)))
    rows = len(targets)
    with warnings.catch_warnings():  # the bigram table reads ids, not the word embeddings
        warnings.filterwarnings("ignore", "Multiple layers provided", UserWarning)
        integrator = LayerIntegratedGradients(forward, layers if len(layers) > 1 else layers[0])
    attributions = integrator.attribute(
        inputs.repeat(rows, 1),
        baselines=baseline.repeat(rows, 1),
        additional_forward_args=(lengths.repeat(rows),),
        target=targets,
        n_steps=options.steps,
        internal_batch_size=max(rows, options.internal_batch_size),
    )
    if not isinstance(attributions, list):
        attributions = [attributions]
    per_token = attributions[0].detach().double().sum(dim=-1).T.numpy()  # [time, targets]
    if len(attributions) > 1:  # a bigram's share goes half to each of its tokens
        pairs = attributions[1].detach().double().sum(dim=-1).T.numpy() / 2
        per_token[:-1] += pairs
        per_token[1:] += pairs
    if classes > 1 and len(targets) == classes - 1:
        per_token = np.concatenate([per_token, -per_token.sum(axis=1, keepdims=True)], axis=1)
    return per_token + ngram, reference.numpy(), output.numpy()


def explain_neural(
    bundle: Any, texts: Sequence[str], options: ExplainOptions, attribute: Attribute
) -> list[Attribution]:
    """Integrated-gradients attributions of a neural model (a :class:`Bundle`)."""
    model, encoder = bundle.model, bundle.encoder
    model.eval()
    temperature = float(bundle.temperature)
    out = []
    for text in texts:
        tokens = locate_tokens(encoder.tokenizer, text)
        ids = encoder.vocab.lookup([token.text for token in tokens])
        kept = list(truncate(list(range(len(ids))), encoder.max_length, encoder.truncation))
        read = [ids[i] for i in kept] or [encoder.vocab.unk_id]  # as encode() does
        per_token, reference, output = _integrate(model, read, encoder.vocab.pad_id, options)
        scores = np.full((len(tokens), per_token.shape[1]), np.nan)
        if kept:
            scores[kept] = per_token / temperature
        out.append(
            Attribution(
                tokens=tokens,
                scores=scores,
                baseline=reference / temperature,
                output=output / temperature,
                method=METHOD_IG,
            )
        )
    return out
