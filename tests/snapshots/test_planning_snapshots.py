"""The planning screen's look, pinned: the lists and capacity bars, each chart, the dialogs.

Stable across runs: the demo's dates and activity come from the frozen clock (the charts'
x axis is the sprint's days, never the wall clock), inputs do not blink, the terminal size
is fixed, and every screenshot waits for the database work and chart workers it shows.
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from sprintboard.screens.planning import PlanningScreen
from sprintboard.screens.sprint_dialogs import CloseSprintScreen, StartSprintScreen

from .conftest import BIG, SCREEN_KEYS, SMALL, AppFactory, Snap, Step, press_quietly, quiet, until

# Chart workers start after a repaint: every wait here takes three rounds.
ROUNDS = 3


def steps(*keys: str, screen: type | None = None) -> Step:
    """A run_before: open the planning screen, press keys, wait until `screen` shows."""

    async def run(pilot: Pilot[Any]) -> None:
        app = pilot.app
        await until(pilot, lambda: type(app.screen).__name__ == "BoardScreen")
        await quiet(pilot, ROUNDS)
        await pilot.press(SCREEN_KEYS["planning"])
        await until(pilot, lambda: isinstance(app.screen, PlanningScreen) and app.screen.loaded)
        await quiet(pilot, ROUNDS)
        await press_quietly(pilot, *keys, rounds=ROUNDS)
        if screen is not None:
            await until(pilot, lambda: isinstance(app.screen, screen))
            await quiet(pilot, ROUNDS)

    return run


def test_planning_140x45(snap_compare: Snap, demo_app: AppFactory) -> None:
    assert snap_compare(demo_app(), terminal_size=BIG, run_before=steps())


def test_planning_80x24(snap_compare: Snap, demo_app: AppFactory) -> None:
    assert snap_compare(demo_app(), terminal_size=SMALL, run_before=steps())


def test_planning_over_capacity(snap_compare: Snap, demo_app: AppFactory) -> None:
    """IT-14 and IT-11 moved in: IT is 7 points over, its bar red; focus on the sprint."""
    keys = ("j", "j", "j", "j", ">", ">", "tab")
    assert snap_compare(demo_app(), terminal_size=BIG, run_before=steps(*keys))


def test_planning_burndown(snap_compare: Snap, demo_app: AppFactory) -> None:
    """With IT-14 moved in today: the scope step and its marker are on the chart."""
    keys = ("j", "j", "j", "j", ">", "v")
    assert snap_compare(demo_app(), terminal_size=BIG, run_before=steps(*keys))


def test_planning_velocity(snap_compare: Snap, demo_app: AppFactory) -> None:
    assert snap_compare(demo_app(), terminal_size=BIG, run_before=steps("v", "v"))


def test_planning_flow(snap_compare: Snap, demo_app: AppFactory) -> None:
    assert snap_compare(demo_app(), terminal_size=BIG, run_before=steps("v", "v", "v"))


def test_close_sprint_dialog(snap_compare: Snap, demo_app: AppFactory) -> None:
    assert snap_compare(
        demo_app(), terminal_size=BIG, run_before=steps("C", screen=CloseSprintScreen)
    )


def test_start_sprint_dialog(snap_compare: Snap, demo_app: AppFactory) -> None:
    """Sprint 42 closed (unfinished to the backlog), then Sprint 43 about to start."""
    keys = ("C", "b", "S")
    assert snap_compare(
        demo_app(), terminal_size=BIG, run_before=steps(*keys, screen=StartSprintScreen)
    )
