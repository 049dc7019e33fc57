"""Vocabulary: token ↔ id with padding and unknown ids as properties, never literals."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import repeat

PAD_TOKEN = "<pad>"
UNK_TOKEN = "<unk>"


@dataclass
class Vocabulary:
    """An ordered list of tokens; the special tokens come first."""

    tokens: list[str]
    pad_token: str = PAD_TOKEN
    unk_token: str = UNK_TOKEN
    counts: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._index = {token: i for i, token in enumerate(self.tokens)}
        if self.pad_token not in self._index or self.unk_token not in self._index:
            raise ValueError("vocabulary must contain its padding and unknown tokens")

    @classmethod
    def build(
        cls, token_lists: Iterable[Sequence[str]], *, min_freq: int = 1, max_size: int = 0
    ) -> Vocabulary:
        """Count tokens and keep those seen ``min_freq`` times, most frequent first.

        Args:
            token_lists: Tokenized training texts (never validation or test).
            min_freq: Minimum count for a token to get its own id.
            max_size: Maximum vocabulary size including special tokens (0 = unlimited).
        """
        counter: Counter[str] = Counter()
        for tokens in token_lists:
            counter.update(tokens)
        specials = [PAD_TOKEN, UNK_TOKEN]
        limit = max(0, max_size - len(specials)) if max_size else None
        # Sort by count then token so that the vocabulary is deterministic.
        ranked = sorted(
            ((tok, n) for tok, n in counter.items() if n >= min_freq and tok not in specials),
            key=lambda item: (-item[1], item[0]),
        )[:limit]
        return cls(tokens=specials + [tok for tok, _ in ranked], counts=dict(ranked))

    def extended(self, tokens: Iterable[str]) -> Vocabulary:
        """This vocabulary with ``tokens`` appended (those it lacks, in order, without counts)."""
        extra = list(dict.fromkeys(t for t in tokens if t not in self._index))
        return Vocabulary(self.tokens + extra, self.pad_token, self.unk_token, dict(self.counts))

    @property
    def pad_id(self) -> int:
        """Id of the padding token."""
        return self._index[self.pad_token]

    @property
    def unk_id(self) -> int:
        """Id given to tokens outside the vocabulary."""
        return self._index[self.unk_token]

    @property
    def special_ids(self) -> list[int]:
        """Ids that are not real words."""
        return [self.pad_id, self.unk_id]

    def __len__(self) -> int:
        return len(self.tokens)

    def __contains__(self, token: object) -> bool:
        return token in self._index

    def lookup(self, tokens: Sequence[str]) -> list[int]:
        """Map tokens to ids, unknown tokens to :attr:`unk_id`."""
        return list(map(self._index.get, tokens, repeat(self.unk_id)))

    def to_dict(self) -> dict[str, object]:
        """JSON form saved in the bundle (counts omitted: they are training data statistics)."""
        return {"tokens": self.tokens, "pad_token": self.pad_token, "unk_token": self.unk_token}

    @classmethod
    def from_dict(cls, raw: dict[str, object]) -> Vocabulary:
        """Inverse of :meth:`to_dict`."""
        return cls(
            tokens=list(raw["tokens"]),  # type: ignore[call-overload]
            pad_token=str(raw["pad_token"]),
            unk_token=str(raw["unk_token"]),
        )
