"""What every dialog (and a screen or two) shares so it fits the terminal it opens on.

A dialog screen marks itself `-short` when the terminal is under `SHORT` rows tall;
app.tcss then draws its fields without their tall borders, so a form and its buttons fit
in 24 rows. Its buttons are docked to the dialog's bottom edge, so they stay in sight
while the fields above them scroll.
"""

from __future__ import annotations

from typing import ClassVar

SHORT = 40
"""Rows below which a dialog draws its fields compact."""


class FitsTerminal:
    """Mixed into a screen: its `-short` / `-tall` class follows the terminal's height."""

    VERTICAL_BREAKPOINTS: ClassVar[list[tuple[int, str]] | None] = [
        (0, "-short"),
        (SHORT, "-tall"),
    ]
