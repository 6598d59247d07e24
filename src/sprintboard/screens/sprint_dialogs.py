"""Starting and closing a sprint: what the step commits to, asked before it is taken.

Each dialog makes its change itself (on the database thread) and dismisses once it is
made; a refusal is shown in the dialog, in the store's own words, and the dialog stays.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from sprintboard.errors import UserError
from sprintboard.planning.capacity import SprintCapacity
from sprintboard.screens.host import host
from sprintboard.views.board import LABELS
from sprintboard.views.text import fit, printable


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


class StartSprintScreen(ModalScreen[bool]):
    """Start a planned sprint: its points now become its commitment. y starts, n cancels.
    Dismisses with True once it has started."""

    CSS_PATH = "planning.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Start"),
        Binding("n,escape", "answer(False)", "Cancel"),
    ]

    def __init__(self, sprint: dict[str, Any], plan: SprintCapacity, cards: int) -> None:
        super().__init__()
        self.sprint = sprint
        self.plan = plan
        self.cards = cards

    def compose(self) -> ComposeResult:
        s = self.sprint
        with Vertical(classes="dialog sprint-dialog"):
            yield Label(Content.styled("Start ", "bold") + Content.styled(s["name"], "bold") + "?")
            yield Label(Content(f"{_dates(s)} · goal: ") + Content(s["goal"] or "(none)"))
            yield Label(
                f"{self.plan.planned} points in {self.cards} cards become its commitment "
                f"(capacity {self.plan.capacity}); scope added later shows on the burndown."
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
                yield Button("Start (y)", variant="primary", id="yes")
                yield Button("Cancel (n)", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    async def _pressed(self, event: Button.Pressed) -> None:
        await self.action_answer(event.button.id == "yes")

    async def action_answer(self, yes: bool) -> None:
        store = host(self).backend.store
        if not yes or await _attempt(self, "not started", store.sprints.start, self.sprint["name"]):
            self.dismiss(yes)


class CloseSprintScreen(ModalScreen[str | None]):
    """Close the active sprint; its unfinished cards go to the backlog (b) or the next
    sprint (n). Dismisses, once closed, with what happened in one line; None: cancelled."""

    CSS_PATH = "planning.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("b", "carry('backlog')", "Unfinished to the backlog"),
        Binding("n", "carry('next')", "Unfinished to the next sprint"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__()
        self.data = data

    @staticmethod
    def fetch(store: Any) -> dict[str, Any] | None:
        """The active sprint, its unfinished cards and the sprint after it (db thread)."""
        sprint = store.sprints.active()
        if sprint is None:
            return None
        teams = {t["id"]: t["code"] for t in store.teams.list(include_archived=True)}
        unfinished = [
            {**c, "team": teams.get(c["team_id"], "?")}
            for c in store.sprints.unfinished(sprint["name"])
        ]
        totals = next(s for s in store.sprints.list() if s["id"] == sprint["id"])
        return {
            "sprint": totals,
            "unfinished": unfinished,
            "next": store.sprints.next_after(sprint),
        }

    @staticmethod
    def outcome(data: dict[str, Any], where: str) -> str:
        """What closing did, in one line: "Sprint 42 closed; 16 unfinished cards to ..."."""
        count = len(data["unfinished"])
        target = data["next"]["name"] if where == "next" and data["next"] else "the backlog"
        moved = f"; {count} unfinished card{'s' if count != 1 else ''} to {target}" if count else ""
        return f"{data['sprint']['name']} closed{moved}"

    def compose(self) -> ComposeResult:
        sprint, cards, nxt = self.data["sprint"], self.data["unfinished"], self.data["next"]
        left = sum(c["points"] or 0 for c in cards)
        with Vertical(classes="dialog sprint-dialog"):
            yield Label(Content.styled("Close ", "bold") + Content.styled(sprint["name"], "bold"))
            yield Label(
                f"{_dates(sprint)} · done {sprint['done_points']} of {sprint['points']} points. "
                "Closing records its commitment, what was completed and the scope added "
                "or removed since the start."
            )
            if cards:
                yield Label(
                    Content.styled(f"{len(cards)} unfinished cards ({left} points):", "bold")
                )
                rows = [
                    Content(
                        f"  {fit(c['key'], 9)}{fit(c['team'], 6)}"
                        f"{fit(LABELS.get(c['status'], c['status']), 8)}"
                        f"{'?' if c['points'] is None else c['points']:>3} pt  "
                    )
                    + Content(printable(c["title"]))
                    for c in cards
                ]
                with VerticalScroll(id="close-unfinished"):
                    yield Static(Content("\n").join(rows))
                yield Label("Send them to:")
            else:
                yield Label("Every card is done: nothing to carry over.")
            yield Label("", id="sprint-error", classes="dialog-error")
            with Horizontal(classes="buttons"):
                yield Button("Backlog (b)" if cards else "Close (b)", variant="error", id="backlog")
                if cards:
                    label = f"Next: {nxt['name']} (n)" if nxt else "No planned sprint"
                    yield Button(label, variant="primary", id="next", disabled=nxt is None)
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    @on(Button.Pressed)
    async def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "cancel":
            self.dismiss(None)
        else:
            await self.action_carry(event.button.id or "backlog")

    async def action_carry(self, where: str) -> None:
        if where == "next" and (self.data["next"] is None or not self.data["unfinished"]):
            if self.data["unfinished"]:
                self.notify("no planned sprint to carry the cards into", severity="warning")
            return
        close = host(self).backend.store.sprints.close
        if await _attempt(self, "not closed", close, self.data["sprint"]["name"], where):
            self.dismiss(self.outcome(self.data, where))

    def action_cancel(self) -> None:
        self.dismiss(None)
