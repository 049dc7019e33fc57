"""Pooling shortcuts (shared-length split, per-direction pooling) equal the plain definitions."""

from __future__ import annotations

import pytest
import torch

from lstm_sentiment.models.pooling import Pooler, padding_mask, pool
from lstm_sentiment.models.recurrent import RecurrentEncoder


def reference_pool(outputs: torch.Tensor, lengths: torch.Tensor, method: str) -> torch.Tensor:
    """Mean or max over the real steps, by masking every padded step."""
    real = padding_mask(lengths, outputs.size(1)).unsqueeze(-1)
    if method == "mean":
        return outputs.masked_fill(~real, 0.0).sum(1) / lengths.unsqueeze(1).float()
    return outputs.masked_fill(~real, float("-inf")).max(1).values


@pytest.mark.parametrize("method", ["mean", "max"])
@pytest.mark.parametrize(
    "lengths",
    [[5, 5, 5], [1, 5, 3], [5, 4, 4], [2, 1, 1], [1]],
    ids=lambda x: "-".join(map(str, x)),
)
def test_pool_equals_masking_every_padded_step(method: str, lengths: list[int]) -> None:
    torch.manual_seed(0)
    lengths_tensor = torch.tensor(lengths)
    outputs = torch.randn(len(lengths), max(lengths), 6)
    # Padding holds large values that would win a max or skew a mean if it were read.
    outputs = outputs.masked_fill(~padding_mask(lengths_tensor, max(lengths)).unsqueeze(-1), 1e6)
    got = pool(outputs, lengths_tensor, [method], bidirectional=False)
    torch.testing.assert_close(got, reference_pool(outputs, lengths_tensor, method))


def test_pool_gradient_reaches_only_real_steps() -> None:
    lengths = torch.tensor([3, 1])
    outputs = torch.randn(2, 3, 4, requires_grad=True)
    pool(outputs, lengths, ["mean", "max"], bidirectional=False).sum().backward()
    assert outputs.grad is not None
    assert torch.all(outputs.grad[1, 1:] == 0)
    assert torch.all(outputs.grad[0].abs().sum(-1) > 0)


@pytest.mark.parametrize("layers", [[5], [4, 3]])
def test_per_direction_pooling_equals_pooling_the_aligned_outputs(layers: list[int]) -> None:
    torch.manual_seed(1)
    encoder = RecurrentEncoder("lstm", 6, layers, bidirectional=True).eval()
    pooler = Pooler(["max", "mean"], encoder.output_size, bidirectional=True)
    inputs, lengths = torch.randn(4, 7, 6), torch.tensor([7, 2, 5, 1])
    with torch.no_grad():
        aligned, _ = encoder(inputs, lengths)
        expected = pooler(aligned, lengths)
        got = pooler.pool_directions(encoder.directions(inputs, lengths), lengths)
    torch.testing.assert_close(got, expected)


def test_per_direction_pooling_refuses_order_dependent_pooling() -> None:
    pooler = Pooler(["last"], 4, bidirectional=True)
    assert not pooler.order_free
    with pytest.raises(Exception, match="depends on step order"):
        pooler.pool_directions([torch.zeros(1, 2, 2)] * 2, torch.tensor([2]))


def test_directions_refuses_unaligned_outputs_under_a_connection() -> None:
    encoder = RecurrentEncoder("gru", 4, [4, 4], bidirectional=True, connection="residual")
    assert not encoder.keeps_directions
    with pytest.raises(ValueError, match="aligned"):
        encoder.directions(torch.zeros(1, 3, 4), torch.tensor([3]))
