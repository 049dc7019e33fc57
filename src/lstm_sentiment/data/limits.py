"""Size limits on what the readers accept, so a hostile or broken input fails with a clear
message instead of exhausting memory (a small archive can hold a huge member)."""

from __future__ import annotations

from pathlib import Path

from lstm_sentiment.errors import DataError

MAX_TEXT_BYTES = 16 * 2**20
"""One text (a file in a folder, an archive member) may hold at most 16 MiB."""
MAX_TEXT_CHARS = 16 * 2**20
"""One CSV/TSV field may hold at most this many characters (Python's csv default: 131,072)."""
MAX_ARCHIVE_BYTES = 8 * 2**30
"""An archive may unpack to at most 8 GiB in total (aclImdb unpacks to about 0.3 GiB)."""


def check_text_size(size: int, where: str) -> None:
    """Refuse one text (file or archive member) over :data:`MAX_TEXT_BYTES`."""
    if size > MAX_TEXT_BYTES:
        raise DataError(
            f"{where} is {size:,} bytes, over the limit of {MAX_TEXT_BYTES:,} bytes for one "
            "text: split it into smaller texts or leave it out"
        )


def check_archive_size(total: int, path: Path) -> None:
    """Refuse an archive whose members add up to more than :data:`MAX_ARCHIVE_BYTES`."""
    if total > MAX_ARCHIVE_BYTES:
        raise DataError(
            f"{path} unpacks to more than {MAX_ARCHIVE_BYTES:,} bytes (the limit for one "
            "archive): it may be a decompression bomb; unpack what you need and pass the folder"
        )
