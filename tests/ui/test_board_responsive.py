"""The board at 80x24, as a newcomer's terminal opens it: the findings count, the WIP of
each column, the signals on each card, and the selected card's whole title in the status
line, which follows the cursor."""

from __future__ import annotations

from datetime import date, timedelta

from sprintboard.app import make_app
from sprintboard.config import Settings
from sprintboard.tui import SprintboardApp
from sprintboard.widgets.board_grid import BoardGrid
from sprintboard.widgets.card_status import CardStatus

from .conftest import AppFactory, Probe, settle, wait_until

SMALL = (80, 24)


def status(app: SprintboardApp, probe: Probe) -> str:
    return probe.board(app).query_one(CardStatus).render_line(0).text


async def test_header_keeps_the_findings_count_at_80x24(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app()
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        assert await wait_until(pilot, lambda: "findings" in probe.header(app))
        header = probe.header(app)
        assert "Sprint 42" in header
        assert "findings 5✗ 5⚠ 7 info (!)" in header  # 5 errors, 5 warnings, 7 info
        assert len(header) <= 80
        # Wide enough, the same header says it in words, with the sprint's state and dates.
        await pilot.resize_terminal(160, 45)
        await settle(app, pilot)
        wide = probe.header(app)
        assert "· findings: 5 errors, 5 warnings, 7 info (!)" in wide
        assert "Sprint 42 · active · " in wide and "2026-03-04 → 2026-03-17" in wide


async def test_column_headers_keep_the_wip_at_80x24(board_app: AppFactory, probe: Probe) -> None:
    app = board_app(settings=Settings(wip_limits={"doing": 4, "review": 5}))
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await settle(app, pilot)
        grid = probe.board(app).query_one(BoardGrid)
        assert grid.column_width == 15
        assert probe.column_text(app, "doing").splitlines()[0].rstrip() == " Doing ⚠5/4"
        assert probe.column_text(app, "review").splitlines()[0].rstrip() == " Review WIP 4/5"
        assert probe.column_text(app, "todo").splitlines()[0].rstrip() == " To do 6 · 23pt"


async def test_cards_keep_their_badges_at_80x24(demo_db: object, probe: Probe) -> None:
    # ECOM-4 waits on IT-6 and has feedback linked; make it overdue too.
    with probe.store() as store:
        past = date.fromisoformat(store.today()) - timedelta(days=2)
        store.cards.edit("ECOM-4", {"due": past.isoformat()})
    app = make_app(probe.db_path, clock=probe.clock, settings=Settings())
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await settle(app, pilot)
        backlog = probe.column_text(app, "backlog").splitlines()
        card = next(line for line in backlog if "ECOM-4" in line)
        # Tight: cross-team and the checklist give way, the report count shortens.
        assert card.rstrip() == "▶ECOM-4 ⊘✉!late"
        # The status line says them in glyphs or words, with the whole title.
        line = status(app, probe)
        assert "Payment methods: add Klarna pay later" in line
        assert "⊘" in line and "✉9" in line and "!late" in line


async def test_narrow_cards_take_one_line_when_the_columns_are_full(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app()
    async with app.run_test(size=(80, 14), notifications=True) as pilot:
        await settle(app, pilot)
        todo = [line.rstrip() for line in probe.column_text(app, "todo").splitlines()]
        # Six cards in To do, one line each: key, badges, the title's start.
        cards = [line for line in todo[2:] if line.startswith("▌")]
        assert len(cards) == 6
        assert cards[0].startswith("▌ECOM-2 ") and cards[0].endswith("…")
        await pilot.resize_terminal(80, 24)  # room for two lines each: key, then title
        await settle(app, pilot)
        todo = [line.rstrip() for line in probe.column_text(app, "todo").splitlines()]
        assert todo[2].startswith("▌ECOM-2") and todo[3].startswith("▌One-page c…")


async def test_status_line_shows_the_whole_title_and_follows_the_cursor(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app()
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await settle(app, pilot)
        assert status(app, probe).startswith(" ECOM-4  Payment methods: add Klarna pay later ")
        await pilot.press("l")
        assert probe.selected(app) == "ECOM-2"
        line = status(app, probe)
        assert line.startswith(" ECOM-2  One-page checkout: copy, field order and trust badges")
        assert "ECOM · 5pt" in line  # team and points, cut from the card at this width
        await pilot.press("j")
        assert status(app, probe).startswith(
            " IT-5  One-page checkout: front-end form and validation"
        )
        await pilot.press("L")  # the card moves; the status line stays on it
        await settle(app, pilot)
        assert probe.selected(app) == "IT-5"
        assert status(app, probe).startswith(" IT-5  One-page checkout: front-end")
        # The status line is drawn on screen, above the footer.
        screen = probe.screen_lines(app)
        assert screen[-2].startswith(" IT-5  One-page checkout: front-end form and validation")
