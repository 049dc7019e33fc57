"""Pool per-step encoder outputs into one vector per example, ignoring padding."""

from __future__ import annotations

import torch

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


def pool(
    outputs: torch.Tensor, lengths: torch.Tensor, methods: list[str], bidirectional: bool
) -> torch.Tensor:
    """Concatenate the pooled vectors named in ``methods`` (``last``, ``mean``, ``max``)."""
    mask = padding_mask(lengths, outputs.size(1)).unsqueeze(-1)
    pooled = []
    for method in methods:
        if method == "last":
            pooled.append(last_valid(outputs, lengths, bidirectional))
        elif method == "mean":
            total = outputs.masked_fill(~mask, 0.0).sum(dim=1)
            pooled.append(total / lengths.unsqueeze(1).to(outputs.dtype))
        elif method == "max":
            pooled.append(outputs.masked_fill(~mask, float("-inf")).max(dim=1).values)
        else:
            raise ConfigError(f"unknown pooling {method!r}; valid: last, mean, max")
    return torch.cat(pooled, dim=-1)
