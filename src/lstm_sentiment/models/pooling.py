"""Pool per-step encoder outputs into one vector per example, ignoring padding."""

from __future__ import annotations

import torch
from torch import nn

from lstm_sentiment.config import POOLING_CHOICES
from lstm_sentiment.errors import ConfigError


def padding_mask(lengths: torch.Tensor, max_time: int) -> torch.Tensor:
    """Boolean ``[batch, time]``: True at real tokens."""
    return torch.arange(max_time, device=lengths.device).unsqueeze(0) < lengths.unsqueeze(1)


def last_valid(outputs: torch.Tensor, lengths: torch.Tensor, bidirectional: bool) -> torch.Tensor:
    """The forward direction's output at the last real token (never the padded last position).

    For a bidirectional encoder the backward direction's final state sits at position 0.
    """
    batch = torch.arange(outputs.size(0), device=outputs.device)
    last = outputs[batch, lengths - 1]
    if not bidirectional:
        return last
    half = outputs.size(-1) // 2
    return torch.cat([last[:, :half], outputs[:, 0, half:]], dim=-1)


ORDER_FREE = frozenset({"mean", "max"})
"""Pooling methods that ignore the order of the steps (a backward direction needs no
re-alignment for them)."""


def pool(
    outputs: torch.Tensor, lengths: torch.Tensor, methods: list[str], bidirectional: bool
) -> torch.Tensor:
    """Concatenate the parameter-free pooled vectors named in ``methods`` (last, mean, max).

    Steps before the shortest length are real in every row and are reduced as they are; only
    the rest is masked, so length-sorted batches (prediction) barely copy anything.
    """
    # An exported (traced) graph must not bake in the traced batch's shortest length.
    tracing = torch.jit.is_tracing()
    shared = int(lengths.min()) if outputs.size(1) and not tracing else 0
    head, tail = outputs[:, :shared], outputs[:, shared:]
    tail_real = padding_mask(lengths - shared, tail.size(1)).unsqueeze(-1)
    pooled = []
    for method in methods:
        if method == "last":
            pooled.append(last_valid(outputs, lengths, bidirectional))
        elif method == "mean":
            total = tail.masked_fill(~tail_real, 0.0).sum(dim=1) if tail.size(1) else 0.0
            total = head.sum(dim=1) + total
            pooled.append(total / lengths.unsqueeze(1).to(outputs.dtype))
        elif method == "max":
            parts = [head.amax(dim=1)] if shared else []
            if tail.size(1):
                parts.append(tail.masked_fill(~tail_real, float("-inf")).amax(dim=1))
            pooled.append(parts[0] if len(parts) == 1 else torch.maximum(*parts))
        else:
            raise ConfigError(f"unknown pooling {method!r}; valid: last, mean, max")
    return torch.cat(pooled, dim=-1)


class AttentionPooling(nn.Module):
    """Structured self-attention (Lin et al. 2017): ``A = softmax(W2 tanh(W1 Hᵀ))``, ``M = AH``.

    With several heads, :attr:`penalty` holds ``‖AAᵀ − I‖²_F`` (batch mean) from the last call,
    which the classifier adds to the loss so the heads attend to different words.
    """

    def __init__(self, input_size: int, attention_size: int, heads: int) -> None:
        super().__init__()
        self.score_hidden = nn.Linear(input_size, attention_size, bias=False)
        self.score_heads = nn.Linear(attention_size, heads, bias=False)
        self.heads = heads
        self.output_size = input_size * heads
        self.penalty = torch.zeros(())
        self.weights: torch.Tensor | None = None

    def forward(self, outputs: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        scores = self.score_heads(torch.tanh(self.score_hidden(outputs)))  # [batch, time, heads]
        mask = padding_mask(lengths, outputs.size(1)).unsqueeze(-1)
        attention = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=1).transpose(1, 2)
        self.weights = attention.detach()
        if self.heads > 1:
            identity = torch.eye(self.heads, device=outputs.device)
            gram = attention @ attention.transpose(1, 2)
            self.penalty = ((gram - identity) ** 2).sum(dim=(1, 2)).mean()
        return (attention @ outputs).flatten(1)  # [batch, heads * features]


class Pooler(nn.Module):
    """All pooling methods of a model: the parameter-free ones and attention, concatenated."""

    def __init__(
        self,
        methods: list[str],
        input_size: int,
        bidirectional: bool,
        attention_size: int = 64,
        attention_heads: int = 1,
    ) -> None:
        super().__init__()
        for method in methods:
            if method not in POOLING_CHOICES:
                raise ConfigError(
                    f"unknown pooling {method!r}; valid: {', '.join(POOLING_CHOICES)}"
                )
        self.methods = list(methods)
        self.bidirectional = bidirectional
        self.attention = (
            AttentionPooling(input_size, attention_size, attention_heads)
            if "attention" in methods
            else None
        )
        plain = [m for m in methods if m != "attention"]
        self.output_size = input_size * len(plain) + (
            self.attention.output_size if self.attention is not None else 0
        )

    @property
    def order_free(self) -> bool:
        """Whether every method ignores step order (see :data:`ORDER_FREE`)."""
        return set(self.methods) <= ORDER_FREE

    def forward(self, outputs: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        pooled = []
        for method in self.methods:
            if method == "attention":
                assert self.attention is not None
                pooled.append(self.attention(outputs, lengths))
            else:
                pooled.append(pool(outputs, lengths, [method], self.bidirectional))
        return torch.cat(pooled, dim=-1)

    def pool_directions(
        self, directions: list[torch.Tensor], lengths: torch.Tensor
    ) -> torch.Tensor:
        """What :meth:`forward` gives for the concatenation of ``directions`` (each
        ``[batch, time, size]``, right-padded), for order-free methods only: a backward
        direction may stay reversed within each row's length."""
        if not self.order_free:
            raise ConfigError(f"pooling {self.methods} depends on step order")
        return torch.cat(
            [
                pool(direction, lengths, [method], bidirectional=False)
                for method in self.methods
                for direction in directions
            ],
            dim=-1,
        )
