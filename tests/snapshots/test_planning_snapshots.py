"""The planning screen's look, pinned: the lists and capacity bars, each chart, the dialogs.

Stable across runs: the demo's dates and activity come from the frozen clock (the charts'
x axis is the sprint's days, never the wall clock), inputs do not blink, the terminal size
is fixed, and every screenshot waits for the database work and chart workers it shows.
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from sprintboard.screens.help import HelpScreen
from sprintboard.screens.planning import PlanningScreen
from sprintboard.screens.sprint_close import CloseSprintScreen, SprintReportScreen
from sprintboard.screens.sprint_dialogs import StartSprintScreen
from sprintboard.screens.sprint_form import CapacityScreen, SprintFormScreen

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


def test_planning_panel_80x24(snap_compare: Snap, demo_app: AppFactory) -> None:
    """Narrow: v shows the capacity bars in place of the lists; the strip stays under."""
    assert snap_compare(demo_app(), terminal_size=SMALL, run_before=steps("v"))


def test_planning_help_80x24(snap_compare: Snap, demo_app: AppFactory) -> None:
    """The help over planning at 80 columns: one column, keys apart from their meanings."""
    run = steps("question_mark", screen=HelpScreen)
    assert snap_compare(demo_app(), terminal_size=SMALL, run_before=run)


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
    """Sprint 42 closed (unfinished to the backlog, its report dismissed), then Sprint 43
    about to start a week before its planned start: the dialog offers to shift its dates."""
    close = steps("C", "B", "y", screen=SprintReportScreen)

    async def run(pilot: Pilot[Any]) -> None:
        await close(pilot)
        await press_quietly(pilot, "escape", rounds=ROUNDS)
        await until(pilot, lambda: isinstance(pilot.app.screen, PlanningScreen))
        pilot.app.clear_notifications()  # the close's toast would expire at any moment
        await press_quietly(pilot, "S", rounds=ROUNDS)
        await until(pilot, lambda: isinstance(pilot.app.screen, StartSprintScreen))
        await quiet(pilot, ROUNDS)

    assert snap_compare(demo_app(), terminal_size=BIG, run_before=run)


def test_close_sprint_card_by_card(snap_compare: Snap, demo_app: AppFactory) -> None:
    """The first card to the backlog, the second left in the sprint, the rest to Sprint
    43: the preview adds only those to Sprint 43's load."""
    keys = ("C", "b", "l")
    assert snap_compare(
        demo_app(), terminal_size=BIG, run_before=steps(*keys, screen=CloseSprintScreen)
    )


def test_sprint_report_after_close(snap_compare: Snap, demo_app: AppFactory) -> None:
    """Sprint 42 closed with its unfinished cards to Sprint 43, then its report."""
    close = steps("C", "y", screen=SprintReportScreen)

    async def run(pilot: Pilot[Any]) -> None:
        await close(pilot)
        pilot.app.clear_notifications()  # the close's toast would expire at any moment
        await quiet(pilot, ROUNDS)

    assert snap_compare(demo_app(), terminal_size=BIG, run_before=run)


def test_new_sprint_form_with_overlap(snap_compare: Snap, demo_app: AppFactory) -> None:
    """A new sprint whose start overlaps Sprint 43: the form warns, one line."""
    keys = ("N", *"Sprint 44", "tab", "tab", "ctrl+u", *"2026-03-30")
    assert snap_compare(
        demo_app(), terminal_size=BIG, run_before=steps(*keys, screen=SprintFormScreen)
    )


def test_capacity_dialog(snap_compare: Snap, demo_app: AppFactory) -> None:
    """IT picked in Sprint 42's capacity dialog, its points ready to type."""
    keys = ("p", "down", "enter")
    assert snap_compare(
        demo_app(), terminal_size=BIG, run_before=steps(*keys, screen=CapacityScreen)
    )
