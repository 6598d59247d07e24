"""The dependency screen's and the findings panel's look, pinned: the default pair (IT ↔
ECOM), another pair (IT ↔ WH, with a late link), the graph view, the team matrix, and the
findings panel over the board.

Stable across runs: the demo's sprints and the checks' dates come from the frozen clock,
the terminal size is fixed, live refresh is off, and every screenshot is taken only after
the database work and the off-thread view building it shows have finished.
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
from sprintboard.screens.dependencies import DependencyScreen
from sprintboard.screens.dialogs import PickerScreen
from sprintboard.screens.findings import FindingsScreen
from sprintboard.store import Store
from sprintboard.tui import SprintboardApp

BIG = (140, 45)
DEPS_KEY = str(1 + [mode for mode, _, _ in SCREENS].index("dependencies"))
PAIR = ("IT", "WH")

Snap = Callable[..., bool]
Step = Callable[[Pilot[Any]], Awaitable[None]]


@pytest.fixture
def deps_app(demo_store: Store) -> Callable[[], SprintboardApp]:
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
    """Wait for database work and view building to finish and the screen to repaint."""
    for _ in range(2):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    await asyncio.sleep(0)


def _loaded(app: SprintboardApp) -> bool:
    screen = app.screen
    return isinstance(screen, DependencyScreen) and not screen.view.pending


async def _board_ready(pilot: Pilot[Any]) -> None:
    app = pilot.app
    await _until(pilot, lambda: isinstance(app.screen, BoardScreen) and bool(app.screen.sprint))
    await _quiet(pilot)


def on_dependencies(*keys: str) -> Step:
    """A run_before: open the dependency screen, press keys, wait for each to settle."""

    async def run(pilot: Pilot[Any]) -> None:
        app = pilot.app
        await _board_ready(pilot)
        await pilot.press(DEPS_KEY)
        await _until(pilot, lambda: _loaded(app))
        await _quiet(pilot)
        for key in keys:
            await pilot.press(key)
            await _quiet(pilot)
            await _until(pilot, lambda: isinstance(app.screen, PickerScreen) or _loaded(app))
        await _quiet(pilot)

    return run


def test_default_pair(snap_compare: Snap, deps_app: Callable[[], SprintboardApp]) -> None:
    assert snap_compare(deps_app(), terminal_size=BIG, run_before=on_dependencies())


def test_another_pair(snap_compare: Snap, deps_app: Callable[[], SprintboardApp]) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        app = pilot.app
        await on_dependencies("p")(pilot)
        picker = app.screen
        assert isinstance(picker, PickerScreen)
        index = next(i for i, label in enumerate(picker.labels) if label.startswith("IT ↔ WH"))
        await pilot.press(*["down"] * index, "enter")
        await _until(pilot, lambda: _loaded(app) and getattr(app.screen, "teams", None) == PAIR)
        await _quiet(pilot)
        await pilot.press("right")  # on the first link (the late one): its blocker, IT-10
        await _quiet(pilot)

    assert snap_compare(deps_app(), terminal_size=BIG, run_before=run)


def test_graph_view(snap_compare: Snap, deps_app: Callable[[], SprintboardApp]) -> None:
    assert snap_compare(deps_app(), terminal_size=BIG, run_before=on_dependencies("a", "v"))


def test_matrix(snap_compare: Snap, deps_app: Callable[[], SprintboardApp]) -> None:
    assert snap_compare(deps_app(), terminal_size=BIG, run_before=on_dependencies("m"))


def test_findings_panel(snap_compare: Snap, deps_app: Callable[[], SprintboardApp]) -> None:
    async def run(pilot: Pilot[Any]) -> None:
        app = pilot.app
        await _board_ready(pilot)
        await pilot.press("exclamation_mark")
        await _until(
            pilot,
            lambda: isinstance(app.screen, FindingsScreen) and app.screen.findings is not None,
        )
        await pilot.press("down")  # the first promo-stock error (MKT-2)
        await _quiet(pilot)

    assert snap_compare(deps_app(), terminal_size=BIG, run_before=run)
