"""The teams screen's forms: a team (new or edited), a new member, an extra onboarding step.

Each checks its input with the models the store uses, so a mistake shows in the form as
one line and nothing is written.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from sprintboard.errors import UserError
from sprintboard.screens.host import host
from sprintboard.views.text import printable
from sprintboard.vocabulary import TeamFormat, strip_control
from sprintboard.widgets.team_rows import swatch

EDITABLE = ("name", "format", "colour", "capacity", "throughput_per_day")


def parse_int(field: str, text: str, *, optional: bool = False) -> int | None:
    """A whole number typed into a form; blank only where the field is optional."""
    text = text.strip()
    if not text:
        if optional:
            return None
        raise UserError(f"{field}: must be a whole number, e.g. 20 (got nothing)")
    try:
        return int(text)
    except ValueError:
        raise UserError(f"{field}: must be a whole number, e.g. 20 (got {text!r})") from None


def _no_blink(screen: ModalScreen[Any]) -> None:
    frozen = host(screen).frozen
    for box in screen.query(Input):
        box.cursor_blink = not frozen


def _show_error(screen: ModalScreen[Any], error: UserError) -> None:
    screen.query_one("#form-error", Static).update(Content(f"⚠ {error}"))


def _buttons() -> Horizontal:
    return Horizontal(
        Button("Save (ctrl+s)", variant="primary", id="save"),
        Button("Cancel (esc)", id="cancel"),
        classes="buttons",
    )


class TeamFormScreen(ModalScreen[str | None]):
    """A new team, or edits to one (its code stays: card keys use it). Dismisses with the
    team's code when saved."""

    CSS_PATH = "goals.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, team: dict[str, Any] | None) -> None:
        super().__init__()
        self.team = team

    def compose(self) -> ComposeResult:
        team = self.team
        heading = f"Edit team {team['code']}" if team else "New team"
        with VerticalScroll(classes="dialog form team-form"):
            yield Label(Content.styled(heading, "bold"))
            with Horizontal(classes="row"):
                with Vertical(classes="field code"):
                    yield Label("Code")
                    yield Input(id="code", placeholder="e.g. SEC", disabled=team is not None)
                with Vertical(classes="field"):
                    yield Label("Name")
                    yield Input(id="name", placeholder="e.g. Security")
            with Horizontal(classes="row"):
                with Vertical(classes="field"):
                    yield Label("Format")
                    yield Select[str](
                        [(f.value, f.value) for f in TeamFormat],
                        id="format",
                        allow_blank=False,
                        value=TeamFormat.CO_LOCATED.value,
                    )
                with Vertical(classes="field"):
                    yield Label("Colour (#rrggbb)")
                    with Horizontal(classes="colour"):
                        yield Input(id="colour", value="#888888")
                        yield Static(id="colour-swatch")
            with Horizontal(classes="row"):
                with Vertical(classes="field"):
                    yield Label("Capacity (points per sprint)")
                    yield Input(id="capacity", value="20")
                with Vertical(classes="field"):
                    yield Label("Throughput (orders/day)")
                    yield Input(id="throughput_per_day", placeholder="optional (warehouse)")
            yield Static(id="form-error")
            yield _buttons()

    def on_mount(self) -> None:
        _no_blink(self)
        team = self.team
        if team is not None:
            self.query_one("#code", Input).value = team["code"]
            self.query_one("#name", Input).value = team["name"]
            self.query_one("#format", Select).value = team["format"]
            self.query_one("#colour", Input).value = team["colour"]
            self.query_one("#capacity", Input).value = str(team["capacity"])
            throughput = team.get("throughput_per_day")
            self.query_one("#throughput_per_day", Input).value = (
                "" if throughput is None else str(throughput)
            )
            self.query_one("#name", Input).focus()
        else:
            self.query_one("#code", Input).focus()
        self._preview(self.query_one("#colour", Input).value)

    @on(Input.Changed, "#colour")
    def _colour_typed(self, event: Input.Changed) -> None:
        self._preview(event.value)

    def _preview(self, colour: str) -> None:
        self.query_one("#colour-swatch", Static).update(swatch(colour.strip().lower(), 6))

    def values(self) -> dict[str, Any]:
        def text(field: str) -> str:
            return self.query_one(f"#{field}", Input).value

        return {
            "code": text("code"),
            "name": text("name"),
            "format": self.query_one("#format", Select).value,
            "colour": text("colour"),
            "capacity": parse_int("capacity", text("capacity")),
            "throughput_per_day": parse_int(
                "throughput_per_day", text("throughput_per_day"), optional=True
            ),
        }

    @on(Button.Pressed, "#save")
    @on(Input.Submitted)
    async def action_save(self) -> None:
        from sprintboard.models import Team, validate

        backend = host(self).backend
        try:
            fields = self.values()
            team = validate(Team, fields)
            if self.team is None:
                saved = await backend.write(backend.store.teams.add, team)
            else:
                new = team.model_dump(mode="json")
                changes = {f: new[f] for f in EDITABLE if new[f] != self.team.get(f)}
                if not changes:
                    self.dismiss(None)
                    return
                saved = await backend.write(backend.store.teams.edit, self.team["code"], changes)
        except UserError as exc:
            _show_error(self, exc)
            return
        self.dismiss(str(saved["code"]))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class MemberFormScreen(ModalScreen[int | None]):
    """A new member of a team, with a role; starts on the default onboarding checklist.
    Dismisses with the member's id when saved."""

    CSS_PATH = "goals.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, teams: list[dict[str, Any]], team: str | None) -> None:
        """`teams`: the active teams to choose from; `team`: the one chosen at first."""
        super().__init__()
        self.teams = teams
        self.team = team

    def compose(self) -> ComposeResult:
        options = [(Content(f"{t['code']}  {printable(t['name'])}"), t["code"]) for t in self.teams]
        codes: list[str] = [t["code"] for t in self.teams]  # never empty: the screen checks
        first = self.team if self.team in codes else codes[0]
        with Vertical(classes="dialog form member-form"):
            yield Label(Content.styled("New member", "bold"))
            yield Label("Team")
            yield Select[str](options, id="team", allow_blank=False, value=first)
            yield Label("Name")
            yield Input(id="name", placeholder="e.g. Sam de Wit")
            yield Label("Role")
            yield Input(id="role", placeholder="e.g. front-end developer")
            yield Static(id="form-error")
            yield _buttons()

    def on_mount(self) -> None:
        _no_blink(self)
        self.query_one("#name", Input).focus()

    @on(Button.Pressed, "#save")
    @on(Input.Submitted)
    async def action_save(self) -> None:
        from sprintboard.models import Member, validate

        backend = host(self).backend
        team = self.query_one("#team", Select).value
        fields = {
            "team": team if isinstance(team, str) else "",
            "name": self.query_one("#name", Input).value,
            "role": self.query_one("#role", Input).value,
        }
        try:
            member = validate(Member, fields)
            saved = await backend.write(backend.store.members.add, member)
        except UserError as exc:
            _show_error(self, exc)
            return
        self.dismiss(int(saved["id"]))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class StepFormScreen(ModalScreen[str | None]):
    """An extra onboarding step for one member (e.g. 'warehouse safety training')."""

    CSS_PATH = "goals.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, member: dict[str, Any]) -> None:
        super().__init__()
        self.member = member

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog step-form"):
            yield Label(
                Content.styled("Add an onboarding step for ", "bold")
                + Content.styled(printable(self.member["name"]), "bold")
            )
            yield Input(id="step", placeholder="e.g. warehouse safety training")
            yield Static(id="form-error")
            yield Label(Content.styled("enter adds · esc cancels", "dim"), classes="hint")

    def on_mount(self) -> None:
        _no_blink(self)
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def action_save(self) -> None:
        step = strip_control(self.query_one(Input).value, one_line=True)
        existing = {s.casefold() for s in self.member["onboarding"]}
        if not step:
            _show_error(self, UserError("step: must not be empty"))
        elif step.casefold() in existing:
            _show_error(self, UserError(f"step: {step!r} is already on the checklist"))
        else:
            self.dismiss(step)

    def action_cancel(self) -> None:
        self.dismiss(None)
