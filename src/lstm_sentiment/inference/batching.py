"""Length-bucketed batches so that padding does not dominate the work."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import torch


@dataclass
class Batch:
    """Padded ids ``[batch, time]`` (right padding), true lengths and optional label ids."""

    ids: torch.Tensor
    lengths: torch.Tensor
    labels: torch.Tensor | None
    indices: np.ndarray
    """Positions of these examples in the encoded dataset."""
    targets: torch.Tensor | None = None
    """Label distributions ``[batch, classes]`` when training on soft labels."""

    @property
    def num_tokens(self) -> int:
        """Real (non-padding) tokens in the batch."""
        return int(self.lengths.sum())


def pad_batch(
    sequences: Sequence[np.ndarray], pad_id: int, pad_to: int = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-pad sequences to the longest one (or to ``pad_to`` if that is longer)."""
    lengths = np.fromiter((len(s) for s in sequences), dtype=np.int64, count=len(sequences))
    width = max(int(lengths.max()), pad_to)
    ids = np.full((len(sequences), width), pad_id, dtype=np.int64)
    for row, seq in enumerate(sequences):
        ids[row, : len(seq)] = seq
    return torch.from_numpy(ids), torch.from_numpy(lengths)


def bucketed_order(
    lengths: np.ndarray, batch_size: int, *, rng: np.random.Generator | None, bucket_size: int
) -> list[np.ndarray]:
    """Split example positions into batches of similar length.

    With ``rng`` (training) examples are shuffled, grouped into pools of ``bucket_size``
    batches, sorted by length inside each pool, cut into batches, and the batches shuffled.
    Without ``rng`` (evaluation) all examples are sorted by length: the least padding.
    """
    if rng is None:
        order = np.argsort(lengths, kind="stable")
        return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    order = rng.permutation(len(lengths))
    pool = max(1, bucket_size) * batch_size
    batches: list[np.ndarray] = []
    for start in range(0, len(order), pool):
        chunk = order[start : start + pool]
        chunk = chunk[np.argsort(lengths[chunk], kind="stable")]
        batches.extend(chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size))
    return [batches[i] for i in rng.permutation(len(batches))]


class EncodedDataset:
    """Texts encoded once into id arrays, with label ids (and label distributions when training
    on soft labels); yields :class:`Batch` objects."""

    def __init__(
        self,
        ids: list[np.ndarray],
        labels: np.ndarray | None,
        pad_id: int,
        pad_to: int = 0,
        targets: np.ndarray | None = None,
    ) -> None:
        self.pad_to = pad_to
        self.targets = targets
        """``[texts, classes]`` label distributions (``data.soft_labels``), or ``None``."""
        """Fixed batch width (0 = pad each batch only to its longest text)."""
        self.ids = ids
        self.labels = labels
        self.pad_id = pad_id
        self.lengths = np.fromiter((len(s) for s in ids), dtype=np.int64, count=len(ids))

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def num_tokens(self) -> int:
        """Real tokens over the whole dataset."""
        return int(self.lengths.sum())

    def cropped(
        self, rng: np.random.Generator, probability: float, min_tokens: int, longer_than: int = 0
    ) -> EncodedDataset:
        """A view where a ``probability`` share of the texts is a random span of itself.

        Span lengths are log-uniform between ``min_tokens`` and the text's length (short spans
        as often as long ones); texts no longer than ``min_tokens`` or ``longer_than`` stay
        whole. The arrays are slices of the originals, not copies.
        """
        count = len(self.ids)
        croppable = self.lengths > max(min_tokens, longer_than)
        chosen = (rng.random(count) < probability) & croppable
        low = np.log(min_tokens)
        spans = np.exp(low + rng.random(count) * (np.log(np.maximum(self.lengths, 1)) - low))
        spans = np.clip(np.round(spans).astype(np.int64), min_tokens, self.lengths)
        starts = np.floor(rng.random(count) * (self.lengths - spans + 1)).astype(np.int64)
        ids = [
            seq[start : start + span] if crop else seq
            for seq, crop, start, span in zip(self.ids, chosen, starts, spans, strict=True)
        ]
        return EncodedDataset(ids, self.labels, self.pad_id, self.pad_to, self.targets)

    def subset(self, positions: np.ndarray) -> EncodedDataset:
        """The examples at ``positions``, in that order (arrays shared, not copied)."""
        labels = None if self.labels is None else self.labels[positions]
        targets = None if self.targets is None else self.targets[positions]
        return EncodedDataset(
            [self.ids[i] for i in positions], labels, self.pad_id, self.pad_to, targets
        )

    def batches(
        self,
        batch_size: int,
        *,
        rng: np.random.Generator | None = None,
        bucket_size: int = 50,
    ) -> list[np.ndarray]:
        """The batch plan (example positions per batch); see :func:`bucketed_order`."""
        return bucketed_order(self.lengths, batch_size, rng=rng, bucket_size=bucket_size)

    def make_batch(self, positions: np.ndarray) -> Batch:
        """Collate the examples at ``positions``."""
        ids, lengths = pad_batch([self.ids[i] for i in positions], self.pad_id, self.pad_to)
        labels = None if self.labels is None else torch.from_numpy(self.labels[positions])
        targets = None if self.targets is None else torch.from_numpy(self.targets[positions])
        return Batch(ids=ids, lengths=lengths, labels=labels, indices=positions, targets=targets)

    def iterate(self, plan: list[np.ndarray], start: int = 0) -> Iterator[Batch]:
        """Yield the batches of ``plan`` from index ``start`` (used when resuming mid-epoch)."""
        for positions in plan[start:]:
            yield self.make_batch(positions)
