"""The sprint planning screen driven from the keyboard: every change checked in the database
and on screen (the lists, the capacity bars, the charts)."""

from __future__ import annotations

from pathlib import Path

from rich.segment import Segment
from textual.color import Color

from sprintboard.app import make_app
from sprintboard.config import Settings
from sprintboard.models import Card, validate
from sprintboard.screens.card_detail import CardDetailScreen
from sprintboard.screens.dialogs import PickerScreen, TeamFilterScreen
from sprintboard.screens.planning import PlanningScreen
from sprintboard.screens.sprint_dialogs import CloseSprintScreen
from sprintboard.store import Store
from sprintboard.tui import SprintboardApp
from sprintboard.widgets.capacity_bars import CapacityBars, load_words

from .conftest import SIZE, AppFactory, Probe, messages, wait_until
from .planning_driver import (
    BACKLOG,
    bar_line,
    bars,
    drawn,
    keys,
    open_planning,
    planning,
    present,
    settle,
    shown_capacity,
    stored_capacity,
    team_lines,
)

# -- opening ----------------------------------------------------------------------------------


async def test_opens_on_the_active_sprint_beside_the_backlog(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_planning(app, pilot)
        assert screen.model.sprint_row is not None
        assert screen.model.sprint_row["name"] == "Sprint 42"
        assert keys(app, "backlog") == BACKLOG
        with probe.store() as store:
            assert sorted(keys(app, "sprint")) == sorted(
                c["key"] for c in store.cards.query(sprint=probe.active_sprint())
            )
        header = str(screen.query_one("#planning-header").render())
        assert (
            "Sprint planning · Sprint 42 · active · 67/166 pt · 2026-03-04 → 2026-03-17" in header
        )
        assert drawn(app, "backlog")[0].startswith(" Backlog · 20 cards · 99 pt")
        assert drawn(app, "backlog")[1].startswith("▶MKT-6    3 high")
        assert drawn(app, "sprint")[0].startswith(" Sprint 42 · active · 20 cards · 67 pt")
        # Capacity per team: what sprint_capacity() says, velocity over Sprint 41.
        assert shown_capacity(app) == stored_capacity(probe)
        it = team_lines(app, "IT")
        assert "26/40 pt" in it
        assert "velocity 18 (+8 over) · feedback 19% / 20%" in it
        # A cross-team card counts for its owner, and names the teams it also loads.
        assert "also loads ECOM (IT-4 IT-6), DATA (IT-8)" in it
        assert "over" not in bar_line(app, "IT")
        assert "velocity: Sprint 41" in "\n".join(bars(app))


async def test_feedback_target_comes_from_the_settings(board_app: AppFactory) -> None:
    app = board_app(settings=Settings(feedback_share_target=30))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_planning(app, pilot)
        assert "feedback 42% / 30%" in team_lines(app, "ECOM")


async def test_sprint_capacity_override_is_used_and_marked(
    board_app: AppFactory, probe: Probe
) -> None:
    with probe.store() as store:
        store.sprints.set_capacity("Sprint 42", "IT", 20)
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_planning(app, pilot)
        assert "26/20 pt* (usual 40)  +6 over" in bar_line(app, "IT")
        assert shown_capacity(app)["IT"] == (26, 20) == stored_capacity(probe)["IT"]


# -- moving cards in and out ------------------------------------------------------------------


def bar_colours(app: SprintboardApp, team: str) -> set[str]:
    """The colours of a team's filled bar cells."""
    widget = planning(app).query_one(CapacityBars)
    for y in range(widget.size.height):
        strip = widget.render_line(y)
        if strip.text.startswith(f"▌{team} "):
            return {
                Color.from_rich_color(s.style.color).hex
                for s in strip
                if isinstance(s, Segment) and set(s.text) == {"█"} and s.style and s.style.color
            }
    raise AssertionError(f"no bar for {team}")


async def test_move_cards_in_and_out_updates_db_lists_and_capacity(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app()
    sprint = probe.active_sprint()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_planning(app, pilot)
        error = Color.parse(app.theme_variables["error"]).hex
        await pilot.press("j", "j", "j", "j")  # IT-14, 8 points
        assert present(planning(app).model.backlog.selected())["key"] == "IT-14"
        await pilot.press(">")
        # At once, before the write lands: the bars follow the move.
        assert "34/40 pt" in bar_line(app, "IT")
        await settle(app, pilot)
        card = probe.card("IT-14")
        assert card is not None
        assert (card["sprint_id"], card["status"]) == (sprint, "todo")
        assert "IT-14" in keys(app, "sprint")
        assert "IT-14" not in keys(app, "backlog")
        assert any(line[1:].startswith("IT-14    8 high ○") for line in drawn(app, "sprint"))
        assert shown_capacity(app) == stored_capacity(probe)

        # The backlog cursor stayed in place: IT-11 (13 points) is next; > moves it too.
        await pilot.press("greater_than_sign")
        await settle(app, pilot)
        assert probe.existing_card("IT-11")["sprint_id"] == sprint
        line = bar_line(app, "IT")
        assert "47/40 pt  +7 over" in line
        assert error in bar_colours(app, "IT")
        assert error not in bar_colours(app, "ECOM")
        assert "1 team over capacity" in bars(app)[0]
        assert shown_capacity(app) == stored_capacity(probe)
        # The line is cut with an ellipsis where the panel ends; the words are whole.
        assert "also loads ECOM (IT-4 IT-6 IT-11), DATA (IT-" in team_lines(app, "IT")
        it_load = next(t for t in present(planning(app).plan).teams if t.team == "IT")
        assert load_words(it_load).startswith(
            "also loads ECOM (IT-4 IT-6 IT-11), DATA (IT-8 IT-11)"
        )
        assert "Backlog · 18 cards · 78 pt" in drawn(app, "backlog")[0]

        # Back out: tab to the sprint list, where the last card moved in is selected.
        await pilot.press("tab")
        assert present(planning(app).model.sprint.selected())["key"] == "IT-11"
        assert app.focused is planning(app).query_one("#planning-sprint")
        await pilot.press("<")
        await settle(app, pilot)
        card = probe.card("IT-11")
        assert card is not None
        assert (card["sprint_id"], card["status"]) == (None, "backlog")
        assert "IT-11" in keys(app, "backlog")
        assert "IT-11" not in keys(app, "sprint")
        assert "34/40 pt" in bar_line(app, "IT")
        assert "over" not in bar_line(app, "IT")
        assert shown_capacity(app) == stored_capacity(probe)


async def test_a_done_card_stays_in_its_sprint(board_app: AppFactory, probe: Probe) -> None:
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_planning(app, pilot)
        await pilot.press("tab")
        assert screen.model.sprint.select("CS-2")  # done
        await pilot.press("<")
        await settle(app, pilot)
        assert "CS-2 is done: it stays in the sprint's history" in messages(app)
        assert probe.existing_card("CS-2")["sprint_id"] == probe.active_sprint()
        assert "CS-2" in keys(app, "sprint")


async def test_a_closed_sprint_takes_no_cards(board_app: AppFactory, probe: Probe) -> None:
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_planning(app, pilot)
        await pilot.press("s")
        assert await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen))
        await pilot.press("end", "enter")  # oldest first from the end: Sprint 41, closed
        await settle(app, pilot)
        assert present(screen.model.sprint_row)["name"] == "Sprint 41"
        await pilot.press(">")
        await settle(app, pilot)
        assert any("Sprint 41 is closed" in m for m in messages(app))
        assert probe.existing_card("MKT-6")["sprint_id"] is None
        assert keys(app, "backlog") == BACKLOG


# -- priority ---------------------------------------------------------------------------------


async def test_priority_up_and_down(board_app: AppFactory, probe: Probe) -> None:
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_planning(app, pilot)
        assert screen.model.backlog.select("IT-11")  # medium, the first medium card
        await pilot.press("K")
        await settle(app, pilot)
        assert probe.existing_card("IT-11")["priority"] == "high"
        # Among the high cards now, first by position (it is the oldest backlog card).
        assert keys(app, "backlog")[:6] == ["IT-11", "MKT-6", "CS-5", "IT-12", "ECOM-8", "IT-14"]
        assert present(screen.model.backlog.selected())["key"] == "IT-11"
        assert drawn(app, "backlog")[1].startswith("▶IT-11   13 high")
        await pilot.press("K", "K")  # urgent is the top: the second K does nothing
        await settle(app, pilot)
        assert probe.existing_card("IT-11")["priority"] == "urgent"
        await pilot.press("J", "J", "J", "J", "J")  # low is the bottom
        await settle(app, pilot)
        assert probe.existing_card("IT-11")["priority"] == "low"
        assert keys(app, "backlog")[-8:] == [
            "IT-11", "ECOM-6", "CNT-5", "DATA-5", "WH-6", "CNT-6", "CS-6", "ECOM-9"
        ]  # fmt: skip
        # The sprint list too, with focus there.
        await pilot.press("tab")
        first = keys(app, "sprint")[0]
        await pilot.press("J")
        await settle(app, pilot)
        assert probe.existing_card(first)["priority"] == "high"


# -- filters, card detail, other screens' changes -----------------------------------------------


async def test_filters_narrow_the_backlog_only(board_app: AppFactory, probe: Probe) -> None:
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_planning(app, pilot)
        sprint_keys = keys(app, "sprint")
        await pilot.press("slash", *"checkout")
        await settle(app, pilot)
        assert keys(app, "backlog") == ["CS-5", "IT-13"]
        assert keys(app, "sprint") == sprint_keys
        assert drawn(app, "backlog")[0].startswith(" Backlog · 2 cards · 10 pt (of 20)")
        header = str(planning(app).query_one("#planning-header").render())
        assert "backlog filtered: text “checkout”" in header
        await pilot.press("enter", "escape")
        await settle(app, pilot)
        assert keys(app, "backlog") == BACKLOG

        await pilot.press("t")
        assert await wait_until(pilot, lambda: isinstance(app.screen, TeamFilterScreen))
        await pilot.press("down", "space", "enter")  # IT: its own cards and those it helps
        await settle(app, pilot)
        with probe.store() as store:
            expected = {c["key"] for c in store.cards.query(sprint=None, team="IT")}
        assert set(keys(app, "backlog")) == expected
        assert "IT-11" in expected

        await pilot.press("g")
        assert await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen))
        await pilot.press("down", "enter")  # the first goal
        await settle(app, pilot)
        with probe.store() as store:
            goal = store.goals.list()[0]["id"]
            expected = {c["key"] for c in store.cards.query(sprint=None, team="IT", goal=goal)}
        assert set(keys(app, "backlog")) == expected
        await pilot.press("escape")
        await settle(app, pilot)
        assert keys(app, "backlog") == BACKLOG


async def test_enter_on_the_sprint_list_opens_the_card(board_app: AppFactory) -> None:
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_planning(app, pilot)
        await pilot.press("tab", "enter")
        assert await wait_until(pilot, lambda: isinstance(app.screen, CardDetailScreen))
        assert app.screen.key == screen.model.sprint.selected()["key"]  # type: ignore[attr-defined,index]


async def test_changes_made_on_the_board_show_when_coming_back(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_planning(app, pilot)
        assert "ECOM-4" in keys(app, "sprint")
        await pilot.press("1")  # the board, on Sprint 42 with ECOM-4 selected in Backlog
        await settle(app, pilot)
        await pilot.press("d", "y")  # delete it
        await settle(app, pilot)
        assert probe.card("ECOM-4") is None
        await open_planning(app, pilot)
        assert "ECOM-4" not in keys(app, "sprint")
        assert shown_capacity(app) == stored_capacity(probe)


async def test_reload_picks_up_another_process_s_change(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_planning(app, pilot)
        with probe.store() as store:
            store.cards.move("MKT-6", status="todo", sprint_id=probe.active_sprint())
        await pilot.press("r")
        await settle(app, pilot)
        assert "MKT-6" in keys(app, "sprint")
        assert "MKT-6" not in keys(app, "backlog")


# -- keys and palette ---------------------------------------------------------------------------


async def test_every_binding_is_described_and_in_the_palette(board_app: AppFactory) -> None:
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_planning(app, pilot)
        for binding in PlanningScreen.BINDINGS:
            assert binding.description  # type: ignore[union-attr]
        titles = [c.title for c in screen.palette_commands()]
        for wanted in ("Into sprint", "To backlog", "Start", "Close", "Chart", "Sprint"):
            assert wanted in titles
        assert "Up" not in titles and "Page up" not in titles
        helps = [c.help for c in screen.palette_commands()]
        assert "Sprint planning: start (key S)" in helps
        commands = [c.title for c in app.get_system_commands(screen)]
        assert "Go to Planning" in commands
        assert "Start" in commands


async def test_dialogs_reload_the_screen_only_after_a_change(
    board_app: AppFactory, probe: Probe
) -> None:
    """A reload reads the whole backlog (10,000 cards at scale): never for nothing."""
    # No polling: the count is of the reloads that coming back from a dialog makes, and a
    # poll landing between the outside edit and `escape` would add one under load.
    app = board_app(live_refresh=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_planning(app, pilot)
        loads = 0
        load = screen.load

        async def counted() -> None:
            nonlocal loads
            loads += 1
            await load()

        screen.load = counted  # type: ignore[method-assign]
        await pilot.press("s")
        assert await wait_until(pilot, lambda: isinstance(app.screen, PickerScreen))
        await pilot.press("escape")
        await pilot.press("C")
        assert await wait_until(pilot, lambda: isinstance(app.screen, CloseSprintScreen))
        await pilot.press("escape")
        await settle(app, pilot)
        assert loads == 0
        # The card detail edits through its own form: coming back shows the change.
        await pilot.press("tab", "enter")
        assert await wait_until(pilot, lambda: isinstance(app.screen, CardDetailScreen))
        key = app.screen.key  # type: ignore[attr-defined]
        with probe.store() as store:
            store.cards.edit(key, {"title": "Renamed while the detail was open"})
        await pilot.press("escape")
        await settle(app, pilot)
        assert loads == 1
        assert present(screen.model.sprint.selected())["title"] == (
            "Renamed while the detail was open"
        )


# -- an empty plan, hostile text ------------------------------------------------------------------


async def test_a_plan_with_no_sprint_says_so(store: Store, db_path: Path) -> None:
    store.cards.add(validate(Card, {"title": "First idea", "team": "IT", "points": 3}))
    clock = store.clock
    store.close()
    app = make_app(db_path, clock=clock, settings=Settings(), live_refresh=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_planning(app, pilot)
        assert screen.model.sprint_row is None
        assert keys(app, "backlog") == ["IT-1"]
        said = " ".join(line.strip() for line in bars(app) if line.strip())
        assert said == "No sprint yet: add one with 'sprintboard sprint add'."
        for key in (">", "S", "C"):
            await pilot.press(key)
            await settle(app, pilot)
        assert messages(app) == [
            "no sprint to plan into: add one (sprintboard sprint add NAME ...)",
            "no sprint to start: add one first",
            "no active sprint to close",
        ]
        await pilot.press("v")
        await settle(app, pilot)
        assert "no sprint is active: the burndown begins when one starts" in str(
            screen.query_one("#chart-notes").render()
        )


async def test_user_text_is_shown_literally(board_app: AppFactory, probe: Probe) -> None:
    with probe.store() as store:
        store.sprints.edit("Sprint 42", {"name": "[red]S42[/red]", "goal": "[bold]goal"})
        card = validate(Card, {"title": "[b]x\x1b[2J[/b]", "team": "IT", "priority": "urgent"})
        store.cards.add(card)
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_planning(app, pilot)
        assert drawn(app, "backlog")[1].startswith("▶IT-15    ? urg!")
        assert "[b]x" in drawn(app, "backlog")[1]
        assert "\x1b" not in "".join(drawn(app, "backlog"))
        header = str(screen.query_one("#planning-header").render())
        assert "[red]S42[/red] · active" in header
        assert "goal: [bold]goal" in header
        assert drawn(app, "sprint")[0].startswith(" [red]S42[/red] · active")
