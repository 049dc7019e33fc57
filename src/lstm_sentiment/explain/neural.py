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

TOKENS_PER_PASS = 32_768
"""Token positions per forward/backward pass of the integral (bounds memory on long texts)."""
BATCH_TOKENS = 256
"""Padded tokens of the texts integrated together (measured on CPU: batching helps sentences,
slows reviews)."""


def _as_classes(extra: torch.Tensor, classes: int) -> torch.Tensor:
    """A path's logits as one column per class (a sigmoid's single column is class 1)."""
    if extra.size(-1) == classes:
        return extra
    return torch.cat([torch.zeros_like(extra), extra], dim=-1)


class _WithoutNgramPath(nn.Module):
    """The model's centred logits minus its NB n-gram path's logits ``constant`` (the path reads
    the text's ids, the same at every step of the integral, so it is computed once per text and
    passed along with the lengths)."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(
        self, ids: torch.Tensor, lengths: torch.Tensor, constant: torch.Tensor
    ) -> torch.Tensor:
        logits = self.model(ids, lengths) - constant
        return logits - logits.mean(dim=-1, keepdim=True)


def _ngram_path(
    model: nn.Module, ids: torch.Tensor, lengths: torch.Tensor, classes: int
) -> torch.Tensor:
    """The NB n-gram path's logits of ``ids``, one column per class (0 without the path)."""
    nb = getattr(model, "nb", None)
    if nb is None:
        return torch.zeros((ids.size(0), classes))
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
    with torch.no_grad():  # a length-gated path reads this share of its n-grams
        values = values * float(nb.gate(torch.tensor([len(tokens)]))[0, 0])
    return spread(len(tokens), rows, np.concatenate(starts), np.concatenate(orders), values)


def _integrate(
    model: nn.Module, batch: list[list[int]], pad_id: int, options: ExplainOptions
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per text of ``batch`` (ids, right-padded together): per-token scores ``[len(ids),
    classes]``, the reference's and the text's centred logits (uncalibrated)."""
    from captum.attr import LayerIntegratedGradients

    lengths = torch.tensor([len(ids) for ids in batch], dtype=torch.long)
    width = int(lengths.max())
    inputs = torch.full((len(batch), width), pad_id, dtype=torch.long)
    for row, ids in enumerate(batch):
        inputs[row, : len(ids)] = torch.tensor(ids, dtype=torch.long)
    baseline = torch.full_like(inputs, pad_id)
    forward = _WithoutNgramPath(model)
    with torch.no_grad():
        outputs = model(inputs, lengths).double()
        classes = int(outputs.size(1))
        constant = _ngram_path(model, inputs, lengths, classes)
        references = forward(baseline, lengths, _ngram_path(model, baseline, lengths, classes))
        references = references.double().numpy()
    outputs = centred(outputs.numpy())
    nb = getattr(model, "nb", None)
    if nb is not None:
        references = references + centred(class_logits(nb.bias.detach().double().numpy()[None]))
    layers: list[nn.Module] = [model.embedding]  # type: ignore[list-item]
    lexicon = getattr(model, "lexicon", None)
    if lexicon is not None:  # per-token features beside the embedding: attributed per token
        layers.append(lexicon)
    region = getattr(model, "region", None)
    if region is not None:  # a region's features go to the token at its centre
        layers.append(region)
    lstm_region = getattr(model, "lstm_region", None)
    if lstm_region is not None:  # the LSTMs' states go to the token they have just read
        layers.append(lstm_region)
    token_layers = len(layers)
    bigrams = getattr(model, "bigrams", None)
    if bigrams is not None and width >= 2:
        layers.append(bigrams.embedding)
    targets = list(range(max(1, classes - 1)))  # the last centred logit is minus the others'
    per_text = len(targets)
    with warnings.catch_warnings():  # the bigram table reads ids, not the word embeddings
        warnings.filterwarnings("ignore", "Multiple layers provided", UserWarning)
        integrator = LayerIntegratedGradients(forward, layers if len(layers) > 1 else layers[0])
    rows = len(batch) * per_text
    attributions = integrator.attribute(
        inputs.repeat_interleave(per_text, dim=0),
        baselines=baseline.repeat_interleave(per_text, dim=0),
        additional_forward_args=(
            lengths.repeat_interleave(per_text),
            constant.repeat_interleave(per_text, dim=0),
        ),
        target=targets * len(batch),
        n_steps=options.steps,
        internal_batch_size=max(rows, min(options.internal_batch_size, TOKENS_PER_PASS // width)),
    )
    if not isinstance(attributions, list):
        attributions = [attributions]
    summed = [part.detach().double().sum(dim=-1).numpy() for part in attributions]
    words = sum(summed[:token_layers])  # [rows, width]
    pairs = summed[-1] if bigrams is not None and width >= 2 else None
    out = []
    for index, ids in enumerate(batch):
        length = len(ids)
        mine = slice(index * per_text, (index + 1) * per_text)
        per_token = words[mine, :length].T.copy()  # [time, targets]
        if pairs is not None and length >= 2:  # a bigram's share goes half to each token
            half = pairs[mine, : length - 1].T / 2
            per_token[:-1] += half
            per_token[1:] += half
        if len(targets) == classes - 1:
            per_token = np.concatenate([per_token, -per_token.sum(axis=1, keepdims=True)], axis=1)
        if nb is not None:
            per_token += centred(class_logits(ngram_path_contributions(nb, ids)))
        out.append((per_token, references[index], outputs[index]))
    return out


def _batches(id_lists: list[list[int]], options: ExplainOptions) -> list[list[int]]:
    """Positions of texts integrated together: similar lengths, at most
    ``options.texts_per_pass`` texts and :data:`BATCH_TOKENS` padded tokens (on a CPU, long
    texts go fastest one at a time, short ones a few together)."""
    order = sorted(range(len(id_lists)), key=lambda i: len(id_lists[i]))
    batches: list[list[int]] = []
    for position in order:
        width = len(id_lists[position])  # the longest so far: sorted by length
        if (
            batches
            and len(batches[-1]) < options.texts_per_pass
            and (len(batches[-1]) + 1) * width <= BATCH_TOKENS
        ):
            batches[-1].append(position)
        else:
            batches.append([position])
    return batches


def explain_neural(
    bundle: Any, texts: Sequence[str], options: ExplainOptions, attribute: Attribute
) -> list[Attribution]:
    """Integrated-gradients attributions of a neural model (a :class:`Bundle`, or a scorer on
    onnxruntime: its torch twin is loaded, since gradients need torch)."""
    if hasattr(bundle, "torch_bundle"):
        bundle = bundle.torch_bundle()
    model, encoder = bundle.model, bundle.encoder
    model.eval()
    temperature = float(bundle.temperature)
    located = [locate_tokens(encoder.tokenizer, text) for text in texts]
    kept_lists, id_lists = [], []
    for text, tokens in zip(texts, located, strict=True):
        ids = encoder.lookup([token.text for token in tokens], text)  # typo reading too
        kept = list(truncate(list(range(len(ids))), encoder.max_length, encoder.truncation))
        kept_lists.append(kept)
        id_lists.append([ids[i] for i in kept] or [encoder.vocab.unk_id])  # as encode() does
    results: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    for positions in _batches(id_lists, options):
        batch = [id_lists[i] for i in positions]
        found = _integrate(model, batch, encoder.vocab.pad_id, options)
        results.update(zip(positions, found, strict=True))
    out = []
    for index, (tokens, kept) in enumerate(zip(located, kept_lists, strict=True)):
        per_token, reference, output = results[index]
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
