"""The board's filters, swimlanes and sprint switching, driven from the keyboard and
checked on screen."""

from __future__ import annotations

from textual.widgets import Input, SelectionList

from sprintboard.models import Card
from sprintboard.screens.dialogs import (
    PickerScreen,
    TeamFilterScreen,
)
from sprintboard.views.board import COLUMNS
from sprintboard.vocabulary import Status
from sprintboard.widgets.board_grid import BoardGrid

from .conftest import SIZE, SPRINT_42, AppFactory, Probe, current_screen, settle

# -- filters, swimlanes, sprints ------------------------------------------------------------


async def test_text_filter(board_app: AppFactory, probe: Probe) -> None:
    app = board_app()
    sprint = probe.active_sprint()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("slash")
        await pilot.press(*"Checkout")
        await pilot.press("enter")
        await settle(app, pilot)

        with probe.store() as store:
            matching = {
                s: [c["key"] for c in store.cards.query(sprint=sprint, status=s, text="checkout")]
                for s in COLUMNS
            }
        shown = probe.shown(app)
        assert shown == matching
        assert sum(map(len, shown.values())) < 20
        assert shown["todo"][:2] == ["ECOM-2", "IT-5"]
        assert "filtered: text “Checkout”" in probe.header(app)
        text = probe.grid_text(app)
        assert "ECOM-4" not in text  # Klarna: no checkout in it
        assert "One-page checkout: co" in text
        assert not app.screen.query_one("#filter", Input).display  # enter closes the box
        assert probe.stored(sprint) == SPRINT_42  # filtering writes nothing

        # Keys act on what is shown: the first visible card moves, in the database too.
        assert probe.selected(app) == "ECOM-2"
        await pilot.press("L")
        await settle(app, pilot)
        assert probe.shown(app)["doing"][-1] == "ECOM-2"
        assert probe.stored(sprint)["doing"][-1] == "ECOM-2"
        assert "ECOM-2" in probe.column_text(app, "doing")

        await pilot.press("escape")
        await settle(app, pilot)
        assert "filtered" not in probe.header(app)
        assert probe.shown(app) == probe.stored(sprint)


async def test_a_filter_shows_the_cards_of_a_column_scrolled_past_them(
    board_app: AppFactory, probe: Probe
) -> None:
    """A column scrolled far down, then filtered to a few cards, shows those cards: not
    the empty stretch past its new end (until the cursor happens to visit it)."""
    sprint = probe.active_sprint()
    with probe.store() as store:
        for n in range(40):
            store.cards.add(
                Card(title=f"Filler {n}", team="IT", status=Status.TODO), sprint_id=sprint
            )
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        await pilot.press("right", "right")  # IT-4 in Doing, a checkout card: kept selected
        grid = app.screen.query_one(BoardGrid)
        grid.scroll_column(COLUMNS.index("todo"), 100)  # the mouse wheel, far down
        await settle(app, pilot)
        assert "ECOM-2" not in probe.column_text(app, "todo")
        await pilot.press("slash", *"Checkout", "enter")
        await settle(app, pilot)
        assert probe.selected(app) == "IT-4"
        assert probe.shown(app)["todo"][:2] == ["ECOM-2", "IT-5"]
        assert "ECOM-2" in probe.column_text(app, "todo")
        assert "IT-5" in probe.column_text(app, "todo")


async def test_team_filter(board_app: AppFactory, probe: Probe) -> None:
    app = board_app()
    sprint = probe.active_sprint()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("t")
        await settle(app, pilot)
        assert isinstance(app.screen, TeamFilterScreen)
        text = probe.screen_text(app)
        assert "Show cards of teams" in text
        assert "MKT   Marketing" in text
        # The first two teams (MKT, IT) toggled on with space, then applied with enter.
        await pilot.press("space", "down", "space", "enter")
        await settle(app, pilot)
        assert probe.board(app) is current_screen(app)

        chosen = {"MKT", "IT"}
        with probe.store() as store:
            expected = {
                s: [
                    c["key"]
                    for c in store.cards.query(sprint=sprint, status=s)
                    if chosen.intersection(c["teams"])
                ]
                for s in COLUMNS
            }
        shown = probe.shown(app)
        assert shown == expected
        assert "IT-4" in shown["doing"] and "MKT-3" in shown["doing"]
        assert "CNT-2" not in shown["doing"]  # a content card with no IT or MKT part
        assert "filtered: teams IT,MKT" in probe.header(app)
        text = probe.grid_text(app)
        assert "CNT-2" not in text
        assert "IT-4" in text
        assert probe.stored(sprint) == SPRINT_42  # filtering writes nothing

        # The dialog opens with the current choice ticked; `*` shows every team again.
        await pilot.press("t")
        await settle(app, pilot)
        assert app.screen.query_one("SelectionList", SelectionList).selected == ["MKT", "IT"]
        await pilot.press("asterisk")
        await settle(app, pilot)
        assert probe.shown(app) == SPRINT_42
        assert "filtered" not in probe.header(app)


async def test_swimlanes(board_app: AppFactory, probe: Probe) -> None:
    app = board_app()
    sprint = probe.active_sprint()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("w")
        await settle(app, pilot)
        assert "swimlanes" in probe.header(app)
        board = probe.board(app)
        order = board.model.team_order
        with probe.store() as store:
            teams_here = {c["team"] for c in store.cards.query(sprint=sprint)}
        lines = probe.lines(app)
        # A lane header runs across every column: the team code at the top of each.
        lane_lines = [
            line.split()[0]
            for line in lines
            if len(line.split()) == len(COLUMNS) and len(set(line.split())) == 1 and "─" not in line
        ]
        visible = [code for code in order if code in teams_here][: len(lane_lines)]
        assert lane_lines == visible
        assert lane_lines[:2] == ["MKT", "IT"]
        # Within a column, cards are grouped by team in the teams' order.
        for status, keys in probe.shown(app).items():
            ranks = [order.index(k.split("-")[0]) for k in keys]
            assert ranks == sorted(ranks), status
            assert sorted(keys) == sorted(SPRINT_42[status])
        assert probe.stored(sprint) == SPRINT_42  # lanes write nothing

        # A card does not leave its lane by reordering: nothing moves, in the db either.
        board.model.select("IT-5")
        await pilot.press("K", "J")
        await settle(app, pilot)
        assert probe.stored(sprint) == SPRINT_42

        await pilot.press("w")
        await settle(app, pilot)
        assert "swimlanes" not in probe.header(app)
        assert probe.shown(app) == SPRINT_42


async def test_switch_sprint_to_backlog_and_back(board_app: AppFactory, probe: Probe) -> None:
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("s")
        await settle(app, pilot)
        assert isinstance(app.screen, PickerScreen)
        text = probe.screen_text(app)
        assert "Sprint 43  (planned" in text
        assert "Backlog (cards in no sprint)" in text
        # Newest sprint first; the backlog is the last choice.
        await pilot.press("end", "enter")
        await settle(app, pilot)
        assert probe.board(app) is current_screen(app)
        backlog = probe.stored(None)
        assert sum(map(len, backlog.values())) > 0
        assert probe.shown(app) == backlog
        assert "Backlog (cards in no sprint)" in probe.header(app)
        first = next(keys[0] for keys in backlog.values() if keys)
        assert first in probe.grid_text(app)

        # Moves on the backlog board write to backlog cards.
        selected = probe.selected(app)
        assert selected is not None
        await pilot.press("L")
        await settle(app, pilot)
        assert probe.shown(app) == probe.stored(None)
        assert probe.existing_card(selected)["sprint_id"] is None

        await pilot.press("s")
        await settle(app, pilot)
        await pilot.press("home", "enter")  # Sprint 43
        await settle(app, pilot)
        with probe.store() as store:
            planned = next(s for s in store.sprints.list() if s["name"] == "Sprint 43")
        assert probe.shown(app) == probe.stored(planned["id"])
        assert "Sprint 43 · planned" in probe.header(app)
        assert f"{planned['cards']} cards" in probe.header(app)


async def test_switch_sprint_can_be_cancelled(board_app: AppFactory, probe: Probe) -> None:
    app = board_app()
    sprint = probe.active_sprint()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.press("s")
        await settle(app, pilot)
        await pilot.press("escape")
        await settle(app, pilot)
        assert probe.shown(app) == probe.stored(sprint) == SPRINT_42
        assert "Sprint 42" in probe.header(app)


async def test_wip_counts_the_whole_column_with_a_filter_on(
    board_app: AppFactory, probe: Probe
) -> None:
    from sprintboard.config import Settings

    # Doing holds five cards in the demo's Sprint 42: over a limit of four.
    app = board_app(settings=Settings(wip_limits={"doing": 4, "review": 5}))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(app, pilot)
        doing = probe.column_text(app, "doing").splitlines()[0]
        assert "Doing ⚠ OVER WIP 5/4" in doing  # the points give way at this width
        await pilot.press("slash")
        await pilot.press(*"Checkout")
        await pilot.press("enter")
        await settle(app, pilot)
        assert len(probe.shown(app)["doing"]) == 1  # the filter leaves one Doing card...
        doing = probe.column_text(app, "doing").splitlines()[0]
        # ...and the limit still counts five ("· 1 shown" gives way at this width).
        assert "Doing ⚠ OVER WIP 5/4" in doing
        review = probe.column_text(app, "review").splitlines()[0]
        assert "Review 2 of 4 · WIP 4/5" in review
        todo = probe.column_text(app, "todo").splitlines()[0]
        assert "To do 3 of 6 · 23pt" in todo
        # A move with the filter on counts in the whole columns too.
        assert probe.selected(app) == "ECOM-2"
        await pilot.press("L")
        await settle(app, pilot)
        assert "Doing ⚠ OVER WIP 6/4" in probe.column_text(app, "doing")
        assert "To do 2 of 5 · " in probe.column_text(app, "todo")
