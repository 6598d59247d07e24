"""What every dialog (and a screen or two) shares so it fits the terminal it opens on.

A dialog screen marks itself `-short` when the terminal is under `SHORT` rows tall;
app.tcss then draws its fields without their tall borders, so a form and its buttons fit
in 24 rows (the card form, the longest, needs about 48 rows drawn tall). Its buttons are
docked to the dialog's bottom edge, so they stay in sight while the fields above them
scroll. Under `SLIM` columns it is also `-slim`: the card page takes the whole width.
"""

from __future__ import annotations

from typing import ClassVar

SHORT = 50
"""Rows below which a dialog draws its fields compact."""
SLIM = 100
"""Columns below which a page-like dialog takes the whole width."""


class FitsTerminal:
    """Mixed into a screen: its `-short` / `-tall` class follows the terminal's height,
    `-slim` / `-roomy` its width."""

    VERTICAL_BREAKPOINTS: ClassVar[list[tuple[int, str]] | None] = [
        (0, "-short"),
        (SHORT, "-tall"),
    ]
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]] | None] = [
        (0, "-slim"),
        (SLIM, "-roomy"),
    ]


SHORT_SCREEN = 30
"""Rows below which a full screen (not a dialog) tightens: an 80×24 terminal, not 45 rows."""


class ScreenFitsTerminal(FitsTerminal):
    """Mixed into a full screen: `-short` under `SHORT_SCREEN` rows."""

    VERTICAL_BREAKPOINTS: ClassVar[list[tuple[int, str]] | None] = [
        (0, "-short"),
        (SHORT_SCREEN, "-tall"),
    ]
