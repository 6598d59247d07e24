"""The dependency screen's and the findings panel's look, pinned: the default pair (IT ↔
ECOM), another pair (IT ↔ WH, with a late link), the graph view, the team matrix, and the
findings panel over the board.

Stable across runs: the demo's sprints and the checks' dates come from the frozen clock,
the terminal size is fixed, live refresh is off, and every screenshot is taken only after
the database work and the off-thread view building it shows have finished.
"""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from sprintboard.screens.dependencies import DependencyScreen
from sprintboard.screens.dialogs import PickerScreen
from sprintboard.screens.findings import FindingsScreen
from sprintboard.tui import SprintboardApp

from .conftest import BIG, SCREEN_KEYS, AppFactory, Snap, Step, board_ready, quiet, until

PAIR = ("IT", "WH")


def _loaded(app: SprintboardApp) -> bool:
    screen = app.screen
    return isinstance(screen, DependencyScreen) and not screen.view.pending


def on_dependencies(*keys: str) -> Step:
    """A run_before: open the dependency screen, press keys, wait for each to settle."""

    async def run(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, SprintboardApp)
        await board_ready(pilot)
        await pilot.press(SCREEN_KEYS["dependencies"])
        await until(pilot, lambda: _loaded(app))
        await quiet(pilot)
        for key in keys:
            await pilot.press(key)
            await quiet(pilot)
            await until(pilot, lambda: isinstance(app.screen, PickerScreen) or _loaded(app))
        await quiet(pilot)

    return run


def test_default_pair(snap_compare: Snap, demo_app: AppFactory) -> None:
    assert snap_compare(demo_app(), terminal_size=BIG, run_before=on_dependencies())


def test_another_pair(snap_compare: Snap, demo_app: AppFactory) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, SprintboardApp)
        await on_dependencies("t")(pilot)
        picker = app.screen
        assert isinstance(picker, PickerScreen)
        index = next(i for i, label in enumerate(picker.labels) if label.startswith("IT ↔ WH"))
        await pilot.press(*["down"] * index, "enter")
        await until(pilot, lambda: _loaded(app) and getattr(app.screen, "teams", None) == PAIR)
        await quiet(pilot)
        await pilot.press("right")  # on the first link (the late one): its blocker, IT-10
        await quiet(pilot)

    assert snap_compare(demo_app(), terminal_size=BIG, run_before=run)


def test_graph_view(snap_compare: Snap, demo_app: AppFactory) -> None:
    assert snap_compare(demo_app(), terminal_size=BIG, run_before=on_dependencies("asterisk", "v"))


def test_matrix(snap_compare: Snap, demo_app: AppFactory) -> None:
    assert snap_compare(demo_app(), terminal_size=BIG, run_before=on_dependencies("M"))


def test_findings_panel(snap_compare: Snap, demo_app: AppFactory) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, SprintboardApp)
        await board_ready(pilot)
        await pilot.press("exclamation_mark")
        await until(
            pilot,
            lambda: isinstance(app.screen, FindingsScreen) and app.screen.findings is not None,
        )
        await pilot.press("down")  # the first promo-stock error (MKT-2)
        await quiet(pilot)

    assert snap_compare(demo_app(), terminal_size=BIG, run_before=run)
