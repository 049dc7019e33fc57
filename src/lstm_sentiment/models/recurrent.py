"""Recurrent encoders that never read padding, on the fast dense (fused) kernel.

``PackedSequence`` gives exact padding semantics but was measured about 6× slower on this CPU
than a dense batch. With right padding, the forward direction never reaches padding before a
real token, so its outputs at real positions are exact. The backward direction would start in
the padding; instead each example is reversed within its own length (padding stays at the end),
run forwards, and the outputs are put back in place.
"""

from __future__ import annotations

import torch
from torch import nn

_CELLS: dict[str, type[nn.LSTM] | type[nn.GRU]] = {"lstm": nn.LSTM, "gru": nn.GRU}


def reverse_index(lengths: torch.Tensor, max_time: int) -> torch.Tensor:
    """Index ``[batch, time]`` that reverses each row's first ``length`` steps in place."""
    steps = torch.arange(max_time, device=lengths.device).unsqueeze(0)
    reversed_steps = lengths.unsqueeze(1) - 1 - steps
    return torch.where(steps < lengths.unsqueeze(1), reversed_steps, steps)


def gather_time(values: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """Reorder ``values [batch, time, dim]`` along time by ``index [batch, time]``."""
    return values.gather(1, index.unsqueeze(-1).expand(-1, -1, values.size(-1)))


class RecurrentEncoder(nn.Module):
    """Stacked, optionally bidirectional LSTM/GRU returning per-step outputs.

    Args:
        cell: ``"lstm"`` or ``"gru"``.
        input_size: Embedding dimension.
        hidden_size: Units per direction.
        num_layers: Stacked layers; each layer's outputs feed the next.
        bidirectional: Add a backward direction (outputs are concatenated).
        dropout: Dropout between stacked layers.
    """

    def __init__(
        self,
        cell: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bidirectional: bool = False,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        rnn = _CELLS[cell]
        self.bidirectional = bidirectional
        self.num_layers = num_layers
        self.output_size = hidden_size * (2 if bidirectional else 1)
        self.dropout = nn.Dropout(dropout)
        if bidirectional:
            sizes = [input_size] + [self.output_size] * (num_layers - 1)
            self.forward_layers = nn.ModuleList(
                rnn(size, hidden_size, batch_first=True) for size in sizes
            )
            self.backward_layers = nn.ModuleList(
                rnn(size, hidden_size, batch_first=True) for size in sizes
            )
        else:
            # Unidirectional: the fused multi-layer kernel is already padding-exact.
            self.rnn = rnn(
                input_size,
                hidden_size,
                num_layers=num_layers,
                batch_first=True,
                dropout=dropout if num_layers > 1 else 0.0,
            )

    def forward(self, inputs: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Encode ``inputs [batch, time, input_size]``; returns ``[batch, time, output_size]``.

        Outputs at padded positions are meaningless and must be masked by the caller.
        """
        if not self.bidirectional:
            outputs, _ = self.rnn(inputs)
            return outputs
        index = reverse_index(lengths, inputs.size(1))
        layer_input = inputs
        for depth, (fwd, bwd) in enumerate(
            zip(self.forward_layers, self.backward_layers, strict=True)
        ):
            if depth > 0:
                layer_input = self.dropout(layer_input)
            forward_out, _ = fwd(layer_input)
            backward_out, _ = bwd(gather_time(layer_input, index))
            layer_input = torch.cat([forward_out, gather_time(backward_out, index)], dim=-1)
        return layer_input
