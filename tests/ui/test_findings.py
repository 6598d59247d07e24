"""The seam checks on the board: the count in its header, the findings panel (!), and
choosing a finding to jump to its card, checked against `run_checks` on the same file.

The demo organisation at the tests' 'now' has 5 errors, 5 warnings and 7 info: a late
blocker (IT-10 in Sprint 43 for WH-3 in Sprint 42), promotions MKT-2 and MKT-3 for a SKU
under its stock threshold (promo-stock) and restocked too late (promo-restock), a
promotion over the warehouse's throughput, two urgent feedback items untriaged, a done
card (CS-2) whose IT checklist item is still open and the conversion goal over its budget
(warnings), and seven cards waiting on blockers in their own sprint (information).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from textual.widgets import OptionList

from sprintboard.config import Settings
from sprintboard.planning.checks import Finding, run_checks, summary
from sprintboard.screens import board as board_module
from sprintboard.screens.board import BoardScreen
from sprintboard.screens.findings import FindingsScreen
from sprintboard.tui import SprintboardApp

from .conftest import SIZE, AppFactory, Probe, settle, wait_until

PROMO_STOCK = "SKU GF-1001 has 14 on hand, under its threshold of 40"


def checked(probe: Probe) -> list[Finding]:
    """What `sprintboard check` finds in the database, on a connection of its own."""
    with probe.store() as store:
        return run_checks(store, settings=Settings())


def board(app: SprintboardApp) -> BoardScreen:
    return next(s for s in reversed(app.screen_stack) if isinstance(s, BoardScreen))


def header(app: SprintboardApp) -> str:
    return str(board(app).query_one("#board-header").render())


def panel_options(app: SprintboardApp) -> list[str]:
    listing = app.screen.query_one(OptionList)
    return [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]


async def open_panel(app: SprintboardApp, pilot: Any) -> FindingsScreen:
    assert await wait_until(
        pilot, lambda: isinstance(app.screen, BoardScreen) and app.screen.sprint
    )
    await pilot.press("exclamation_mark")
    assert await wait_until(
        pilot,
        lambda: isinstance(app.screen, FindingsScreen) and app.screen.findings is not None,
    )
    await pilot.pause()
    assert isinstance(app.screen, FindingsScreen)
    return app.screen


async def choose(pilot: Any, index: int) -> None:
    for _ in range(index):
        await pilot.press("down")
    await pilot.press("enter")


async def test_header_counts_the_findings(board_app: AppFactory, probe: Probe) -> None:
    app = board_app()
    expected = summary(checked(probe))
    assert expected == "5 errors, 5 warnings, 7 info"
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        assert await wait_until(pilot, lambda: "findings:" in header(app))
        assert "· findings: 5 errors, 5 warnings, 7 info (!)" in header(app)

        # The count follows the plan: without the late link (removed elsewhere), one error less.
        with probe.store() as store:
            store.deps.remove("IT-10", "WH-3")
        await pilot.press("r")
        await settle(app, pilot)
        assert "· findings: 4 errors, 5 warnings, 7 info (!)" in header(app)


def count_runs(monkeypatch: Any) -> list[float]:
    """Stamp (time.monotonic()) every run of the header's seam checks."""
    from sprintboard.screens import findings as findings_module

    runs: list[float] = []
    real = findings_module.check_seams

    async def counted(backend: Any, settings: Any) -> list[Finding]:
        runs.append(time.monotonic())
        return await real(backend, settings)

    monkeypatch.setattr(findings_module, "check_seams", counted)
    return runs


async def test_a_change_from_another_process_is_counted_at_once(
    board_app: AppFactory, probe: Probe, monkeypatch: Any
) -> None:
    runs = count_runs(monkeypatch)
    app = board_app(live_refresh=0)  # the test polls by hand
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        assert await wait_until(pilot, lambda: "findings:" in header(app))
        await settle(app, pilot)
        assert len(runs) == 1  # the first load counts at once
        await asyncio.sleep(board_module.RECOUNT_AFTER_S)  # a while later, elsewhere:
        with probe.store() as store:
            store.deps.remove("IT-10", "WH-3")
        screen = board(app)
        polled = time.monotonic()
        await screen.poll()
        await pilot.pause()
        # No quiet period for a change the poll brought in: the checks start with the reload.
        assert len(runs) == 2 and runs[1] - polled < board_module.RECOUNT_AFTER_S
        assert screen._recount_timer is None
        assert await wait_until(pilot, lambda: "4 errors" in header(app))


async def test_a_burst_of_reloads_recounts_the_findings_one_run_at_a_time(
    board_app: AppFactory, probe: Probe, monkeypatch: Any
) -> None:
    # The checks read the whole plan: a burst of reloads must not queue one full check per
    # reload on the database thread.
    runs = count_runs(monkeypatch)
    app = board_app(live_refresh=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        assert await wait_until(pilot, lambda: "findings:" in header(app))
        await settle(app, pilot)
        await asyncio.sleep(board_module.RECOUNT_AFTER_S)
        with probe.store() as store:
            store.deps.remove("IT-10", "WH-3")
        screen = board(app)
        for _ in range(5):
            await screen.load()
        await pilot.pause()
        assert len(runs) == 2  # the first reload counts; the others read the same plan
        assert await wait_until(pilot, lambda: "4 errors" in header(app))
        await asyncio.sleep(board_module.RECOUNT_AFTER_S + 0.2)
        await settle(app, pilot)
        assert len(runs) == 2

        # Changes during a burst of reloads: counted again once the burst pauses, once.
        for _ in range(3):
            with probe.store() as store:
                store.deps.add("IT-10", "WH-3") if len(store.deps.list(card="WH-3")) == 1 else (
                    store.deps.remove("IT-10", "WH-3")
                )
            await screen.load()
        await pilot.pause()
        # The first at once (a quiet moment had passed); on a loaded machine the burst's
        # own count may have started too.
        assert len(runs) in (3, 4)
        await asyncio.sleep(board_module.RECOUNT_AFTER_S + 0.2)
        await settle(app, pilot)
        assert len(runs) == 4  # ...and one more for the rest of the burst, never one each
        assert "5 errors" in header(app)  # the link is back: the late blocker counts again


async def test_a_burst_of_moves_is_counted_once_it_pauses(
    board_app: AppFactory, probe: Probe, monkeypatch: Any
) -> None:
    runs = count_runs(monkeypatch)
    app = board_app(live_refresh=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        assert await wait_until(pilot, lambda: "findings:" in header(app))
        await settle(app, pilot)
        assert len(runs) == 1
        for _ in range(6):  # ECOM-4 back and forth between Backlog and To do
            await pilot.press("L", "H")
        await app.workers.wait_for_complete()
        assert len(runs) == 1  # twelve moves, no recount yet: the keys have not paused
        await asyncio.sleep(board_module.RECOUNT_AFTER_S + 0.2)
        await settle(app, pilot)
        assert len(runs) == 2  # one recount once they did
        assert probe.card("ECOM-4")["status"] == "backlog"  # type: ignore[index]


async def test_panel_lists_the_promo_stock_error_and_jumps_to_its_card(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app()
    expected = checked(probe)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        panel = await open_panel(app, pilot)
        assert panel.findings == expected  # the same checks, the same order: errors first
        options = panel_options(app)
        assert len(options) == len(expected) == 17
        assert all(o.startswith("✗ error") for o in options[:5])
        assert all(o.startswith("⚠ warning") for o in options[5:10])
        assert all(o.startswith("· info") for o in options[10:])
        promo = [i for i, o in enumerate(options) if "promo-stock" in o]
        assert len(promo) == 2  # MKT-2 and MKT-3
        first = options[promo[0]]
        assert "MKT-2" in first and PROMO_STOCK in first
        title = str(panel.query_one("#findings-title").render())
        assert "5 errors, 5 warnings, 7 info" in title
        assert "fix: wait for a restock of GF-1001, pick another SKU, or ask WH" in first

        await choose(pilot, promo[0])
        assert await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen))
        await settle(app, pilot)
        screen = board(app)
        assert screen.model.selected == "MKT-2"
        assert screen.sprint is not None and screen.sprint["name"] == "Sprint 42"
        assert "▶MKT-2" in "\n".join(
            screen.grid.render_line(y).text for y in range(screen.grid.size.height)
        )


async def test_a_finding_in_another_sprint_switches_the_board(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        panel = await open_panel(app, pilot)
        assert panel.findings is not None
        first = panel.findings[0]
        assert (first.rule, first.cards) == ("dep-order", ("IT-10", "WH-3"))
        await choose(pilot, 0)
        assert await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen))
        await settle(app, pilot)
        screen = board(app)
        assert screen.sprint is not None and screen.sprint["name"] == "Sprint 43"
        assert screen.model.selected == "IT-10"
        assert "Sprint 43 · planned" in header(app)


async def test_a_finding_without_a_card_keeps_the_panel_open(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        panel = await open_panel(app, pilot)
        assert panel.findings is not None
        index = next(i for i, f in enumerate(panel.findings) if not f.cards)
        finding = panel.findings[index]
        assert finding.rule == "feedback-untriaged"
        await choose(pilot, index)
        await pilot.pause()
        assert app.screen is panel
        assert f"{finding.subject} names no card to show" in [n.message for n in app._notifications]
        await pilot.press("escape")
        assert await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen))
        assert board(app).model.selected == "ECOM-4"  # where it was


async def test_panel_filters_by_severity_and_team(board_app: AppFactory, probe: Probe) -> None:
    from sprintboard.screens.dialogs import PickerScreen

    app = board_app()
    expected = checked(probe)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        panel = await open_panel(app, pilot)

        def title() -> str:
            return str(panel.query_one("#findings-title").render())

        assert "showing" not in title()
        await pilot.press("v")  # errors only
        options = panel_options(app)
        assert len(options) == 5 and all(o.startswith("✗ error") for o in options)
        assert "5 errors, 5 warnings, 7 info · showing error: 5" in title()
        await pilot.press("v", "v")  # warnings, then info
        options = panel_options(app)
        assert len(options) == 7 and all(o.startswith("· info") for o in options)
        assert "showing info: 7" in title()

        await pilot.press("t")
        assert await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen))
        picker = app.screen
        assert isinstance(picker, PickerScreen)
        assert picker.values[0] is None and "WH" in picker.values
        for _ in range(picker.values.index("WH")):
            await pilot.press("down")
        await pilot.press("enter")
        assert await wait_until(pilot, lambda: app.screen is panel)
        # Info about Warehouse cards: WH-4 waits on IT-10, MKT-2 on WH-2 (and others).
        options = panel_options(app)
        assert len(options) == 2
        assert all("WH-" in o for o in options)
        assert "showing info · team WH: 2" in title()
        await pilot.press("v")  # every severity, still Warehouse only
        wh = [f for f in expected if any(k.startswith("WH-") for k in f.cards)]
        assert len(panel_options(app)) == len(wh) == 3
        assert "showing team WH: 3" in title()

        # Enter on a filtered row shows that finding's card (the first WH one: an error).
        await choose(pilot, 0)
        assert await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen))
        await settle(app, pilot)
        assert board(app).model.selected == wh[0].cards[0] == "IT-10"

        panel = await open_panel(app, pilot)
        await pilot.press("v")
        await pilot.press("v")
        assert "showing warning: 5" in title()
        await pilot.press("asterisk")
        assert len(panel_options(app)) == len(expected) and "showing" not in title()
