"""The goals screen driven from the keyboard: what it shows, and every write checked in the db.

The demo organisation at the tests' 'now' (2026-03-11): G1 'Lift conversion rate'
(2.1 -> 2.4 -> 2.8 %, on track, signed off by Ingrid Bakker), G2 'Cut cart abandonment'
(71 -> 68.5 -> 60 %, a falling target, at risk while on track is suggested, not signed off),
G3 'Ship on time, every time' (88 -> 91 -> 97 %, signed off by Marc Dubois).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from textual.binding import Binding
from textual.widgets import Input, OptionList

from sprintboard.models import Goal
from sprintboard.planning.goals import goal_progress
from sprintboard.screens.board import BoardScreen
from sprintboard.screens.card_detail import CardDetailScreen
from sprintboard.screens.goal_dialogs import GoalFormScreen, SignoffScreen, StatusScreen
from sprintboard.screens.goals import GoalCardsScreen, GoalsScreen
from sprintboard.tui import SprintboardApp

from . import conftest
from .conftest import (
    SCREEN_KEYS,
    SIZE,
    AppFactory,
    Probe,
    current_screen,
    messages,
    open_screen,
    type_into,
    wait_until,
)

# These tests settle in three rounds after every key, one more than conftest's default.
settle = partial(conftest.settle, rounds=3)
press = partial(conftest.press_each, rounds=3)


async def open_goals(app: SprintboardApp, pilot: Any) -> GoalsScreen:
    return await open_screen(app, pilot, "goals", GoalsScreen, rounds=3)


def goals_screen(app: SprintboardApp) -> GoalsScreen:
    return next(s for s in reversed(app.screen_stack) if isinstance(s, GoalsScreen))


def goal_row(probe: Probe, goal_id: int) -> dict[str, Any]:
    with probe.store() as store:
        return store.goals.get(goal_id)


def activity_count(probe: Probe) -> int:
    with probe.store() as store:
        return int(store.scalar("SELECT COUNT(*) FROM activity"))


def changed_fields(probe: Probe, after: int) -> set[str]:
    """The goal fields the activity log recorded as changed after the first `after` entries."""
    with probe.store() as store:
        rows = store.rows(
            "SELECT field FROM activity WHERE entity = 'goal' AND id > ? AND field IS NOT NULL"
            " AND field != 'updated_at'",
            [after],
        )
    return {r["field"] for r in rows}


# -- what it shows -----------------------------------------------------------------------------


async def test_each_goal_shows_kpi_roi_status_signoff_and_cards(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app(live_refresh=0)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_goals(app, pilot)
        with probe.store() as store:
            expected = goal_progress(store)
        assert [g.id for g in screen.goals] == [g.id for g in expected] == [1, 2, 3]
        selected = screen.selected()
        assert selected is not None and selected.id == 1
        text = probe.screen_text(app)
        assert "Goals · 3 goals · 2 signed off · 1 at risk · 0 off track · today 2026-03-11" in text
        lines = text.splitlines()
        g1 = next(i for i, line in enumerate(lines) if "G1   Lift conversion rate" in line)
        block = "\n".join(lines[g1 : g1 + 5])
        assert "● on track" in block and "✓ as suggested: 43% of the way" in block
        assert "2.1% → 2.4% → 2.8%" in block and " 43%  ↑ higher is better" in block
        assert "expected ROI 420,000" in block
        assert "cards 22 · 6/106 points done" in block and "   6%" in block
        assert "MKT 0/17 · IT 0/45 · ECOM 0/21 · EXEC 1/1 ✓" in block
        # The demo's goals were set (and signed off) when its oldest sprint began.
        assert "sponsor Ingrid Bakker   ✔ signed off by Ingrid Bakker · 2026-02-18 09:00" in block
        # The falling target: 71 -> 68.5 of the way to 60 is 23%, and the bar says which way.
        g2 = next(i for i, line in enumerate(lines) if "G2   Cut cart abandonment" in line)
        block = "\n".join(lines[g2 : g2 + 5])
        assert "● at risk   ⚠ suggested ● off track: 23% of the way" in block
        assert (
            "71% → 68.5% → 60%" in block
            and "█████░" in block
            and " 23%  ↓ lower is better" in block
        )
        assert "✗ not signed off (y signs off)" in block
        progress = expected[1].kpi_progress
        assert progress is not None and round(progress, 2) == 0.23


async def test_a_kpi_that_moved_the_wrong_way_and_one_past_its_target(
    board_app: AppFactory, probe: Probe
) -> None:
    with probe.store() as store:
        store.goals.edit(2, {"current": 74})  # abandonment went up: the wrong way
        store.goals.edit(3, {"current": 98})  # on-time shipping beat its target
    app = board_app(live_refresh=0)
    async with app.run_test(size=SIZE) as pilot:
        await open_goals(app, pilot)
        text = probe.screen_text(app)
        assert "71% → 74% → 60%" in text and "░" * 24 + " -27% wrong way" in text
        assert "88% → 98% → 97%" in text and "█" * 24 + " 111% ✓" in text
        assert "✓ as suggested: target reached" in text


async def test_user_text_is_shown_literally(board_app: AppFactory, probe: Probe) -> None:
    title = "[b]Bold[/b] claims & [red]markup[/]"
    with probe.store() as store:
        store.goals.add(Goal(title=title, kpi="[i]kpi[/i]", sponsor="[u]Sam[/u]"))
    app = board_app(live_refresh=0)
    async with app.run_test(size=SIZE) as pilot:
        await open_goals(app, pilot)
        text = probe.screen_text(app)
        assert title in text and "[i]kpi[/i]" in text and "sponsor [u]Sam[/u]" in text


# -- sign-off, status ------------------------------------------------------------------------


async def test_signoff_defaults_to_the_sponsor_and_is_stored(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app(live_refresh=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_goals(app, pilot)
        assert goal_row(probe, 2)["signed_off_by"] is None
        await press(app, pilot, "j", "y")
        assert isinstance(app.screen, SignoffScreen)
        assert app.screen.query_one(Input).value == "Ingrid Bakker"  # the sponsor
        await press(app, pilot, "enter")
        assert await wait_until(pilot, lambda: goal_row(probe, 2)["signed_off_by"] is not None)
        await settle(app, pilot)
        row = goal_row(probe, 2)
        assert row["signed_off_by"] == "Ingrid Bakker"
        assert row["signed_off_at"].startswith("2026-03-11T10:30")
        assert current_screen(app) is screen
        assert "G2 signed off by Ingrid Bakker" in messages(app)
        assert "sponsor Ingrid Bakker   ✔ signed off by Ingrid Bakker · 2026-03-11 10:30" in (
            "\n".join(line for line in probe.screen_lines(app) if "Ingrid" in line)
        )
        assert "✗ not signed off" not in probe.screen_text(app)


async def test_signoff_by_someone_else_and_an_empty_name_refused(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app(live_refresh=0)
    async with app.run_test(size=SIZE) as pilot:
        await open_goals(app, pilot)
        before = activity_count(probe)
        await press(app, pilot, "j", "y")
        await type_into(app, pilot, "#signoff-who", "")
        await press(app, pilot, "enter")
        assert isinstance(app.screen, SignoffScreen)  # still open, saying why
        assert "by: name who signs off (must not be empty)" in probe.screen_text(app)
        assert activity_count(probe) == before and goal_row(probe, 2)["signed_off_by"] is None
        await type_into(app, pilot, "#signoff-who", "Marc Dubois")
        await press(app, pilot, "enter")
        assert await wait_until(pilot, lambda: goal_row(probe, 2)["signed_off_by"] is not None)
        assert goal_row(probe, 2)["signed_off_by"] == "Marc Dubois"


async def test_status_is_set_from_the_screen(board_app: AppFactory, probe: Probe) -> None:
    app = board_app(live_refresh=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_goals(app, pilot)
        await press(app, pilot, "j", "o")
        assert isinstance(app.screen, StatusScreen)
        dialog_text = probe.screen_text(app)
        # G2: 23% of the way with 78% of the time gone, so off track is suggested.
        assert "● at risk  (now)" in dialog_text and "● off track  ← suggested" in dialog_text
        await press(app, pilot, "down", "enter")  # at risk -> off track
        assert await wait_until(pilot, lambda: goal_row(probe, 2)["status"] == "off track")
        await settle(app, pilot)
        assert current_screen(app) is screen and screen.goals[1].status.value == "off track"
        assert "G2 is now off track" in messages(app)
        assert "1 off track" in probe.screen_text(app)
        # Escape changes nothing.
        before = activity_count(probe)
        await press(app, pilot, "o", "up", "escape")
        assert goal_row(probe, 2)["status"] == "off track" and activity_count(probe) == before


# -- the goal form ---------------------------------------------------------------------------


async def test_edit_with_a_bad_value_shows_one_line_and_keeps_the_db(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app(live_refresh=0)
    async with app.run_test(size=SIZE) as pilot:
        await open_goals(app, pilot)
        before, row = activity_count(probe), goal_row(probe, 1)
        await press(app, pilot, "e")
        form = app.screen
        assert isinstance(form, GoalFormScreen)
        assert form.query_one("#baseline", Input).value == "2.1"
        assert form.query_one("#expected_roi", Input).value == "420000"
        await type_into(app, pilot, "#baseline", "two")
        await press(app, pilot, "ctrl+s")
        assert app.screen is form
        error = str(form.query_one("#form-error").render())
        assert error == "⚠ baseline: must be a number, e.g. 2.5 (got 'two')"
        assert "\n" not in error
        assert goal_row(probe, 1) == row and activity_count(probe) == before
        # An empty title is the model's refusal, shown the same way.
        await type_into(app, pilot, "#baseline", "2.0")
        await type_into(app, pilot, "#title", "")
        await press(app, pilot, "ctrl+s")
        assert str(form.query_one("#form-error").render()).startswith("⚠ title: must not be empty")
        assert goal_row(probe, 1) == row
        # Fixed: saved, and only what changed is written.
        await type_into(app, pilot, "#title", "Lift conversion")
        await press(app, pilot, "ctrl+s")
        assert await wait_until(pilot, lambda: isinstance(app.screen, GoalsScreen))
        await settle(app, pilot)
        after = goal_row(probe, 1)
        assert after["title"] == "Lift conversion" and after["baseline"] == 2.0
        assert after["target"] == row["target"] and after["sponsor"] == row["sponsor"]
        assert changed_fields(probe, before) == {"title", "baseline"}
        assert "2% → 2.4% → 2.8%" in probe.screen_text(app)


async def test_new_goal(board_app: AppFactory, probe: Probe) -> None:
    app = board_app(live_refresh=0)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_goals(app, pilot)
        await press(app, pilot, "n")
        assert isinstance(app.screen, GoalFormScreen)
        for selector, text in [
            ("#title", "Faster delivery promise"),
            ("#kpi", "orders shipped same day"),
            ("#unit", "%"),
            ("#baseline", "40"),
            ("#current", "40"),
            ("#target", "75"),
            ("#expected_roi", "90000"),
            ("#sponsor", "Marc Dubois"),
        ]:
            await type_into(app, pilot, selector, text)
        await press(app, pilot, "ctrl+s")
        assert await wait_until(pilot, lambda: isinstance(app.screen, GoalsScreen))
        await settle(app, pilot)
        row = goal_row(probe, 4)
        assert (row["title"], row["kpi"], row["target"], row["expected_roi"]) == (
            "Faster delivery promise",
            "orders shipped same day",
            75.0,
            90000.0,
        )
        # No status chosen: it starts with the suggested one (nothing planned moves the KPI).
        assert row["signed_off_by"] is None and row["status"] == "at risk"
        selected = screen.selected()
        assert selected is not None and selected.id == 4
        text = probe.screen_text(app)
        assert "G4   Faster delivery promise" in text and "40% → 40% → 75%" in text
        assert "no cards planned in a sprint" in text and "no cards yet" in text


# -- drilling into a goal --------------------------------------------------------------------


async def test_drill_down_groups_cards_by_team_and_sprint_and_opens_one(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app(live_refresh=0)
    async with app.run_test(size=SIZE) as pilot:
        await open_goals(app, pilot)
        await press(app, pilot, "j", "enter")
        assert await wait_until(
            pilot, lambda: isinstance(app.screen, GoalCardsScreen) and app.screen.loaded
        )
        await settle(app, pilot)
        drill = app.screen
        assert isinstance(drill, GoalCardsScreen) and drill.goal_id == 2
        with probe.store() as store:
            expected = {c["key"] for c in store.cards.query(goal=2)}
        listing = drill.query_one("#goal-cards", OptionList)
        options = [listing.get_option_at_index(i) for i in range(listing.option_count)]
        cards = [o.id for o in options if not o.disabled]
        assert set(cards) == expected and len(cards) == len(expected) == 14
        # Team headings in team order, each team's sprints in date order, the backlog last.
        headings = [o.id for o in options if o.id and o.id.startswith("team:")]
        assert headings == ["team:MKT", "team:IT", "team:CS", "team:ECOM", "team:CNT", "team:DATA"]
        text = probe.screen_text(app)
        it = text.index("IT  IT · 7 cards · 10/28 points done")
        s41 = text.index("Sprint 41 · closed", it)
        s42 = text.index("Sprint 42 · active", it)
        backlog = text.index("Backlog (no sprint) · 0/8 points done", it)
        assert it < s41 < text.index("✓ IT-1 ", it) < s42 < text.index("IT-7 ", it) < backlog
        assert "Cut cart abandonment" in text.splitlines()[0]
        # The first card is highlighted; j moves past headings; enter opens the card.
        first = listing.get_option_at_index(listing.highlighted or 0).id
        assert first == "MKT-6"
        await press(app, pilot, "j")
        assert listing.get_option_at_index(listing.highlighted or 0).id == "IT-1"
        await press(app, pilot, "enter")
        assert await wait_until(pilot, lambda: isinstance(app.screen, CardDetailScreen))
        assert isinstance(app.screen, CardDetailScreen) and app.screen.key == "IT-1"
        await press(app, pilot, "escape")
        assert current_screen(app) is drill
        await press(app, pilot, "escape")
        assert isinstance(app.screen, GoalsScreen)


async def test_changes_elsewhere_show_without_a_keypress(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app(live_refresh=0)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_goals(app, pilot)
        with probe.store() as store:  # the CLI in another terminal
            store.goals.signoff(2, "Marc Dubois")
        await screen.poll()
        await settle(app, pilot)
        assert "✔ signed off by Marc Dubois · 2026-03-11 10:30" in "\n".join(
            line for line in probe.screen_lines(app) if "Cut cart" in line or "Marc" in line
        )
        assert screen.goals[1].signed_off_by == "Marc Dubois"


# -- keys, help and the palette --------------------------------------------------------------


async def test_every_binding_is_described_and_in_the_palette(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app(live_refresh=0)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_goals(app, pilot)
        for cls in (GoalsScreen, GoalCardsScreen):
            for binding in cls.BINDINGS:
                assert isinstance(binding, Binding) and binding.description, binding
        titles = [c.title for c in screen.palette_commands()]
        assert titles == [
            "Cards",
            "Status",
            "Sign off",
            "Edit",
            "New goal",
            "KPI & money",
            "Reload",
        ]
        commands = [c.title for c in app.get_system_commands(app.screen)]
        assert "Go to Goals" in commands and "Sign off" in commands
        await press(app, pilot, "question_mark")
        text = probe.screen_text(app)
        assert "Goals" in text and "Sign off" in text


async def test_goals_follow_a_card_moved_on_the_board_of_this_app(
    board_app: AppFactory, probe: Probe
) -> None:
    # The board writes through this app's own connection, which SQLite's data_version does
    # not count: coming back, the goals must still show the move.
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_goals(app, pilot)
        goal = next(g for g in screen.goals if g.done_points < g.points)
        before = goal.done_points
        await press(app, pilot, "1")
        board = app.screen
        assert isinstance(board, BoardScreen)
        card = next(
            c
            for c in board.model.cards
            if c["goal"] == goal.id and c["status"] != "done" and c["points"]
        )
        await board.backend.write(board.store.cards.move, card["key"], status="done")
        await press(app, pilot, SCREEN_KEYS["goals"])
        assert await wait_until(
            pilot,
            lambda: (
                next(g for g in screen.goals if g.id == goal.id).done_points
                == before + card["points"]
            ),
        )
        with probe.store() as store:
            assert store.cards.get(card["key"])["status"] == "done"


async def test_a_kpi_value_is_recorded_and_the_trend_shows_it(
    board_app: AppFactory, probe: Probe
) -> None:
    from sprintboard.screens.goal_kpi import GoalKpiScreen, MeasureScreen

    app = board_app(live_refresh=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_goals(app, pilot)
        await press(app, pilot, "dollar_sign")
        assert await wait_until(pilot, lambda: isinstance(app.screen, GoalKpiScreen))
        await settle(app, pilot)
        text = probe.screen_text(app)
        assert "KPI trend · conversion rate 2.1 → 2.8" in text
        assert "ROI" in text and "uncertain:" in text and "forecast:" in text
        await press(app, pilot, "a")
        assert isinstance(app.screen, MeasureScreen)
        await type_into(app, pilot, "#measure-value", "2,5")
        await press(app, pilot, "enter")
        assert "value: must be a number with a dot" in probe.screen_text(app)
        await type_into(app, pilot, "#measure-value", "2.55")
        await press(app, pilot, "enter")
        assert await wait_until(pilot, lambda: goal_row(probe, 1)["current"] == 2.55)
        await settle(app, pilot)
        with probe.store() as store:
            assert store.finance.measures(1)[-1]["value"] == 2.55
        kpi_screen: object = app.screen
        assert isinstance(kpi_screen, GoalKpiScreen)
        assert kpi_screen.kpi is not None and kpi_screen.kpi.measures[-1][1] == 2.55
        assert "G1: 2.55 on 2026-03-11 recorded" in messages(app)
