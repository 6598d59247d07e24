"""Planning, teams and help on an 80×24 terminal: titles, team loads, whole names and a
help that neither wraps into a jumble nor cuts a row; and how each looks again when wide."""

from __future__ import annotations

from functools import partial
from typing import Any

from rich.cells import cell_len
from textual.containers import VerticalScroll

from sprintboard.models import Card, validate
from sprintboard.screens.help import HelpScreen, HelpText
from sprintboard.screens.keymap import KEY_MAP
from sprintboard.screens.planning import PlanningScreen
from sprintboard.screens.teams import TeamsScreen
from sprintboard.tui import SprintboardApp
from sprintboard.widgets.capacity_bars import CapacityBars, CapacityStrip

from . import conftest
from .conftest import AppFactory, Probe, open_screen, wait_until

SMALL = (80, 24)
WIDE = (160, 45)
settle = partial(conftest.settle, rounds=3)
press = partial(conftest.press_each, rounds=3)


def line_of(lines: list[str], key: str) -> str:
    """The screen line where card `key` stands as a word."""
    return next(line for line in lines if f"{key} " in line.replace("▶", " ").replace("▌", " "))


def after(line: str, key: str, side: int) -> str:
    """The part of `line` in one list: the left half (0) or the right (1)."""
    half = line[: len(line) // 2] if side == 0 else line[len(line) // 2 :]
    return half.split(key, 1)[1] if key in half else ""


async def open_planning(app: SprintboardApp, pilot: Any) -> PlanningScreen:
    return await open_screen(app, pilot, "planning", PlanningScreen, rounds=3)


async def test_planning_at_80x24_shows_titles_and_every_team_s_load(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app()
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_planning(app, pilot)
        lines = probe.screen_lines(app)
        for side, cards in enumerate((screen.model.backlog.shown, screen.model.sprint.shown)):
            for card in cards[:5]:
                first_word = card["title"].split()[0]
                row = after(line_of(lines, card["key"]), card["key"], side)
                assert first_word in row, (card["key"], first_word, row)
        # Every team's planned/capacity points are on screen, under the lists.
        text = probe.screen_text(app)
        plan = screen.plan
        assert plan is not None
        for team in plan.teams:
            assert f"{team.team} {team.planned}/{team.capacity}" in text, team.team
        # The header keeps the sprint, its state and the points planned against capacity.
        assert f"Sprint 42 · active · {plan.planned}/{plan.capacity} pt" in lines[0]
        assert not screen.query_one(CapacityBars).region.width  # the panel gives way

        # v shows the capacity bars in place of the lists; tab brings the lists back.
        await press(app, pilot, "v")
        assert screen.query_one(CapacityBars).region.width >= 70
        assert "26/40 pt" in probe.screen_text(app)
        assert screen.lists.region.width == 0
        await press(app, pilot, "tab")
        assert screen.lists.region.width == 80
        assert "26/40 pt" not in probe.screen_text(app)
        assert "IT 26/40" in probe.screen_text(app)


async def test_a_move_on_the_narrow_panel_brings_the_lists_back(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app()
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_planning(app, pilot)
        await press(app, pilot, "v", "v")  # the burndown, in place of the lists
        assert screen.lists.region.width == 0
        key = screen.model.backlog.selected()["key"]  # type: ignore[index]
        await press(app, pilot, "greater_than_sign")
        assert screen.lists.region.width == 80
        assert key in [c["key"] for c in screen.model.sprint.cards]


async def test_planning_wide_keeps_the_panel_beside_the_lists(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app()
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_planning(app, pilot)
        assert screen.query_one(CapacityBars).region.width >= 50
        assert not screen.query_one(CapacityStrip).region.height
        text = probe.screen_text(app)
        assert "high " in text and "to do " in text  # the words, not the marks


async def test_user_text_is_cut_by_cells_and_shown_literally(
    board_app: AppFactory, probe: Probe
) -> None:
    title = "[bold]計画会議のメモ[/ 🚀 with a long tail of words after it"
    with probe.store() as store:
        card = validate(Card, {"title": title, "team": "IT", "priority": "urgent"})
        store.cards.add(card)
    app = board_app()
    async with app.run_test(size=SMALL) as pilot:
        await open_planning(app, pilot)
        lines = probe.screen_lines(app)
        row = line_of(lines, "IT-15")
        assert "[bold]計画会議" in row
        assert all(cell_len(line) <= 80 for line in lines)


async def test_teams_at_80x24_show_whole_names_and_steps(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app()
    async with app.run_test(size=SMALL) as pilot:
        screen = await open_screen(app, pilot, "teams", TeamsScreen, rounds=3)
        text = probe.screen_text(app)
        for member in screen.members_of("MKT"):
            assert member["name"] in text, member["name"]
        for step in next(iter(screen.members_of("MKT")))["onboarding"]:
            assert step in text, step
        await press(app, pilot, "j", "j", "j")  # ECOM, five members
        assert screen.team_code == "ECOM"
        text = probe.screen_text(app)
        for member in screen.members_of("ECOM"):
            assert member["name"] in text, member["name"]


async def test_help_at_80x24_is_one_column_with_the_key_map(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app()
    async with app.run_test(size=SMALL) as pilot:
        await open_planning(app, pilot)
        await press(app, pilot, "question_mark")
        assert await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        help_text = app.screen.query_one(HelpText)
        width = help_text.size.width
        lines = [line.plain for line in help_text.lines(width)]
        assert all(cell_len(line) <= width for line in lines)  # nothing for the terminal to cut
        start = lines.index("Same keys everywhere")
        assert start > lines.index("Everywhere") > lines.index("Sprint planning")
        table = lines[start + 1 :]
        # Keys in their own column; a meaning that wraps stays under itself.
        column = next(line for line in table if line.startswith("  ctrl+p ")).index("the command")
        for row in KEY_MAP:
            first = next(i for i, line in enumerate(table) if line.startswith(f"  {row.shown} "))
            said = [table[first][column:]]
            for line in table[first + 1 :]:
                if line[:column].strip() or not line.strip():
                    break
                said.append(line[column:])
            assert " ".join(said).split() == row.meaning.split(), row.shown
        # One column: no line holds two keys' meanings side by side.
        assert not any(" Up" in line and " Start" in line for line in lines)
        # Taller than the screen: it says so, and it scrolls.
        scroll = app.screen.query_one(VerticalScroll)
        assert "scroll" in str(scroll.border_subtitle)
        await press(app, pilot, "end")
        assert scroll.scroll_y > 0
        assert "Same keys everywhere" in "".join(lines)


async def test_help_wide_is_two_columns(board_app: AppFactory, probe: Probe) -> None:
    app = board_app()
    async with app.run_test(size=WIDE) as pilot:
        await open_planning(app, pilot)
        await press(app, pilot, "question_mark")
        assert await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        help_text = app.screen.query_one(HelpText)
        lines = [line.plain for line in help_text.lines(help_text.size.width)]
        assert any(" Up" in line and " Start" in line for line in lines)
        assert all(cell_len(line) <= help_text.size.width for line in lines)
