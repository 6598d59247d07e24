"""The teams screen: teams, their members and roles, and each member's onboarding checklist.

Three lists: teams, the selected team's members, the selected member's checklist. Below
`WIDE` columns the team list keeps only code and name (the summary beside it has the
rest), so the members and their steps get the room to be read whole. The selection is
kept as state here (team code, member id, step), so keys that arrive before the focus
moves still act on what the screen shows.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from sprintboard.screens.goals import bar_header
from sprintboard.screens.live import ListCursor, LiveScreen
from sprintboard.views.text import printable
from sprintboard.widgets.footer import KeyFooter
from sprintboard.widgets.sync_badge import HeaderRow
from sprintboard.widgets.team_rows import (
    member_line,
    onboarding_counts,
    step_line,
    team_line,
    team_summary,
)

PANES = ("#teams-list", "#members-list", "#onboarding-list")
WIDE = 120
"""Columns from which the team list shows format, capacity and members too."""


def fetch_teams(store: Any) -> dict[str, Any]:
    """Every team (archived ones too) and every member, read on the database thread."""
    # The version first: a commit landing during the reads below then makes it look
    # older than what is shown (one extra reload), never newer (a change hidden).
    version = store.version()
    return {
        "teams": store.teams.list(include_archived=True),
        "members": store.members.list(),
        "version": version,
    }


def open_cards(store: Any, code: str) -> list[dict[str, Any]]:
    """The cards a team owns that are not done: archiving moves them to another team."""
    return [c for c in store.cards.query(team=code) if c["team"] == code and c["status"] != "done"]


class TeamsScreen(ListCursor, LiveScreen):
    """Teams with format, colour, capacity and members; members' onboarding."""

    CSS_PATH = "goals.tcss"
    # Textual annotates this `ClassVar[...] | None`, which mypy reads as an instance variable.
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (WIDE, "-wide")]  # type: ignore[misc]
    PALETTE_SKIP = ("cursor", "pane")

    HELP_TITLE = "Teams"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new_team", "New team"),
        Binding("e", "edit_team", "Edit team"),
        Binding("x", "archive_team", "Archive"),
        Binding("space", "toggle_step", "Tick step"),
        Binding("a", "add_step", "Add step"),
        Binding("a", "add_member", "Add member"),
        Binding("A", "toggle_archived", "Show archived"),
        Binding("j", "cursor(1)", "Down", show=False),
        Binding("k", "cursor(-1)", "Up", show=False),
        Binding("left,h", "pane(-1)", "Previous list", show=False),
        Binding("right,l", "pane(1)", "Next list", show=False),
        Binding("r", "reload", "Reload", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.teams: list[dict[str, Any]] = []
        self.members: list[dict[str, Any]] = []
        self.show_archived = False
        self.team_code: str | None = None
        self.member_id: int | None = None
        self.step = 0
        self.compact = False
        """The lines as last drawn: compact (narrow screen) or whole."""

    def compose(self) -> ComposeResult:
        yield HeaderRow(Static(id="teams-header", classes="screen-header"))
        with Horizontal(id="teams-body"):
            yield OptionList(id="teams-list")
            with Vertical(id="team-side"):
                yield Static(id="team-summary")
                yield OptionList(id="members-list")
                yield OptionList(id="onboarding-list")
        yield KeyFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`a` adds to the list in focus: a step in the onboarding list, else a member."""
        if action in ("add_step", "add_member"):
            on_steps = self.focused is not None and self.focused.id == "onboarding-list"
            return on_steps == (action == "add_step")
        return True

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()  # the footer names what `a` adds in the list now in focus

    def _list(self, selector: str) -> OptionList:
        return self.query_one(selector, OptionList)

    async def on_mount(self) -> None:
        self._list("#teams-list").border_title = Content("Teams")
        self._list("#members-list").border_title = Content("Members")
        self._list("#teams-list").focus()
        await self.load()
        self.start_polling()

    def on_resize(self) -> None:
        # The breakpoint class is set first; the lines are drawn again only when it changed.
        self.call_after_refresh(self._redraw_if_resized)

    def _redraw_if_resized(self) -> None:
        if self.loaded and self.has_class("-narrow") != self.compact:
            self.show_teams()

    # -- loading and drawing ---------------------------------------------------------------

    async def load(self) -> None:
        data = await self.backend.run(fetch_teams, self.store)
        self.version = data["version"]
        self.teams, self.members = data["teams"], data["members"]
        self.loaded = True
        self.show_teams()

    def visible_teams(self) -> list[dict[str, Any]]:
        return [t for t in self.teams if self.show_archived or not t["archived"]]

    def members_of(self, code: str | None) -> list[dict[str, Any]]:
        return [m for m in self.members if m["team"] == code]

    def selected_team(self) -> dict[str, Any] | None:
        return next((t for t in self.visible_teams() if t["code"] == self.team_code), None)

    def selected_member(self) -> dict[str, Any] | None:
        found = (m for m in self.members_of(self.team_code) if m["id"] == self.member_id)
        return next(found, None)

    def show_teams(self) -> None:
        teams = self.visible_teams()
        self.compact = compact = self.has_class("-narrow")
        listing = self._list("#teams-list")
        old = listing.highlighted
        listing.clear_options()
        listing.add_options(
            Option(team_line(t, self.members_of(t["code"]), compact=compact), id=t["code"])
            for t in teams
        )
        codes = [t["code"] for t in teams]
        if self.team_code not in codes:
            # Gone (archived, hidden): the neighbour in the list takes its place.
            self.team_code = codes[min(old or 0, len(codes) - 1)] if codes else None
        if self.team_code is not None:
            listing.highlighted = codes.index(self.team_code)
        active = sum(1 for t in self.teams if not t["archived"])
        archived = len(self.teams) - active
        parts = [f"{active} active teams", f"{len(self.members)} members"]
        if archived:
            shown = "shown" if self.show_archived else "hidden (A shows)"
            parts.append(f"{archived} archived {shown}")
        if self.store.read_only:
            parts.append("READ-ONLY")
        self.query_one("#teams-header", Static).update(bar_header("Teams", *parts))
        self.show_members()

    def show_members(self) -> None:
        team = self.selected_team()
        members = self.members_of(self.team_code)
        summary = self.query_one("#team-summary", Static)
        summary.update(
            team_summary(team, members) if team else Content("No teams yet: n adds one.")
        )
        listing = self._list("#members-list")
        listing.clear_options()
        if team is None:
            self.member_id = None
        elif not members:
            listing.add_option(Option(Content("No members yet: a adds one."), disabled=True))
            self.member_id = None
        else:
            listing.add_options(
                Option(member_line(m, compact=self.compact), id=str(m["id"])) for m in members
            )
            ids = [m["id"] for m in members]
            if self.member_id not in ids:
                self.member_id = ids[0]
            listing.highlighted = ids.index(self.member_id)
        self.show_checklist()

    def show_checklist(self) -> None:
        member = self.selected_member()
        listing = self._list("#onboarding-list")
        listing.clear_options()
        if member is None:
            listing.border_title = Content("Onboarding")
            return
        done, total = onboarding_counts(member["onboarding"])
        listing.border_title = Content(f"Onboarding · {printable(member['name'])} · {done}/{total}")
        steps = list(member["onboarding"].items())
        listing.add_options(Option(step_line(step, ok), id=step) for step, ok in steps)
        if steps:
            self.step = max(0, min(self.step, len(steps) - 1))
            listing.highlighted = self.step

    @on(OptionList.OptionHighlighted, "#teams-list")
    def _team_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id != self.team_code:
            self.team_code = event.option.id
            self.member_id, self.step = None, 0
            self.show_members()

    @on(OptionList.OptionHighlighted, "#members-list")
    def _member_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is not None and int(event.option.id) != self.member_id:
            self.member_id, self.step = int(event.option.id), 0
            self.show_checklist()

    @on(OptionList.OptionHighlighted, "#onboarding-list")
    def _step_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.step = event.option_index

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        """Enter goes one list deeper; on the checklist it ticks the step."""
        if event.option_list.id == "onboarding-list":
            self.action_toggle_step()
        elif event.option_list.id == "teams-list":
            self._list("#members-list").focus()
        elif event.option_list.id == "members-list":
            self._list("#onboarding-list").focus()

    def action_pane(self, delta: int) -> None:
        focused = self.focused
        ids = [p.removeprefix("#") for p in PANES]
        index = ids.index(focused.id) if focused is not None and focused.id in ids else 0
        self._list(PANES[(index + delta) % len(PANES)]).focus()

    # -- teams -------------------------------------------------------------------------------

    def _saved_team(self, code: str | None) -> None:
        if code is not None:
            self.team_code = code
            self.notify(f"team {code} saved", markup=False)
            self.run_worker(self.load(), group="writes")

    def action_new_team(self) -> None:
        from sprintboard.screens.team_dialogs import TeamFormScreen

        self.app.push_screen(TeamFormScreen(None), self._saved_team)

    def action_edit_team(self) -> None:
        from sprintboard.screens.team_dialogs import TeamFormScreen

        team = self.selected_team()
        if team is None:
            self.notify("no team selected", markup=False)
            return
        self.app.push_screen(TeamFormScreen(team), self._saved_team)

    async def action_archive_team(self) -> None:
        from sprintboard.screens.dialogs import ConfirmScreen, PickerScreen

        team = self.selected_team()
        if team is None:
            self.notify("no team selected", markup=False)
            return
        code, name = team["code"], printable(team["name"])
        if team["archived"]:
            question = Content(f"Team {code} ({name}) is archived. Restore it?")

            def restore(yes: bool | None) -> None:
                if yes:
                    self.run_worker(self._restore(code), group="writes")

            self.app.push_screen(ConfirmScreen(question, yes="Restore"), restore)
            return
        cards = await self.backend.run(open_cards, self.store, code)
        if not cards:
            question = Content(
                f"Archive team {code} ({name})? It has no open cards; its done cards and "
                "members stay on record."
            )

            def confirmed(yes: bool | None) -> None:
                if yes:
                    self.run_worker(self._archive(code, None, 0), group="writes")

            self.app.push_screen(ConfirmScreen(question, yes="Archive"), confirmed)
            return
        others = [t for t in self.teams if not t["archived"] and t["code"] != code]
        if not others:
            self.notify(f"{code} has open cards and no other team can take them", markup=False)
            return
        title = (
            f"Archive {code}: its {len(cards)} open cards move to… (esc keeps the team; "
            "no card is deleted)"
        )
        options = [(f"{t['code']:<6} {printable(t['name'])}", t["code"]) for t in others]

        def chosen(target: Any) -> None:
            if target is not PickerScreen.CANCELLED:
                self.run_worker(self._archive(code, target, len(cards)), group="writes")

        self.app.push_screen(PickerScreen(title, options), chosen)

    async def _archive(self, code: str, move_to: str | None, moved: int) -> None:
        if await self.write(self.store.teams.archive, code, move_cards_to=move_to) is not None:
            tail = f"; {moved} open cards moved to {move_to}" if move_to else ""
            self.notify(f"team {code} archived{tail}", markup=False)

    async def _restore(self, code: str) -> None:
        if await self.write(self.store.teams.edit, code, {"archived": False}) is not None:
            self.notify(f"team {code} restored", markup=False)

    def action_toggle_archived(self) -> None:
        self.show_archived = not self.show_archived
        self.show_teams()

    # -- members and onboarding --------------------------------------------------------------

    def action_add_member(self) -> None:
        from sprintboard.screens.team_dialogs import MemberFormScreen

        active = [t for t in self.teams if not t["archived"]]
        if not active:
            self.notify("no active team to join: n adds one", markup=False)
            return

        def saved(member_id: int | None) -> None:
            if member_id is not None:
                self.run_worker(self._show_new_member(member_id), group="writes")

        self.app.push_screen(MemberFormScreen(active, self.team_code), saved)

    async def _show_new_member(self, member_id: int) -> None:
        await self.load()
        member = next((m for m in self.members if m["id"] == member_id), None)
        if member is not None:
            self.team_code, self.member_id, self.step = member["team"], member_id, 0
            self.show_teams()
            self.notify(f"{member['name']} joined {member['team']}", markup=False)

    def action_toggle_step(self) -> None:
        member = self.selected_member()
        steps = list(member["onboarding"]) if member else []
        if member is None or not steps:
            self.notify("no member selected: a adds one", markup=False)
            return
        step = steps[min(self.step, len(steps) - 1)]
        done = not member["onboarding"][step]
        member["onboarding"][step] = done  # shown at once; the write follows
        self.show_teams()
        self.run_worker(
            self.write(self.store.members.onboard, member["id"], step, done), group="writes"
        )

    def action_add_step(self) -> None:
        from sprintboard.screens.team_dialogs import StepFormScreen

        member = self.selected_member()
        if member is None:
            self.notify("no member selected: a adds one", markup=False)
            return
        member_id = member["id"]

        def added(step: str | None) -> None:
            if step is not None:
                self.step = len(member["onboarding"])  # the new step comes last
                self.run_worker(
                    self.write(self.store.members.add_step, member_id, step), group="writes"
                )

        self.app.push_screen(StepFormScreen(member), added)

    async def action_reload(self) -> None:
        await self.load()
