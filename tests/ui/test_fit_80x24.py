"""At 80×24 nothing a user needs is cut off: goals, dependencies, inbox, stock, the card
page and every dialog keep their must-have parts on screen; at 160×45 the room is used."""

from __future__ import annotations

from typing import Any

import pytest
from rich.cells import cell_len
from textual.geometry import Region
from textual.widgets import Button

from sprintboard.models import Goal
from sprintboard.screens.board import BoardScreen
from sprintboard.screens.card_detail import CardDetailScreen
from sprintboard.screens.dependencies import DependencyScreen
from sprintboard.screens.goals import GoalCardsScreen, GoalsScreen
from sprintboard.screens.inbox import InboxScreen
from sprintboard.screens.stock import StockScreen
from sprintboard.tui import SprintboardApp

from .conftest import AppFactory, Probe, open_screen, settle, wait_until

SMALL = (80, 24)
WIDE = (160, 45)


def line_with(probe: Probe, app: SprintboardApp, *parts: str) -> str:
    """The one screen line holding every part (the test fails on none or several)."""
    found = [line for line in probe.screen_lines(app) if all(p in line for p in parts)]
    assert len(found) == 1, (parts, probe.screen_text(app))
    return found[0]


# -- goals ------------------------------------------------------------------------------------


async def test_goals_keep_status_kpi_progress_and_signoff_at_80x24(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app(live_refresh=0)
    async with app.run_test(size=SMALL) as pilot:
        await open_screen(app, pilot, "goals", GoalsScreen, rounds=3)
        line_with(probe, app, "G1   Lift conversion rate", "● on track")
        line_with(probe, app, "G2   Cut cart abandonment", "● at risk", "● off track")
        # KPI baseline → current → target and how far it got, whole and uncut.
        assert "2.1% → 2.4% → 2.8%" in line_with(probe, app, "conversion rate", "43%")
        assert line_with(probe, app, "71% → 68.5% → 60%").rstrip().endswith("23%  ↓")
        line_with(probe, app, "cards 22 · 6/106 pts", "6%")
        # Sign-off state, and the ROI moved beside it.
        assert "✗ not signed off (y signs off)" in probe.screen_text(app)
        line_with(probe, app, "Marc Dubois", "✔ signed off 2026-", "expected ROI 120,000")
        assert "…" not in "\n".join(probe.screen_lines(app)[1:6])  # G1's five lines fit


async def test_goals_use_the_room_at_160_and_follow_a_resize(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app(live_refresh=0)
    async with app.run_test(size=WIDE) as pilot:
        await open_screen(app, pilot, "goals", GoalsScreen, rounds=3)
        line_with(probe, app, "● on track", "✓ as suggested: 43% of the way, 51% of the time")
        line_with(probe, app, "43%  ↑ higher is better", "expected ROI 420,000")
        line_with(probe, app, "✔ signed off by Ingrid Bakker · 2026-")
        await pilot.resize_terminal(*SMALL)
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: "cards 22 · 6/106 pts" in probe.screen_text(app))
        assert "higher is better" not in probe.screen_text(app)


async def test_a_goals_cards_keep_their_column_and_points_at_80x24(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app(live_refresh=0)
    async with app.run_test(size=SMALL) as pilot:
        await open_screen(app, pilot, "goals", GoalsScreen, rounds=3)
        await pilot.press("enter")
        assert await wait_until(
            pilot, lambda: isinstance(app.screen, GoalCardsScreen) and app.screen.loaded
        )
        await settle(app, pilot)
        line_with(probe, app, "MKT-2", "Spring promotion", "To do", "3 pts")
        line_with(probe, app, "G1   Lift conversion rate", "● on track")


async def test_goal_text_is_literal_and_cut_by_cell_width(
    board_app: AppFactory, probe: Probe
) -> None:
    title = "[bold]漢字の目標[/] \x1b[31m" + "長い" * 30
    with probe.store() as store:
        store.goals.add(Goal(title=title, kpi="[i]率[/i]", sponsor="[u]張偉[/u]"))
    app = board_app(live_refresh=0)
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_screen(app, pilot, "goals", GoalsScreen, rounds=3)
        screen.goal_list.scroll_end(animate=False)
        await settle(app, pilot)
        text = probe.screen_text(app)
        assert "[bold]漢字の目標[/]" in text and "[i]率[/i]" in text and "[u]張偉[/u]" in text
        assert "\x1b" not in text
        assert all(cell_len(line) <= SMALL[0] for line in probe.screen_lines(app))


# -- dependencies ------------------------------------------------------------------------------


async def test_dependencies_header_legend_and_path_take_a_row_each_at_80x24(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app(live_refresh=0)
    async with app.run_test(size=SMALL) as pilot:
        assert await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen))
        await pilot.press("3")
        assert await wait_until(
            pilot, lambda: isinstance(app.screen, DependencyScreen) and not app.screen.view.pending
        )
        await settle(app, pilot)
        lines = probe.screen_lines(app)
        assert "Dependencies · IT ↔ ECOM · list" in lines[0]
        assert "✗ late" in lines[1] and "critical path" in lines[1]
        assert "critical path" in lines[2] and "ECOM-2 → IT-5" in lines[2]
        assert "IT waits on ECOM" in lines[3]
        # Each link: its state, both cards and both titles (cut, not dropped).
        link = line_with(probe, app, "≈ same sprint", "IT-5", "waits on", "ECOM-2")
        assert "One-page" in link.split("waits on")[0] and "One-page" in link.split("ECOM-2")[1]
        # The selected link's cards in full below, one line each, their sprint in sight.
        line_with(probe, app, "▶ IT-5", "(IT · Sprint 42 · To do · 8 points)")
        await pilot.press("v")
        await settle(app, pilot)
        line_with(probe, app, "└→", "≈ same sprint", "IT-5", "One-page")


# -- inbox, stock -----------------------------------------------------------------------------


async def test_inbox_keeps_text_category_and_age_at_80x24(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app(live_refresh=0)
    async with app.run_test(size=SMALL) as pilot:
        await open_screen(app, pilot, "inbox", InboxScreen)
        lines = probe.screen_lines(app)
        assert "new 7" in lines[0] and "declined 2" in lines[0]  # empty views leave the line
        row = line_with(probe, app, "▶", "checkout")
        assert "2d !" in row and "×6" in row and "Checkout page spins forever" in row


async def test_stock_keeps_the_cards_and_their_sprint_at_80x24(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app(live_refresh=0)
    async with app.run_test(size=SMALL) as pilot:
        await open_screen(app, pilot, "stock", StockScreen)
        row = line_with(probe, app, "GF-1001")
        assert "▼ low" in row and "MKT-2 (Sprint 42)" in row


# -- dialogs ----------------------------------------------------------------------------------


def inside(region: Region, screen: Region) -> bool:
    return bool(region.area) and screen.contains_region(region)


DIALOGS: list[tuple[str, tuple[str, ...]]] = [
    ("board", ("n",)),  # new card
    ("board", ("e",)),  # edit card
    ("board", ("d",)),  # confirm delete
    ("inbox", ("a",)),
    ("inbox", ("equals_sign",)),
    ("inbox", ("x",)),
    ("inbox", ("z",)),
    ("inbox", ("n",)),
    ("planning", ("N",)),
    ("planning", ("C",)),
    ("goals", ("o",)),
    ("goals", ("y",)),
    ("goals", ("e",)),
    ("stock", ("ctrl+o",)),
]


@pytest.mark.parametrize(
    ("mode", "keys"), DIALOGS, ids=lambda v: "-".join(v) if isinstance(v, tuple) else v
)
async def test_dialogs_fit_80x24_with_their_buttons_in_sight(
    board_app: AppFactory, probe: Probe, mode: str, keys: tuple[str, ...]
) -> None:
    app = board_app(live_refresh=0)
    async with app.run_test(size=SMALL) as pilot:
        assert await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen))
        await settle(app, pilot)
        if mode != "board":
            from sprintboard.app import SCREENS

            number = [m for m, _, _ in SCREENS].index(mode) + 1
            await pilot.press(str(number))
            assert await wait_until(pilot, lambda: getattr(app.screen, "loaded", False))
            await settle(app, pilot, 3)
        before = app.screen
        await pilot.press(*keys)
        assert await wait_until(pilot, lambda: app.screen is not before)
        await settle(app, pilot)
        dialog: Any = app.screen.query_one(".dialog")
        screen = app.screen.region
        assert inside(dialog.region, screen), (dialog.region, screen)
        for button in app.screen.query(Button):
            assert inside(button.region, dialog.region), (button.label, button.region)
            assert button.region.bottom <= SMALL[1]
        # What does not fit scrolls, and the scroll bar says so.
        if dialog.max_scroll_y:
            assert dialog.show_vertical_scrollbar


async def test_the_card_page_takes_the_width_at_80x24(board_app: AppFactory, probe: Probe) -> None:
    app = board_app(live_refresh=0)
    async with app.run_test(size=SMALL) as pilot:
        assert await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen))
        await settle(app, pilot)
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: isinstance(app.screen, CardDetailScreen))
        await settle(app, pilot)
        assert app.screen.query_one(".detail").region.width == SMALL[0]
        line_with(probe, app, "ECOM-4", "Payment methods: add Klarna pay later")
        line_with(probe, app, "team ECOM with IT, FIN", "5 points", "goal 2")
