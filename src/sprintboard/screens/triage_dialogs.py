"""The inbox's small dialogs: accept (team, sprint, title), decline (a reason), snooze (a day).

Each checks its input with the same models the store uses, so a mistake is shown in the
dialog (one line) instead of failing after the row has left the inbox. The inbox keeps one
of each and shows it again for the next item (`prepare()`, then push): composing and
styling a new dialog per key doubled the time to the dialog's first frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, ClassVar, Self

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
from sprintboard.screens.dialog_fit import FitsTerminal
from sprintboard.screens.host import host

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


class TriageDialog(FitsTerminal, ModalScreen[Any]):
    """A dialog about one feedback item, filled in afresh each time it is shown."""

    CSS_PATH = "inbox.tcss"

    VERB: ClassVar[str] = ""
    HINT: ClassVar[str] = ""

    def __init__(self) -> None:
        super().__init__()
        self.item: InboxItem | None = None
        self._fresh = False

    def heading(self) -> ComposeResult:
        yield Label(id="dialog-title")
        yield Label(id="dialog-item")

    def footing(self) -> ComposeResult:
        yield Label("", classes="dialog-error")
        yield Label(Content.styled(self.HINT, "dim"), classes="hint")

    def prepare(self, item: InboxItem) -> Self:
        self.item, self._fresh = item, True
        return self

    def on_screen_resume(self) -> None:
        # Also sent when a screen over this one closes (help, palette): keep what was typed.
        if not self._fresh or self.item is None:
            return
        self._fresh = False
        item = self.item
        self.query_one("#dialog-title", Label).update(
            Content.styled(f"{self.VERB} feedback {item.key}", "bold")
        )
        what = Content(f"{item.category} · {item.source} · ") + Content(item.title)
        self.query_one("#dialog-item", Label).update(what)
        self.query_one(".dialog-error", Label).update("")
        for box in self.query(Input):
            box.cursor_blink = not host(self).frozen
        self.fill(item)

    def fill(self, item: InboxItem) -> None:
        """Reset the fields for `item` and focus the first one."""

    def fail(self, error: UserError) -> None:
        self.query_one(".dialog-error", Label).update(Content(str(error)))

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class AcceptChoice:
    team: str
    sprint_id: int | None
    sprint_name: str
    title: str


class AcceptScreen(TriageDialog):
    """Pick the team (suggested from the category), a sprint or the backlog, and the title."""

    VERB = "Accept"
    HINT = "enter accepts · tab next field · esc cancels"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "accept", "Accept"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.teams: list[dict[str, Any]] = []
        self.sprints: list[tuple[int | None, str, str]] = []
        self.suggested = 0

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog triage"):
            yield from self.heading()
            with Horizontal(classes="choices"):
                with Vertical():
                    yield Label("Team (card owner)")
                    yield OptionList(id="accept-team")
                with Vertical():
                    yield Label("Sprint")
                    yield OptionList(id="accept-sprint")
            yield Label("Card title")
            yield Input(id="accept-title")
            yield from self.footing()

    def offer(self, teams: list[dict[str, Any]], sprints: list[dict[str, Any]]) -> Self:
        """`teams`: active teams (code, name); `sprints`: planned and active ones."""
        self.teams = teams
        self.sprints = [(None, "Backlog", "Backlog")]
        for s in sorted(sprints, key=lambda s: (s["state"] != "active", s["start"])):
            when = "current" if s["state"] == "active" else s["state"]
            label = f"{s['name']} · {when} · {s['start'][5:]} → {s['end'][5:]}"
            self.sprints.append((s["id"], s["name"], label))
        return self

    def fill(self, item: InboxItem) -> None:
        codes = [t["code"] for t in self.teams]
        wanted = SUGGESTED_TEAM.get(item.category, "")
        self.suggested = codes.index(wanted) if wanted in codes else 0
        teams = self.query_one("#accept-team", OptionList)
        teams.set_options(
            Option(
                Content(f"{t['code']:<5} {t['name']}")
                + Content.styled("  suggested" if i == self.suggested else "", "italic")
            )
            for i, t in enumerate(self.teams)
        )
        sprints = self.query_one("#accept-sprint", OptionList)
        sprints.set_options(Option(Content(label)) for _, _, label in self.sprints)
        teams.highlighted, sprints.highlighted = self.suggested, 0
        self.query_one("#accept-title", Input).value = item.title
        teams.focus()

    @on(OptionList.OptionSelected)
    @on(Input.Submitted)
    def action_accept(self) -> None:
        team_index = self.query_one("#accept-team", OptionList).highlighted
        sprint_index = self.query_one("#accept-sprint", OptionList).highlighted or 0
        if team_index is None or not self.teams:
            self.fail(UserError("team: pick the team whose card it becomes"))
            return
        team = self.teams[team_index]["code"]
        title = self.query_one("#accept-title", Input).value
        try:
            card = validate(Card, {"title": title, "team": team})
        except UserError as exc:
            self.fail(exc)
            return
        sprint_id, sprint_name, _ = self.sprints[sprint_index]
        self.dismiss(AcceptChoice(team, sprint_id, sprint_name, card.title))


class DeclineScreen(TriageDialog):
    """A reason is required; earlier reasons are suggested as you type (→ completes)."""

    VERB = "Decline"
    HINT = "enter declines · → completes a suggestion · esc cancels"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self) -> None:
        super().__init__()
        self.reasons = list(COMMON_REASONS)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog triage"):
            yield from self.heading()
            yield Label("Reason (required; the customer may be told)")
            yield Input(id="decline-reason", placeholder="e.g. not something we will change")
            yield from self.footing()

    def suggest(self, reasons: list[str]) -> Self:
        self.reasons = list(dict.fromkeys([*reasons, *COMMON_REASONS]))
        return self

    def fill(self, item: InboxItem) -> None:
        box = self.query_one(Input)
        box.suggester = SuggestFromList(self.reasons, case_sensitive=False)
        box.value = ""
        box.focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        try:
            reason = validate(Decline, {"reason": event.value}).reason
        except UserError as exc:
            self.fail(exc)
            return
        self.dismiss(reason)


def snooze_presets(today: date) -> list[tuple[str, date]]:
    """+1 day, +3 days, next week (the coming Monday)."""
    monday = today + timedelta(days=7 - today.weekday())
    return [
        ("+1 day", today + timedelta(days=1)),
        ("+3 days", today + timedelta(days=3)),
        ("next week", monday),
    ]


class SnoozeScreen(TriageDialog):
    """Until when: 1, 2, 3 pick a preset; or type a day (YYYY-MM-DD) and press enter."""

    VERB = "Snooze"
    HINT = "1 2 3 or enter pick · tab to type a day · esc cancels"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("1", "preset(0)", "+1 day"),
        Binding("2", "preset(1)", "+3 days"),
        Binding("3", "preset(2)", "Next week"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.today = date(1970, 1, 1)
        self.presets = snooze_presets(self.today)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog triage"):
            yield from self.heading()
            yield Label("Back in the inbox on")
            yield OptionList(id="snooze-presets")
            yield Label("or a day")
            yield Input(id="snooze-date", placeholder="YYYY-MM-DD")
            yield from self.footing()

    def starting(self, today: date) -> Self:
        self.today, self.presets = today, snooze_presets(today)
        return self

    def fill(self, item: InboxItem) -> None:
        presets = self.query_one(OptionList)
        presets.set_options(
            Option(Content(f"{i}  {label:<10} {day:%a %Y-%m-%d}"))
            for i, (label, day) in enumerate(self.presets, start=1)
        )
        presets.highlighted = 0
        self.query_one(Input).value = ""
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
            self.fail(exc)
            return
        self.dismiss(day)
