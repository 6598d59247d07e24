"""User text as terminal cells: control characters made harmless, widths cut to fit.

Every widget draws user text through these two, so an escape sequence in a title can
neither restyle the screen nor break a column's alignment.
"""

from __future__ import annotations

import re

from rich.cells import cell_len, set_cell_size

_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """User text as plain cells: control characters (escapes included), tabs, line and
    paragraph separators (U+0085, U+2028, U+2029: titles are stored as given and may hold
    them, and a row must never break) and bidirectional controls (an override would
    reorder the cells after it) become spaces."""
    return _UNPRINTABLE.sub(" ", text)


def fit(text: str, width: int) -> str:
    """Crop (with an ellipsis) or pad text to exactly `width` terminal cells."""
    if width <= 0:
        return ""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…"
    return set_cell_size(text, width)
