"""Keys typed fast, hostile titles, small and changing terminals: no crash, no drift."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest
from rich.cells import cell_len
from textual.widgets import Input

from sprintboard.models import Card, validate
from sprintboard.screens.card_detail import CardDetailScreen
from sprintboard.screens.card_form import CardFormScreen
from sprintboard.screens.dialogs import ConfirmScreen
from sprintboard.tui import SprintboardApp
from sprintboard.views.board import COLUMNS, BoardModel
from sprintboard.widgets.board_grid import BoardGrid

from .conftest import SIZE, AppFactory, Probe, cells, settle


def assert_layout_intact(app: SprintboardApp, probe: Probe) -> None:
    """Every line is exactly as wide as the terminal; columns keep their gaps."""
    width, height = app.size
    screen = probe.screen_lines(app)
    assert len(screen) == height
    for y, line in enumerate(screen):
        assert cell_len(line) == width, (y, line)
    grid = probe.board(app).query_one(BoardGrid)
    for y in range(grid.size.height):
        strip = grid.render_line(y)
        assert strip.cell_length == grid.size.width, (y, strip.text)
        row = cells(strip.text)
        for col in range(1, len(COLUMNS)):
            gap = col * (grid.column_width + 1) - 1
            if gap < len(row):
                assert row[gap] == " ", (y, col, strip.text)


# -- keys typed fast ------------------------------------------------------------------------

# What each board key does to the model: the oracle the screen must agree with.
KEYMAP: dict[str, Callable[[BoardModel], object]] = {
    "h": lambda m: m.move_selection(-1, 0),
    "l": lambda m: m.move_selection(1, 0),
    "k": lambda m: m.move_selection(0, -1),
    "j": lambda m: m.move_selection(0, 1),
    "H": lambda m: m.move_card(-1),
    "L": lambda m: m.move_card(1),
    "K": lambda m: m.reorder(-1),
    "J": lambda m: m.reorder(1),
    "shift+left": lambda m: m.move_card(-1),
    "shift+right": lambda m: m.move_card(1),
    "shift+up": lambda m: m.reorder(-1),
    "shift+down": lambda m: m.reorder(1),
}


async def test_twenty_moves_at_once_end_as_shown(board_app: AppFactory, probe: Probe) -> None:
    app = board_app()
    sprint = probe.active_sprint()
    keys = ["L", "L", "L", "H", "H", "H", "L", "L", "L", "H"] * 2
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("l")  # ECOM-2, top of To do
        await pilot.press(*keys)
        await settle(app, pilot)
        shown = probe.shown(app)
        assert shown == probe.stored(sprint)
        # To do +3 -3 +3 -1, then +3 (two L at Done do nothing) -3 +3 -1: Review, last.
        assert shown["review"][-1] == "ECOM-2"
        assert "ECOM-2" in probe.column_text(app, "review")
        assert probe.selected(app) == "ECOM-2"
        with probe.store() as store:
            moves = store.rows(
                "SELECT COUNT(DISTINCT txn) AS n FROM activity WHERE action = 'card.move'"
            )
        # L at Done does nothing; every other key is a move, none dropped.
        assert moves[0]["n"] == 18
        assert_layout_intact(app, probe)


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_a_burst_of_random_keys_matches_the_model(
    board_app: AppFactory, probe: Probe, seed: int
) -> None:
    rng = random.Random(seed)
    keys = [rng.choice(list(KEYMAP)) for _ in range(40)]
    app = board_app()
    sprint = probe.active_sprint()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        oracle = BoardModel()
        with probe.store() as store:
            oracle.load(store.cards.query(sprint=sprint), [t["code"] for t in store.teams.list()])
        for key in keys:
            KEYMAP[key](oracle)
        expected = {s: [c["key"] for c in cards] for s, cards in oracle.columns.items()}

        await pilot.press(*keys)
        await settle(app, pilot)
        assert probe.shown(app) == expected, keys
        assert probe.stored(sprint) == expected, keys
        assert probe.selected(app) == oracle.selected
        # A reload from the database draws the same board.
        await pilot.press("r")
        await settle(app, pilot)
        assert probe.shown(app) == expected
        for status, keys_in_column in expected.items():
            column = probe.column_text(app, status)
            for key in keys_in_column[:5]:
                assert key in column, (status, key)
        assert not [n for n in app._notifications if n.severity == "error"]


# -- hostile and unusual titles -------------------------------------------------------------

HOSTILE = {
    "IT": "[bold]x",
    "MKT": "[/",
    "CS": "[link=file:///etc/passwd]a[/link]",
    "WH": "before\x1b[2Jafter",
    "DATA": "ש" * 10 + " עגלת קניות " + "سلة التسوق",
    "CNT": "🛒 cart 🎉 party 購物車 ✨",
    "FIN": "long " + "x" * 495,
}


@pytest.fixture
def hostile_keys(probe: Probe) -> dict[str, str]:
    """The hostile cards, added to To do of the active sprint; team -> key."""
    sprint = probe.active_sprint()
    keys: dict[str, str] = {}
    with probe.store() as store:
        for team, title in HOSTILE.items():
            card = validate(Card, {"title": title, "team": team, "status": "todo", "points": 1})
            keys[team] = store.cards.add(card, sprint_id=sprint)["key"]
    return keys


async def test_hostile_titles_are_stored_clean(probe: Probe, hostile_keys: dict[str, str]) -> None:
    assert probe.existing_card(hostile_keys["WH"])["title"] == "before[2Jafter"
    assert probe.existing_card(hostile_keys["IT"])["title"] == "[bold]x"
    assert len(probe.existing_card(hostile_keys["FIN"])["title"]) == 500


async def test_hostile_titles_render_literally(
    board_app: AppFactory, probe: Probe, hostile_keys: dict[str, str]
) -> None:
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        for key in hostile_keys.values():
            assert key in probe.shown(app)["todo"]
        # 45 lines show 14 cards a column: scroll down To do to see them all.
        board = probe.board(app)
        board.model.select(hostile_keys["IT"])
        board.grid.refresh_board()
        await pilot.pause()
        text = probe.grid_text(app)
        assert "▶[bold]x" in text
        assert "▌[/ " in text
        assert "[link=file:///etc/passwd]…" in text  # cropped to the column, not a link
        assert "before[2Jafter" in text
        assert "\x1b" not in probe.screen_text(app)
        assert_layout_intact(app, probe)

        board.model.select(hostile_keys["FIN"])
        board.grid.refresh_board()
        await pilot.pause()
        text = probe.grid_text(app)
        assert "עגלת קניות" in text
        assert "🛒 cart 🎉 party 購物車" in text
        assert "long xxxxxxxxx" in text
        assert "x…" in text  # the 5,000-character title is cropped to its column
        assert_layout_intact(app, probe)

        # The full titles in the card detail: literal there too.
        for team in ("CS", "IT", "DATA", "CNT", "FIN"):
            board.model.select(hostile_keys[team])
            await pilot.press("enter")
            await settle(app, pilot)
            assert isinstance(app.screen, CardDetailScreen)
            detail = probe.screen_text(app)
            expected = {
                "DATA": ["עגלת קניות", "سلة التسوق"],
                "FIN": [f"{hostile_keys['FIN']}  long", "x" * 100],  # wrapped, not cropped
            }.get(team, [f"{hostile_keys[team]}  {HOSTILE[team]}"])
            for part in expected:
                assert part in detail, (team, part)
            for line in probe.screen_lines(app):
                assert cell_len(line) == SIZE[0]
            await pilot.press("escape")
            await settle(app, pilot)

        # The delete question quotes the title as text.
        board.model.select(hostile_keys["CS"])
        await pilot.press("d")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "“[link=file:///etc/passwd]a[/link]”?" in probe.screen_text(app)
        await pilot.press("escape")
        await settle(app, pilot)


async def test_hostile_title_typed_into_the_form(board_app: AppFactory, probe: Probe) -> None:
    app = board_app()
    sprint = probe.active_sprint()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(app.screen, CardFormScreen)
        app.screen.query_one("#title", Input).insert_text_at_cursor("[b]bold[/b] 🎉 \x1b[31mred")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        key = probe.selected(app)
        assert key is not None
        assert probe.existing_card(key)["title"] == "[b]bold[/b] 🎉 [31mred"
        assert "[b]bold[/b] 🎉 [31mred" in probe.column_text(app, "todo")
        assert probe.shown(app) == probe.stored(sprint)
        assert_layout_intact(app, probe)


# -- terminal sizes -------------------------------------------------------------------------


async def test_works_at_80x24(board_app: AppFactory, probe: Probe) -> None:
    app = board_app()
    sprint = probe.active_sprint()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(app, pilot)
        assert_layout_intact(app, probe)
        text = probe.grid_text(app)
        for label in ("Backlog", "To do", "Doing", "Review", "Done"):
            assert label in text
        await pilot.press("l", *["j"] * 5)  # the last card of To do
        assert probe.selected(app) == "CS-3"
        await pilot.press("L")
        await settle(app, pilot)
        assert probe.shown(app) == probe.stored(sprint)
        # Doing has 6 cards now; the moved one is scrolled into view.
        assert "CS-3" in probe.column_text(app, "doing")
        assert_layout_intact(app, probe)

        await pilot.press("w")
        await settle(app, pilot)
        assert "CS-3" in probe.grid_text(app)
        assert_layout_intact(app, probe)

        await pilot.press("enter")
        await settle(app, pilot)
        assert "CS-3" in probe.screen_text(app)
        await pilot.press("escape", "n")
        await settle(app, pilot)
        assert "New card" in probe.screen_text(app)
        await pilot.press("escape")
        await settle(app, pilot)


SIZES = [(80, 24), (200, 60), (40, 12), (20, 6), (81, 25), (140, 45)]


@pytest.mark.long
async def test_resizing_never_crashes(board_app: AppFactory, probe: Probe) -> None:
    app = board_app()
    sprint = probe.active_sprint()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("l", *["j"] * 5)  # CS-3, the last card of To do
        for width, height in SIZES:
            await pilot.resize_terminal(width, height)
            await settle(app, pilot)
            assert app.size == (width, height)
            assert_layout_intact(app, probe)
            if height >= 12:  # the selection stays in view (its key may be cropped)
                assert "▶" in probe.column_text(app, "todo"), (width, height)
            if width >= 80:
                assert "▶CS-3" in probe.column_text(app, "todo"), (width, height)
        # With lanes on, and with a dialog open.
        await pilot.press("w")
        for width, height in reversed(SIZES):
            await pilot.resize_terminal(width, height)
            await settle(app, pilot)
            assert_layout_intact(app, probe)
        await pilot.press("n")
        await settle(app, pilot)
        for width, height in SIZES:
            await pilot.resize_terminal(width, height)
            await settle(app, pilot)
        await pilot.press("escape", "w")  # close the form, lanes off
        await settle(app, pilot)
        assert probe.shown(app) == probe.stored(sprint)
        assert probe.selected(app) == "CS-3"
        assert "▶CS-3" in probe.column_text(app, "todo")
