"""Every screen, at 80×24 and at 160×45, in each of sprintboard's themes.

One app per size and theme visits every screen in turn (the board, planning,
dependencies, inbox, goals, teams, stock; the help, a card's page, the card form, the
findings, the mentions and the sync conflicts over the board) and compares each
screenshot with its stored SVG. A run reports every screen that changed, not just the first.

Stable across runs: the demo's dates and history come from the frozen clock, inputs do not
blink, and each screenshot is taken once no work runs and two drawings of the screen in a
row (what a terminal would be sent: text, colours, attributes) are the same.
Update with `pytest tests/snapshots/test_every_screen.py --snapshot-update`, then look at
the changed SVGs.
"""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import pytest
from pytest_textual_snapshot import SVGImageExtension
from rich.console import Console
from syrupy.assertion import SnapshotAssertion
from textual._compositor import LayoutUpdate
from textual.app import App
from textual.pilot import Pilot

from sprintboard.app import SCREENS
from sprintboard.screens.board import BoardScreen
from sprintboard.tui import SprintboardApp

from .conftest import AppFactory, until

SIZES = {"80x24": (80, 24), "160x45": (160, 45)}
THEMES = ("sprintboard-dark", "sprintboard-light", "sprintboard-contrast")
OVER_THE_BOARD = {
    # name: the keys that open it from the board (esc closes each again)
    "help": ("question_mark",),
    "card-page": ("enter",),
    "card-form": ("n",),
    "findings": ("exclamation_mark",),
    "mentions": ("at",),
    "conflicts": ("ampersand",),
}

Visit = Callable[[Pilot[Any]], Awaitable[None]]


def _drawn(app: App[Any]) -> str:
    """The whole screen as a terminal would be sent it: text, colours and attributes, all
    the SVG shows, for a tenth of the cost of drawing the SVG."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        legacy_windows=False,
        safe_box=False,
    )
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    assert isinstance(update, LayoutUpdate)
    return update.render_segments(console)


async def _still(pilot: Pilot[Any]) -> None:
    """Wait until no work runs and two drawings of the screen in a row are the same."""
    app = pilot.app
    last = None
    for _ in range(60):
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()
        drawn = _drawn(app)
        if drawn == last and not any(worker.is_running for worker in app.workers):
            return
        last = drawn
    raise AssertionError(f"{type(app.screen).__name__} never settled")


def _shows(app: SprintboardApp, mode: str) -> bool:
    return app.current_mode == mode


async def _on_board(pilot: Pilot[Any]) -> None:
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, BoardScreen) and bool(app.screen.sprint))
    await _still(pilot)


@pytest.mark.long
@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", SIZES)
async def test_every_screen(
    snapshot: SnapshotAssertion, demo_app: AppFactory, size: str, theme: str
) -> None:
    svg = snapshot.use_extension(SVGImageExtension)
    app = demo_app(theme)
    shots: dict[str, str] = {}
    async with app.run_test(size=SIZES[size]) as pilot:
        await _on_board(pilot)
        for number, (mode, _, _) in enumerate(SCREENS, start=1):
            await pilot.press(str(number))
            await until(pilot, partial(_shows, app, mode))
            await _still(pilot)
            shots[mode] = app.export_screenshot(title=app.title)
        await pilot.press("1")
        await _on_board(pilot)
        for name, keys in OVER_THE_BOARD.items():
            await pilot.press(*keys)
            await until(pilot, lambda: not isinstance(app.screen, BoardScreen))
            await _still(pilot)
            shots[name] = app.export_screenshot(title=app.title)
            await pilot.press("escape")
            await _on_board(pilot)
    # `==` (not `!=`) is what records a syrupy assertion.
    changed = [name for name, shot in shots.items() if not svg(name=name) == shot]  # noqa: SIM201
    assert changed == [], f"changed at {size} in {theme}: {', '.join(changed)}"
