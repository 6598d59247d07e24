"""Starting a sprint: what the step commits to, asked before it is taken (closing one:
screens/sprint_close.py; the sprint form and capacity: screens/sprint_form.py).

The dialog makes its change itself (on the database thread) and dismisses once it is
made; a refusal is shown in the dialog, in the store's own words, and the dialog stays.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from functools import partial
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Label

from sprintboard.errors import UserError
from sprintboard.planning.capacity import SprintCapacity
from sprintboard.screens.dialog_fit import FitsTerminal
from sprintboard.screens.host import host
from sprintboard.screens.sprint_close import CloseSprintScreen as CloseSprintScreen
from sprintboard.store.sprints import shifted_dates


def _dates(sprint: dict[str, Any]) -> str:
    return f"{sprint['start']} → {sprint['end']}"


async def _attempt(dialog: ModalScreen[Any], what: str, fn: Callable[..., Any], *args: Any) -> bool:
    """Make the change on the database thread; on refusal say why in the dialog."""
    try:
        await host(dialog).backend.write(fn, *args)
    except (UserError, sqlite3.Error) as exc:
        dialog.query_one("#sprint-error", Label).update(Content(f"{what}: {exc}"))
        return False
    return True


class StartSprintScreen(FitsTerminal, ModalScreen[bool]):
    """Start a planned sprint: its points now become its commitment. y starts, n cancels.
    Started on another day than planned, y also moves its dates to start today (keeping
    its length, so the burndown starts on the real start) and p keeps them. Dismisses
    with True once it has started."""

    CSS_PATH = "planning.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Start"),
        Binding("p", "answer(True, False)", "Start, keep planned dates"),
        Binding("n,escape", "answer(False)", "Cancel"),
    ]

    def __init__(
        self, sprint: dict[str, Any], plan: SprintCapacity, cards: int, today: str = ""
    ) -> None:
        super().__init__()
        self.sprint = sprint
        self.plan = plan
        self.cards = cards
        self.today = today
        self.off_plan = bool(today) and sprint["start"] != today

    def compose(self) -> ComposeResult:
        s = self.sprint
        with Vertical(classes="dialog sprint-dialog"):
            yield Label(Content.styled("Start ", "bold") + Content.styled(s["name"], "bold") + "?")
            yield Label(Content(f"{_dates(s)} · goal: ") + Content(s["goal"] or "(none)"))
            yield Label(
                f"{self.plan.planned} points in {self.cards} cards become its commitment "
                f"(capacity {self.plan.capacity}); scope added later shows on the burndown."
            )
            if self.off_plan:
                start, end = shifted_dates(s["start"], s["end"], self.today)
                yield Label(
                    Content.styled(f"It was planned to start {s['start']}, not today. ", "bold")
                    + Content(
                        f"y shifts its dates to {start} → {end} (same length) so the "
                        "burndown starts today; p keeps the planned dates."
                    ),
                    id="start-shift",
                )
            over = self.plan.over_capacity
            if over:
                lines = [
                    Content.styled(
                        f"⚠ {t.team} {t.planned}/{t.capacity} pt, +{t.over} over", "bold"
                    )
                    for t in over
                ]
                yield Label(Content("\n").join(lines), classes="dialog-error")
            yield Label("", id="sprint-error", classes="dialog-error")
            with Horizontal(classes="buttons"):
                if self.off_plan:
                    yield Button("Start, shift dates (y)", variant="primary", id="yes")
                    yield Button("Start as planned (p)", id="keep")
                else:
                    yield Button("Start (y)", variant="primary", id="yes")
                yield Button("Cancel (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    async def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "keep":
            await self.action_answer(True, False)
        else:
            await self.action_answer(event.button.id == "yes")

    async def action_answer(self, yes: bool, shift: bool = True) -> None:
        if not yes:
            self.dismiss(False)
            return
        if not self.off_plan and not shift:
            return  # p only means something when the sprint starts off its plan
        start = partial(host(self).backend.store.sprints.start, shift=self.off_plan and shift)
        if await _attempt(self, "not started", start, self.sprint["name"]):
            self.dismiss(True)
