"""The planning screen's look, pinned: the lists and capacity bars, each chart, the dialogs.

Stable across runs: the demo's dates and activity come from the frozen clock (the charts'
x axis is the sprint's days, never the wall clock), inputs do not blink, the terminal size
is fixed, and every screenshot waits for the database work and chart workers it shows.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from sprintboard.app import SCREENS, make_app
from sprintboard.config import Settings
from sprintboard.screens.planning import PlanningScreen
from sprintboard.screens.sprint_dialogs import CloseSprintScreen, StartSprintScreen
from sprintboard.store import Store
from sprintboard.tui import SprintboardApp

BIG = (140, 45)
SMALL = (80, 24)
PLANNING_KEY = str(1 + [mode for mode, _, _ in SCREENS].index("planning"))

Snap = Callable[..., bool]
Step = Callable[[Pilot[Any]], Awaitable[None]]


@pytest.fixture
def planning_app(demo_store: Store) -> Callable[..., SprintboardApp]:
    """The app on the demo organisation, its clock frozen at the tests' 'now'."""
    clock, path = demo_store.clock, demo_store.path
    demo_store.close()

    def build() -> SprintboardApp:
        # live_refresh=0: nothing else writes, and no poll should race the screenshot.
        settings = Settings(theme="sprintboard-dark")
        return make_app(path, clock=clock, settings=settings, live_refresh=0)

    return build


async def _until(pilot: Pilot[Any], condition: Callable[[], bool]) -> None:
    for _ in range(250):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("the screen never got ready")


async def _quiet(pilot: Pilot[Any]) -> None:
    """Wait for database work and chart workers to finish and the screen to repaint."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    await asyncio.sleep(0)


def steps(*keys: str, screen: type | None = None) -> Step:
    """A run_before: open the planning screen, press keys, wait until `screen` shows."""

    async def run(pilot: Pilot[Any]) -> None:
        app = pilot.app
        await _until(pilot, lambda: type(app.screen).__name__ == "BoardScreen")
        await _quiet(pilot)
        await pilot.press(PLANNING_KEY)
        await _until(pilot, lambda: isinstance(app.screen, PlanningScreen) and app.screen.loaded)
        await _quiet(pilot)
        for key in keys:
            await pilot.press(key)
            await _quiet(pilot)
        if screen is not None:
            await _until(pilot, lambda: isinstance(app.screen, screen))
            await _quiet(pilot)

    return run


def test_planning_140x45(snap_compare: Snap, planning_app: Callable[..., SprintboardApp]) -> None:
    assert snap_compare(planning_app(), terminal_size=BIG, run_before=steps())


def test_planning_80x24(snap_compare: Snap, planning_app: Callable[..., SprintboardApp]) -> None:
    assert snap_compare(planning_app(), terminal_size=SMALL, run_before=steps())


def test_planning_over_capacity(
    snap_compare: Snap, planning_app: Callable[..., SprintboardApp]
) -> None:
    """IT-14 and IT-11 moved in: IT is 7 points over, its bar red; focus on the sprint."""
    keys = ("j", "j", "j", "j", ">", ">", "tab")
    assert snap_compare(planning_app(), terminal_size=BIG, run_before=steps(*keys))


def test_planning_burndown(snap_compare: Snap, planning_app: Callable[..., SprintboardApp]) -> None:
    """With IT-14 moved in today: the scope step and its marker are on the chart."""
    keys = ("j", "j", "j", "j", ">", "v")
    assert snap_compare(planning_app(), terminal_size=BIG, run_before=steps(*keys))


def test_planning_velocity(snap_compare: Snap, planning_app: Callable[..., SprintboardApp]) -> None:
    assert snap_compare(planning_app(), terminal_size=BIG, run_before=steps("v", "v"))


def test_planning_flow(snap_compare: Snap, planning_app: Callable[..., SprintboardApp]) -> None:
    assert snap_compare(planning_app(), terminal_size=BIG, run_before=steps("v", "v", "v"))


def test_close_sprint_dialog(
    snap_compare: Snap, planning_app: Callable[..., SprintboardApp]
) -> None:
    assert snap_compare(
        planning_app(), terminal_size=BIG, run_before=steps("C", screen=CloseSprintScreen)
    )


def test_start_sprint_dialog(
    snap_compare: Snap, planning_app: Callable[..., SprintboardApp]
) -> None:
    """Sprint 42 closed (unfinished to the backlog), then Sprint 43 about to start."""
    keys = ("C", "b", "S")
    assert snap_compare(
        planning_app(), terminal_size=BIG, run_before=steps(*keys, screen=StartSprintScreen)
    )
