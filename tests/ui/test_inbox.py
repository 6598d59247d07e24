"""The feedback inbox driven from the keyboard: every triage checked in the database and on screen.

The demo organisation's inbox at the tests' 'now' (2026-03-11), in triage order:
new FB-1 checkout ×6, FB-2 cart ×3, FB-13 cart ×2 (11 days), FB-4 checkout ×2, FB-5 payment ×1,
FB-15 product ×3, FB-7 product ×2; snoozed FB-11 (until 2026-03-14); accepted FB-10 (IT-6, review),
FB-8 (ECOM-4, backlog); shipped FB-3 and FB-14 (IT-3 done), FB-6 (CS-1 done); declined FB-9, FB-12.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from rich.cells import cell_len

from sprintboard.models import Feedback
from sprintboard.planning.triage import VIEWS
from sprintboard.screens.inbox import InboxScreen
from sprintboard.store import Store, frozen_clock
from sprintboard.tui import SprintboardApp
from sprintboard.vocabulary import FeedbackCategory

from .conftest import (
    SIZE,
    AppFactory,
    Probe,
    cells,
    messages,
    settle,
    wait_until,
)
from .inbox_driver import (
    NEW,
    build,
    feedback,
    list_lines,
    open_inbox,
    press,
    row_of,
    selected,
    shown,
    stored_view,
)

# -- what it shows --------------------------------------------------------------------------


async def test_opens_on_the_new_view_in_triage_order(board_app: AppFactory, probe: Probe) -> None:
    app = build(board_app)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_inbox(app, pilot)
        assert shown(app) == stored_view(probe, "new") == NEW
        assert selected(app) == 1
        header = str(screen.query_one("#inbox-header").render())
        for label in ("new 7", "snoozed 1", "accepted 2", "shipped 3", "declined 2", "duplicate 0"):
            assert label in header
        lines = list_lines(app)
        assert lines[0].split() == ["CATEGORY", "SOURCE", "CUSTOMER", "AGE", "REP", "TEXT"]
        # Urgent rows carry the flag; ages past the limits carry ! (amber) and !! (red).
        assert row_of(app, 1).startswith("▶⚑ checkout  phone   M. de Boer")
        assert " 2d !  " in row_of(app, 1)
        assert " 11d !! " in row_of(app, 13) and row_of(app, 13).startswith(" ⚑ cart")
        assert " 1d  " in row_of(app, 2) and "!" not in row_of(app, 2)
        assert row_of(app, 15).startswith("   product   review  E. Smits")
        assert "×3" in row_of(app, 15)
        text = Probe.screen_lines(app)
        detail = "\n".join(text[-14:])
        assert "FB-1  checkout ⚑ urgent · via phone · ×6 reports" in detail
        assert "Customer: M. de Boer" in detail and "Reported by:" in detail
        assert "received 2026-03-09 11:44:00 · 2 days old (amber !)" in detail
        assert "Checkout page spins forever after I pick iDEAL; had to order by phone." in detail

        await press(app, pilot, "j", "j")
        assert selected(app) == 13
        assert "11 days old (red !!)" in "\n".join(Probe.screen_lines(app)[-14:])


async def test_views_switch_with_tab_brackets_and_the_picker(
    board_app: AppFactory, probe: Probe
) -> None:
    app = build(board_app)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_inbox(app, pilot)
        expected = {view: stored_view(probe, view) for view in VIEWS}
        assert expected["shipped"] == [3, 14, 6]
        for view in (*VIEWS[1:], "new"):
            await press(app, pilot, "tab")
            assert screen.query_state.view == view
            assert shown(app) == expected[view], view
            if view == "shipped":
                assert "✓ IT-3 done" in row_of(app, 3) and "✓ CS-1 done" in row_of(app, 6)
                assert "shipped: IT-3 (Done) is done, tell the customer" in (probe.screen_text(app))
            if view == "informed":
                assert "No customer told about a fix yet." in list_lines(app)[1]
            if view == "accepted":
                assert "→ IT-6 review" in row_of(app, 10)
            if view == "snoozed":
                assert "until 2026-03-14" in row_of(app, 11)
            if view == "duplicate":
                assert "No duplicates waiting on their card." in list_lines(app)[1]
        await press(app, pilot, "left_square_bracket")
        assert screen.query_state.view == "duplicate"
        await press(app, pilot, "right_square_bracket", "right_square_bracket")
        assert screen.query_state.view == "snoozed"
        await press(app, pilot, "v")
        await press(app, pilot, "down", "down", "enter")  # new, snoozed, accepted
        assert screen.query_state.view == "accepted"
        assert shown(app) == expected["accepted"]
        header = str(screen.query_one("#inbox-header").render())
        await pilot.click("#inbox-header", offset=(header.index("declined 2") + 2, 0))
        await settle(app, pilot)
        assert screen.query_state.view == "declined" and shown(app) == expected["declined"]


async def test_the_help_screen_lists_the_inbox_keys(board_app: AppFactory, probe: Probe) -> None:
    app = build(board_app)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_inbox(app, pilot)
        await press(app, pilot, "question_mark")
        text = probe.screen_text(app)
        assert "Feedback inbox" in text
        keys = [("a", "Accept"), ("x", "Decline"), ("]", "Next view"), ("enter", "Open card")]
        for key, description in keys:
            assert re.search(rf"\s{re.escape(key)} +{description}\b", text), key


async def test_each_view_remembers_its_selection(board_app: AppFactory) -> None:
    app = build(board_app)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_inbox(app, pilot)
        await press(app, pilot, "j", "j", "j", "tab")
        assert selected(app) == 11
        await press(app, pilot, "shift+tab")
        assert selected(app) == 4


# -- filters, paging, waking -----------------------------------------------------------------


async def test_text_and_category_filters(board_app: AppFactory) -> None:
    app = build(board_app)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_inbox(app, pilot)
        await press(app, pilot, "slash", *"COUPON")
        assert await wait_until(pilot, lambda: shown(app) == [2])
        await press(app, pilot, "enter")
        assert "text “COUPON” 1 found" in str(screen.query_one("#inbox-header").render())
        await press(app, pilot, "escape")
        assert shown(app) == NEW
        await press(app, pilot, "c", "down", "down", "down", "down", "down", "enter")  # product
        assert screen.query_state.category == "product"
        assert shown(app) == [15, 7]
        assert screen.counts["new"] == 2 and screen.counts["shipped"] == 0
        await press(app, pilot, "slash", *"teak", "enter")
        assert await wait_until(pilot, lambda: shown(app) == [7])
        await press(app, pilot, "escape")
        assert shown(app) == NEW and screen.query_state.category is None


async def test_a_big_inbox_pages_in_as_the_cursor_moves(
    board_app: AppFactory, probe: Probe
) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with probe.store() as store:
        store.feedback.add_many(
            [
                Feedback(
                    text=f"Bulk report {i}",
                    category=FeedbackCategory.SITE,
                    received_at=start + timedelta(minutes=i),
                )
                for i in range(1000)
            ]
        )
    app = build(board_app)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_inbox(app, pilot)
        assert len(shown(app)) == 300 and screen.counts["new"] == 1007
        for _ in range(12):
            await press(app, pilot, "pagedown")
        assert len(shown(app)) >= 600
        assert shown(app) == stored_view(probe, "new")[: len(shown(app))]
        target = shown(app)[screen.page.cursor]
        await press(app, pilot, "x", *"spam", "enter")
        assert feedback(probe, target)["state"] == "declined"
        for _ in range(40):
            await press(app, pilot, "pagedown")
        assert shown(app) == stored_view(probe, "new")
        assert selected(app) == shown(app)[-1]


def add_bulk(probe: Probe, n: int, extra: Callable[[int], str] = lambda i: "") -> None:
    """`n` site reports, oldest first: after the demo's items in triage order."""
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with probe.store() as store:
        store.feedback.add_many(
            [
                Feedback(
                    text=f"Bulk report {i}{extra(i)}",
                    category=FeedbackCategory.SITE,
                    received_at=start + timedelta(minutes=i),
                )
                for i in range(n)
            ]
        )


def stored_matches(probe: Probe, view: str, text: str) -> list[int]:
    with probe.store() as store:
        return [row["id"] for row in store.feedback.inbox(view, text=text)]


def spy_inbox_reads(
    app: SprintboardApp, monkeypatch: pytest.MonkeyPatch
) -> list[tuple[str | None, int]]:
    """Record each `feedback.inbox` read the app makes: its text filter and rows handed out."""
    feedback = app.store.feedback
    reads: list[tuple[str | None, int]] = []
    original = feedback.inbox

    def inbox(*args: Any, **kwargs: Any) -> Any:
        rows = original(*args, **kwargs)
        reads.append((kwargs.get("text"), len(rows)))
        return rows

    monkeypatch.setattr(feedback, "inbox", inbox)
    return reads


async def test_the_text_filter_is_a_query_and_pages_like_the_view(
    board_app: AppFactory, probe: Probe, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Three matches far beyond the first page of 300, with LIKE's wildcards in their text.
    add_bulk(probe, 1000, lambda i: " promo 50%_OFF" if i in (450, 700, 999) else "")
    app = build(board_app)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_inbox(app, pilot)
        reads = spy_inbox_reads(app, monkeypatch)
        assert len(shown(app)) == 300 and screen.counts["new"] == 1007
        await press(app, pilot, "slash", *"50%_off")
        expected = stored_matches(probe, "new", "50%_off")
        assert len(expected) == 3
        assert await wait_until(pilot, lambda: shown(app) == expected)
        await press(app, pilot, "enter")
        header = str(screen.query_one("#inbox-header").render())
        assert "text “50%_off” 3 found" in header
        assert "new 3 " in header and "declined 0 " in header  # the tabs count the matches
        assert "Bulk report 450 promo 50%_OFF" in probe.screen_text(app)
        # Read by the store's filter, a page at most: never the whole view.
        assert ("50%_off", 3) in reads and all(n <= 300 for _, n in reads)
        # Another filter is another query.
        await press(app, pilot, "slash", "ctrl+u", *"bulk report 9", "enter")
        expected = stored_matches(probe, "new", "bulk report 9")
        assert len(expected) == 111  # 9, 90..99, 900..999
        assert shown(app) == expected and selected(app) == expected[0]

        # A filter matching more than a page reads page by page, and `end` goes to its last.
        await press(app, pilot, "slash", "ctrl+u", *"bulk", "enter")
        expected = stored_matches(probe, "new", "bulk")
        assert len(expected) == 1000 and shown(app) == expected[:300]
        assert "text “bulk” 1,000 found" in str(screen.query_one("#inbox-header").render())
        await press(app, pilot, "end")
        assert selected(app) == expected[-1] == shown(app)[-1]
        assert "Bulk report 999 promo 50%_OFF" in list_lines(app)[-1]
        await press(app, pilot, "escape")
        assert shown(app) == NEW + stored_view(probe, "new")[7:300]


async def test_end_and_home_go_to_the_ends_of_a_big_view(
    board_app: AppFactory, probe: Probe
) -> None:
    add_bulk(probe, 1000)
    view = stored_view(probe, "new")
    app = build(board_app)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_inbox(app, pilot)
        assert len(shown(app)) == 300
        await press(app, pilot, "end")
        page = screen.page
        assert selected(app) == view[-1] and page.start > 0
        assert shown(app) == view[page.start : page.end]
        lines = list_lines(app)
        assert lines[-1].startswith("▶") and "Bulk report 999" in lines[-1]
        assert "Bulk report 998" in lines[-2]
        assert "Bulk report 999" in "\n".join(Probe.screen_lines(app)[-14:])  # the detail
        # Up through the view: the pages before are read in, the cursor keeps its item.
        for _ in range(10):
            await press(app, pilot, "pageup")
        target = selected(app)
        assert target == view[len(view) - 1 - 10 * (screen.inbox_list.visible_rows - 1)]
        assert page.start < len(view) - 300 and shown(app) == view[page.start : page.end]
        first_line = list_lines(app)[1]  # the cursor leads the screen up
        assert first_line.startswith("▶") and feedback(probe, target)["text"] in first_line
        # A triage deep in the view: the reload after the write reads this stretch again.
        await press(app, pilot, "x", *"spam", "enter")
        assert feedback(probe, target)["state"] == "declined"
        view = stored_view(probe, "new")
        assert target not in shown(app) and shown(app) == view[page.start : page.end]
        await press(app, pilot, "end", "x", *"spam", "enter")
        assert feedback(probe, view[-1])["state"] == "declined"
        view = stored_view(probe, "new")
        assert selected(app) == view[-1] and shown(app)[-1] == view[-1]
        assert screen.counts["new"] == 1005 and screen.counts["declined"] == 4
        await press(app, pilot, "home")
        assert selected(app) == 1 and page.start == 0 and shown(app) == view[:300]
        assert list_lines(app)[1].startswith("▶⚑ checkout")


async def test_snoozes_wake_when_the_inbox_opens(board_app: AppFactory, probe: Probe) -> None:
    earlier = frozen_clock(datetime(2026, 3, 1, 9, 0, tzinfo=UTC))
    with Store(probe.db_path, clock=earlier) as store:
        store.feedback.snooze(5, "2026-03-10")  # its day has come by the tests' 'now'
    app = build(board_app)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_inbox(app, pilot)
        assert feedback(probe, 5)["state"] == "new"
        assert shown(app) == NEW and screen.counts["snoozed"] == 1
        assert "1 snoozed item back in the inbox" in messages(app)


# -- user text and keys ------------------------------------------------------------------------

HOSTILE = "[bold]not bold[/] [/ 🛒 宽字符 [red]x[/red] \\[escaped] $var"


async def test_hostile_text_renders_literally_and_keeps_alignment(
    board_app: AppFactory, probe: Probe
) -> None:
    with probe.store() as store:
        store.feedback.add(
            Feedback(
                text=HOSTILE + "\nsecond [i]line[/i]",
                category=FeedbackCategory.CHECKOUT,
                customer="李小龍 [b]Eve[/b]",
                reported_by="[link=x]cs[/link]",
                reports=50,
            )
        )
    app = build(board_app)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_inbox(app, pilot)
        assert selected(app) == 16  # urgent and the most reported
        age_column = list_lines(app)[0].index("AGE")  # the header is plain ASCII
        row = cells(row_of(app, 16))
        assert "".join(row).startswith("▶⚑ checkout  email   李小龍 [b]Eve[/")
        assert "".join(row[age_column:]).startswith("0d      ×50 ")  # columns line up
        assert HOSTILE in "".join(row)
        assert cell_len(row_of(app, 16)) == SIZE[0]
        screen = probe.screen_text(app)
        assert HOSTILE in screen and "second [i]line[/i]" in screen
        assert "李小龍 [b]Eve[/b]" in screen and "[link=x]cs[/link]" in screen


async def test_every_binding_explains_itself_and_is_in_the_palette(
    board_app: AppFactory, probe: Probe
) -> None:
    app = build(board_app)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_inbox(app, pilot)
        commands = {c.title: c.help for c in screen.palette_commands()}
        for binding in InboxScreen.BINDINGS:
            assert binding.description  # type: ignore[union-attr]
            if not binding.action.startswith("cursor"):  # type: ignore[union-attr]
                assert binding.description in commands  # type: ignore[union-attr]
        await press(app, pilot, "ctrl+p", *"Next view")
        assert await wait_until(pilot, lambda: "Inbox: next view" in probe.screen_text(app))
        await press(app, pilot, "enter")
        assert isinstance(app.screen, InboxScreen) and screen.query_state.view == "snoozed"


async def test_space_pages_through_a_long_text(board_app: AppFactory, probe: Probe) -> None:
    lines = "\n".join(f"line {i} of what the customer wrote" for i in range(60))
    with probe.store() as store:
        store.feedback.add(Feedback(text=lines, category=FeedbackCategory.PAYMENT, reports=40))
    app = build(board_app)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_inbox(app, pilot)
        detail = screen.query_one("#inbox-detail")
        assert selected(app) == 16 and detail.scroll_y == 0
        await press(app, pilot, "space")
        assert detail.scroll_y > 0
        assert "line 10 of what" in probe.screen_text(app)
        seen = []
        for _ in range(8):
            await press(app, pilot, "space")
            seen.append(detail.scroll_y)
        assert detail.max_scroll_y in seen and 0 in seen  # past the end: back to the start
        await press(app, pilot, "space", "j")
        assert selected(app) == 1 and detail.scroll_y == 0
