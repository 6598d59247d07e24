"""The planning screen's sprint dialogs that edit a sprint: the sprint form (new or edit),
and this sprint's capacity for one team.

Each checks its input with the records the CLI uses (models.Sprint, the store's capacity
range), so a mistake shows in the dialog as one line and nothing is written. The form
warns, without refusing, when the dates overlap another planned or active sprint.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from sprintboard.errors import UserError
from sprintboard.planning.capacity import SprintCapacity, TeamCapacity
from sprintboard.planning.sprint_overlap import overlap_warning
from sprintboard.screens.dialog_fit import FitsTerminal
from sprintboard.screens.host import host
from sprintboard.views.text import fit, printable

FIELDS = ("name", "goal", "start", "end")


def _no_blink(screen: ModalScreen[Any]) -> None:
    frozen = host(screen).frozen
    for box in screen.query(Input):
        box.cursor_blink = not frozen


class SprintFormScreen(FitsTerminal, ModalScreen[str | None]):
    """A new sprint, or edits to a planned or active one (name, goal, dates). Dismisses
    with the sprint's name once saved; None: cancelled or nothing changed."""

    CSS_PATH = "planning.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(
        self,
        sprint: dict[str, Any] | None,
        sprints: list[dict[str, Any]],
        *,
        suggested: tuple[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.sprint = sprint
        self.sprints = sprints
        self.suggested = suggested

    def compose(self) -> ComposeResult:
        heading = Content.styled("New sprint", "bold")
        if self.sprint is not None:
            name = printable(self.sprint["name"])
            heading = Content.styled("Edit ", "bold") + Content.styled(name, "bold")
        with Vertical(classes="dialog sprint-dialog sprint-form"):
            yield Label(heading)
            yield Label("Name")
            yield Input(id="name", placeholder="e.g. Sprint 44")
            yield Label("Sprint goal")
            yield Input(id="goal", placeholder="optional: what the sprint is for")
            with Horizontal(classes="row"):
                with Vertical(classes="field"):
                    yield Label("Start")
                    yield Input(id="start", placeholder="YYYY-MM-DD")
                with Vertical(classes="field"):
                    yield Label("End")
                    yield Input(id="end", placeholder="YYYY-MM-DD")
            yield Static(id="sprint-overlap", classes="dialog-warning")
            yield Static(id="form-error")
            with Horizontal(classes="buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="save")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        _no_blink(self)
        if self.sprint is not None:
            for f in FIELDS:
                self.query_one(f"#{f}", Input).value = str(self.sprint[f] or "")
        elif self.suggested is not None:
            self.query_one("#start", Input).value = self.suggested[0]
            self.query_one("#end", Input).value = self.suggested[1]
        self.query_one("#name", Input).focus()
        self._show_overlap()

    def values(self) -> dict[str, str]:
        return {f: self.query_one(f"#{f}", Input).value.strip() for f in FIELDS}

    @on(Input.Changed)
    def _show_overlap(self) -> None:
        """The overlap warning, as soon as both dates read as days."""
        fields = self.values()
        warning = None
        if all(len(fields[f]) == 10 for f in ("start", "end")):
            mine = {**fields, "name": fields["name"] or "this sprint"}
            if self.sprint is not None:
                mine["id"] = self.sprint["id"]
            warning = overlap_warning(mine, self.sprints)
        self.query_one("#sprint-overlap", Static).update(
            Content(f"⚠ {warning.removeprefix('warning: ')}") if warning else Content("")
        )

    @on(Button.Pressed, "#save")
    @on(Input.Submitted)
    async def action_save(self) -> None:
        from sprintboard.models import Sprint, validate  # pydantic: only when writing

        fields = self.values()
        try:
            record = validate(Sprint, fields)  # checked here first: the error shows at once
            store = host(self).backend.store
            if self.sprint is None:
                await host(self).backend.write(store.sprints.add, record)
            else:
                new = record.model_dump(mode="json")
                changes = {f: new[f] for f in FIELDS if new[f] != self.sprint[f]}
                if not changes:
                    self.dismiss(None)
                    return
                await host(self).backend.write(store.sprints.edit, self.sprint["name"], changes)
        except UserError as exc:
            self.query_one("#form-error", Static).update(Content(f"⚠ {exc}"))
            return
        self.dismiss(record.name)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


def capacity_words(team: TeamCapacity) -> str:
    """A team's line in the capacity dialog: "IT  34/30 pt (usual 40)"."""
    text = f"{fit(team.team, 6)}{team.planned}/{team.capacity} pt"
    if team.usual is not None:
        text += f" (usual {team.usual})"
    return text


class CapacityScreen(FitsTerminal, ModalScreen[tuple[str, int] | None]):
    """This sprint's capacity for one team, instead of its usual one: pick the team, type
    the points, enter. Dismisses with (team, points) once saved."""

    CSS_PATH = "planning.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, plan: SprintCapacity, team: str | None = None) -> None:
        super().__init__()
        self.plan = plan
        self.team = team or (plan.teams[0].team if plan.teams else None)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog sprint-dialog"):
            yield Label(
                Content.styled("Capacity in ", "bold") + Content.styled(self.plan.sprint, "bold")
            )
            yield Label(
                "Pick a team, then type its capacity for this sprint (0-10000 points); "
                "its usual capacity stays as it is."
            )
            options = [Option(Content(capacity_words(t)), id=t.team) for t in self.plan.teams]
            yield OptionList(*options, id="capacity-teams")
            yield Label("", id="capacity-team")
            yield Input(id="capacity-points", placeholder="points", type="integer")
            yield Static(id="form-error")
            with Horizontal(classes="buttons"):
                yield Button("Save (enter)", variant="primary", id="save")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        _no_blink(self)
        teams = self.query_one("#capacity-teams", OptionList)
        index = next((i for i, t in enumerate(self.plan.teams) if t.team == self.team), 0)
        teams.highlighted = index
        self._pick(index)
        teams.focus()

    def _pick(self, index: int) -> None:
        if not self.plan.teams:
            return
        team = self.plan.teams[index]
        self.team = team.team
        usual = team.capacity if team.usual is None else team.usual
        self.query_one("#capacity-team", Label).update(
            Content(f"{team.team}: {team.planned} pt planned, usual capacity {usual}")
        )
        self.query_one("#capacity-points", Input).value = str(team.capacity)

    @on(OptionList.OptionHighlighted, "#capacity-teams")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._pick(event.option_index)

    @on(OptionList.OptionSelected, "#capacity-teams")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._pick(event.option_index)
        self.query_one("#capacity-points", Input).focus()

    @on(Button.Pressed, "#save")
    @on(Input.Submitted)
    async def action_save(self) -> None:
        if self.team is None:
            return
        text = self.query_one("#capacity-points", Input).value.strip()
        try:
            try:
                points = int(text)
            except ValueError:
                raise UserError(
                    f"capacity: must be a whole number of points, 0-10000 (got {text!r})"
                ) from None
            store = host(self).backend.store
            await host(self).backend.write(
                store.sprints.set_capacity, self.plan.sprint, self.team, points
            )
        except UserError as exc:
            self.query_one("#form-error", Static).update(Content(f"⚠ {exc}"))
            return
        self.dismiss((self.team, points))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
