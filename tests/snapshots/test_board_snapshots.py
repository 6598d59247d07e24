"""The board's look, pinned: sizes, themes, swimlanes, a filter, the card detail and form.

Stable across runs: the demo's dates and the activity history come from the frozen clock,
inputs do not blink (the app is `frozen` when built with a clock), the terminal size is
fixed, and every screenshot is taken only after the database work it shows has finished.
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from sprintboard.screens.board import BoardScreen
from sprintboard.screens.card_detail import CardDetailScreen
from sprintboard.screens.card_form import CardFormScreen

from .conftest import BIG, SMALL, AppFactory, Snap, Step, until


async def _still(pilot: Pilot[Any]) -> None:
    """Wait until database work is done and two screenshots in a row are the same.

    Work may start after a repaint (the header's count of seam findings does), so one
    wait for the workers is not enough.
    """
    app = pilot.app
    last = None
    for _ in range(50):
        await app.workers.wait_for_complete()
        await pilot.pause()
        shot = app.export_screenshot()
        if shot == last and not any(worker.is_running for worker in app.workers):
            return
        last = shot
    raise AssertionError("the screen never settled")


async def _board_ready(pilot: Pilot[Any]) -> BoardScreen:
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, BoardScreen) and app.screen.sprint, tries=200)
    await _still(pilot)
    assert isinstance(app.screen, BoardScreen)
    return app.screen


def steps(*keys: str, screen: type | None = None) -> Step:
    """A run_before: wait for the board, press keys, wait until `screen` shows and settles."""

    async def run(pilot: Pilot[Any]) -> None:
        await _board_ready(pilot)
        for key in keys:
            await pilot.press(key)
            await _still(pilot)
        if screen is not None:
            await until(pilot, lambda: isinstance(pilot.app.screen, screen), tries=200)
        await _still(pilot)

    return run


def test_board_140x45(snap_compare: Snap, demo_app: AppFactory) -> None:
    assert snap_compare(demo_app(), terminal_size=BIG, run_before=steps())


def test_board_80x24_swimlanes(snap_compare: Snap, demo_app: AppFactory) -> None:
    # Narrow columns with lanes: one line per card.
    assert snap_compare(demo_app(), terminal_size=SMALL, run_before=steps("w", "l", "j"))


def test_board_theme_set_from_code(snap_compare: Snap, demo_app: AppFactory) -> None:
    """Switching theme at run time (the palette does this) repaints every colour."""

    async def run(pilot: Pilot[Any]) -> None:
        await _board_ready(pilot)
        pilot.app.theme = "sprintboard-contrast"
        await _still(pilot)

    assert snap_compare(demo_app(), terminal_size=BIG, run_before=run)


def test_board_swimlanes(snap_compare: Snap, demo_app: AppFactory) -> None:
    assert snap_compare(demo_app(), terminal_size=BIG, run_before=steps("w", "l", "j"))


def test_board_filtered(snap_compare: Snap, demo_app: AppFactory) -> None:
    keys = ["slash", *"checkout", "enter", "l", "j"]
    assert snap_compare(demo_app(), terminal_size=BIG, run_before=steps(*keys))


def test_board_filter_box_open(snap_compare: Snap, demo_app: AppFactory) -> None:
    assert snap_compare(demo_app(), terminal_size=BIG, run_before=steps("slash", *"promo"))


def test_card_detail(snap_compare: Snap, demo_app: AppFactory) -> None:
    # ECOM-4: contributing teams, a blocker, linked feedback and a history.
    assert snap_compare(
        demo_app(), terminal_size=BIG, run_before=steps("enter", screen=CardDetailScreen)
    )


def test_card_detail_80x24(snap_compare: Snap, demo_app: AppFactory) -> None:
    keys = ("l", "l", "l", "enter")  # IT-6, which blocks cards of other teams
    assert snap_compare(
        demo_app(), terminal_size=SMALL, run_before=steps(*keys, screen=CardDetailScreen)
    )


def test_new_card_form(snap_compare: Snap, demo_app: AppFactory) -> None:
    assert snap_compare(demo_app(), terminal_size=BIG, run_before=steps("n", screen=CardFormScreen))


def test_edit_card_form(snap_compare: Snap, demo_app: AppFactory) -> None:
    assert snap_compare(
        demo_app(), terminal_size=BIG, run_before=steps("l", "e", screen=CardFormScreen)
    )


def test_edit_promotion_card_form(snap_compare: Snap, demo_app: AppFactory) -> None:
    # MKT-2: labels, expected orders, and SKUs with their stock line (GF-1001 is low).
    keys = ("l", "j", "j", "e")
    assert snap_compare(
        demo_app(), terminal_size=BIG, run_before=steps(*keys, screen=CardFormScreen)
    )
