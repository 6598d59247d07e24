"""A whole planning cycle in the app alone, with keys only: a new sprint with a team's
capacity, cards planned in and started on another day than planned; customer feedback
typed into the inbox and accepted as a card of that sprint; the card shipped on the board;
the customer marked informed; the sprint closed card by card and its report read. The
database is checked after each step, through a connection of its own."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Input, Label, OptionList, Select, TextArea

from sprintboard.screens.board import BoardScreen
from sprintboard.screens.card_form import CardFormScreen
from sprintboard.screens.feedback_form import NewFeedbackScreen
from sprintboard.screens.inbox import InboxScreen
from sprintboard.screens.planning import PlanningScreen
from sprintboard.screens.sprint_close import CloseSprintScreen, SprintReportScreen
from sprintboard.screens.sprint_dialogs import StartSprintScreen
from sprintboard.screens.sprint_form import CapacityScreen, SprintFormScreen
from sprintboard.screens.triage_dialogs import AcceptScreen
from sprintboard.tui import SprintboardApp

from .conftest import SIZE, AppFactory, Probe, current_screen, messages, open_screen, wait_until
from .inbox_driver import feedback, selected, shown, stored_view
from .planning_driver import bar_line, keys, present, settle, sprint_named

NAME = "Sprint 44"


async def type_field(app: SprintboardApp, pilot: Any, selector: str, text: str) -> None:
    """Focus the input `selector` of the dialog on top, empty it and type `text`, by keys."""
    app.screen.query_one(selector, Input).focus()
    await pilot.press("end", "ctrl+u", *text)


async def wait_for(app: SprintboardApp, pilot: Any, kind: type[Any]) -> Any:
    """Wait until a screen of `kind` is on top (a dialog opens once its data is read)."""
    assert await wait_until(pilot, lambda: isinstance(app.screen, kind)), kind.__name__
    return app.screen


async def press(app: SprintboardApp, pilot: Any, *keys: str) -> None:
    await pilot.press(*keys)
    await settle(app, pilot)


@pytest.mark.long
async def test_a_whole_cycle_from_the_keyboard(board_app: AppFactory, probe: Probe) -> None:
    app = board_app(live_refresh=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        planning = await open_screen(app, pilot, "planning", PlanningScreen, rounds=3)

        # 0. One sprint is active at a time, and the demo's Sprint 42 is: starting another
        # is refused until it is closed. Closing it is what the app offers (`C`), so the
        # cycle begins there, its open cards back to the backlog, rather than in a
        # database edited behind the app's back.
        assert sprint_named(probe, "Sprint 42")["state"] == "active"
        await pilot.press("C")
        await wait_for(app, pilot, CloseSprintScreen)
        await press(app, pilot, "B", "y")
        await wait_for(app, pilot, SprintReportScreen)
        await press(app, pilot, "escape")
        assert isinstance(current_screen(app), PlanningScreen)
        assert sprint_named(probe, "Sprint 42")["state"] == "closed"
        with probe.store() as store:
            assert store.sprints.active() is None

        # 1. A new sprint, planned for April: name, goal, dates, ctrl+s.
        await pilot.press("N")
        form = await wait_for(app, pilot, SprintFormScreen)
        await type_field(app, pilot, "#name", NAME)
        await type_field(app, pilot, "#goal", "Deliveries customers can follow")
        await type_field(app, pilot, "#start", "2026-04-01")
        await type_field(app, pilot, "#end", "2026-04-14")
        assert form.query_one("#name", Input).value == NAME
        await press(app, pilot, "ctrl+s")
        assert isinstance(current_screen(app), PlanningScreen)
        sprint = sprint_named(probe, NAME)
        assert (sprint["state"], sprint["start"], sprint["end"], sprint["goal"]) == (
            "planned",
            "2026-04-01",
            "2026-04-14",
            "Deliveries customers can follow",
        )
        assert present(planning.model.sprint_row)["name"] == NAME
        assert keys(app, "sprint") == []

        # 2. The first backlog card's team gets 10 points in this sprint: the dialog opens
        # on that team, enter picks it, the points follow.
        first = present(planning.model.current().selected())
        team = first["team"]
        with probe.store() as store:
            usual = int(store.teams.get(team)["capacity"])
        assert usual != 10
        await pilot.press("p")
        dialog = await wait_for(app, pilot, CapacityScreen)
        assert dialog.team == team
        await pilot.press("enter")
        assert dialog.focused is dialog.query_one("#capacity-points", Input)
        await press(app, pilot, "ctrl+u", "1", "0", "enter")
        assert isinstance(current_screen(app), PlanningScreen)
        with probe.store() as store:
            assert store.sprints.capacity_overrides(sprint["id"]) == {team: 10}
        assert bar_line(app, team).endswith(f" 0/10 pt* (usual {usual})")

        # 3. Three cards planned in, from the selected one on (the selection stays on the
        # card it was on when Sprint 42's cards came back to the backlog, above it); the bar
        # counts the team's points against 10.
        planned = []
        for _ in range(3):
            planned.append(present(planning.model.backlog.selected())["key"])
            await press(app, pilot, ">")
        assert planned[0] == first["key"]
        cards = [probe.existing_card(k) for k in planned]
        assert [c["sprint_id"] for c in cards] == [sprint["id"]] * 3
        assert sorted(keys(app, "sprint")) == sorted(planned)
        points = sum(c["points"] or 0 for c in cards if c["team"] == team)
        assert points > 0
        assert bar_line(app, team).endswith(f" {points}/10 pt* (usual {usual})")

        # 4. Started today (11 March), not on 1 April: y shifts its dates, same length.
        await pilot.press("S")
        start = await wait_for(app, pilot, StartSprintScreen)
        shift = str(start.query_one("#start-shift", Label).render())
        assert "y shifts its dates to 2026-03-11 → 2026-03-24 (same length)" in shift
        await press(app, pilot, "y")
        sprint = sprint_named(probe, NAME)
        committed = sum(c["points"] or 0 for c in cards)
        assert (sprint["state"], sprint["start"], sprint["end"]) == (
            "active",
            "2026-03-11",
            "2026-03-24",
        )
        assert sprint["committed_points"] == committed
        assert probe.active_sprint() == sprint["id"]
        assert f"{NAME} started" in messages(app)

        # 5. Feedback typed into the inbox (text, category by keys, customer), then
        # accepted as a card of Warehouse (suggested for shipping) in the active sprint.
        inbox = await open_screen(app, pilot, "inbox", InboxScreen)
        before = set(stored_view(probe, "new"))
        await pilot.press("n")
        new = await wait_for(app, pilot, NewFeedbackScreen)
        assert new.focused is new.query_one(TextArea)
        await pilot.press(*"Tracking link shows nothing", "enter", *"for two days")
        category = new.query_one("#feedback-category", Select)
        await pilot.press("tab")
        assert new.focused is category
        await pilot.press("enter")  # opens the list on "other", the last category
        for _ in range(4):  # other -> account -> site -> product -> shipping
            await pilot.press("up")
        await pilot.press("enter")
        await pilot.pause()
        assert category.value == "shipping"
        await type_field(app, pilot, "#feedback-customer", "Ann de Vries")
        await press(app, pilot, "ctrl+s")
        assert isinstance(current_screen(app), InboxScreen)
        (item,) = set(stored_view(probe, "new")) - before
        row = feedback(probe, item)
        assert (row["text"], row["category"], row["customer"], row["state"]) == (
            "Tracking link shows nothing\nfor two days",
            "shipping",
            "Ann de Vries",
            "new",
        )
        assert selected(app) == item

        await pilot.press("a")
        accept = await wait_for(app, pilot, AcceptScreen)
        assert accept.teams[accept.suggested]["code"] == "WH"
        sprints = accept.query_one("#accept-sprint", OptionList)
        await pilot.press("tab", "down")  # Backlog, then the active sprint first
        assert accept.sprints[present(sprints.highlighted)][1] == NAME
        await press(app, pilot, "tab", "ctrl+u", *"Tracking link stays empty", "enter")
        assert isinstance(current_screen(app), InboxScreen)
        row = feedback(probe, item)
        assert row["state"] == "accepted" and row["card"] is not None
        key = row["card"]
        card = probe.existing_card(key)
        assert (card["team"], card["sprint_id"], card["status"]) == ("WH", sprint["id"], "todo")
        assert card["title"] == "Tracking link stays empty"
        assert item not in shown(app)
        assert f"FB-{item} accepted as {key}" in messages(app)

        # 6. Shipped on the board: found with the text filter (its key), moved right to
        # Done. It waits on nothing, so no done-while-blocked question comes up.
        await open_screen(app, pilot, "board", BoardScreen)
        assert NAME in probe.header(app)
        await pilot.press("slash", *key, "enter")
        await settle(app, pilot)
        assert probe.shown(app)["todo"] == [key]
        assert probe.selected(app) == key
        # Sized first (e, the card form): 5 points, so shipping it completes something.
        await pilot.press("e")
        await wait_for(app, pilot, CardFormScreen)
        await type_field(app, pilot, "#points", "5")
        await press(app, pilot, "ctrl+s")
        assert isinstance(current_screen(app), BoardScreen)
        assert probe.existing_card(key)["points"] == 5
        for status in ("doing", "review", "done"):
            await press(app, pilot, "L")
            assert isinstance(current_screen(app), BoardScreen)
            assert probe.existing_card(key)["status"] == status
            assert probe.shown(app)[status] == [key]
        await press(app, pilot, "escape")  # the filter off again

        # 7. The inbox's shipped view holds the item: i marks the customer informed.
        await open_screen(app, pilot, "inbox", InboxScreen)
        assert item in stored_view(probe, "shipped")
        for _ in range(7):  # tab walks the seven views in turn
            if inbox.query_state.view == "shipped":
                break
            await press(app, pilot, "tab")
        assert inbox.query_state.view == "shipped"
        assert shown(app) == stored_view(probe, "shipped")
        for _ in shown(app):
            if selected(app) == item:
                break
            await press(app, pilot, "j")
        assert selected(app) == item
        await press(app, pilot, "i")
        row = feedback(probe, item)
        assert (row["state"], row["informed_by"], row["informed_at"]) == (
            "accepted",
            "tester",
            "2026-03-11T10:30:00Z",
        )
        assert item not in stored_view(probe, "shipped")
        assert item in stored_view(probe, "informed")
        assert f"FB-{item}: customer marked informed by tester" in messages(app)

        # 8. Closed card by card: the three planned cards still open go to the next
        # sprint (Sprint 43), to the backlog, and stay in the closed sprint.
        await open_screen(app, pilot, "planning", PlanningScreen, rounds=3)
        assert present(planning.model.sprint_row)["name"] == NAME
        await pilot.press("C")
        close = await wait_for(app, pilot, CloseSprintScreen)
        order = [c["key"] for c in close.data["unfinished"]]
        assert sorted(order) == sorted(planned)
        await pilot.press("n", "b", "l")
        assert close.choices == dict(zip(order, ["next", "backlog", "leave"], strict=True))
        await press(app, pilot, "y")
        report = await wait_for(app, pilot, SprintReportScreen)
        closed = sprint_named(probe, NAME)
        following = sprint_named(probe, "Sprint 43")
        assert closed["state"] == "closed"
        to_next, to_backlog, left = (probe.existing_card(k) for k in order)
        assert to_next["sprint_id"] == following["id"]
        assert (to_backlog["sprint_id"], to_backlog["status"]) == (None, "backlog")
        assert left["sprint_id"] == sprint["id"]
        assert probe.existing_card(key)["sprint_id"] == sprint["id"]

        # The report's numbers are the database's.
        with probe.store() as store:
            in_sprint = store.cards.query(sprint=sprint["id"])
        done = [c for c in in_sprint if c["status"] == "done"]
        assert [c["key"] for c in done] == [key]
        total = report.report.total
        assert (total.committed.points, total.committed.cards) == (closed["committed_points"], 3)
        assert total.completed.points == closed["completed_points"]
        assert total.completed.points == sum(c["points"] or 0 for c in done) == 5
        assert total.completed.cards == len(done) == 1
        # The accepted card came in after the start, still unsized.
        assert (total.added.cards, total.added.points) == (1, 0)
        assert (total.to_next.cards, total.to_next.points) == (1, to_next["points"] or 0)
        assert (total.to_backlog.cards, total.to_backlog.points) == (
            1,
            to_backlog["points"] or 0,
        )
        assert (total.left.cards, total.left.points) == (1, left["points"] or 0)
        text = probe.screen_text(app)
        assert f"Sprint report: {NAME}" in text
        assert "carried into Sprint 43" in text
        assert f"committed{' ' * 14}{f'{committed}/3':>8}" in text
        assert f"completed{' ' * 14}{'5/1':>8}" in text
        await press(app, pilot, "escape")
        assert isinstance(current_screen(app), PlanningScreen)
