"""Findings where people work: the ✗/⚠ badges on the board's cards and in the planning
lists, a card's findings in its detail, and one toast when a save makes a finding.

The demo at the tests' 'now': MKT-2 and MKT-3 carry errors (promotions of a SKU under its
threshold), CS-2 a warning (done with an IT checklist item open); IT-5 waits on blockers
in its own sprint, which is information only (no badge).
"""

from __future__ import annotations

from typing import Any

from sprintboard.screens.board import BoardScreen
from sprintboard.screens.card_detail import CardDetailScreen
from sprintboard.screens.dialogs import ConfirmScreen
from sprintboard.tui import SprintboardApp
from sprintboard.widgets.board_grid import BoardGrid

from .conftest import SIZE, AppFactory, Probe, current_screen, messages, settle, wait_until
from .planning_driver import drawn, open_planning, present

# IT-5 in Done makes two warnings: its checklist is open, and so are its blockers. One
# toast names the first (rule order) and counts the other.
BLOCKED_DONE = (
    "IT-5: IT-5 is done with 1 checklist item still open (done-open-checklist); "
    "and 1 more (! lists them)"
)


def key_line(probe: Probe, app: SprintboardApp, key: str) -> str:
    """The board's key line of card `key` (its column's cells only)."""
    for status in ("backlog", "todo", "doing", "review", "done"):
        for line in probe.column_text(app, status).splitlines():
            if line[1:].startswith(key + " "):
                return line
    raise AssertionError(f"{key} is not drawn on the board")


async def counted(app: SprintboardApp, pilot: Any, probe: Probe) -> BoardScreen:
    """The board, once its first findings count is in."""
    assert await wait_until(pilot, lambda: "findings:" in probe.header(app))
    await settle(app, pilot)
    return probe.board(app)


async def test_board_cards_show_their_worst_finding(board_app: AppFactory, probe: Probe) -> None:
    app = board_app()
    async with app.run_test(size=SIZE) as pilot:
        await counted(app, pilot, probe)
        assert "✗" in key_line(probe, app, "MKT-2")
        assert "✗" in key_line(probe, app, "MKT-3")
        assert "⚠" in key_line(probe, app, "CS-2")
        # In the theme's error and warning colours (and not only the glyph).
        grid = probe.board(app).query_one(BoardGrid)
        drawn_in = {
            seg.text.strip(): seg.style.color
            for y in range(grid.size.height)
            for seg in grid.render_line(y)
            if seg.style is not None and seg.text.strip() in ("✗", "⚠")
        }
        error = grid.get_component_rich_style("board--finding-error").color
        warning = grid.get_component_rich_style("board--finding-warning").color
        assert error is not None and error != warning
        assert drawn_in == {"✗": error, "⚠": warning}
        # Information only, or nothing at all: no badge.
        for key in ("IT-5", "ECOM-2", "FIN-1"):
            line = key_line(probe, app, key)
            assert "✗" not in line and "⚠" not in line, line

        # Removing what the error is about (the SKU) takes the badge away after the recount.
        with probe.store() as store:
            store.cards.edit("MKT-3", {"skus": []})
        await pilot.press("r")
        assert await wait_until(pilot, lambda: "✗" not in key_line(probe, app, "MKT-3"))
        assert "✗" in key_line(probe, app, "MKT-2")


async def test_planning_lists_show_the_badges(board_app: AppFactory, probe: Probe) -> None:
    app = board_app()
    async with app.run_test(size=SIZE) as pilot:
        await counted(app, pilot, probe)
        await open_planning(app, pilot)
        lines = drawn(app, "sprint")
        mkt2 = next(line for line in lines if "MKT-2 " in line)
        it5 = next(line for line in lines if "IT-5 " in line)
        assert "✗" in mkt2
        assert "✗" not in it5 and "⚠" not in it5


async def test_detail_lists_the_cards_findings_with_their_fix(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app()
    async with app.run_test(size=SIZE) as pilot:
        board = await counted(app, pilot, probe)
        assert board.model.select("MKT-3")
        await pilot.press("enter")
        assert await wait_until(
            pilot,
            lambda: isinstance(app.screen, CardDetailScreen) and app.screen.detail is not None,
        )
        await pilot.pause()
        text = probe.screen_text(app)
        assert "Findings" in text
        assert "✗ error promo-stock: SKU GF-1001 has 14 on hand, under its threshold of 40" in text
        assert "fix: wait for a restock of GF-1001, pick another SKU, or ask WH" in text
        assert "✗ error promo-restock:" in text


async def test_a_move_that_makes_a_finding_says_so(board_app: AppFactory, probe: Probe) -> None:
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        board = await counted(app, pilot, probe)
        assert board.model.select("IT-5")
        await pilot.press("L", "L")  # to Review: nothing new, no toast
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: not board._checking and not board._unsaved)
        await settle(app, pilot)
        assert not [m for m in messages(app) if "IT-5:" in m]
        await pilot.press("L")  # into Done while its blockers are open: asked first
        assert await wait_until(pilot, lambda: isinstance(current_screen(app), ConfirmScreen))
        await pilot.press("y")
        assert await wait_until(pilot, lambda: BLOCKED_DONE in messages(app))
        assert [m for m in messages(app) if "IT-5:" in m] == [BLOCKED_DONE]
        assert probe.existing_card("IT-5")["status"] == "done"
        assert "⚠" in key_line(probe, app, "IT-5")


async def test_planning_a_card_before_its_blocker_says_so(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await counted(app, pilot, probe)
        screen = await open_planning(app, pilot)
        assert (
            present(screen.model.backlog.selected())["key"] == "MKT-6"
        )  # waits on ECOM-8, unplanned
        await pilot.press("greater_than_sign")
        expected = (
            "MKT-6: MKT-6 (MKT, Sprint 42) waits on ECOM-8 (ECOM), still in the backlog (dep-order)"
        )
        assert await wait_until(pilot, lambda: expected in messages(app))
        assert probe.existing_card("MKT-6")["sprint"] == "Sprint 42"
        assert await wait_until(
            pilot, lambda: "✗" in next(line for line in drawn(app, "sprint") if "MKT-6 " in line)
        )
