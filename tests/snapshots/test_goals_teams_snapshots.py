"""The goals and teams screens' look, pinned: the goals list, a goal's cards, the teams.

Stable across runs: the demo's dates come from the frozen clock, inputs do not blink, the
terminal size is fixed, and each screenshot is taken once the screen's reads are in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot

from sprintboard.screens.goal_dialogs import GoalFormScreen

from .conftest import (
    BIG,
    SCREEN_KEYS,
    AppFactory,
    Snap,
    Step,
    board_ready,
    press_quietly,
    quiet,
    until,
)


def on(mode: str, *keys: str, ready: Callable[[Any], bool] | None = None) -> Step:
    """Open the screen of `mode` from the board, press `keys`, wait for `ready(screen)`."""

    async def run(pilot: Pilot[Any]) -> None:
        app = pilot.app
        await board_ready(pilot)
        await pilot.press(SCREEN_KEYS[mode])
        await until(pilot, lambda: getattr(app.screen, "loaded", False))
        await quiet(pilot)
        await press_quietly(pilot, *keys)
        if ready is not None:
            await until(pilot, lambda: ready(app.screen))
        await quiet(pilot)

    return run


def test_goals_screen(snap_compare: Snap, demo_app: AppFactory) -> None:
    assert snap_compare(demo_app(), terminal_size=BIG, run_before=on("goals", "j"))


def test_goal_drill_down(snap_compare: Snap, demo_app: AppFactory) -> None:
    # G2, a falling KPI: its cards by team, then by sprint (closed, active, backlog).
    steps = on("goals", "j", "enter", ready=lambda s: getattr(s, "goal_id", None) == 2 and s.loaded)
    assert snap_compare(demo_app(), terminal_size=BIG, run_before=steps)


def test_goal_form_with_an_error(snap_compare: Snap, demo_app: AppFactory) -> None:
    keys = ("e", "tab", "tab", "tab", "ctrl+u", *"two", "ctrl+s")
    steps = on("goals", *keys, ready=lambda s: isinstance(s, GoalFormScreen))
    assert snap_compare(demo_app(), terminal_size=BIG, run_before=steps)


def test_teams_screen(snap_compare: Snap, demo_app: AppFactory) -> None:
    # IT, its second member (Lucas Martin, 1/4), his checklist focused on 'tools'.
    steps = on("teams", "j", "enter", "j", "enter", "j")
    assert snap_compare(demo_app(), terminal_size=BIG, run_before=steps)
