"""Convolutional encoders: multi-width Conv1D over embeddings, and the CNN → RNN hybrid."""

from __future__ import annotations

import torch
from torch import nn

from lstm_sentiment.models.layers import activation
from lstm_sentiment.models.pooling import padding_mask
from lstm_sentiment.models.recurrent import RecurrentEncoder


class ConvEncoder(nn.Module):
    """One 'same'-padded Conv1D per kernel width, concatenated along features.

    Padding tokens have a zero embedding and the convolution pads with zeros, so a text's
    outputs at its real positions do not depend on how much padding follows it.
    """

    def __init__(
        self, input_size: int, filters: int, kernel_sizes: list[int], activation_name: str
    ) -> None:
        super().__init__()
        self.convs = nn.ModuleList(nn.Conv1d(input_size, filters, width) for width in kernel_sizes)
        self.activation = activation(activation_name)
        self.output_size = filters * len(kernel_sizes)
        self.bidirectional = False

    def forward(
        self, inputs: torch.Tensor, lengths: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        mask = padding_mask(lengths, inputs.size(1)).unsqueeze(-1)
        channels = inputs.masked_fill(~mask, 0.0).transpose(1, 2)
        # 'same' length for odd and even widths: (w - 1) // 2 zeros before, w // 2 after.
        features = torch.cat(
            [
                conv(
                    nn.functional.pad(
                        channels, ((conv.kernel_size[0] - 1) // 2, conv.kernel_size[0] // 2)
                    )
                )
                for conv in self.convs
            ],
            dim=1,
        )
        return self.activation(features).transpose(1, 2), lengths


class ConvRecurrentEncoder(nn.Module):
    """Conv1D → max-pool (stride ``pool_size``) → recurrent encoder, as in the Keras tutorial.

    Pooling windows only see real positions; the recurrent layer reads
    ``ceil(length / pool_size)`` steps.
    """

    def __init__(self, conv: ConvEncoder, pool_size: int, recurrent: RecurrentEncoder) -> None:
        super().__init__()
        self.conv = conv
        self.pool_size = pool_size
        self.recurrent = recurrent
        self.output_size = recurrent.output_size
        self.bidirectional = recurrent.bidirectional

    def forward(
        self, inputs: torch.Tensor, lengths: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        features, _ = self.conv(inputs, lengths)
        mask = padding_mask(lengths, features.size(1)).unsqueeze(-1)
        features = features.masked_fill(~mask, float("-inf")).transpose(1, 2)
        pooled = nn.functional.max_pool1d(features, self.pool_size, ceil_mode=True)
        pooled_lengths = torch.div(
            lengths + self.pool_size - 1, self.pool_size, rounding_mode="floor"
        )
        pooled = pooled.transpose(1, 2)
        # Windows wholly past a text's end are -inf; zero them (they are masked downstream).
        keep = padding_mask(pooled_lengths, pooled.size(1)).unsqueeze(-1)
        pooled = pooled.masked_fill(~keep, 0.0)
        return self.recurrent(pooled, pooled_lengths)
