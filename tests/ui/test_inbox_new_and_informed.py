"""Feedback typed into the inbox (n), and the customer marked informed once the card ships
(i): checked in the database and on screen."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Select, Static, TextArea

from sprintboard.screens.feedback_form import NewFeedbackScreen
from sprintboard.screens.inbox import InboxScreen

from .conftest import (
    SIZE,
    AppFactory,
    Probe,
    current_screen,
    messages,
    type_into,
)
from .inbox_driver import (
    build,
    feedback,
    inbox,
    list_lines,
    open_inbox,
    press,
    row_of,
    selected,
    shown,
    stored_view,
)

SHIPPED = [3, 14, 6]


def stored_ids(probe: Probe) -> list[int]:
    with probe.store() as store:
        return [int(r["id"]) for r in store.rows("SELECT id FROM feedback ORDER BY id")]


def form_error(app: object) -> str:
    screen = current_screen(app)  # type: ignore[arg-type]
    return str(screen.query_one("#form-error", Static).render())


async def test_new_feedback_is_stored_and_selected(board_app: AppFactory, probe: Probe) -> None:
    app = build(board_app)
    before = stored_ids(probe)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_inbox(app, pilot)
        await press(app, pilot, "tab", "tab", "tab")  # shipped: the new item is in new
        assert screen.query_state.view == "shipped"
        await press(app, pilot, "n")
        form = current_screen(app)
        assert isinstance(form, NewFeedbackScreen)
        assert form.query_one("#feedback-received", Input).value == "2026-03-11"  # today
        await pilot.press(*"Gift card refused", "enter", *"[b]at the till[/b]")
        form.query_one("#feedback-category", Select).value = "payment"
        form.query_one("#feedback-source", Select).value = "phone"
        await type_into(app, pilot, "#feedback-customer", "Ann de Vries")
        await type_into(app, pilot, "#feedback-reports", "3")
        await press(app, pilot, "ctrl+s")
        assert isinstance(app.screen, InboxScreen)

        (new_id,) = set(stored_ids(probe)) - set(before)
        row = feedback(probe, new_id)
        assert row["text"] == "Gift card refused\n[b]at the till[/b]"
        assert (row["category"], row["source"], row["customer"]) == (
            "payment",
            "phone",
            "Ann de Vries",
        )
        assert (row["reports"], row["urgent"], row["state"]) == (3, True, "new")
        assert row["reported_by"] == "tester"  # the person at the keyboard
        assert row["received_at"] == "2026-03-11T10:30:00Z"  # today: now
        # Back in the new view, the new item selected; its key in the detail and the message.
        assert screen.query_state.view == "new"
        assert selected(app) == new_id
        assert shown(app) == stored_view(probe, "new")
        assert f"FB-{new_id} added to the inbox (payment)" in messages(app)
        assert f"FB-{new_id}  payment ⚑ urgent · via phone · ×3 reports" in probe.screen_text(app)
        assert "[b]at the till[/b]" in probe.screen_text(app)


@pytest.mark.long
async def test_new_feedback_refuses_bad_fields_in_one_line(
    board_app: AppFactory, probe: Probe
) -> None:
    app = build(board_app)
    before = stored_ids(probe)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_inbox(app, pilot)
        await press(app, pilot, "n")
        await press(app, pilot, "ctrl+s")
        assert isinstance(app.screen, NewFeedbackScreen)
        assert form_error(app).startswith("⚠ text: ") and "\n" not in form_error(app)
        app.screen.query_one(TextArea).text = "Parcel never arrived"
        for field, value, needle in [
            ("#feedback-reports", "0", "⚠ reports: "),
            ("#feedback-received", "2026-03-12", "⚠ received: must be today (2026-03-11) or"),
            ("#feedback-received", "last week", "⚠ received_at: "),
        ]:
            await type_into(app, pilot, field, value)
            await press(app, pilot, "ctrl+s")
            assert isinstance(app.screen, NewFeedbackScreen), field
            assert form_error(app).startswith(needle), form_error(app)
            await type_into(app, pilot, field, "1" if "reports" in field else "2026-03-01")
        await press(app, pilot, "escape")
        assert isinstance(current_screen(app), InboxScreen)
        assert stored_ids(probe) == before
        # An earlier day is kept as given.
        await press(app, pilot, "n")
        app.screen.query_one(TextArea).text = "Parcel never arrived"
        await type_into(app, pilot, "#feedback-received", "2026-03-01")
        await press(app, pilot, "ctrl+s")
        (new_id,) = set(stored_ids(probe)) - set(before)
        assert feedback(probe, new_id)["received_at"] == "2026-03-01T00:00:00Z"
        assert selected(app) == new_id
        assert "10d !!" in row_of(app, new_id)  # old already: red


async def test_marking_customers_informed_empties_the_shipped_view(
    board_app: AppFactory, probe: Probe
) -> None:
    app = build(board_app)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_inbox(app, pilot)
        await press(app, pilot, "i")  # in new: nothing has shipped
        assert messages(app)[-1] == "FB-1 is new; only shipped feedback can be marked informed"
        assert feedback(probe, 1)["informed_at"] is None
        await press(app, pilot, "tab", "tab", "tab")
        assert screen.query_state.view == "shipped" and shown(app) == SHIPPED
        assert "i marks them informed" in probe.screen_text(app)

        await press(app, pilot, "i")
        row = feedback(probe, 3)
        assert (row["informed_by"], row["informed_at"]) == ("tester", "2026-03-11T10:30:00Z")
        assert shown(app) == [14, 6] == stored_view(probe, "shipped")
        assert (screen.counts["shipped"], screen.counts["informed"]) == (2, 1)
        assert "FB-3: customer marked informed by tester" in messages(app)
        await press(app, pilot, "i", "i")
        assert shown(app) == [] == stored_view(probe, "shipped")
        assert "Nothing shipped to tell customers about yet." in list_lines(app)[1]

        await press(app, pilot, "tab")  # informed: who and when
        assert screen.query_state.view == "informed"
        assert shown(app) == stored_view(probe, "informed") and set(shown(app)) == set(SHIPPED)
        assert "told 2026-03-11 tester" in row_of(app, 3)
        detail = str(inbox(app).query_one("#inbox-detail-body").render())
        assert (
            "State: shipped in IT-3 (Done); customer informed by tester on 2026-03-11 10:30:00"
            in (detail)
        )
        await press(app, pilot, "i")
        assert "the customer was already informed by tester" in messages(app)[-1]

        await press(app, pilot, "u")  # the last one marked goes back to shipped
        assert feedback(probe, 6)["informed_at"] is None
        assert stored_view(probe, "shipped") == [6]
        assert screen.query_state.view == "informed"
        assert shown(app) == stored_view(probe, "informed") and 6 not in shown(app)
        assert (screen.counts["shipped"], screen.counts["informed"]) == (1, 2)
