"""Keys every screen shares: `?`, `!` and `ctrl+p` in the footer at any width, the
findings from any screen, and a key that means one thing wherever it is pressed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import OptionList

from sprintboard.app import SCREENS, make_app
from sprintboard.config import Settings
from sprintboard.screens.board import BoardScreen
from sprintboard.screens.dialogs import ConfirmScreen, FirstStartScreen
from sprintboard.screens.findings import FindingsScreen
from sprintboard.screens.help import HelpScreen
from sprintboard.screens.too_small import TooSmallScreen
from sprintboard.store import Store
from sprintboard.tui import SprintboardApp
from sprintboard.widgets.footer import KeyFooter, PinnedKeys, ScreenKeys

from .conftest import AppFactory, Probe, current_screen, messages, settle, wait_until

MODES = [mode for mode, _, _ in SCREENS]


def _footer_line(app: SprintboardApp) -> str:
    return Probe.screen_lines(app)[app.size.height - 1]


async def _show(app: SprintboardApp, pilot: Pilot[Any], number: int, mode: str) -> None:
    await pilot.press(str(number))
    assert await wait_until(pilot, lambda: app.current_mode == mode)
    await settle(app, pilot)


@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
async def test_every_screen_keeps_help_findings_and_palette_in_the_footer(
    board_app: AppFactory, size: tuple[int, int]
) -> None:
    app = board_app(live_refresh=0)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        for number, mode in enumerate(MODES, start=1):
            await _show(app, pilot, number, mode)
            footer = app.screen.query_one(KeyFooter)
            pinned = footer.query_one(PinnedKeys)
            assert pinned.region.right == size[0], mode  # flush right, nothing cut
            line = _footer_line(app)
            assert "? Keys" in line and "!" in line and "^p" in line, (mode, line)
            # The screen's own keys show whole or not at all.
            keys = footer.query_one(ScreenKeys)
            shown = [key for key in keys.children if key.display]
            assert shown, mode
            assert all(key.region.right <= keys.region.right for key in shown), mode


@pytest.mark.parametrize(("number", "mode"), list(enumerate(MODES, start=1))[1:])
async def test_findings_open_from_every_screen_and_lead_to_the_card(
    board_app: AppFactory, probe: Probe, number: int, mode: str
) -> None:
    app = board_app(live_refresh=0)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(app, pilot)
        await _show(app, pilot, number, mode)
        await pilot.press("exclamation_mark")
        assert await wait_until(
            pilot,
            lambda: isinstance(app.screen, FindingsScreen) and app.screen.findings is not None,
        )
        panel = app.screen
        assert isinstance(panel, FindingsScreen)
        listing = panel.query_one(OptionList)
        first = str(listing.get_option_at_index(0).prompt)
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen))
        await settle(app, pilot)
        board = app.screen
        assert isinstance(board, BoardScreen) and app.current_mode == "board"
        assert board.model.selected is not None and board.model.selected in first


async def test_help_lists_the_key_map(board_app: AppFactory) -> None:
    app = board_app(live_refresh=0)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        assert await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        await settle(app, pilot)
        text = "\n".join(str(s.render()) for s in app.screen.query("Static"))
        assert "import a stock CSV" in text  # a row of the key map, not a board key
        assert "choose teams" in text


async def _burst(app: SprintboardApp, pilot: Pilot[Any], *keys: str) -> None:
    """Keys arriving together, as from key repeat, a paste or a laggy link: all are queued
    before the first is handled."""
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))
    await settle(app, pilot)


async def test_a_burst_after_a_question_stops_at_the_question(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app(live_refresh=0)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(app, pilot)
        board = app.screen
        assert isinstance(board, BoardScreen)
        selected = board.model.selected
        assert selected is not None
        await pilot.press("d")
        assert await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await _burst(app, pilot, "n", "n", "enter")
        assert app.screen is board  # no new-card form, the card's page not opened
        with probe.store() as opened:
            assert opened.cards.get(selected)["key"] == selected


async def test_undo_works_on_every_screen(board_app: AppFactory, probe: Probe) -> None:
    app = board_app(live_refresh=0)
    async with app.run_test(size=(140, 45), notifications=True) as pilot:
        await settle(app, pilot)
        await _show(app, pilot, 6, "teams")
        with probe.store() as opened:
            before = opened.teams.get("MKT")["capacity"]
            opened.teams.edit("MKT", {"capacity": before + 5})  # my change, made elsewhere
        await pilot.press("u")
        await settle(app, pilot)
        with probe.store() as opened:
            assert opened.teams.get("MKT")["capacity"] == before
        assert "undone" in messages(app)[-1]
        await pilot.press("U")
        await settle(app, pilot)
        with probe.store() as opened:
            assert opened.teams.get("MKT")["capacity"] == before + 5


async def test_home_and_end_reach_the_ends_of_a_board_column(board_app: AppFactory) -> None:
    app = board_app(live_refresh=0)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(app, pilot)
        board = app.screen
        assert isinstance(board, BoardScreen)
        await pilot.press("l")
        column = board.model.column_cards()
        await pilot.press("end")
        assert board.model.selected == column[-1]["key"]
        await pilot.press("home")
        assert board.model.selected == column[0]["key"]


@pytest.mark.parametrize("opened", ["s", "t", "exclamation_mark", "ctrl+p"])
async def test_a_tiny_terminal_says_so_and_nothing_breaks(
    board_app: AppFactory, opened: str
) -> None:
    app = board_app(live_refresh=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press(opened)
        await settle(app, pilot)
        under = app.screen
        for width, height in [(20, 5), (12, 3), (5, 2), (39, 10), (40, 9)]:
            await pilot.resize_terminal(width, height)
            await settle(app, pilot)
            assert isinstance(app.screen, TooSmallScreen)
            await pilot.press("pagedown", "pageup", "j", "enter", "1")  # ignored
        assert "40×10 (this one is 40×9)" in "\n".join(Probe.screen_lines(app))
        await pilot.resize_terminal(80, 24)
        await settle(app, pilot)
        assert app.screen is under  # as it was, at the new size
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, BoardScreen)


@pytest.mark.parametrize("keys", [("n", "n"), ("y", "d"), ("escape", "n")])
async def test_a_burst_on_the_welcome_dialog_stops_there(
    store: Store, db_path: Path, keys: tuple[str, str]
) -> None:
    """Both keys reach the dialog's focused button before the first is answered; the
    second comes back for the board's bindings once the dialog has gone, and is dropped."""
    clock = store.clock
    store.close()
    app = make_app(db_path, clock=clock, settings=Settings(), live_refresh=0)
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(app, pilot)
        assert isinstance(current_screen(app), FirstStartScreen)
        await _burst(app, pilot, *keys)
        assert type(current_screen(app)) is BoardScreen  # no form, no question over it


async def test_starting_in_a_tiny_terminal_waits_for_room(board_app: AppFactory) -> None:
    app = board_app(live_refresh=0)
    async with app.run_test(size=(30, 8)) as pilot:
        await settle(app, pilot)
        assert isinstance(current_screen(app), TooSmallScreen)
        await pilot.resize_terminal(100, 30)
        await settle(app, pilot)
        board = current_screen(app)
        assert isinstance(board, BoardScreen) and board.sprint is not None
