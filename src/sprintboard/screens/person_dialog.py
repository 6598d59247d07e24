"""Who is at the keyboard: hand the app to someone else in a planning session.

Changes are recorded under the chosen person from then on, `u` undoes their changes and
`m` shows their cards. The name is checked as `--as` checks it; a member's name completes.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, Static

from sprintboard.config import MAX_PERSON, person_name
from sprintboard.store.people import canonical
from sprintboard.views.text import printable


class PersonScreen(ModalScreen[str | None]):
    """Type the name of the person now at the keyboard (enter keeps it, escape cancels)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, current: str, members: list[dict[str, Any]]) -> None:
        super().__init__()
        self.current = current
        self.members = members

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content.styled("Who is at the keyboard?", "bold"))
            yield Label(
                Content("Now: ")
                + Content(printable(self.current))
                + Content(". Changes, undo and 'mine' follow the person you name.")
            )
            yield Input(
                self.current,
                id="person",
                placeholder="a team member's name, or anyone's",
                suggester=SuggestFromList([m["name"] for m in self.members], case_sensitive=False),
            )
            yield Static(id="person-who")

    def on_mount(self) -> None:
        self.query_one("#person", Input).focus()
        self._show_who(self.current)

    @on(Input.Changed, "#person")
    def _typed(self, event: Input.Changed) -> None:
        self._show_who(event.value)

    def _show_who(self, value: str) -> None:
        name = person_name(value)
        if name is None:
            who = f"a name: 1-{MAX_PERSON} characters, no control characters"
        else:
            person = canonical(name, [m["name"] for m in self.members])
            member = next((m for m in self.members if m["name"] == person), None)
            if member is None:
                who = f"{person}: not a team member (changes are recorded under this name)"
            else:
                who = f"{person} · {member['team']}" + (
                    f" · {member['role']}" if member["role"] else ""
                )
        self.query_one("#person-who", Static).update(Content(printable(who)))

    @on(Input.Submitted, "#person")
    def _submitted(self, event: Input.Submitted) -> None:
        name = person_name(event.value)
        if name is not None:
            self.dismiss(name)

    def action_cancel(self) -> None:
        self.dismiss(None)
