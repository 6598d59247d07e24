"""The main screens share one base: `LiveScreen` (screens/live.py) follows the store for all."""

from __future__ import annotations

import importlib

from sprintboard.screens.live import LiveScreen
from sprintboard.screens.registry import SCREENS


def test_every_main_screen_is_a_live_screen() -> None:
    # Each follows changes made elsewhere, turns a refused write into one line and offers
    # its keys in the palette the same way: through the base, not through a copy of it.
    for mode, title, path in SCREENS:
        module, _, name = path.partition(":")
        screen = getattr(importlib.import_module(module), name)
        assert issubclass(screen, LiveScreen), (mode, title)
        assert screen.HELP_TITLE, mode
