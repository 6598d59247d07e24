"""The stock screen's look, pinned: every SKU with its cards, and the import dialog.

Stable across runs: the demo's dates come from the frozen clock, inputs do not blink, the
terminal size is fixed, and each screenshot waits for the database work it shows.
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from sprintboard.screens.stock import StockImportScreen, StockScreen

from .conftest import BIG, SCREEN_KEYS, SMALL, AppFactory, Snap, Step, press_quietly, quiet, until


def steps(*keys: str, screen: type | None = None) -> Step:
    """A run_before: open the stock screen, press keys, wait until `screen` shows."""

    async def run(pilot: Pilot[Any]) -> None:
        app = pilot.app
        await pilot.pause()
        await pilot.press(SCREEN_KEYS["stock"])
        await until(pilot, lambda: isinstance(app.screen, StockScreen) and app.screen.loaded)
        await quiet(pilot)
        await press_quietly(pilot, *keys)
        if screen is not None:
            await until(pilot, lambda: isinstance(app.screen, screen))
        await quiet(pilot)

    return run


def test_stock_view(snap_compare: Snap, demo_app: AppFactory) -> None:
    # Low stock marked ▼ (on hand under the threshold); each SKU's cards with their sprints.
    assert snap_compare(demo_app(), terminal_size=BIG, run_before=steps("j", "j"))


def test_stock_view_small_filtered(snap_compare: Snap, demo_app: AppFactory) -> None:
    # Filtered by a card key: the SKUs that card uses.
    keys = ("slash", *"MKT-2", "enter")
    assert snap_compare(demo_app(), terminal_size=SMALL, run_before=steps(*keys))


def test_stock_import_dialog(snap_compare: Snap, demo_app: AppFactory) -> None:
    keys = ("ctrl+o", *"stock.csv")
    assert snap_compare(
        demo_app(), terminal_size=BIG, run_before=steps(*keys, screen=StockImportScreen)
    )
