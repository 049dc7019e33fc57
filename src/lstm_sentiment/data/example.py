"""The unit every reader yields."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Example:
    """One text with its label (``None`` for unlabelled text such as aclImdb's ``unsup``)."""

    text: str
    label: str | None
    group: str | None = None
    """What the text belongs to when known, e.g. the movie of an aclImdb review (from its
    ``urls_<label>.txt``): ``data.group_validation`` keeps a group out of both split parts."""
    probabilities: tuple[tuple[str, float], ...] | None = None
    """The label distribution when the source gives one (``data.soft_labels``): a teacher's
    probabilities, trained toward instead of the label alone."""
