"""Texts shown safely: escaped control characters for terminals, neutralised formula cells for
spreadsheets (OWASP CSV injection)."""

from __future__ import annotations

import unicodedata

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def terminal_safe(text: str) -> str:
    """``text`` with control characters (ESC, BEL, ...) shown as escapes, not interpreted."""
    return "".join(
        ch.encode("unicode_escape").decode("ascii")
        if unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\n\t"
        else ch
        for ch in text
    )


def spreadsheet_safe(cell: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula (a leading ``'`` where needed)."""
    return "'" + cell if cell.startswith(FORMULA_PREFIXES) else cell
