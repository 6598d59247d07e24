"""The goals screen's dialogs: the goal form, sign-off (who), and setting the status.

Each checks its input with the same rules the store uses, so a mistake shows in the
dialog as one line and nothing is written.
"""

from __future__ import annotations

import math
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from sprintboard.errors import UserError
from sprintboard.planning.goals import GoalProgress
from sprintboard.screens.dialog_fit import FitsTerminal
from sprintboard.screens.host import host
from sprintboard.views.text import printable
from sprintboard.vocabulary import GoalStatus, strip_control
from sprintboard.widgets.goal_rows import kpi_range, status_badge

TEXT_FIELDS = ("title", "kpi", "unit", "sponsor")
NUMBER_FIELDS = ("baseline", "current", "target", "expected_roi")


def parse_number(field: str, text: str, *, optional: bool = False) -> float | None:
    """A number typed into the form; blank only where the field is optional."""
    text = text.strip()
    if not text:
        if optional:
            return None
        raise UserError(f"{field}: must be a number, e.g. 2.5 (got nothing)")
    try:
        value = float(text)
    except ValueError:
        raise UserError(f"{field}: must be a number, e.g. 2.5 (got {text!r})") from None
    if not math.isfinite(value):
        raise UserError(f"{field}: must be a finite number (got {text!r})")
    return value


def number_text(value: float | None) -> str:
    """A stored number as the form shows it: 71.0 -> '71', 2.1 -> '2.1'."""
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _no_blink(screen: ModalScreen[Any]) -> None:
    frozen = host(screen).frozen
    for box in screen.query(Input):
        box.cursor_blink = not frozen


class GoalFormScreen(FitsTerminal, ModalScreen[int | None]):
    """A new goal, or edits to one. Dismisses with the goal's id when saved."""

    CSS_PATH = "goals.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, goal: GoalProgress | None, sponsors: list[str]) -> None:
        super().__init__()
        self.goal = goal
        self.sponsors = sponsors

    def compose(self) -> ComposeResult:
        heading = f"Edit goal G{self.goal.id}" if self.goal else "New goal"
        suggest = SuggestFromList(self.sponsors, case_sensitive=False) if self.sponsors else None
        with VerticalScroll(classes="dialog form goal-form"):
            yield Label(Content.styled(heading, "bold"))
            yield Label("Title")
            yield Input(id="title", placeholder="e.g. Lift conversion rate")
            with Horizontal(classes="row"):
                with Vertical(classes="field"):
                    yield Label("KPI")
                    yield Input(id="kpi", placeholder="e.g. conversion rate")
                with Vertical(classes="field"):
                    yield Label("Unit")
                    yield Input(id="unit", placeholder="e.g. %, EUR, orders/day")
            with Horizontal(classes="row"):
                with Vertical(classes="field"):
                    yield Label("Baseline")
                    yield Input(id="baseline", placeholder="where it started")
                with Vertical(classes="field"):
                    yield Label("Current")
                    yield Input(id="current", placeholder="where it is now")
                with Vertical(classes="field"):
                    yield Label("Target")
                    yield Input(id="target", placeholder="lower than baseline: falling KPI")
            with Horizontal(classes="row"):
                with Vertical(classes="field"):
                    yield Label("Expected ROI")
                    yield Input(id="expected_roi", placeholder="optional, e.g. 250000")
                with Vertical(classes="field"):
                    yield Label("Sponsor (C-level)")
                    yield Input(id="sponsor", placeholder="who backs it", suggester=suggest)
            yield Static(id="form-error")
            with Horizontal(classes="buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="save")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        _no_blink(self)
        goal = self.goal
        if goal is not None:
            for f in TEXT_FIELDS:
                self.query_one(f"#{f}", Input).value = getattr(goal, f)
            # The title is stored as given; the box shows a tab or U+2028 as a space.
            self.query_one("#title", Input).value = printable(goal.title)
            for f in NUMBER_FIELDS:
                self.query_one(f"#{f}", Input).value = number_text(getattr(goal, f))
        self.query_one("#title", Input).focus()

    def values(self) -> dict[str, Any]:
        """The form's fields, numbers parsed; raises UserError naming the first bad one."""
        fields: dict[str, Any] = {f: self.query_one(f"#{f}", Input).value for f in TEXT_FIELDS}
        if self.goal is not None and fields["title"] == printable(self.goal.title):
            fields["title"] = self.goal.title  # not edited: kept as stored
        for f in NUMBER_FIELDS:
            text = self.query_one(f"#{f}", Input).value
            fields[f] = parse_number(f, text, optional=f == "expected_roi")
        return fields

    @on(Button.Pressed, "#save")
    @on(Input.Submitted)
    async def action_save(self) -> None:
        from sprintboard.models import Goal, validate

        error = self.query_one("#form-error", Static)
        try:
            fields = self.values()
            goal = validate(Goal, fields)  # checked here first: the error shows at once
            if self.goal is None:
                saved = await host(self).backend.write(self._add, goal)
            else:
                new = goal.model_dump(mode="json")
                changes = {f: new[f] for f in fields if new[f] != getattr(self.goal, f)}
                if not changes:
                    self.dismiss(None)
                    return
                saved = await host(self).backend.write(self._edit, self.goal.id, changes)
        except UserError as exc:
            error.update(Content(f"⚠ {exc}"))
            return
        self.dismiss(saved)

    def _add(self, goal: Any) -> int:
        from sprintboard.planning.goals import add_goal

        return int(add_goal(host(self).backend.store, goal)["id"])

    def _edit(self, goal_id: int, changes: dict[str, Any]) -> int:
        goals = host(self).backend.store.goals
        return int(goals.edit(goal_id, changes)["id"])

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class SignoffScreen(FitsTerminal, ModalScreen[str | None]):
    """Who signs the goal off (the sponsor, unless someone else is named)."""

    CSS_PATH = "goals.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Sign off"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, goal: GoalProgress, names: list[str]) -> None:
        super().__init__()
        self.goal = goal
        self.names = names

    def compose(self) -> ComposeResult:
        goal = self.goal
        if goal.signed_off_by:
            when = (goal.signed_off_at or "").replace("T", " ").rstrip("Z")[:16]
            who = printable(goal.signed_off_by)
            state = Content("Signed off by ") + Content.styled(who, "bold")
            state += Content(f" on {when}; signing again records the new sign-off.")
        else:
            state = Content("Not signed off yet.")
        suggest = SuggestFromList(self.names, case_sensitive=False) if self.names else None
        with Vertical(classes="dialog signoff"):
            yield Label(Content.styled(f"Sign off goal G{goal.id}", "bold"))
            yield Label(Content(printable(goal.title)))
            yield Label(state)
            yield Label("Who signs off (C-level buy-in)")
            yield Input(goal.sponsor, id="signoff-who", suggester=suggest)
            yield Label("", classes="dialog-error")
            yield Label(
                Content.styled("enter signs off · esc cancels", "dim"),
                classes="hint",
            )

    def on_mount(self) -> None:
        _no_blink(self)
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def action_save(self) -> None:
        who = strip_control(self.query_one(Input).value, one_line=True)
        if not who:
            error = UserError("by: name who signs off (must not be empty)")
            self.query_one(".dialog-error", Label).update(Content(str(error)))
            return
        self.dismiss(who)

    def action_cancel(self) -> None:
        self.dismiss(None)


class StatusScreen(FitsTerminal, ModalScreen[str | None]):
    """Set the goal's status; the suggested one is marked, with its reason."""

    CSS_PATH = "goals.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    STATUSES: ClassVar[list[GoalStatus]] = list(GoalStatus)

    def __init__(self, goal: GoalProgress) -> None:
        super().__init__()
        self.goal = goal

    def compose(self) -> ComposeResult:
        goal = self.goal
        options = []
        for status in self.STATUSES:
            prompt = status_badge(status)
            if status == goal.status:
                prompt += Content("  (now)")
            if status == goal.suggestion.status:
                prompt += Content.styled("  ← suggested", "italic")
            options.append(Option(prompt, id=status.value))
        with Vertical(classes="dialog goal-status"):
            yield Label(Content.styled(f"Status of goal G{goal.id}", "bold"))
            yield Label(
                Content(printable(goal.title))
                + Content(f" · {printable(goal.kpi)} {kpi_range(goal)}")
            )
            yield Label(
                Content("Suggested: ")
                + status_badge(goal.suggestion.status)
                + Content(f" ({goal.suggestion.reason})")
            )
            yield OptionList(*options, id="goal-status-list")
            yield Label(Content.styled("enter sets · esc cancels", "dim"), classes="hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = self.STATUSES.index(self.goal.status)
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
