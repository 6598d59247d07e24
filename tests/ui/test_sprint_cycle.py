"""A whole sprint cycle without leaving the planning screen: a new sprint, a team's
capacity in it, cards planned in, started with its dates shifted to today, closed card
by card, and its report; the database checked after each step. Also the form's overlap
warning, edit and delete."""

from __future__ import annotations

from textual.widgets import Input, Label, OptionList

from sprintboard.screens.dialogs import ConfirmScreen
from sprintboard.screens.sprint_close import CloseSprintScreen, SprintReportScreen
from sprintboard.screens.sprint_dialogs import StartSprintScreen
from sprintboard.screens.sprint_form import CapacityScreen, SprintFormScreen

from .conftest import SIZE, AppFactory, Probe, messages, wait_until
from .planning_driver import bar_line, keys, open_planning, present, settle, sprint_named


def _close_sprint_42(probe: Probe) -> None:
    """Before the app opens: Sprint 42 closed, its open cards to the backlog."""
    with probe.store() as store:
        store.sprints.close("Sprint 42", "backlog")


async def _type(pilot: object, field: str, text: str) -> None:
    app = pilot.app  # type: ignore[attr-defined]
    app.screen.query_one(f"#{field}", Input).focus()
    await pilot.press("end", "ctrl+u", *text)  # type: ignore[attr-defined]


async def test_create_plan_start_shifted_close_card_by_card_and_report(
    board_app: AppFactory, probe: Probe
) -> None:
    _close_sprint_42(probe)
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_planning(app, pilot)
        assert present(screen.model.sprint_row)["name"] == "Sprint 43"

        # 1. A new sprint: the form suggests the days after Sprint 43 (18-31 March).
        await pilot.press("N")
        assert await wait_until(pilot, lambda: isinstance(app.screen, SprintFormScreen))
        form = app.screen
        assert form.query_one("#start", Input).value == "2026-04-01"
        assert form.query_one("#end", Input).value == "2026-04-14"
        await pilot.press(*"Sprint 44")
        await _type(pilot, "goal", "Loyalty follow-up")
        await _type(pilot, "start", "2026-03-30")  # overlaps Sprint 43
        await pilot.pause()
        assert (
            "⚠ Sprint 44 (2026-03-30 → 2026-04-14) overlaps Sprint 43 (2026-03-18 → 2026-03-31)"
            in probe.screen_text(app)
        )
        await _type(pilot, "start", "2026-04-01")
        await pilot.pause()
        assert "overlaps" not in probe.screen_text(app)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        s44 = sprint_named(probe, "Sprint 44")
        assert (s44["state"], s44["start"], s44["end"], s44["goal"]) == (
            "planned",
            "2026-04-01",
            "2026-04-14",
            "Loyalty follow-up",
        )
        assert present(screen.model.sprint_row)["name"] == "Sprint 44"
        assert "Sprint 44 added" in messages(app)

        # 2. IT's capacity in this sprint: 12 instead of its usual 40. The dialog opens on
        # the selected card's team.
        selected = present(screen.model.current().selected())
        await pilot.press("p")
        assert await wait_until(pilot, lambda: isinstance(app.screen, CapacityScreen))
        assert app.screen.team == selected["team"]  # type: ignore[attr-defined]
        teams = app.screen.query_one("#capacity-teams", OptionList)
        await pilot.press("home", "down", "enter")  # MKT, then IT
        assert teams.highlighted == 1
        assert app.screen.focused is app.screen.query_one("#capacity-points", Input)
        await pilot.press("ctrl+u", "1", "2", "enter")
        await settle(app, pilot)
        with probe.store() as store:
            assert store.sprints.capacity_overrides(s44["id"]) == {"IT": 12}
        assert "IT capacity in Sprint 44: 12" in messages(app)
        assert bar_line(app, "IT").endswith("0/12 pt* (usual 40)")

        # 3. The backlog's first three cards planned in.
        planned = keys(app, "backlog")[:3]
        await pilot.press(">", ">", ">")
        await settle(app, pilot)
        cards = [present(probe.card(k)) for k in planned]
        assert [c["sprint_id"] for c in cards] == [s44["id"]] * 3
        assert sorted(keys(app, "sprint")) == sorted(planned)
        it_points = sum(c["points"] or 0 for c in cards if c["key"].startswith("IT-"))
        assert f" {it_points}/12 pt* (usual 40)" in bar_line(app, "IT")

        # 4. Started today (11 March), not on 1 April: its dates move, its length stays.
        await pilot.press("S")
        assert await wait_until(pilot, lambda: isinstance(app.screen, StartSprintScreen))
        text = " ".join(probe.screen_text(app).split())
        assert "It was planned to start 2026-04-01, not today." in text
        shift = str(app.screen.query_one("#start-shift", Label).render())
        assert "y shifts its dates to 2026-03-11 → 2026-03-24 (same length)" in shift
        await pilot.press("y")
        await settle(app, pilot)
        s44 = sprint_named(probe, "Sprint 44")
        assert (s44["state"], s44["start"], s44["end"]) == ("active", "2026-03-11", "2026-03-24")
        committed = sum(present(probe.card(k))["points"] or 0 for k in planned)
        assert s44["committed_points"] == committed

        # 5. Closed card by card: the first to the next sprint (Sprint 43), the second to
        # the backlog, the third left in the closed sprint.
        await pilot.press("C")
        assert await wait_until(pilot, lambda: isinstance(app.screen, CloseSprintScreen))
        dialog = app.screen
        order = [c["key"] for c in dialog.data["unfinished"]]  # type: ignore[attr-defined]
        assert sorted(order) == sorted(planned)
        text = probe.screen_text(app)
        assert "3 unfinished cards" in text
        assert "Sprint 43 after carry-over:" in text
        await pilot.press("n", "b", "l")
        assert dialog.choices == dict(  # type: ignore[attr-defined]
            zip(order, ["next", "backlog", "leave"], strict=True)
        )
        await pilot.press("y")
        await settle(app, pilot)
        s43 = sprint_named(probe, "Sprint 43")
        first, second, third = (present(probe.card(k)) for k in order)
        assert first["sprint_id"] == s43["id"]
        assert (second["sprint_id"], second["status"]) == (None, "backlog")
        assert third["sprint_id"] == s44["id"]
        assert sprint_named(probe, "Sprint 44")["state"] == "closed"
        assert (
            "Sprint 44 closed; 1 unfinished card to Sprint 43; 1 unfinished card to the "
            "backlog; 1 unfinished card left in it"
        ) in messages(app)

        # 6. The report follows: per team, in points/cards.
        assert await wait_until(pilot, lambda: isinstance(app.screen, SprintReportScreen))
        report = app.screen.report  # type: ignore[attr-defined]
        assert (report.total.committed.points, report.total.committed.cards) == (committed, 3)
        assert report.total.to_next.cards == report.total.to_backlog.cards == 1
        assert report.total.left.cards == 1
        text = probe.screen_text(app)
        assert "Sprint report: Sprint 44" in text
        assert "carried into Sprint 43" in text
        assert f"committed{' ' * 14}{f'{committed}/3':>8}" in text
        await pilot.press("escape")
        await settle(app, pilot)
        assert not isinstance(app.screen, SprintReportScreen)


async def test_edit_and_delete_a_sprint(board_app: AppFactory, probe: Probe) -> None:
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_planning(app, pilot)
        # The report of the active sprint, so far.
        await pilot.press("R")
        assert await wait_until(pilot, lambda: isinstance(app.screen, SprintReportScreen))
        text = probe.screen_text(app)
        assert "Sprint report: Sprint 42 (active: so far)" in text
        assert f"not done yet{' ' * 11}{'61/16':>8}" in text
        await pilot.press("escape")
        await settle(app, pilot)
        # Sprint 42 holds cards: deleting it is refused in one line.
        await pilot.press("D")
        await settle(app, pilot)
        assert messages(app)[-1] == (
            "not deleted: sprint 'Sprint 42' holds 20 cards; only an empty sprint is "
            "deleted: move its cards out first"
        )
        assert sprint_named(probe, "Sprint 42")["state"] == "active"

        # A new empty sprint, renamed, then deleted.
        await pilot.press("N")
        assert await wait_until(pilot, lambda: isinstance(app.screen, SprintFormScreen))
        await pilot.press(*"Spare", "ctrl+s")
        await settle(app, pilot)
        assert present(screen.model.sprint_row)["name"] == "Spare"
        await pilot.press("E")
        assert await wait_until(pilot, lambda: isinstance(app.screen, SprintFormScreen))
        assert app.screen.query_one("#name", Input).value == "Spare"
        await _type(pilot, "end", "2026-05-40")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert "⚠ end:" in probe.screen_text(app)  # refused in the form, one line
        await _type(pilot, "end", "2026-04-10")
        await _type(pilot, "name", "Spare days")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        spare = sprint_named(probe, "Spare days")
        assert (spare["start"], spare["end"]) == ("2026-04-01", "2026-04-10")
        await pilot.press("D")
        assert await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await settle(app, pilot)
        with probe.store() as store:
            assert "Spare days" not in [s["name"] for s in store.sprints.list()]
        assert "Spare days deleted" in messages(app)
        assert present(screen.model.sprint_row)["name"] == "Sprint 42"
