"""The batched forward pass of a torch classifier: eval mode, no gradients, length-sorted
batches, logits back in dataset order."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from lstm_sentiment.inference import INFERENCE_BATCH_SIZE
from lstm_sentiment.inference.batching import EncodedDataset
from lstm_sentiment.inference.probabilities import softmax


def predict_logits(
    model: nn.Module, data: EncodedDataset, batch_size: int = INFERENCE_BATCH_SIZE
) -> np.ndarray:
    """Logits in dataset order (eval mode, no gradients, length-sorted batches)."""
    model.eval()
    out: np.ndarray | None = None
    device = next((p.device for p in model.parameters()), torch.device("cpu"))
    with torch.inference_mode():
        for positions in data.batches(batch_size):
            batch = data.make_batch(positions)
            if device.type != "cpu":  # a model trained on a GPU (torchrun with NCCL)
                batch.ids, batch.lengths = batch.ids.to(device), batch.lengths.to(device)
            logits = model(batch.ids, batch.lengths).float().cpu().numpy()
            if out is None:
                out = np.zeros((len(data), logits.shape[1]), dtype=np.float32)
            out[positions] = logits
    if out is None:
        raise ValueError("cannot predict on an empty dataset")
    return out


def predict_probabilities(
    model: nn.Module, data: EncodedDataset, batch_size: int = INFERENCE_BATCH_SIZE
) -> np.ndarray:
    """Class probabilities in dataset order: the softmax of :func:`predict_logits`."""
    return softmax(predict_logits(model, data, batch_size))
