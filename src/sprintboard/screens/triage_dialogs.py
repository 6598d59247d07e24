"""The inbox's small dialogs: accept (team, sprint, title), decline (a reason), snooze (a day).

Each checks its input with the same models the store uses, so a mistake is shown in the
dialog (one line) instead of failing after the row has left the inbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from sprintboard.errors import UserError
from sprintboard.models import Card, Decline, Snooze, validate
from sprintboard.planning.triage import InboxItem

# The team a category's feedback usually lands with: the accept dialog starts on it.
SUGGESTED_TEAM = {
    "checkout": "ECOM",
    "cart": "ECOM",
    "payment": "ECOM",
    "shipping": "WH",
    "product": "CNT",
    "site": "IT",
    "account": "IT",
    "other": "CS",
}
COMMON_REASONS = [
    "not something we will change",
    "works as intended",
    "cannot reproduce",
    "outside our control (carrier or bank)",
]


def _heading(verb: str, item: InboxItem) -> list[Label]:
    """The dialog's title and the feedback it acts on (the text shown literally)."""
    return [
        Label(Content.styled(f"{verb} feedback #{item.id}", "bold")),
        Label(Content(f"{item.category} · {item.source} · ") + Content(item.title)),
    ]


def _fail(screen: ModalScreen[Any], error: UserError) -> None:
    screen.query_one(".dialog-error", Label).update(Content(str(error)))


def _frozen(screen: ModalScreen[Any], box: Input) -> None:
    box.cursor_blink = not getattr(screen.app, "frozen", False)


@dataclass(frozen=True)
class AcceptChoice:
    team: str
    sprint_id: int | None
    sprint_name: str
    title: str


class AcceptScreen(ModalScreen[AcceptChoice | None]):
    """Pick the team (suggested from the category), a sprint or the backlog, and the title."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "accept", "Accept"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(
        self, item: InboxItem, teams: list[dict[str, Any]], sprints: list[dict[str, Any]]
    ) -> None:
        """`teams`: active teams (code, name); `sprints`: planned and active ones."""
        super().__init__()
        self.item = item
        self.teams = teams
        self.sprints: list[tuple[int | None, str, str]] = [(None, "Backlog", "Backlog")]
        for s in sorted(sprints, key=lambda s: (s["state"] != "active", s["start"])):
            when = "current" if s["state"] == "active" else s["state"]
            label = f"{s['name']} · {when} · {s['start'][5:]} → {s['end'][5:]}"
            self.sprints.append((s["id"], s["name"], label))
        codes = [t["code"] for t in teams]
        wanted = SUGGESTED_TEAM.get(item.category, "")
        self.suggested = codes.index(wanted) if wanted in codes else 0

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog triage"):
            yield from _heading("Accept", self.item)
            with Horizontal(classes="choices"):
                with Vertical():
                    yield Label("Team (card owner)")
                    yield OptionList(
                        *(
                            Option(
                                Content(f"{t['code']:<5} {t['name']}")
                                + (
                                    Content.styled("  suggested", "italic")
                                    if i == self.suggested
                                    else Content("")
                                )
                            )
                            for i, t in enumerate(self.teams)
                        ),
                        id="accept-team",
                    )
                with Vertical():
                    yield Label("Sprint")
                    yield OptionList(
                        *(Option(Content(label)) for _, _, label in self.sprints),
                        id="accept-sprint",
                    )
            yield Label("Card title")
            yield Input(self.item.title, id="accept-title")
            yield Label("", classes="dialog-error")
            yield Label(
                Content.styled("enter accepts · tab next field · esc cancels", "dim"),
                classes="hint",
            )

    def on_mount(self) -> None:
        teams = self.query_one("#accept-team", OptionList)
        teams.highlighted = self.suggested
        self.query_one("#accept-sprint", OptionList).highlighted = 0
        _frozen(self, self.query_one(Input))
        teams.focus()

    @on(OptionList.OptionSelected)
    @on(Input.Submitted)
    def action_accept(self) -> None:
        team_index = self.query_one("#accept-team", OptionList).highlighted
        sprint_index = self.query_one("#accept-sprint", OptionList).highlighted or 0
        if team_index is None or not self.teams:
            _fail(self, UserError("team: pick the team whose card it becomes"))
            return
        team = self.teams[team_index]["code"]
        title = self.query_one("#accept-title", Input).value
        try:
            card = validate(Card, {"title": title, "team": team})
        except UserError as exc:
            _fail(self, exc)
            return
        sprint_id, sprint_name, _ = self.sprints[sprint_index]
        self.dismiss(AcceptChoice(team, sprint_id, sprint_name, card.title))

    def action_cancel(self) -> None:
        self.dismiss(None)


class DeclineScreen(ModalScreen[str | None]):
    """A reason is required; earlier reasons are suggested as you type (→ completes)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, item: InboxItem, reasons: list[str]) -> None:
        super().__init__()
        self.item = item
        self.reasons = list(dict.fromkeys([*reasons, *COMMON_REASONS]))

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog triage"):
            yield from _heading("Decline", self.item)
            yield Label("Reason (required; the customer may be told)")
            yield Input(
                id="decline-reason",
                placeholder="e.g. not something we will change",
                suggester=SuggestFromList(self.reasons, case_sensitive=False),
            )
            yield Label("", classes="dialog-error")
            yield Label(
                Content.styled("enter declines · → completes a suggestion · esc cancels", "dim"),
                classes="hint",
            )

    def on_mount(self) -> None:
        box = self.query_one(Input)
        _frozen(self, box)
        box.focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        try:
            reason = validate(Decline, {"reason": event.value}).reason
        except UserError as exc:
            _fail(self, exc)
            return
        self.dismiss(reason)

    def action_cancel(self) -> None:
        self.dismiss(None)


def snooze_presets(today: date) -> list[tuple[str, date]]:
    """+1 day, +3 days, next week (the coming Monday)."""
    monday = today + timedelta(days=7 - today.weekday())
    return [
        ("+1 day", today + timedelta(days=1)),
        ("+3 days", today + timedelta(days=3)),
        ("next week", monday),
    ]


class SnoozeScreen(ModalScreen[date | None]):
    """Until when: 1, 2, 3 pick a preset; or type a day (YYYY-MM-DD) and press enter."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "preset(0)", "+1 day"),
        Binding("2", "preset(1)", "+3 days"),
        Binding("3", "preset(2)", "Next week"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, item: InboxItem, today: date) -> None:
        super().__init__()
        self.item = item
        self.today = today
        self.presets = snooze_presets(today)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog triage"):
            yield from _heading("Snooze", self.item)
            yield Label("Back in the inbox on")
            yield OptionList(
                *(
                    Option(Content(f"{i}  {label:<10} {day:%a %Y-%m-%d}"))
                    for i, (label, day) in enumerate(self.presets, start=1)
                ),
                id="snooze-presets",
            )
            yield Label("or a day")
            yield Input(id="snooze-date", placeholder="YYYY-MM-DD")
            yield Label("", classes="dialog-error")
            yield Label(
                Content.styled("enter picks · tab to type a day · esc cancels", "dim"),
                classes="hint",
            )

    def on_mount(self) -> None:
        presets = self.query_one(OptionList)
        presets.highlighted = 0
        _frozen(self, self.query_one(Input))
        presets.focus()

    def action_preset(self, index: int) -> None:
        self.dismiss(self.presets[index][1])

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.action_preset(event.option_index)

    @on(Input.Submitted)
    def _typed(self, event: Input.Submitted) -> None:
        try:
            day = validate(Snooze, {"until": event.value}).until
            if day <= self.today:
                raise UserError(f"until: must be after today, {self.today} (got {day})")
        except UserError as exc:
            _fail(self, exc)
            return
        self.dismiss(day)

    def action_cancel(self) -> None:
        self.dismiss(None)
