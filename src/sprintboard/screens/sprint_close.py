"""Closing a sprint card by card, and the sprint report that follows.

The close dialog lists the unfinished cards, each with where it goes (the next sprint,
the backlog, or left in the closed sprint), and previews each team's load in the next
sprint after the carry-over against its capacity. It closes in one transaction
(store.sprints.close with the per-card plan) and dismisses; the planning screen then shows
the report (planning/sprint_report.py).
"""

from __future__ import annotations

import sqlite3
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, ScrollableContainer, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Label, OptionList, Static
from textual.widgets.option_list import Option

from sprintboard.errors import UserError
from sprintboard.planning.sprint_report import ROWS, SprintReport, TeamReport, carry_preview
from sprintboard.screens.dialog_fit import FitsTerminal
from sprintboard.screens.host import host
from sprintboard.views.board import LABELS
from sprintboard.views.text import fit, printable

CHOICE_WORDS = {"next": "→ next", "backlog": "→ backlog", "leave": "· leave"}


def fetch_close(store: Any) -> dict[str, Any] | None:
    """The active sprint, its unfinished cards, the sprint after it and that sprint's
    load and capacity per team (db thread); None without an active sprint."""
    sprint = store.sprints.active()
    if sprint is None:
        return None
    teams = store.teams.list(include_archived=True)
    codes = {t["id"]: t["code"] for t in teams}
    unfinished = [
        {**c, "team": codes.get(c["team_id"], "?")}
        for c in store.sprints.unfinished(sprint["name"])
    ]
    totals = next(s for s in store.sprints.list() if s["id"] == sprint["id"])
    nxt = store.sprints.next_after(sprint)
    loads: dict[str, int] = {}
    capacities: dict[str, int] = {}
    if nxt is not None:
        loads = {r["team"]: int(r["points"]) for r in store.sprints.team_load(nxt["id"])}
        overrides = store.sprints.capacity_overrides(nxt["id"])
        capacities = {
            t["code"]: overrides.get(t["code"], int(t["capacity"]))
            for t in teams
            if not t["archived"] or t["code"] in loads
        }
    return {
        "sprint": totals,
        "unfinished": unfinished,
        "next": nxt,
        "loads": loads,
        "capacities": capacities,
    }


class CloseSprintScreen(FitsTerminal, ModalScreen[str | None]):
    """Close the active sprint, saying where each unfinished card goes. Dismisses, once
    closed, with what happened in one line; None: cancelled."""

    CSS_PATH = "planning.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "choose('next')", "Card to next sprint"),
        Binding("b", "choose('backlog')", "Card to backlog"),
        Binding("l", "choose('leave')", "Leave card in sprint"),
        Binding("N", "choose_all('next')", "All to next"),
        Binding("B", "choose_all('backlog')", "All to backlog"),
        Binding("y", "close", "Close sprint"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__()
        self.data = data
        default = "next" if data["next"] is not None else "backlog"
        self.choices: dict[str, str] = {c["key"]: default for c in data["unfinished"]}

    @staticmethod
    def fetch(store: Any) -> dict[str, Any] | None:
        return fetch_close(store)

    def outcome(self) -> str:
        """What closing did, in one line: "Sprint 42 closed; 3 cards to Sprint 43, ..."."""
        counts = {w: sum(1 for v in self.choices.values() if v == w) for w in CHOICE_WORDS}
        nxt = self.data["next"]
        words = {
            "next": f"to {nxt['name'] if nxt else 'the next sprint'}",
            "backlog": "to the backlog",
            "leave": "left in it",
        }
        parts = [
            f"{n} unfinished card{'s' if n != 1 else ''} {words[w]}" for w, n in counts.items() if n
        ]
        return f"{self.data['sprint']['name']} closed" + "".join(f"; {p}" for p in parts)

    def compose(self) -> ComposeResult:
        sprint, cards = self.data["sprint"], self.data["unfinished"]
        left = sum(c["points"] or 0 for c in cards)
        with Vertical(classes="dialog sprint-dialog sprint-close"):
            yield Label(Content.styled("Close ", "bold") + Content.styled(sprint["name"], "bold"))
            yield Label(
                f"{sprint['start']} → {sprint['end']} · done {sprint['done_points']} of "
                f"{sprint['points']} points. Closing records its commitment, what was "
                "completed and the scope added or removed since the start."
            )
            if cards:
                yield Label(
                    Content.styled(f"{len(cards)} unfinished cards ({left} points):", "bold")
                    + Content.styled(
                        "  n next · b backlog · l leave · N all to next · B all to backlog",
                        "dim",
                    )
                )
                yield OptionList(*self._options(), id="close-cards")
                yield Static(id="close-preview")
            else:
                yield Label("Every card is done: nothing to carry over.")
            yield Label("", id="sprint-error", classes="dialog-error")
            with Horizontal(classes="buttons"):
                yield Button("Close sprint (y)", variant="error", id="close")
                yield Button("Cancel (esc)", id="cancel")

    def _line(self, card: dict[str, Any]) -> Content:
        points = "?" if card["points"] is None else card["points"]
        return Content(
            f"{fit(CHOICE_WORDS[self.choices[card['key']]], 11)}{fit(card['key'], 9)}"
            f"{fit(card['team'], 6)}{fit(LABELS.get(card['status'], card['status']), 8)}"
            f"{points:>3} pt  "
        ) + Content(printable(card["title"]))

    def _options(self) -> list[Option]:
        return [Option(self._line(c), id=c["key"]) for c in self.data["unfinished"]]

    def on_mount(self) -> None:
        if self.data["unfinished"]:
            self.query_one("#close-cards", OptionList).focus()
            self._show_preview()
        else:
            self.query_one("#cancel", Button).focus()

    def _show_preview(self) -> None:
        nxt = self.data["next"]
        preview = self.query_one("#close-preview", Static)
        going = [c for c in self.data["unfinished"] if self.choices[c["key"]] == "next"]
        if nxt is None:
            preview.update(Content.styled("No planned sprint: cards can go to the backlog.", "dim"))
            return
        rows = carry_preview(
            self.data["loads"],
            self.data["capacities"],
            [(c["team"], c["points"] or 0) for c in going],
        )
        parts = [Content.styled(nxt["name"], "bold") + Content(" after carry-over: ")]
        for i, (team, points, capacity) in enumerate(rows):
            text = f"{team} {points}/{capacity}"
            part = (
                Content.styled(f"{text} ⚠", "bold $error") if points > capacity else Content(text)
            )
            parts.append(Content(" · ") + part if i else part)
        if not rows:
            parts.append(Content("nothing planned"))
        preview.update(Content("").join(parts))

    def _redraw(self) -> None:
        cards = self.query_one("#close-cards", OptionList)
        for index, card in enumerate(self.data["unfinished"]):
            cards.replace_option_prompt_at_index(index, self._line(card))
        self._show_preview()

    def _selected(self) -> dict[str, Any] | None:
        if not self.data["unfinished"]:
            return None
        index = self.query_one("#close-cards", OptionList).highlighted
        return None if index is None else self.data["unfinished"][index]

    def _refuse_next(self) -> bool:
        if self.data["next"] is None:
            self.notify("no planned sprint to carry cards into", severity="warning")
            return True
        return False

    def action_choose(self, where: str) -> None:
        card = self._selected()
        if card is None or (where == "next" and self._refuse_next()):
            return
        self.choices[card["key"]] = where
        self._redraw()
        self.query_one("#close-cards", OptionList).action_cursor_down()

    def action_choose_all(self, where: str) -> None:
        if not self.choices or (where == "next" and self._refuse_next()):
            return
        self.choices = dict.fromkeys(self.choices, where)
        self._redraw()

    @on(OptionList.OptionSelected, "#close-cards")
    def _cycle(self, event: OptionList.OptionSelected) -> None:
        """Enter steps the card through next, backlog and leave."""
        key = str(event.option.id)
        order = [w for w in CHOICE_WORDS if w != "next" or self.data["next"] is not None]
        now = self.choices[key]
        self.choices[key] = order[(order.index(now) + 1) % len(order)]
        self._redraw()

    @on(Button.Pressed)
    async def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "cancel":
            self.dismiss(None)
        else:
            await self.action_close()

    async def action_close(self) -> None:
        store = host(self).backend.store
        name = self.data["sprint"]["name"]
        try:
            await host(self).backend.write(store.sprints.close, name, None, dict(self.choices))
        except (UserError, sqlite3.Error) as exc:
            self.query_one("#sprint-error", Label).update(Content(f"not closed: {exc}"))
            return
        self.dismiss(self.outcome())

    def action_cancel(self) -> None:
        self.dismiss(None)


def _cell(team: TeamReport, attr: str) -> str:
    tally = getattr(team, attr)
    return f"{tally.points}/{tally.cards}"


def report_lines(report: SprintReport) -> list[Content]:
    """The report as a table: a row per measure, a column per team (points/cards); teams
    with nothing to report are left out."""
    teams = [report.total] + [t for t in report.teams if any(getattr(t, a).cards for a, _ in ROWS)]
    label, width = 23, 8
    head = Content(" " * label) + Content("").join(
        Content.styled(f"{t.team:>{width}}", "bold") for t in teams
    )
    lines = [head]
    for attr, words in ROWS:
        if attr == "left" and report.state != "closed":
            words = "not done yet"
        cells = "".join(f"{_cell(t, attr):>{width}}" for t in teams)
        line = Content(fit(words, label)) + Content(cells)
        lines.append(line)
    return lines


class SprintReportScreen(FitsTerminal, ModalScreen[None]):
    """A sprint's report: committed, completed, added after the start, removed and carried
    over, per team, in points/cards."""

    CSS_PATH = "planning.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter,q", "dismiss_report", "Close"),
    ]

    def __init__(self, report: SprintReport) -> None:
        super().__init__()
        self.report = report

    def compose(self) -> ComposeResult:
        r = self.report
        title = Content.styled("Sprint report: ", "bold") + Content.styled(r.sprint, "bold")
        if r.state != "closed":
            title += Content.styled(f" ({r.state}: so far)", "dim")
        with Vertical(classes="dialog sprint-dialog sprint-report"):
            yield Label(title)
            yield Label(
                f"{r.start} → {r.end}"
                + (f" · carried into {r.next_sprint}" if r.next_sprint else "")
                + " · points/cards per team"
            )
            with ScrollableContainer(id="report-table"):
                yield Static(Content("\n").join(report_lines(r)), id="report-body")
            with Horizontal(classes="buttons"):
                yield Button("Close (esc)", id="done")

    def on_mount(self) -> None:
        self.query_one("#done", Button).focus()

    @on(Button.Pressed)
    def _pressed(self) -> None:
        self.dismiss(None)

    def action_dismiss_report(self) -> None:
        self.dismiss(None)
