"""The unit every reader yields."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Example:
    """One text with its label (``None`` for unlabelled text such as aclImdb's ``unsup``)."""

    text: str
    label: str | None
