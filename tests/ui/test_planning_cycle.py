"""Starting and closing a sprint from the planning screen, and its charts: each checked in
the database and on screen."""

from __future__ import annotations

from sprintboard.screens.dialogs import PickerScreen
from sprintboard.screens.planning import PlanningScreen
from sprintboard.screens.sprint_close import CloseSprintScreen, SprintReportScreen
from sprintboard.screens.sprint_dialogs import StartSprintScreen
from sprintboard.widgets.capacity_bars import CapacityBars

from .conftest import SIZE, AppFactory, Probe, messages, wait_until
from .planning_driver import (
    BACKLOG,
    UNFINISHED,
    keys,
    open_planning,
    present,
    settle,
    shown_capacity,
    sprint_named,
    stored_capacity,
)

# -- start and close ----------------------------------------------------------------------------


async def test_start_is_refused_while_a_sprint_is_active(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_planning(app, pilot)
        await pilot.press("s")
        assert await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen))
        assert "Sprint 43  (planned" in probe.screen_text(app)
        await pilot.press("enter")  # newest first: Sprint 43
        await settle(app, pilot)
        assert present(screen.model.sprint_row)["name"] == "Sprint 43"
        assert "IT-9" in keys(app, "sprint")
        await pilot.press("S")
        await settle(app, pilot)
        assert not isinstance(app.screen, StartSprintScreen)
        assert messages(app)[-1] == (
            "not started: sprint 'Sprint 42' is still active; close it first "
            "(one active sprint at a time)"
        )
        assert sprint_named(probe, "Sprint 43")["state"] == "planned"
        assert sprint_named(probe, "Sprint 42")["state"] == "active"


async def test_close_sends_unfinished_cards_to_the_backlog_then_start_the_next(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_planning(app, pilot)
        with probe.store() as store:
            unfinished = [c["key"] for c in store.sprints.unfinished("Sprint 42")]
        assert len(unfinished) == UNFINISHED
        await pilot.press("C")
        assert await wait_until(pilot, lambda: isinstance(app.screen, CloseSprintScreen))
        text = probe.screen_text(app)
        assert "Close Sprint 42" in text
        assert f"{UNFINISHED} unfinished cards (61 points):" in text
        assert "Sprint 43 after carry-over:" in text
        await pilot.press("B", "y")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: isinstance(app.screen, SprintReportScreen))
        await pilot.press("escape")
        await settle(app, pilot)
        closed = sprint_named(probe, "Sprint 42")
        assert closed["state"] == "closed"
        assert (closed["committed_points"], closed["completed_points"]) == (67, 6)
        for key in unfinished:
            card = probe.card(key)
            assert card is not None
            assert (card["sprint_id"], card["status"]) == (None, "backlog")
        assert any(f"{UNFINISHED} unfinished cards to the backlog" in m for m in messages(app))
        # The screen follows the plan on: Sprint 43, with the carried cards in the backlog.
        assert present(screen.model.sprint_row)["name"] == "Sprint 43"
        assert set(unfinished) <= set(keys(app, "backlog"))
        assert len(keys(app, "backlog")) == len(BACKLOG) + UNFINISHED

        # Now Sprint 43 starts: the dialog says what it commits to.
        await pilot.press("S")
        assert await wait_until(pilot, lambda: isinstance(app.screen, StartSprintScreen))
        text = probe.screen_text(app)
        assert "Start Sprint 43?" in text
        assert "41 points in 10 cards become its commitment" in text
        await pilot.press("y")
        await settle(app, pilot)
        started = sprint_named(probe, "Sprint 43")
        assert (started["state"], started["committed_points"]) == ("active", 41)
        assert present(screen.model.sprint_row)["state"] == "active"
        assert "Sprint 43 started" in messages(app)


async def test_close_carries_unfinished_cards_to_the_next_sprint(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_planning(app, pilot)
        next_id = sprint_named(probe, "Sprint 43")["id"]
        with probe.store() as store:
            before = {c["key"]: c["status"] for c in store.sprints.unfinished("Sprint 42")}
        await pilot.press("C")
        assert await wait_until(pilot, lambda: isinstance(app.screen, CloseSprintScreen))
        await pilot.press("N", "y")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: isinstance(app.screen, SprintReportScreen))
        await pilot.press("escape")
        await settle(app, pilot)
        closed = sprint_named(probe, "Sprint 42")
        assert closed["state"] == "closed"
        assert (closed["committed_points"], closed["completed_points"]) == (67, 6)
        for key, status in before.items():
            card = probe.card(key)
            assert card is not None
            assert (card["sprint_id"], card["status"]) == (next_id, status)
        assert present(screen.model.sprint_row)["name"] == "Sprint 43"
        assert set(before) <= set(keys(app, "sprint"))
        assert len(keys(app, "sprint")) == 10 + UNFINISHED
        assert keys(app, "backlog") == BACKLOG
        assert shown_capacity(app) == stored_capacity(probe, "Sprint 43")


async def test_close_dialog_cancels_with_escape(board_app: AppFactory, probe: Probe) -> None:
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_planning(app, pilot)
        await pilot.press("C")
        assert await wait_until(pilot, lambda: isinstance(app.screen, CloseSprintScreen))
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, PlanningScreen)
        assert sprint_named(probe, "Sprint 42")["state"] == "active"


# -- charts -------------------------------------------------------------------------------------


async def test_v_cycles_capacity_burndown_velocity_flow(
    board_app: AppFactory, probe: Probe
) -> None:
    from sprintboard.widgets.charts import ChartPanel

    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_planning(app, pilot)

        def chart_text() -> str:
            panel = screen.query_one(ChartPanel)
            title = str(panel.query_one("#chart-title").render())
            return title + "\n" + str(panel.query_one("#chart-notes").render())

        await pilot.press("v")
        await settle(app, pilot)
        assert screen.view == "burndown"
        assert not screen.query_one(CapacityBars).display
        text = chart_text()
        assert "Burndown · Sprint 42 (active, 03-04 → 03-17)" in text
        assert "committed 67 · added 0 · removed 0 · done 6\nleft 61 on 03-11 (ideal 29)" in text
        assert "no scope change since the start" in text
        assert "03-04" in probe.screen_text(app)  # the days on the x axis

        # A card moved in mid-sprint is scope added: a step, listed under the chart.
        await pilot.press("j", "j", "j", "j", ">")  # IT-14, 8 points
        await settle(app, pilot)
        text = chart_text()
        assert "committed 67 · added 8 · removed 0 · done 6\nleft 69 on 03-11" in text
        assert "03-11  IT-14 added (+8 pt)" in text

        await pilot.press("v")
        await settle(app, pilot)
        text = chart_text()
        assert "Velocity · committed vs done, last 1 closed sprint" in text
        assert "IT      18/18     18" in text
        assert "EXEC     0/0      0" in text

        await pilot.press("v")
        await settle(app, pilot)
        text = chart_text()
        assert "Cumulative flow · Sprint 42" in text
        assert "03-11: Backlog 1 · To do 7 · Doing 5 · Review 4 · Done 4" in text

        await pilot.press("v")
        await settle(app, pilot)
        assert screen.view == "capacity"
        assert screen.query_one(CapacityBars).display
        assert not screen.query_one(ChartPanel).display


async def test_burndown_of_a_planned_sprint_says_when_it_begins(board_app: AppFactory) -> None:
    from sprintboard.widgets.charts import ChartPanel

    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_planning(app, pilot)
        await pilot.press("C")
        assert await wait_until(pilot, lambda: isinstance(app.screen, CloseSprintScreen))
        await pilot.press("B", "y")
        await settle(app, pilot)
        assert await wait_until(pilot, lambda: isinstance(app.screen, SprintReportScreen))
        await pilot.press("escape")
        await settle(app, pilot)
        assert present(screen.model.sprint_row)["name"] == "Sprint 43"
        await pilot.press("v")
        await settle(app, pilot)
        notes = str(screen.query_one(ChartPanel).query_one("#chart-notes").render())
        assert "Sprint 43 has not started and no sprint is active" in notes
