"""The command palette from the board: each screen's main actions by name, run on their
own screen (switched to, its data loaded), the app's keys, themes and findings; one Keys
entry; the last commands first, remembered in the settings file."""

from __future__ import annotations

import sqlite3
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.command import Command, CommandInput, CommandList, CommandPalette
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input

from sprintboard.config import config_path
from sprintboard.screens.board import BoardScreen
from sprintboard.screens.card_detail import CardDetailScreen
from sprintboard.screens.card_form import CardFormScreen
from sprintboard.screens.card_picker import CardPickerScreen
from sprintboard.screens.dependencies import DependencyScreen
from sprintboard.screens.feedback_form import NewFeedbackScreen
from sprintboard.screens.findings import FindingsScreen
from sprintboard.screens.goal_dialogs import GoalFormScreen
from sprintboard.screens.goals import GoalsScreen
from sprintboard.screens.help import HelpScreen
from sprintboard.screens.inbox import InboxScreen
from sprintboard.screens.planning import PlanningScreen
from sprintboard.screens.sprint_close import CloseSprintScreen, SprintReportScreen
from sprintboard.screens.sprint_dialogs import StartSprintScreen
from sprintboard.screens.sprint_form import CapacityScreen, SprintFormScreen
from sprintboard.screens.stock import StockImportScreen, StockScreen
from sprintboard.screens.team_dialogs import MemberFormScreen, TeamFormScreen
from sprintboard.screens.teams import TeamsScreen
from sprintboard.tui import SprintboardApp

from .conftest import SIZE, AppFactory, Probe, messages, settle, wait_until


def _options(app: SprintboardApp) -> list[str]:
    """The palette's list as shown, top first (empty while it is not open)."""
    if not isinstance(app.screen, CommandPalette):
        return []
    found = app.screen.query_one(CommandList)
    options = [found.get_option_at_index(i) for i in range(found.option_count)]
    return [str(o.hit.text) for o in options if isinstance(o, Command)]


async def _open_palette(app: SprintboardApp, pilot: Pilot[Any]) -> None:
    await settle(app, pilot)
    await pilot.press("ctrl+p")
    assert await wait_until(pilot, lambda: len(_options(app)) > 20)


async def _run(app: SprintboardApp, pilot: Pilot[Any], query: str, expected: str) -> None:
    """Open the palette, type `query`, wait for `expected` at the top, press enter."""
    await _open_palette(app, pilot)
    await pilot.press(*query)
    assert await wait_until(pilot, lambda: _options(app)[:1] == [expected]), _options(app)[:5]
    await pilot.press("enter")


def _close_sprint_42(probe: Probe) -> None:
    """Sprint 42 closed before the app opens: planning then shows Sprint 43, to start."""
    with probe.store() as store:
        store.sprints.close("Sprint 42", "backlog")


# (query typed, command on top, the dialog it opens, the main screen under it, set-up)
CASES: list[tuple[str, str, type[Screen[Any]], type[Screen[Any]], Callable[[Probe], None]]] = [
    ("new card", "Board: New card", CardFormScreen, BoardScreen, lambda p: None),
    ("create card", "Board: New card", CardFormScreen, BoardScreen, lambda p: None),
    ("start sprint", "Planning: Start sprint", StartSprintScreen, PlanningScreen, _close_sprint_42),
    ("close", "Planning: Close sprint", CloseSprintScreen, PlanningScreen, lambda p: None),
    ("report", "Planning: Sprint report", SprintReportScreen, PlanningScreen, lambda p: None),
    (
        "capacity",
        "Planning: Team capacity in this sprint",
        CapacityScreen,
        PlanningScreen,
        lambda p: None,
    ),
    ("new sprint", "Planning: New sprint", SprintFormScreen, PlanningScreen, lambda p: None),
    (
        "dependencies add dependency",
        "Dependencies: Add dependency",
        CardPickerScreen,
        DependencyScreen,
        lambda p: None,
    ),
    ("new feedback", "Inbox: New feedback", NewFeedbackScreen, InboxScreen, lambda p: None),
    ("new goal", "Goals: New goal", GoalFormScreen, GoalsScreen, lambda p: None),
    ("new team", "Teams: New team", TeamFormScreen, TeamsScreen, lambda p: None),
    ("add member", "Teams: Add member", MemberFormScreen, TeamsScreen, lambda p: None),
    ("import stock", "Stock: Import stock CSV", StockImportScreen, StockScreen, lambda p: None),
    ("warnings", "Findings", FindingsScreen, BoardScreen, lambda p: None),
    ("shortcuts", "Keys", HelpScreen, BoardScreen, lambda p: None),
]


@pytest.mark.parametrize(
    ("query", "expected", "dialog", "under", "setup"), CASES, ids=[c[0] for c in CASES]
)
async def test_a_command_by_name_from_the_board_runs_on_its_screen(
    board_app: AppFactory,
    probe: Probe,
    query: str,
    expected: str,
    dialog: type[Screen[Any]],
    under: type[Screen[Any]],
    setup: Callable[[Probe], None],
) -> None:
    setup(probe)
    app = board_app(live_refresh=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await _run(app, pilot, query, expected)
        assert await wait_until(pilot, lambda: isinstance(app.screen, dialog))
        beneath = app.screen_stack[-2]
        assert isinstance(beneath, under)
        assert getattr(beneath, "loaded", False)  # the action saw the screen's data


def _dump(path: Path) -> list[str]:
    """Everything the database holds, as SQL (read beside the app, which has closed it)."""
    with sqlite3.connect(path) as db:
        return list(db.iterdump())


async def test_import_opens_the_stock_import_and_changes_nothing(
    board_app: AppFactory, demo_db: Path
) -> None:
    # "import" is the start of "important", a synonym of Planning's Raise priority: the name
    # Import stock CSV must win, and enter must open its dialog, not raise a card's priority.
    before = _dump(demo_db)
    app = board_app(live_refresh=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await _run(app, pilot, "import", "Stock: Import stock CSV")
        assert await wait_until(pilot, lambda: isinstance(app.screen, StockImportScreen))
        assert isinstance(app.screen_stack[-2], StockScreen)
        await settle(app, pilot)
        await pilot.press("escape")
        await settle(app, pilot)
        assert not any(isinstance(s, PlanningScreen) for s in app.screen_stack)
    assert _dump(demo_db) == before


async def test_theme_opens_the_theme_picker(board_app: AppFactory) -> None:
    app = board_app(live_refresh=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await _run(app, pilot, "dark", "Theme")

        def picking_a_theme() -> bool:
            if not isinstance(app.screen, CommandPalette):
                return False
            return app.screen.query_one(CommandInput).placeholder == "Search for themes…"

        assert await wait_until(pilot, picking_a_theme)


async def test_one_keys_entry_and_every_screen_listed(board_app: AppFactory) -> None:
    app = board_app(live_refresh=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await _open_palette(app, pilot)
        assert await wait_until(pilot, lambda: "Stock: Import stock CSV" in _options(app))
        shown = _options(app)
        assert shown.count("Keys") == 1 and "Show keys" not in shown
        assert shown.count("Theme") == 1 and shown.count("Quit") == 1
        for title in ("Board: New card", "Planning: Start sprint", "Goals: Sign off goal"):
            assert title in shown
        assert not any(t.endswith((": Up", ": Down", ": Page up")) for t in shown)
        # The board's own list first: it is the screen the palette was opened over.
        assert shown[0].startswith("Board: ")


async def test_an_action_of_this_screen_runs_here(board_app: AppFactory) -> None:
    app = board_app(live_refresh=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await _run(app, pilot, "lanes", "Board: Swimlanes")
        board = app.screen
        assert isinstance(board, BoardScreen)
        assert await wait_until(pilot, lambda: board.model.swimlanes)
        await _run(app, pilot, "undo", "Board: Undo")  # this screen's undo, not another's


async def test_recent_commands_come_first_and_are_saved(
    board_app: AppFactory, tmp_path: Path
) -> None:
    # Started from the settings file (as the CLI starts it): the history is written there.
    app = board_app(live_refresh=0, settings=None)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await _run(app, pilot, "new goal", "Goals: New goal")
        assert await wait_until(pilot, lambda: isinstance(app.screen, GoalFormScreen))
        await pilot.press("escape")
        await _run(app, pilot, "new team", "Teams: New team")
        assert await wait_until(pilot, lambda: isinstance(app.screen, TeamFormScreen))
        await pilot.press("escape")
        await _open_palette(app, pilot)
        assert _options(app)[:2] == ["Teams: New team", "Goals: New goal"]
    saved = tomllib.loads(config_path().read_text(encoding="utf-8"))
    assert saved["palette_recent"] == ["teams.new_team", "goals.new_goal"]

    again = board_app(live_refresh=0, settings=None)
    async with again.run_test(size=SIZE, notifications=True) as pilot:
        await _open_palette(again, pilot)
        assert _options(again)[:2] == ["Teams: New team", "Goals: New goal"]


async def test_a_dialog_with_typed_text_is_not_thrown_away(board_app: AppFactory) -> None:
    app = board_app(live_refresh=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await _run(app, pilot, "new card", "Board: New card")
        assert await wait_until(pilot, lambda: isinstance(app.screen, CardFormScreen))
        form = app.screen
        await pilot.press(*"Half-typed title")
        await _run(app, pilot, "lanes", "Board: Swimlanes")
        await settle(app, pilot)
        assert app.screen is form  # still open, the text kept; the board unchanged
        assert "Half-typed title" in [box.value for box in form.query(Input)]
        board = app.screen_stack[0]
        assert isinstance(board, BoardScreen) and not board.model.swimlanes
        assert "finish or close the open dialog first (esc)" in messages(app)


async def test_a_page_over_the_screen_is_closed_for_the_command(board_app: AppFactory) -> None:
    app = board_app(live_refresh=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")  # the selected card's page
        assert await wait_until(pilot, lambda: isinstance(app.screen, CardDetailScreen))
        await _run(app, pilot, "lanes", "Board: Swimlanes")
        assert await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen))
        board = app.screen
        assert isinstance(board, BoardScreen)
        assert await wait_until(pilot, lambda: board.model.swimlanes)
