"""Where the English model shipped inside the package lives."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

DEFAULT_MODEL = "default"
"""Name of the shipped model (its folder under ``lstm_sentiment/pretrained``)."""


def default_model_path() -> Path:
    """Folder of the English model shipped inside the package."""
    return Path(str(resources.files("lstm_sentiment") / "pretrained" / DEFAULT_MODEL))
