"""The teams screen driven from the keyboard: teams, members and onboarding, checked in the db.

The demo organisation: nine teams (MKT, IT, CS, ECOM, WH, EXEC, CNT, DATA, FIN), each with
open cards; IT's members in name order are Emma Visser (3/4), Lucas Martin (1/4), Priya
Raman and Tomasz Nowak (4/4); CS owns CS-1 and CS-2 (done) and CS-3..CS-6 (open).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from textual.binding import Binding
from textual.widgets import Input, OptionList, Select

from sprintboard.models import Team
from sprintboard.screens.dialogs import ConfirmScreen, PickerScreen
from sprintboard.screens.team_dialogs import MemberFormScreen, StepFormScreen, TeamFormScreen
from sprintboard.screens.teams import TeamsScreen
from sprintboard.tui import SprintboardApp
from sprintboard.vocabulary import ONBOARDING_STEPS

from . import conftest
from .conftest import (
    SIZE,
    AppFactory,
    Probe,
    current_screen,
    messages,
    open_screen,
    type_into,
    wait_until,
)

DEMO_TEAMS = ["MKT", "IT", "CS", "ECOM", "WH", "EXEC", "CNT", "DATA", "FIN"]

# These tests settle in three rounds after every key, one more than conftest's default.
settle = partial(conftest.settle, rounds=3)
press = partial(conftest.press_each, rounds=3)


async def open_teams(app: SprintboardApp, pilot: Any) -> TeamsScreen:
    return await open_screen(app, pilot, "teams", TeamsScreen, rounds=3)


async def save_form(app: SprintboardApp, pilot: Any) -> None:
    """ctrl+s, then wait until the form is gone (or has said why not)."""
    form = app.screen
    await press(app, pilot, "ctrl+s")
    await wait_until(
        pilot,
        lambda: app.screen is not form or bool(str(form.query_one("#form-error").render())),
    )
    await settle(app, pilot)


def shown_teams(screen: TeamsScreen) -> list[str]:
    listing = screen.query_one("#teams-list", OptionList)
    return [str(listing.get_option_at_index(i).id) for i in range(listing.option_count)]


def lines_of(screen: TeamsScreen, selector: str) -> list[str]:
    listing = screen.query_one(selector, OptionList)
    return [listing.render_line(y).text for y in range(listing.size.height)]


def team(probe: Probe, code: str) -> dict[str, Any]:
    with probe.store() as store:
        return store.teams.get(code)


def members(probe: Probe, code: str) -> list[dict[str, Any]]:
    with probe.store() as store:
        return store.members.list(code)


def cards_of(probe: Probe) -> dict[str, str]:
    """Every card's key -> owning team."""
    with probe.store() as store:
        return {c["key"]: c["team"] for c in store.cards.query()}


# -- what it shows -----------------------------------------------------------------------------


async def test_teams_members_and_onboarding_are_shown(board_app: AppFactory, probe: Probe) -> None:
    app = board_app(live_refresh=0)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_teams(app, pilot)
        assert shown_teams(screen) == DEMO_TEAMS
        assert screen.team_code == "MKT"
        text = probe.screen_text(app)
        assert "Teams · 9 active teams · 24 members" in text
        rows = lines_of(screen, "#teams-list")
        assert "██ MKT  Marketing          co-located  20 pts   3 ppl  2 ready" in rows[0]
        assert "██ EXEC C-level            remote       8 pts   2 ppl  2 ready" in rows[5]
        await press(app, pilot, "j")
        assert screen.team_code == "IT"
        text = probe.screen_text(app)
        assert "IT  IT" in text
        assert "format co-located · colour #2e86de · capacity 40 points per sprint" in text
        assert "4 members, 2 fully onboarded · onboarding 12/16 steps done" in text
        people = lines_of(screen, "#members-list")
        assert [m["name"] for m in members(probe, "IT")] == [
            "Emma Visser",
            "Lucas Martin",
            "Priya Raman",
            "Tomasz Nowak",
        ]
        assert "Lucas Martin" in people[1] and "back-end developer (outsourced)" in people[1]
        assert "●○○○ 1/4" in people[1] and "●●●● 4/4" in people[2]
        assert "Onboarding · Emma Visser · 3/4" in text
        steps = lines_of(screen, "#onboarding-list")
        assert [line.strip()[2:] for line in steps[:4]] == list(ONBOARDING_STEPS)
        # The swatch is drawn in the team's colour.
        swatch = screen.query_one("#teams-list", OptionList).render_line(1)
        colours = {
            seg.style.color.name
            for seg in swatch
            if seg.text == "██" and seg.style and seg.style.color
        }
        assert colours == {"#2e86de"}


async def test_user_text_is_shown_literally(board_app: AppFactory, probe: Probe) -> None:
    with probe.store() as store:
        store.teams.add(Team(code="SEC", name="[b]Sec[/b] & ops", colour="#123456"))
    app = board_app(live_refresh=0)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_teams(app, pilot)
        assert shown_teams(screen)[-1] == "SEC"
        assert "[b]Sec[/b] & ops" in probe.screen_text(app)


# -- teams: add, edit, archive ---------------------------------------------------------------


async def test_add_a_team_refusing_a_bad_capacity(board_app: AppFactory, probe: Probe) -> None:
    app = board_app(live_refresh=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_teams(app, pilot)
        await press(app, pilot, "n")
        form = app.screen
        assert isinstance(form, TeamFormScreen)
        await type_into(app, pilot, "#code", "sec")
        await type_into(app, pilot, "#name", "Security")
        await type_into(app, pilot, "#colour", "#123456")
        await type_into(app, pilot, "#capacity", "lots")
        form.query_one("#format", Select).focus()
        await press(app, pilot, "enter", "down", "enter")  # co-located -> remote
        assert form.query_one("#format", Select).value == "remote"
        await save_form(app, pilot)
        assert app.screen is form
        error = str(form.query_one("#form-error").render())
        assert error == "⚠ capacity: must be a whole number, e.g. 20 (got 'lots')"
        with probe.store() as store:
            assert "SEC" not in store.teams.codes()
        await type_into(app, pilot, "#capacity", "12")
        await save_form(app, pilot)
        assert current_screen(app) is screen
        row = team(probe, "SEC")
        assert (row["name"], row["format"], row["colour"], row["capacity"]) == (
            "Security",
            "remote",
            "#123456",
            12,
        )
        assert shown_teams(screen)[-1] == "SEC" and screen.team_code == "SEC"
        assert "team SEC saved" in messages(app)
        assert "capacity 12 points per sprint" in probe.screen_text(app)


async def test_edit_a_team(board_app: AppFactory, probe: Probe) -> None:
    app = board_app(live_refresh=0)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_teams(app, pilot)
        await press(app, pilot, "j", "e")
        form = app.screen
        assert isinstance(form, TeamFormScreen)
        assert form.query_one("#code", Input).disabled  # card keys use it
        assert form.query_one("#capacity", Input).value == "40"
        await type_into(app, pilot, "#colour", "blue;}")
        await save_form(app, pilot)
        assert str(form.query_one("#form-error").render()) == (
            "⚠ colour: must be a colour: #rgb, #rrggbb or a name like red or teal (got 'blue;}')"
        )
        assert team(probe, "IT")["colour"] == "#2e86de"
        await type_into(app, pilot, "#colour", "#2E86DE")
        await type_into(app, pilot, "#name", "IT & Platform")
        await type_into(app, pilot, "#capacity", "35")
        await save_form(app, pilot)
        assert app.screen is screen
        row = team(probe, "IT")
        assert (row["name"], row["capacity"], row["colour"]) == ("IT & Platform", 35, "#2e86de")
        assert "IT & Platform" in lines_of(screen, "#teams-list")[1]
        assert screen.team_code == "IT"


async def test_archive_asks_where_open_cards_go_and_deletes_none(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app(live_refresh=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_teams(app, pilot)
        before = cards_of(probe)
        await press(app, pilot, "j", "j", "x")
        picker = app.screen
        assert isinstance(picker, PickerScreen)
        assert "Archive CS: its 4 open cards move to…" in probe.screen_text(app)
        assert "CS" not in picker.values and picker.values[:3] == ["MKT", "IT", "ECOM"]
        # Escape keeps the team and its cards.
        await press(app, pilot, "escape")
        assert app.screen is screen and not team(probe, "CS")["archived"]
        await press(app, pilot, "x")
        listing = app.screen.query_one(OptionList)
        listing.highlighted = 2
        await press(app, pilot, "enter")  # ECOM
        assert await wait_until(pilot, lambda: team(probe, "CS")["archived"])
        await settle(app, pilot)
        after = cards_of(probe)
        assert set(after) == set(before)  # no card deleted, every key kept
        assert sorted(k for k, t in after.items() if t == "CS") == ["CS-1", "CS-2"]  # done: stay
        assert all(after[k] == "ECOM" for k in ("CS-3", "CS-4", "CS-5", "CS-6"))
        assert "team CS archived; 4 open cards moved to ECOM" in messages(app)
        assert "CS" not in shown_teams(screen) and screen.team_code == "ECOM"
        assert "1 archived hidden (A shows)" in probe.screen_text(app)
        await press(app, pilot, "A")
        assert "CS" in shown_teams(screen)
        row = lines_of(screen, "#teams-list")[shown_teams(screen).index("CS")]
        assert "archived" in row


async def test_archive_without_open_cards_confirms_and_restore(
    board_app: AppFactory, probe: Probe
) -> None:
    with probe.store() as store:
        store.teams.add(Team(code="SEC", name="Security"))
    app = board_app(live_refresh=0)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_teams(app, pilot)
        await press(app, pilot, "end", "x")
        assert isinstance(app.screen, ConfirmScreen)
        await press(app, pilot, "n")
        assert not team(probe, "SEC")["archived"]
        await press(app, pilot, "x", "y")
        assert await wait_until(pilot, lambda: team(probe, "SEC")["archived"])
        await settle(app, pilot)
        assert "SEC" not in shown_teams(screen)
        await press(app, pilot, "A", "end")
        assert screen.team_code == "SEC"
        await press(app, pilot, "x")
        assert isinstance(app.screen, ConfirmScreen)
        assert "Team SEC (Security) is archived. Restore it?" in probe.screen_text(app)
        await press(app, pilot, "y")
        assert await wait_until(pilot, lambda: not team(probe, "SEC")["archived"])


# -- members and onboarding ------------------------------------------------------------------


async def test_add_a_member(board_app: AppFactory, probe: Probe) -> None:
    app = board_app(live_refresh=0)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_teams(app, pilot)
        await press(app, pilot, "j", "a")
        form = app.screen
        assert isinstance(form, MemberFormScreen)
        assert form.query_one("#team", Select).value == "IT"  # the selected team
        await save_form(app, pilot)
        assert str(form.query_one("#form-error").render()).startswith("⚠ name: must not be empty")
        assert len(members(probe, "IT")) == 4
        await type_into(app, pilot, "#name", "Sam de Wit")
        await type_into(app, pilot, "#role", "security tester")
        await save_form(app, pilot)
        assert app.screen is screen
        found = [m for m in members(probe, "IT") if m["name"] == "Sam de Wit"]
        assert len(found) == 1
        assert found[0]["role"] == "security tester"
        assert found[0]["onboarding"] == dict.fromkeys(ONBOARDING_STEPS, False)
        assert screen.member_id == found[0]["id"]
        assert "Sam de Wit joined IT" in messages(app)
        assert "Onboarding · Sam de Wit · 0/4" in probe.screen_text(app)


async def test_space_ticks_an_onboarding_step(board_app: AppFactory, probe: Probe) -> None:
    app = board_app(live_refresh=0)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_teams(app, pilot)
        lucas = next(m for m in members(probe, "IT") if m["name"] == "Lucas Martin")
        assert lucas["onboarding"] == {
            "accounts": True,
            "tools": False,
            "board walkthrough": False,
            "first card shipped": False,
        }
        # IT, enter into its members, Lucas, enter into his checklist, down to 'tools'.
        await press(app, pilot, "j", "enter", "j", "enter", "j")
        assert screen.focused is screen.query_one("#onboarding-list")
        assert (screen.member_id, screen.step) == (lucas["id"], 1)
        await press(app, pilot, "space")
        assert await wait_until(
            pilot, lambda: members(probe, "IT")[1]["onboarding"]["tools"] is True
        )
        await settle(app, pilot)
        assert "Onboarding · Lucas Martin · 2/4" in probe.screen_text(app)
        assert "●●○○ 2/4" in lines_of(screen, "#members-list")[1]
        assert lines_of(screen, "#onboarding-list")[1].strip() == "☑ tools"
        # Space again unticks it; the others are untouched.
        await press(app, pilot, "space")
        assert await wait_until(
            pilot, lambda: members(probe, "IT")[1]["onboarding"]["tools"] is False
        )
        assert members(probe, "IT")[1]["onboarding"]["accounts"] is True


async def test_an_extra_onboarding_step(board_app: AppFactory, probe: Probe) -> None:
    app = board_app(live_refresh=0)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_teams(app, pilot)
        await press(app, pilot, "j", "right", "right", "a")  # Emma Visser, IT's first member
        dialog = app.screen
        assert isinstance(dialog, StepFormScreen)
        await type_into(app, pilot, "#step", "Tools")
        await press(app, pilot, "enter")
        assert app.screen is dialog  # already on her list
        assert "step: 'Tools' is already on the checklist" in str(
            dialog.query_one("#form-error").render()
        )
        await type_into(app, pilot, "#step", "VPN token")
        await press(app, pilot, "enter")

        def emma() -> dict[str, bool]:
            onboarding: dict[str, bool] = members(probe, "IT")[0]["onboarding"]
            return onboarding

        assert await wait_until(pilot, lambda: "VPN token" in emma())
        await settle(app, pilot)
        assert emma()["VPN token"] is False
        assert "Onboarding · Emma Visser · 3/5" in probe.screen_text(app)
        assert screen.step == 4  # the new step, ready to tick
        await press(app, pilot, "space")
        assert await wait_until(pilot, lambda: emma()["VPN token"] is True)


# -- keys, help and the palette --------------------------------------------------------------


async def test_every_binding_is_described_and_in_the_palette(
    board_app: AppFactory, probe: Probe
) -> None:
    app = board_app(live_refresh=0)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_teams(app, pilot)
        for binding in TeamsScreen.BINDINGS:
            assert isinstance(binding, Binding) and binding.description, binding
        titles = [c.title for c in screen.palette_commands()]
        assert titles == [
            "New team",
            "Edit team",
            "Archive",
            "Tick step",
            "Add step",
            "Add member",
            "Show archived",
            "Reload",
        ]
        assert "Go to Teams" in [c.title for c in app.get_system_commands(app.screen)]
        await press(app, pilot, "right")
        assert screen.focused is screen.query_one("#members-list")
        await press(app, pilot, "right", "right")
        assert screen.focused is screen.query_one("#teams-list")
        await press(app, pilot, "question_mark")
        assert "Tick step" in probe.screen_text(app)
