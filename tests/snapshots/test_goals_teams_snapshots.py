"""The goals and teams screens' look, pinned: the goals list, a goal's cards, the teams.

Stable across runs: the demo's dates come from the frozen clock, inputs do not blink, the
terminal size is fixed, and each screenshot is taken once the screen's reads are in.
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
from sprintboard.screens.goal_dialogs import GoalFormScreen
from sprintboard.store import Store
from sprintboard.tui import SprintboardApp

BIG = (140, 45)
KEYS = {mode: str(i) for i, (mode, _, _) in enumerate(SCREENS, start=1)}

Snap = Callable[..., bool]
Step = Callable[[Pilot[Any]], Awaitable[None]]


@pytest.fixture
def demo_app(demo_store: Store) -> Callable[[], SprintboardApp]:
    """The app on the demo organisation, its clock frozen at the tests' 'now'."""
    clock, path = demo_store.clock, demo_store.path
    demo_store.close()

    def build() -> SprintboardApp:
        return make_app(path, clock=clock, settings=Settings(), live_refresh=0)

    return build


async def _until(pilot: Pilot[Any], condition: Callable[[], bool]) -> None:
    for _ in range(250):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("the screen never got ready")


async def _quiet(pilot: Pilot[Any]) -> None:
    for _ in range(2):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    await asyncio.sleep(0)


def on(mode: str, *keys: str, ready: Callable[[Any], bool] | None = None) -> Step:
    """Open the screen of `mode` from the board, press `keys`, wait for `ready(screen)`."""

    async def run(pilot: Pilot[Any]) -> None:
        app = pilot.app
        await _until(pilot, lambda: isinstance(app.screen, BoardScreen) and bool(app.screen.sprint))
        await _quiet(pilot)
        await pilot.press(KEYS[mode])
        await _until(pilot, lambda: getattr(app.screen, "loaded", False))
        await _quiet(pilot)
        for key in keys:
            await pilot.press(key)
            await _quiet(pilot)
        if ready is not None:
            await _until(pilot, lambda: ready(app.screen))
        await _quiet(pilot)

    return run


def test_goals_screen(snap_compare: Snap, demo_app: Callable[[], SprintboardApp]) -> None:
    assert snap_compare(demo_app(), terminal_size=BIG, run_before=on("goals", "j"))


def test_goal_drill_down(snap_compare: Snap, demo_app: Callable[[], SprintboardApp]) -> None:
    # G2, a falling KPI: its cards by team, then by sprint (closed, active, backlog).
    steps = on("goals", "j", "enter", ready=lambda s: getattr(s, "goal_id", None) == 2 and s.loaded)
    assert snap_compare(demo_app(), terminal_size=BIG, run_before=steps)


def test_goal_form_with_an_error(
    snap_compare: Snap, demo_app: Callable[[], SprintboardApp]
) -> None:
    keys = ("e", "tab", "tab", "tab", "ctrl+u", *"two", "ctrl+s")
    steps = on("goals", *keys, ready=lambda s: isinstance(s, GoalFormScreen))
    assert snap_compare(demo_app(), terminal_size=BIG, run_before=steps)


def test_teams_screen(snap_compare: Snap, demo_app: Callable[[], SprintboardApp]) -> None:
    # IT, its second member (Lucas Martin, 1/4), his checklist focused on 'tools'.
    steps = on("teams", "j", "enter", "j", "enter", "j")
    assert snap_compare(demo_app(), terminal_size=BIG, run_before=steps)
