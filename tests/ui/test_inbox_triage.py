"""The inbox's triage keys, each way (accept, duplicate, decline, snooze, reopen, undo):
every triage checked in the database and on screen."""

from __future__ import annotations

from textual.widgets import Input

from sprintboard.screens.card_detail import CardDetailScreen
from sprintboard.screens.card_picker import CardPickerScreen
from sprintboard.screens.inbox import InboxScreen
from sprintboard.screens.triage_dialogs import AcceptScreen, DeclineScreen, SnoozeScreen

from .conftest import (
    SIZE,
    AppFactory,
    Probe,
    current_screen,
    messages,
)
from .inbox_driver import (
    NEW,
    build,
    feedback,
    open_inbox,
    press,
    row_of,
    selected,
    shown,
    stored_view,
)

# -- triage, each way ------------------------------------------------------------------------


async def test_accept_with_the_suggested_team(board_app: AppFactory, probe: Probe) -> None:
    app = build(board_app)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_inbox(app, pilot)
        await press(app, pilot, "a")
        assert isinstance(app.screen, AcceptScreen)
        assert app.screen.query_one("#accept-title", Input).value == (
            "Checkout page spins forever after I pick iDEAL; had to order by phone."
        )
        await press(app, pilot, "enter")  # ECOM (checkout), backlog, title as prefilled
        assert isinstance(current_screen(app), InboxScreen)
        assert shown(app) == NEW[1:] == stored_view(probe, "new")
        assert selected(app) == 2  # the next item
        row = feedback(probe, 1)
        assert row["state"] == "accepted" and row["card"] is not None
        card = probe.card(row["card"])
        assert card is not None
        assert card["team"] == "ECOM" and card["key"].startswith("ECOM-")
        assert card["status"] == "backlog" and card["sprint"] is None
        assert (
            card["title"]
            == "Checkout page spins forever after I pick iDEAL; had to order by phone."
        )
        assert card["priority"] == "high" and "feedback" in card["labels"]
        assert screen.counts["new"] == 6 and screen.counts["accepted"] == 3
        assert f"FB-1 accepted as {row['card']}" in messages(app)


async def test_accept_for_another_team_into_the_current_sprint(
    board_app: AppFactory, probe: Probe
) -> None:
    app = build(board_app)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_inbox(app, pilot)
        await press(app, pilot, "j", "j", "j", "j", "j")  # #15, product: suggests CNT
        assert selected(app) == 15
        await press(app, pilot, "a")
        dialog = app.screen
        assert isinstance(dialog, AcceptScreen)
        assert dialog.teams[dialog.suggested]["code"] == "CNT"
        await press(app, pilot, "up", "up", "up", "up", "up")  # CNT -> EXEC, WH, ECOM, CS, IT
        await press(app, pilot, "tab", "down", "tab")  # Sprint 42, the current one
        await press(app, pilot, "ctrl+u", *"Size guide: lounge cushions", "enter")
        assert isinstance(app.screen, InboxScreen)
        row = feedback(probe, 15)
        card = probe.card(row["card"])
        assert card is not None
        assert (card["team"], card["sprint"], card["status"]) == ("IT", "Sprint 42", "todo")
        assert card["title"] == "Size guide: lounge cushions"
        assert card["priority"] == "medium"
        assert 15 not in shown(app)


async def test_accept_dialog_refuses_an_empty_title(board_app: AppFactory, probe: Probe) -> None:
    app = build(board_app)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_inbox(app, pilot)
        await press(app, pilot, "a", "tab", "tab", "ctrl+u", "enter")
        assert isinstance(app.screen, AcceptScreen)
        assert "title" in str(app.screen.query_one(".dialog-error").render())
        await press(app, pilot, "escape")
        assert isinstance(current_screen(app), InboxScreen)
        assert feedback(probe, 1)["state"] == "new" and shown(app) == NEW


async def test_merge_as_duplicate_of_a_card(board_app: AppFactory, probe: Probe) -> None:
    app = build(board_app)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_inbox(app, pilot)
        await press(app, pilot, "j")  # #2: the expired coupon, ×3
        assert probe.existing_card("IT-7")["reports"] == 0
        await press(app, pilot, "equals_sign")
        assert isinstance(app.screen, CardPickerScreen)
        await press(app, pilot, *"IT-7", "enter")
        assert isinstance(current_screen(app), InboxScreen)
        row = feedback(probe, 2)
        assert (row["state"], row["card"]) == ("duplicate", "IT-7")
        card = probe.card("IT-7")
        assert card is not None and card["reports"] == 3 and card["feedback"] == 1
        assert shown(app) == [1, 13, 4, 5, 15, 7] == stored_view(probe, "new")
        assert selected(app) == 13
        assert stored_view(probe, "duplicate") == [2]
        await press(app, pilot, "left_square_bracket")  # duplicate is the last view
        assert shown(app) == [2] and "= IT-7 doing" in row_of(app, 2)


async def test_merge_as_duplicate_of_feedback_adds_up_reports(
    board_app: AppFactory, probe: Probe
) -> None:
    app = build(board_app)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_inbox(app, pilot)
        await press(app, pilot, "j", "j", "j")  # #4 checkout VAT number, ×2
        await press(app, pilot, "equals_sign")  # the picker opens once the candidates are read
        await press(app, pilot, *"FB-1  checkout page spins", "enter")  # into #1, ×6
        assert isinstance(app.screen, InboxScreen)
        assert feedback(probe, 4)["state"] == "duplicate"
        assert feedback(probe, 1)["reports"] == 8
        assert shown(app) == [1, 2, 13, 5, 15, 7]
        assert "×8" in row_of(app, 1)
        # The target's new count moves it in the triage order.
        await press(app, pilot, "k")
        assert selected(app) == 13
        await press(app, pilot, "equals_sign")
        await press(app, pilot, *"FB-2  coupon", "enter")  # #13 (×2) into #2 (×3)
        assert feedback(probe, 2)["reports"] == 5
        assert feedback(probe, 13)["state"] == "duplicate"
        assert shown(app) == [1, 2, 5, 15, 7] == stored_view(probe, "new")
        assert "×5" in row_of(app, 2)


async def test_decline_requires_a_reason(board_app: AppFactory, probe: Probe) -> None:
    app = build(board_app)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_inbox(app, pilot)
        await press(app, pilot, "x", "enter")
        assert isinstance(app.screen, DeclineScreen)
        assert "reason" in str(app.screen.query_one(".dialog-error").render())
        assert feedback(probe, 1)["state"] == "new"
        await press(app, pilot, *"works as designed", "enter")
        assert isinstance(current_screen(app), InboxScreen)
        row = feedback(probe, 1)
        assert (row["state"], row["decline_reason"]) == ("declined", "works as designed")
        assert shown(app) == NEW[1:] and selected(app) == 2
        await press(app, pilot, "left_square_bracket", "left_square_bracket")
        assert shown(app) == stored_view(probe, "declined") and 1 in shown(app)
        assert "works as designed" in row_of(app, 1)


async def test_decline_the_last_item_selects_the_one_above(
    board_app: AppFactory, probe: Probe
) -> None:
    app = build(board_app)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_inbox(app, pilot)
        await press(app, pilot, "end", "x", *"dup", "enter")
        assert feedback(probe, 7)["state"] == "declined"
        assert shown(app) == NEW[:-1] and selected(app) == 15


async def test_snooze_with_a_preset_and_with_a_typed_day(
    board_app: AppFactory, probe: Probe
) -> None:
    app = build(board_app)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_inbox(app, pilot)
        await press(app, pilot, "z")
        assert isinstance(app.screen, SnoozeScreen)
        await press(app, pilot, "3")  # next week: Monday 2026-03-16
        row = feedback(probe, 1)
        assert (row["state"], row["snoozed_until"]) == ("snoozed", "2026-03-16")
        assert shown(app) == NEW[1:] == stored_view(probe, "new")

        await press(app, pilot, "z", "tab", *"2026-03-11", "enter")  # today: refused
        assert isinstance(app.screen, SnoozeScreen)
        assert "after today" in str(app.screen.query_one(".dialog-error").render())
        await press(app, pilot, "ctrl+u", *"2026-04-01", "enter")
        assert feedback(probe, 2)["snoozed_until"] == "2026-04-01"
        await press(app, pilot, "z", "enter")  # the first preset: +1 day
        assert feedback(probe, 13)["snoozed_until"] == "2026-03-12"
        assert shown(app) == [4, 5, 15, 7]
        await press(app, pilot, "tab")
        assert shown(app) == stored_view(probe, "snoozed") == [1, 2, 13, 11]  # triage order


async def test_reopen_brings_an_item_back_to_new(board_app: AppFactory, probe: Probe) -> None:
    app = build(board_app)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_inbox(app, pilot)
        await press(app, pilot, "backspace")
        assert "FB-1 is already new" in messages(app)
        await press(app, pilot, "left_square_bracket", "left_square_bracket")  # declined
        assert shown(app) == [9, 12]
        await press(app, pilot, "backspace")
        row = feedback(probe, 9)
        assert (row["state"], row["decline_reason"]) == ("new", None)
        assert shown(app) == [12] == stored_view(probe, "declined")
        assert screen.counts["declined"] == 1 and screen.counts["new"] == 8
        await press(app, pilot, "tab", "tab")
        assert 9 in shown(app) and shown(app) == stored_view(probe, "new")


async def test_undo_reverts_the_last_triage(board_app: AppFactory, probe: Probe) -> None:
    app = build(board_app)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_inbox(app, pilot)
        await press(app, pilot, "a", "enter")
        key = feedback(probe, 1)["card"]
        await press(app, pilot, "x", *"no", "enter")  # #2
        assert feedback(probe, 2)["state"] == "declined"
        await press(app, pilot, "u")
        row = feedback(probe, 2)
        assert (row["state"], row["decline_reason"]) == ("new", None)
        assert feedback(probe, 1)["state"] == "accepted"  # only the last one
        assert shown(app) == NEW[1:] and selected(app) == 2
        await press(app, pilot, "u")
        assert feedback(probe, 1)["state"] == "new" and probe.card(key) is None
        assert shown(app) == NEW == stored_view(probe, "new") and selected(app) == 1
        # Undo is the person's own: both were mine; the acceptance made a card too.
        assert messages(app)[-2:] == [
            "undone: decline of FB-2",
            "undone: acceptance of FB-1 (2 records reverted)",
        ]


async def test_triaged_items_are_refused_until_reopened(
    board_app: AppFactory, probe: Probe
) -> None:
    app = build(board_app)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_inbox(app, pilot)
        await press(app, pilot, "tab", "tab")  # accepted: #10 as IT-6
        for key in ("a", "x", "z", "equals_sign"):
            await press(app, pilot, key)
            assert isinstance(app.screen, InboxScreen), key  # no dialog opens
        assert messages(app)[-1] == (
            "FB-10 is already accepted as IT-6; reopen it first (backspace) to merge it"
        )
        assert feedback(probe, 10)["state"] == "accepted"
        assert shown(app) == [10, 8]


async def test_a_refused_write_is_reported_and_the_view_reloaded(
    board_app: AppFactory, probe: Probe
) -> None:
    app = build(board_app)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_inbox(app, pilot)
        with probe.store() as other:  # another terminal declines #1 meanwhile
            other.feedback.decline(1, "handled by phone")
        await press(app, pilot, "a", "enter")
        assert any("already declined (handled by phone)" in m for m in messages(app))
        assert shown(app) == NEW[1:] == stored_view(probe, "new")
        assert feedback(probe, 1)["card"] is None


async def test_enter_opens_the_linked_card(board_app: AppFactory) -> None:
    app = build(board_app)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_inbox(app, pilot)
        await press(app, pilot, "enter")
        assert isinstance(app.screen, InboxScreen)
        assert "no card is linked" in messages(app)[-1]
        await press(app, pilot, "tab", "tab", "enter")
        page = current_screen(app)
        assert isinstance(page, CardDetailScreen) and page.key == "IT-6"
        await press(app, pilot, "escape")
        assert isinstance(current_screen(app), InboxScreen)
