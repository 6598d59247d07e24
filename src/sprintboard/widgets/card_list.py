"""A list of cards, one line each (a `LineList`); and the planning screen's two of them
side by side.

A row gives way from the right as the list narrows: the key and title stay, the status
and priority words become one-cell marks (status first, it is the wider), so a list
40 cells wide still reads "IT-4  8 ! ◔ Checkout address…".

Only the lines on screen are drawn, so a backlog of 10,000 cards costs what one of ten
does. The screen owns the keys and the cards (a `CardList` state from the planning
model, cursor included); this widget draws them and says when a row is clicked. User
text (titles) is drawn as plain segments, never parsed as markup.
"""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.strip import Strip
from textual.widgets import Input

from sprintboard.planning.findings import Severity
from sprintboard.views.card_findings import GLYPHS
from sprintboard.views.planning import BACKLOG, SPRINT, CardList, PlanningModel
from sprintboard.views.text import fit, printable
from sprintboard.widgets.line_list import LineList
from sprintboard.widgets.team_rows import marker_style

PRIORITY = {"urgent": "urg!", "high": "high", "medium": "med ", "low": "low "}
PRIORITY_MARK = {"urgent": "!", "high": "▲", "medium": "●", "low": "▼"}
STATUS = {
    "backlog": "backlog",
    "todo": "to do",
    "doing": "doing",
    "review": "review",
    "done": "done",
}
STATUS_MARK = {"backlog": "·", "todo": "○", "doing": "◔", "review": "◕", "done": "✓"}
TITLE_ROOM = 18
"""Cells a title keeps before the status, then the priority words, become marks."""
KEY_MIN = 6


def row_layout(width: int, key_width: int, show_status: bool) -> tuple[bool, bool]:
    """(priority as a word, status as a word) for a row `width` cells wide: the richest
    layout that leaves the title `TITLE_ROOM` cells, else the most compact."""
    # marker + key + points + flags (cross-team, feedback, finding), then the two columns
    fixed = 1 + key_width + 4 + 5
    for words in ((True, True), (True, False), (False, False)):
        prio = 5 if words[0] else 2
        status = (8 if words[1] else 2) if show_status else 0
        if width - fixed - prio - status >= TITLE_ROOM:
            return words
    return False, False


class CardListView(LineList, can_focus=True):
    """Draws a CardList: a header line, then one line per card."""

    HEADER_HEIGHT = 1
    PAGE_OVERLAP = 0

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "cards--header",
        "cards--selected",
        "cards--key",
        "cards--muted",
        "cards--urgent",
        "cards--high",
        "cards--cross",
        "cards--feedback",
        "cards--done",
        "cards--finding-error",
        "cards--finding-warning",
    }

    DEFAULT_CSS = """
    CardListView > .cards--header { color: $text-muted; background: $panel; text-style: bold; }
    CardListView:focus > .cards--header { color: $text; background: $primary 40%; }
    CardListView > .cards--selected { background: $primary 20%; }
    CardListView:focus > .cards--selected { background: $primary 60%; }
    CardListView > .cards--key { color: $text; text-style: bold; }
    CardListView > .cards--muted { color: $text-muted; }
    CardListView > .cards--urgent { color: $error; text-style: bold; }
    CardListView > .cards--high { color: $warning; }
    CardListView > .cards--cross { color: $accent; }
    CardListView > .cards--feedback { color: $secondary; }
    CardListView > .cards--done { color: $success; }
    CardListView > .cards--finding-error { color: $error; text-style: bold; }
    CardListView > .cards--finding-warning { color: $warning; text-style: bold; }
    """

    def __init__(self, cards: CardList, *, show_status: bool, id: str | None = None) -> None:
        super().__init__(id=id)
        self.cards = cards
        self.show_status = show_status
        self.title = ""
        self.empty_text = "No cards."
        self.team_colours: dict[str, str] = {}
        self.findings: dict[str, Severity] = {}
        """Card key -> the worst severity of its findings (errors and warnings only)."""
        self.key_width = 9
        """The key column: the longest key shown, and a space (`measure`)."""

    def measure(self) -> None:
        """Size the key column to the keys shown (call when the cards change)."""
        longest = max((cell_len(c["key"]) for c in self.cards.shown), default=KEY_MIN)
        self.key_width = max(KEY_MIN, longest) + 1

    @property
    def row_count(self) -> int:
        return len(self.cards.shown)

    @property
    def cursor(self) -> int:
        return self.cards.cursor

    def render_header(self, y: int, width: int) -> Strip:
        header = self.get_style() + self.get_style("cards--header")
        return Strip([Segment(fit(f" {printable(self.title)}", width), header)])

    def render_row(self, index: int, width: int) -> Strip:
        card, selected, base = self.cards.shown[index], index == self.cursor, self.get_style()
        back = base + self.get_style("cards--selected") if selected else base
        muted = back + self.get_style("cards--muted")
        colour = self.team_colours.get(card["team"], "#888888")
        points = "?" if card["points"] is None else str(card["points"])
        priority = card["priority"]
        prio_style = muted
        if priority == "urgent":
            prio_style = back + self.get_style("cards--urgent")
        elif priority == "high":
            prio_style = back + self.get_style("cards--high")
        prio_words, status_words = row_layout(width, self.key_width, self.show_status)
        if prio_words:
            prio_text = PRIORITY.get(priority, fit(priority, 4)) + " "
        else:
            prio_text = PRIORITY_MARK.get(priority, "?") + " "
        segments = [
            Segment("▶", marker_style(colour, back))
            if selected
            else Segment("▌", back + Style(color=colour, bold=True)),
            Segment(fit(card["key"], self.key_width), back + self.get_style("cards--key")),
            Segment(f"{points:>3} ", back),
            Segment(prio_text, prio_style),
        ]
        if self.show_status:
            status: str = card["status"]
            style = back + self.get_style("cards--done") if status == "done" else muted
            if status_words:
                shown = fit(STATUS.get(status) or status, 7)
            else:
                shown = STATUS_MARK.get(status, "?")
            segments.append(Segment(shown + " ", style))
        cross = len(card["teams"]) > 1
        segments.append(Segment("⇄" if cross else " ", back + self.get_style("cards--cross")))
        mail = "✉" if card["feedback"] else " "
        segments.append(Segment(mail + " ", back + self.get_style("cards--feedback")))
        severity = self.findings.get(card["key"])
        if severity is None:
            segments.append(Segment("  ", back))
        else:
            style = back + self.get_style(f"cards--finding-{severity.value}")
            segments.append(Segment(GLYPHS[severity] + " ", style))
        used = sum(cell_len(s.text) for s in segments)
        segments.append(Segment(fit(printable(card["title"]), max(0, width - used)), back))
        # Exactly one line, whatever wide characters the title holds.
        return Strip(segments).adjust_cell_length(width, back)


class FilterInput(Input):
    """The backlog's text filter: hidden until opened; enter keeps the filter and hides it."""

    class Done(Message):
        """Enter was pressed: the filter stays, the box goes."""

    def on_mount(self) -> None:
        self.display = False

    def open(self, text: str) -> None:
        self.display = True
        self.value = text
        self.cursor_blink = not getattr(self.app, "frozen", False)
        self.focus()

    def close(self) -> bool:
        """Hide the box; True if it was open."""
        was_open, self.display = self.display, False
        return was_open

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.close()
        self.post_message(self.Done())


class PlanningLists(Horizontal):
    """The backlog beside the sprint: two CardListViews over a PlanningModel. Keeps which
    list is current in the model (not in the focus, which lands later) and redraws."""

    def __init__(self, model: PlanningModel, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.model = model

    def compose(self) -> ComposeResult:
        backlog = CardListView(self.model.backlog, show_status=False, id="planning-backlog")
        backlog.empty_text = "The backlog is empty."
        sprint = CardListView(self.model.sprint, show_status=True, id="planning-sprint")
        sprint.empty_text = "No cards in this sprint yet: > moves one in."
        yield backlog
        yield sprint

    def view(self, side: str) -> CardListView:
        return self.query_one(f"#planning-{side}", CardListView)

    def redraw(
        self,
        team_colours: dict[str, str] | None = None,
        findings: dict[str, Severity] | None = None,
    ) -> None:
        """Titles, colours (when given) and findings badges (when given); then the lines."""
        model = self.model
        self.view(BACKLOG).title = model.backlog_title()
        self.view(SPRINT).title = model.sprint_title()
        for side in (BACKLOG, SPRINT):
            if team_colours is not None:
                self.view(side).team_colours = team_colours
            if findings is not None:
                self.view(side).findings = findings
            self.view(side).measure()
            self.view(side).refresh_list()

    def move_cursor(self, delta: int) -> None:
        self.model.current().move_cursor(delta)
        self.view(self.model.side).refresh_list()

    def page(self, pages: int) -> None:
        self.move_cursor(self.view(self.model.side).page_step(pages))

    def switch(self, side: str | None = None) -> None:
        """Make `side` (default: the other list) current, and focus it."""
        if side is None:
            side = SPRINT if self.model.side == BACKLOG else BACKLOG
        self.model.side = side
        self.view(side).focus()

    @on(CardListView.Clicked)
    def _clicked(self, event: CardListView.Clicked) -> None:
        # A double click bubbles on to the screen, which opens the card.
        self.switch(BACKLOG if event.control.id == "planning-backlog" else SPRINT)
        self.model.current().cursor = event.index
        event.control.refresh_list()
        if event.chain < 2:
            event.stop()
