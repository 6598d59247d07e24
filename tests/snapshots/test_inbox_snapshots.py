"""The feedback inbox's look, pinned: the new view, the shipped view, the accept dialog.

Stable across runs: the demo's dates come from the frozen clock (ages are counted to it),
inputs do not blink (the app is `frozen` when built with a clock), the terminal size is
fixed, and every screenshot is taken only after the database work it shows has finished.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from sprintboard.app import SCREENS, make_app
from sprintboard.config import Settings
from sprintboard.screens.inbox import InboxScreen
from sprintboard.screens.triage_dialogs import AcceptScreen
from sprintboard.store import Store
from sprintboard.tui import SprintboardApp

BIG = (140, 45)
INBOX_KEY = str(1 + [mode for mode, _, _ in SCREENS].index("inbox"))

Snap = Callable[..., bool]


@pytest.fixture
def inbox_app(demo_store: Store) -> Callable[[], SprintboardApp]:
    """The app on the demo organisation, its clock frozen at the tests' 'now'."""
    clock, path = demo_store.clock, demo_store.path
    demo_store.close()
    return lambda: make_app(path, clock=clock, settings=Settings(), live_refresh=0)


async def _until(pilot: Pilot[Any], condition: Callable[[], bool]) -> None:
    for _ in range(250):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("the screen never got ready")


async def _quiet(pilot: Pilot[Any]) -> None:
    """Wait for database work to finish and the screen to repaint."""
    for _ in range(2):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    await asyncio.sleep(0)


def steps(*keys: str, screen: type | None = None) -> Callable[[Pilot[Any]], Any]:
    """A run_before: open the inbox, press keys, wait until `screen` shows and settles."""

    async def run(pilot: Pilot[Any]) -> None:
        app = pilot.app
        await pilot.pause()
        await pilot.press(INBOX_KEY)
        await _until(pilot, lambda: isinstance(app.screen, InboxScreen) and app.screen.loaded)
        await _quiet(pilot)
        for key in keys:
            await pilot.press(key)
            await _quiet(pilot)
        if screen is not None:
            await _until(pilot, lambda: isinstance(app.screen, screen))
        await _quiet(pilot)

    return run


def test_inbox_new_view(snap_compare: Snap, inbox_app: Callable[[], SprintboardApp]) -> None:
    # Urgent first with the ⚑ flag; ages past 2 and 5 days marked ! and !! (amber, red).
    assert snap_compare(inbox_app(), terminal_size=BIG, run_before=steps("j", "j"))


def test_inbox_shipped_view(snap_compare: Snap, inbox_app: Callable[[], SprintboardApp]) -> None:
    # new → snoozed → accepted → shipped: linked cards done, ready to tell the customer.
    keys = ("tab", "tab", "tab")
    assert snap_compare(inbox_app(), terminal_size=BIG, run_before=steps(*keys))


def test_inbox_accept_dialog(snap_compare: Snap, inbox_app: Callable[[], SprintboardApp]) -> None:
    # #13 (cart): the dialog suggests Ecommerce; the title comes from the feedback.
    keys = ("j", "j", "a")
    assert snap_compare(
        inbox_app(), terminal_size=BIG, run_before=steps(*keys, screen=AcceptScreen)
    )
