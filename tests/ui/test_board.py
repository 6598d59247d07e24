"""The board driven from the keyboard: every change checked in the database and on screen."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from rich.segment import Segment
from textual.color import Color

from sprintboard.app import make_app
from sprintboard.config import Settings
from sprintboard.screens import dialogs
from sprintboard.screens.card_detail import CardDetailScreen
from sprintboard.screens.dialogs import (
    FirstStartScreen,
    PickerScreen,
)
from sprintboard.screens.help import HelpScreen
from sprintboard.store import Store
from sprintboard.tui import SprintboardApp
from sprintboard.views.board import COLUMNS
from sprintboard.widgets.board_grid import BoardGrid

from .conftest import SIZE, SPRINT_42, AppFactory, Probe, current_screen, settle, wait_until


async def test_opens_on_the_active_sprint(board_app: AppFactory, probe: Probe) -> None:
    app = board_app()
    sprint = probe.active_sprint()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        assert probe.shown(app) == probe.stored(sprint) == SPRINT_42
        assert probe.selected(app) == "ECOM-4"
        header = probe.header(app)
        assert "Sprint 42 · active · " in header
        assert " · 20 cards · 2026-03-04 → 2026-03-17" in header
        text = probe.grid_text(app)
        assert "Backlog 1 · 5pt" in text
        assert "Doing 5 · 20pt WIP 5/8" in text
        assert "▶ECOM-4" in text  # the selected card is marked


# -- moving and reordering ------------------------------------------------------------------


async def test_move_with_H_L_and_shift_arrows(board_app: AppFactory, probe: Probe) -> None:
    app = board_app()
    sprint = probe.active_sprint()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("l", "j")  # To do, second card
        assert probe.selected(app) == "IT-5"

        await pilot.press("L")
        await settle(app, pilot)
        shown = probe.shown(app)
        assert shown["todo"] == ["ECOM-2", "MKT-2", "WH-3", "DATA-2", "CS-3"]
        assert shown["doing"] == [*SPRINT_42["doing"], "IT-5"]
        assert probe.stored(sprint) == shown
        assert probe.selected(app) == "IT-5"
        assert "IT-5" in probe.column_text(app, "doing")
        assert "IT-5" not in probe.column_text(app, "todo")
        assert "Doing 6 · 28pt WIP 6/8" in probe.grid_text(app)

        await pilot.press("shift+right")
        await settle(app, pilot)
        shown = probe.shown(app)
        assert shown["review"] == [*SPRINT_42["review"], "IT-5"]
        assert probe.stored(sprint) == shown
        assert "IT-5" in probe.column_text(app, "review")

        await pilot.press("shift+left", "H")
        await settle(app, pilot)
        shown = probe.shown(app)
        assert shown["todo"] == ["ECOM-2", "MKT-2", "WH-3", "DATA-2", "CS-3", "IT-5"]
        assert shown["doing"] == SPRINT_42["doing"]
        assert shown["review"] == SPRINT_42["review"]
        assert probe.stored(sprint) == shown
        assert "IT-5" in probe.column_text(app, "todo")
        assert probe.existing_card("IT-5")["status"] == "todo"


async def test_move_stops_at_the_edges(board_app: AppFactory, probe: Probe) -> None:
    app = board_app()
    sprint = probe.active_sprint()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("H")  # ECOM-4 is in the first column already
        await pilot.press("right", "right", "right", "right", "L")  # EXEC... in Done
        await settle(app, pilot)
        assert probe.shown(app) == probe.stored(sprint) == SPRINT_42


async def test_reorder_with_K_and_J(board_app: AppFactory, probe: Probe) -> None:
    app = board_app()
    sprint = probe.active_sprint()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("l", "j", "j")
        assert probe.selected(app) == "MKT-2"

        await pilot.press("K")
        await settle(app, pilot)
        expected = ["ECOM-2", "MKT-2", "IT-5", "WH-3", "DATA-2", "CS-3"]
        assert probe.shown(app)["todo"] == expected
        assert probe.stored(sprint)["todo"] == expected
        column = probe.column_text(app, "todo")
        assert column.index("MKT-2") < column.index("IT-5")

        await pilot.press("J", "shift+down")
        await settle(app, pilot)
        expected = ["ECOM-2", "IT-5", "WH-3", "MKT-2", "DATA-2", "CS-3"]
        assert probe.shown(app)["todo"] == expected
        assert probe.stored(sprint) == probe.shown(app)
        column = probe.column_text(app, "todo")
        assert column.index("WH-3") < column.index("MKT-2") < column.index("DATA-2")
        assert probe.selected(app) == "MKT-2"

        await pilot.press("shift+up")
        await settle(app, pilot)
        assert probe.stored(sprint)["todo"] == SPRINT_42["todo"]
        assert probe.shown(app)["todo"] == SPRINT_42["todo"]


async def test_undo_after_a_move(board_app: AppFactory, probe: Probe) -> None:
    app = board_app()
    sprint = probe.active_sprint()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("l", "l", "j")  # Doing, MKT-3
        assert probe.selected(app) == "MKT-3"
        await pilot.press("L")
        await settle(app, pilot)
        assert probe.stored(sprint)["review"][-1] == "MKT-3"
        assert "MKT-3" in probe.column_text(app, "review")

        await pilot.press("u")
        await settle(app, pilot)
        # Back where it was, at its old place in the column, in the database and on screen.
        assert probe.stored(sprint) == SPRINT_42
        assert probe.shown(app) == SPRINT_42
        assert "MKT-3" in probe.column_text(app, "doing")
        assert "MKT-3" not in probe.column_text(app, "review")
        assert "undone: move of MKT-3" in probe.screen_text(app)


async def test_undo_with_nothing_to_undo_says_so(board_app: AppFactory, probe: Probe) -> None:
    app = board_app()
    sprint = probe.active_sprint()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("u")
        await settle(app, pilot)
        assert "nothing to undo" in probe.screen_text(app)
        assert probe.shown(app) == probe.stored(sprint) == SPRINT_42


# -- other processes, failures, first start ------------------------------------------------


async def test_live_refresh_after_an_external_write(board_app: AppFactory, probe: Probe) -> None:
    app = board_app(live_refresh=0.2)
    sprint = probe.active_sprint()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("l", "l", "j")  # Doing, MKT-3
        assert probe.selected(app) == "MKT-3"

        # Another process (the CLI in another terminal) edits and moves cards.
        with probe.store() as other:
            other.cards.edit("MKT-3", {"title": "Spring landing page, renamed elsewhere"})
            other.cards.move("IT-4", status="review")
        assert await wait_until(pilot, lambda: "IT-4" in probe.shown(app)["review"], interval=0.05)
        await pilot.pause()

        assert probe.shown(app) == probe.stored(sprint)
        assert probe.shown(app)["doing"] == ["MKT-3", "WH-2", "CNT-2", "IT-7"]
        assert probe.selected(app) == "MKT-3"  # the selection is kept
        doing = probe.column_text(app, "doing")
        assert "▶Spring landing page, r… SV" in doing  # cropped before the initials
        assert "IT-4" in probe.column_text(app, "review")

        # The selected card itself moved elsewhere: the selection follows it.
        with probe.store() as other:
            other.cards.move("MKT-3", status="done")
        assert await wait_until(pilot, lambda: "MKT-3" in probe.shown(app)["done"], interval=0.05)
        await pilot.pause()
        assert probe.selected(app) == "MKT-3"
        assert "▶MKT-3" in probe.column_text(app, "done")
        assert probe.shown(app) == probe.stored(sprint)


async def test_a_failed_write_rolls_back_and_says_so(board_app: AppFactory, probe: Probe) -> None:
    # The lock outlasts the busy timeout; the timeout outlasts a loaded machine's keypress,
    # so the move is seen before it is rolled back.
    app = board_app(busy_timeout=1.5, live_refresh=0)
    sprint = probe.active_sprint()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)  # the board and its findings count are in before the lock
        await pilot.press("l")  # To do, ECOM-2
        assert probe.selected(app) == "ECOM-2"
        # Another writer holds the write lock for longer than the busy timeout.
        blocker = sqlite3.connect(probe.db_path, isolation_level=None)
        try:
            blocker.execute("BEGIN IMMEDIATE")
            await pilot.press("L")
            # The move shows at once, before the write is tried...
            assert probe.shown(app)["doing"][-1] == "ECOM-2"
            await settle(app, pilot)
            # ...and is rolled back when it fails, with a notification.
            messages = [n.message for n in app._notifications]
            assert any("not saved" in m for m in messages), messages
            assert "not saved" in probe.screen_text(app)
            assert probe.shown(app) == SPRINT_42
            assert "ECOM-2" in probe.column_text(app, "todo")
            assert "ECOM-2" not in probe.column_text(app, "doing")
            assert probe.selected(app) == "ECOM-2"
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        assert probe.stored(sprint) == SPRINT_42

        # With the lock released the same key works.
        await pilot.press("L")
        await settle(app, pilot)
        assert probe.stored(sprint)["doing"][-1] == "ECOM-2"
        assert probe.shown(app) == probe.stored(sprint)


async def test_first_start_offers_the_demo(store: Store, db_path: Path) -> None:
    clock = store.clock
    store.close()
    app = make_app(db_path, clock=clock, settings=Settings())
    probe = Probe(db_path, clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, FirstStartScreen)
        assert "Welcome to sprintboard" in probe.screen_text(app)
        assert probe.shown(app) == {s: [] for s in COLUMNS}
        await pilot.press("y")
        await settle(app, pilot)
        assert probe.board(app) is current_screen(app)
        sprint = probe.active_sprint()
        assert probe.shown(app) == probe.stored(sprint) == SPRINT_42
        assert "Sprint 42 · active" in probe.header(app)
        assert "demo organisation loaded" in probe.screen_text(app)


async def test_first_start_can_stay_empty(store: Store, db_path: Path) -> None:
    clock = store.clock
    store.close()
    app = make_app(db_path, clock=clock, settings=Settings())
    probe = Probe(db_path, clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, FirstStartScreen)
        await pilot.press("enter")
        await settle(app, pilot)
        assert probe.board(app) is current_screen(app)
        with probe.store() as opened:
            assert opened.is_empty()
        assert "Backlog (cards in no sprint) · " in probe.header(app)
        assert " · 0 cards" in probe.header(app)
        assert "(empty)" in probe.column_text(app, "todo")


async def test_help_lists_every_board_key(board_app: AppFactory, probe: Probe) -> None:
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("question_mark")
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen)
        assert "Move ←" in probe.screen_text(app)
        # The whole list (it scrolls when the terminal is short).
        text = str(app.screen.query_one("Static").render())
        board = probe.board(app)
        for binding in board.BINDINGS:
            assert binding.description in text, binding.description  # type: ignore[union-attr]
        for expected in ("H / shift+left", "L / shift+right", "K / shift+up", "ctrl+p", "Quit"):
            assert expected in text, expected
        await pilot.press("escape")
        await settle(app, pilot)
        assert board is current_screen(app)


async def test_command_palette_reaches_board_actions(board_app: AppFactory, probe: Probe) -> None:
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        await pilot.press(*"Lanes")
        assert await wait_until(
            pilot, lambda: "Board: lanes" in probe.screen_text(app), interval=0.05
        )
        await pilot.press("enter")
        await settle(app, pilot)
        assert probe.board(app) is app.screen
        assert probe.board(app).model.swimlanes
        assert "swimlanes" in probe.header(app)


def _segment(app: SprintboardApp, probe: Probe, text: str) -> Segment:
    grid = probe.board(app).query_one(BoardGrid)
    for y in range(grid.size.height):
        for segment in grid.render_line(y):
            if segment.text.startswith(text):
                return segment
    raise AssertionError(f"{text!r} is not on the board")


def _contrast(segment: Segment) -> float:
    style = segment.style
    assert style is not None and style.color is not None and style.bgcolor is not None
    fg, bg = Color.from_rich_color(style.color), Color.from_rich_color(style.bgcolor)
    return abs(fg.brightness - bg.brightness)


@pytest.mark.parametrize("theme", ["sprintboard-dark", "sprintboard-light", "sprintboard-contrast"])
async def test_card_text_is_readable_on_every_theme(
    board_app: AppFactory, probe: Probe, theme: str
) -> None:
    app = board_app(settings=Settings(theme=theme))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        assert app.theme == theme
        for text in ("ECOM-4", "Payment methods", "ECOM-2", "One-page checkout: co"):
            # ECOM-4 is selected: its text must read on the selection colour as well.
            assert _contrast(_segment(app, probe, text)) > 0.35, (theme, text)
        header = _segment(app, probe, " To do 6")
        assert _contrast(header) > 0.35, theme
        assert probe.shown(app) == probe.stored(probe.active_sprint()) == SPRINT_42


async def test_goal_and_feedback_filters(board_app: AppFactory, probe: Probe) -> None:
    app = board_app()
    sprint = probe.active_sprint()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("g")
        await settle(app, pilot)
        assert isinstance(app.screen, PickerScreen)
        assert "all goals" in probe.screen_text(app)
        await pilot.press("down", "down", "enter")  # the second goal
        await settle(app, pilot)
        with probe.store() as store:
            goal = store.goals.list()[1]["id"]
            expected = {
                s: [c["key"] for c in store.cards.query(sprint=sprint, status=s, goal=goal)]
                for s in COLUMNS
            }
        assert probe.shown(app) == expected
        assert 0 < sum(map(len, expected.values())) < 20
        assert f"filtered: goal {goal}" in probe.header(app)

        await pilot.press("escape", "f")
        await settle(app, pilot)
        with probe.store() as store:
            expected = {
                s: [c["key"] for c in store.cards.query(sprint=sprint, status=s) if c["feedback"]]
                for s in COLUMNS
            }
        assert probe.shown(app) == expected
        assert "filtered: feedback-linked" in probe.header(app)
        text = probe.grid_text(app)
        assert "✉" in text
        assert probe.stored(sprint) == SPRINT_42


async def test_mouse_selects_and_opens(board_app: AppFactory, probe: Probe) -> None:
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        grid = probe.board(app).query_one(BoardGrid)
        x = grid.column_width + 1 + 3  # inside To do
        await pilot.click(BoardGrid, offset=(x, 2 + 3 + 1))  # its second card, title line
        await pilot.pause()
        assert probe.selected(app) == "IT-5"
        assert "▶IT-5" in probe.column_text(app, "todo")
        await pilot.double_click(BoardGrid, offset=(x, 2 + 3 * 2))  # the third card
        await settle(app, pilot)
        assert isinstance(app.screen, CardDetailScreen)
        assert "MKT-2  Spring promotion e-mail" in probe.screen_text(app)
        await pilot.press("escape")
        await settle(app, pilot)
        assert probe.selected(app) == "MKT-2"
        assert probe.shown(app) == probe.stored(probe.active_sprint()) == SPRINT_42


@pytest.mark.parametrize("keys", [("y", "y"), ("y", "d"), ("n", "n"), ("n", "d"), ("escape", "d")])
async def test_a_double_tap_on_the_welcome_dialog_stops_there(
    store: Store, db_path: Path, keys: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second key of a double tap is held back: it neither asks to delete a card nor
    opens a form on the board beneath."""
    # Held a little longer than in use: on a loaded machine the test's second key may
    # reach the app later than a finger's would.
    monkeypatch.setattr(dialogs, "KEY_HOLD_S", 1.5)
    clock = store.clock
    store.close()
    app = make_app(db_path, clock=clock, settings=Settings())
    probe = Probe(db_path, clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, FirstStartScreen)
        await pilot.press(*keys)
        await settle(app, pilot)
        assert probe.board(app) is current_screen(app)
        with probe.store() as opened:
            assert opened.is_empty() is (keys[0] != "y")
        # Once the moment has passed, keys reach the board again.
        await pilot.pause(1.6)
        await pilot.press("n")
        await settle(app, pilot)
        assert type(current_screen(app)).__name__ == "CardFormScreen"
