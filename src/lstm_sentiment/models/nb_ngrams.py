"""An NB-weighted n-gram path beside the encoder: NBSVM (Wang & Manning 2012) inside the network.

Each text's distinct word n-grams (1..n, ids hashed into a fixed table) are binary features
``x``; their naive-Bayes log-count ratios ``r`` (one column per class, that class against the
rest, from the training texts) are computed once before training and kept as a buffer. The path
adds ``Σ_b x_b · r_b · w_b`` to the classifier's logits, with ``w`` learned (starting at
``nb_init``), so the network starts from a naive-Bayes classifier, learns NBSVM's reweighting,
and leaves the recurrent encoder to learn what bags of n-grams miss (negation scope, order,
long-range contrast).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

import numpy as np
import torch
from torch import nn

from lstm_sentiment.models.pooling import padding_mask

HASH_MULTIPLIERS = (1_000_003, 998_244_353)
"""Primes for ``(a · p + b) mod table``: larger than any vocabulary, so pairs spread."""
FIT_BATCH = 256
"""Texts per step when counting n-grams for the ratios."""
GATE_OPEN_LOGIT = 4.0
"""A new length gate starts at sigmoid(4) ≈ 0.98 for every length: nearly the ungated path."""


class NbNgramLogits(nn.Module):
    """Logits of the NB-weighted n-gram features of right-padded ``ids``.

    Args:
        vocab_size: Unigrams use their own ids (rows ``0..vocab_size-1``).
        buckets: Rows for the hashed 2..n-grams (after the unigram rows).
        orders: The longest n-gram (1 = words only).
        outputs: Logit columns (classes, or 1 for a sigmoid output).
        pad_id: N-grams touching padding are never features.
        init: Starting value of every learned weight ``w``.
        dropout: Share of a text's n-grams dropped while training.
        shared_weights: One learned weight per output column instead of one per feature.
        length_gate: Scale the n-grams' sum by ``sigmoid(slope · log(tokens) + offset)``, both
            learned: how much a text of that length listens to its bag of n-grams (a short,
            negated sentence may need it less than a review).
    """

    def __init__(
        self,
        vocab_size: int,
        buckets: int,
        orders: int,
        outputs: int,
        pad_id: int,
        init: float,
        dropout: float,
        shared_weights: bool = False,
        length_gate: bool = False,
    ) -> None:
        super().__init__()
        self.vocab_size = vocab_size
        self.buckets = buckets
        self.orders = orders
        self.pad_id = pad_id
        self.dropout = dropout
        rows = vocab_size + (buckets if orders > 1 else 0)
        self.register_buffer("ratios", torch.zeros(rows, outputs))
        # Smoothed counts behind each ratio column, [in class, rest], and their totals: only
        # needed to train (leave-one-out), so not saved with the model.
        self.register_buffer("counts", torch.zeros(rows, outputs, 2), persistent=False)
        self.register_buffer("totals", torch.zeros(outputs, 2), persistent=False)
        self.alpha = 1.0
        self.counts_fitted = False
        self.held_out_labels: torch.Tensor | None = None
        self.shared_weights = shared_weights
        self.weight = nn.Parameter(
            torch.full((1 if shared_weights else rows, outputs), float(init))
        )
        self.bias = nn.Parameter(torch.zeros(outputs))
        self.length_gate = length_gate
        if length_gate:
            self.gate_slope = nn.Parameter(torch.zeros(1))
            self.gate_offset = nn.Parameter(torch.full((1,), GATE_OPEN_LOGIT))

    def gate(self, lengths: torch.Tensor) -> torch.Tensor:
        """``[batch, 1]``: the share of the n-grams' sum a text of each length reads (1 without
        a length gate)."""
        if not self.length_gate:
            return torch.ones((lengths.size(0), 1))
        tokens = torch.log(lengths.clamp_min(1).to(self.gate_slope.dtype)).unsqueeze(-1)
        return torch.sigmoid(self.gate_slope * tokens + self.gate_offset)

    def feature_ids(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Distinct feature rows per text, ``[batch, n]``, ``-1`` where there is none."""
        ids = ids.long()
        rows = [ids.masked_fill(~padding_mask(lengths, ids.size(1)), -1)]
        hashed = ids
        for order in range(2, self.orders + 1):
            if ids.size(1) < order:
                break
            multiplier = HASH_MULTIPLIERS[(order - 2) % len(HASH_MULTIPLIERS)]
            hashed = (hashed[:, :-1] * multiplier + ids[:, order - 1 :]) % self.buckets
            valid = padding_mask(lengths - (order - 1), hashed.size(1))
            rows.append((hashed + self.vocab_size).masked_fill(~valid, -1))
        features = torch.cat(rows, dim=1)
        # Binary features: keep each row once per text (sort, then drop repeats).
        features, _ = torch.sort(features, dim=1)
        repeat = torch.zeros_like(features, dtype=torch.bool)
        repeat[:, 1:] = features[:, 1:] == features[:, :-1]
        return features.masked_fill(repeat, -1)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """``[batch, outputs]`` logits."""
        features = self.feature_ids(ids, lengths)
        keep = features >= 0
        if self.training and self.dropout > 0:
            keep &= torch.rand(features.shape, device=features.device) >= self.dropout
        rows = features.clamp_min(0)
        labels = self.held_out_labels
        if self.training and labels is not None and self.counts_fitted:
            ratios = self._leave_one_out_ratios(rows, labels)
        else:
            ratios = self.ratios[rows]
        weight = self.weight if self.shared_weights else self.weight[rows]
        contributions = (weight * ratios * keep.unsqueeze(-1)).sum(dim=1)
        if self.length_gate:
            contributions = contributions * self.gate(lengths)
        return contributions + self.bias

    @contextmanager
    def leave_out(self, labels: torch.Tensor) -> Iterator[None]:
        """Within this block, training texts (class ids ``labels``) get leave-one-out ratios."""
        self.held_out_labels = labels
        try:
            yield
        finally:
            self.held_out_labels = None

    def _leave_one_out_ratios(self, rows: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """``[batch, n, outputs]`` ratios of each text's features without the text's own counts.

        A text's features are (a subset of, when cropped) the distinct features it added one
        count to when the ratios were fitted; the totals change by a negligible share and are
        kept.
        """
        outputs = self.ratios.size(1)
        if outputs == 1:  # sigmoid: class 1 against class 0
            in_class = (labels == 1).unsqueeze(1).to(self.counts.dtype)
        else:
            in_class = nn.functional.one_hot(labels.long(), outputs).to(self.counts.dtype)
        own = torch.stack([in_class, 1 - in_class], dim=-1).unsqueeze(1)  # [batch, 1, out, 2]
        counts = (self.counts[rows] - own).clamp_min(self.alpha)
        shares = counts / self.totals
        return torch.log(shares[..., 0]) - torch.log(shares[..., 1])

    @torch.no_grad()
    def fit_ratios(
        self, texts: Sequence[np.ndarray], labels: np.ndarray, alpha: float = 1.0
    ) -> None:
        """Set the naive-Bayes log-count ratios from encoded training texts and label ids.

        Column ``c`` is ``log((p_c/‖p_c‖₁) / (q_c/‖q_c‖₁))`` with ``p_c`` (``q_c``) the
        ``alpha``-smoothed counts of texts of class ``c`` (of the other classes) holding each
        feature. A sigmoid output has one column: the ratio of class 1 against class 0.
        """
        num_classes = int(labels.max()) + 1 if len(labels) else 1
        counts = torch.zeros(self.ratios.size(0), max(num_classes, 2), dtype=torch.float64)
        for start, batch_ids, lengths in _batches(texts, self.pad_id):
            rows = self.feature_ids(batch_ids, lengths)
            label = torch.from_numpy(labels[start : start + len(lengths)]).long()
            keep = rows >= 0
            flat_rows = rows[keep]
            flat_labels = label.unsqueeze(1).expand_as(rows)[keep]
            counts.index_put_((flat_rows, flat_labels), torch.ones(len(flat_rows)).double(), True)
        smoothed = counts + alpha
        total = smoothed.sum(dim=1, keepdim=True)
        columns, pairs = [], []
        for c in range(counts.size(1)):
            p = smoothed[:, c]
            q = total[:, 0] - p - alpha * (counts.size(1) - 2)  # the rest, smoothed by one α
            columns.append(torch.log(p / p.sum()) - torch.log(q / q.sum()))
            pairs.append(torch.stack([p, q], dim=1))
        ratios = torch.stack(columns, dim=1)
        counts = torch.stack(pairs, dim=1)
        if self.ratios.size(1) == 1:
            ratios, counts = ratios[:, 1:], counts[:, 1:]
        self.ratios.copy_(ratios[:, : self.ratios.size(1)].float())
        self.counts.copy_(counts[:, : self.ratios.size(1)].float())
        self.totals.copy_(self.counts.sum(dim=0))
        self.alpha = alpha
        self.counts_fitted = True


def _batches(
    texts: Sequence[np.ndarray], pad_id: int
) -> Iterable[tuple[int, torch.Tensor, torch.Tensor]]:
    """``(start, ids, lengths)`` of right-padded batches of :data:`FIT_BATCH` texts."""
    for start in range(0, len(texts), FIT_BATCH):
        chunk = texts[start : start + FIT_BATCH]
        lengths = torch.tensor([len(t) for t in chunk], dtype=torch.long)
        ids = torch.full((len(chunk), int(lengths.max())), pad_id, dtype=torch.long)
        for row, text in enumerate(chunk):
            ids[row, : len(text)] = torch.from_numpy(np.asarray(text, dtype=np.int64))
        yield start, ids, lengths
