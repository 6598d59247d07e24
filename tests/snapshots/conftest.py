"""Snapshot-test fixtures and waits: the app on the demo organisation, and what every
screenshot waits for before it is compared.

The app is built with the tests' frozen clock (so inputs do not blink and dates are fixed)
and live refresh off; each test's `run_before` opens its screen and presses its keys with
the waits below, so the screenshot is taken only once the work it shows has finished.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from sprintboard.app import SCREENS, make_app
from sprintboard.config import Settings
from sprintboard.screens.board import BoardScreen
from sprintboard.screens.findings_after_save import FindingsAfterSave
from sprintboard.store import Store
from sprintboard.tui import SprintboardApp

BIG = (140, 45)
SMALL = (80, 24)
SCREEN_KEYS = {mode: str(i) for i, (mode, _, _) in enumerate(SCREENS, start=1)}
"""The number key that switches to each screen, by mode name."""

Snap = Callable[..., bool]
"""pytest-textual-snapshot's `snap_compare`."""
Step = Callable[[Pilot[Any]], Awaitable[None]]
"""A `run_before` for `snap_compare`."""
AppFactory = Callable[..., SprintboardApp]


@pytest.fixture
def demo_app(demo_store: Store) -> AppFactory:
    """The app on the demo organisation, its clock frozen at the tests' 'now'."""
    clock, path = demo_store.clock, demo_store.path
    demo_store.close()

    def build(theme: str = "sprintboard-dark") -> SprintboardApp:
        # live_refresh=0: nothing else writes, and no poll should race the screenshot.
        return make_app(path, clock=clock, settings=Settings(theme=theme), live_refresh=0)

    return build


async def until(pilot: Pilot[Any], condition: Callable[[], object], tries: int = 250) -> None:
    """Pause 20 ms at a time until `condition()` holds; fail after `tries` pauses."""
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("the screen never got ready")


async def quiet(pilot: Pilot[Any], rounds: int = 2) -> None:
    """Wait for database work and off-thread building to finish and the screen to repaint.

    Work can start after a repaint, hence `rounds` (the planning screen's charts take 3).
    """
    for _ in range(rounds):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    # A count of the findings after a save waits for the keys to pause (a timer, no worker
    # yet): wait for it too, so its badges and toast show the same way in every run.
    while any(
        isinstance(counter := getattr(screen, "findings", None), FindingsAfterSave)
        and counter.pending
        for screen in pilot.app.screen_stack
    ):
        await pilot.pause(0.05)
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await asyncio.sleep(0)


async def press_quietly(pilot: Pilot[Any], *keys: str, rounds: int = 2) -> None:
    """Press keys one at a time, waiting for the screen to go `quiet` after each."""
    for key in keys:
        await pilot.press(key)
        await quiet(pilot, rounds)


async def board_ready(pilot: Pilot[Any]) -> None:
    """Wait until the app shows the board on its sprint, and its work is done."""
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, BoardScreen) and bool(app.screen.sprint))
    await quiet(pilot)
