"""Keys every screen shares: `?`, `!` and `ctrl+p` in the footer at any width, the
findings from any screen, and a key that means one thing wherever it is pressed."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import OptionList

from sprintboard.app import SCREENS
from sprintboard.screens.board import BoardScreen
from sprintboard.screens.findings import FindingsScreen
from sprintboard.screens.help import HelpScreen
from sprintboard.tui import SprintboardApp
from sprintboard.widgets.footer import KeyFooter, PinnedKeys, ScreenKeys

from .conftest import AppFactory, Probe, settle, wait_until

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
