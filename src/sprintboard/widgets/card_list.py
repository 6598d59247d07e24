"""A list of cards, one line each, drawn line by line (Textual's Line API); and the
planning screen's two of them side by side.

Only the lines on screen are drawn, so a backlog of 10,000 cards costs what one of ten
does. The screen owns the keys and the cards (a `CardList` state from the planning
model); this widget draws them and says when a row is clicked. User text (titles) is
drawn as plain segments, never parsed as markup.
"""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Input

from sprintboard.views.board import Card
from sprintboard.views.planning import BACKLOG, SPRINT, CardList, PlanningModel
from sprintboard.views.text import fit, printable

HEADER_HEIGHT = 1
PRIORITY = {"urgent": "urg!", "high": "high", "medium": "med ", "low": "low "}
STATUS = {
    "backlog": "backlog",
    "todo": "to do",
    "doing": "doing",
    "review": "review",
    "done": "done",
}


class CardListView(Widget, can_focus=True):
    """Draws a CardList: a header line, then one line per card."""

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
        "cards--empty",
    }

    DEFAULT_CSS = """
    CardListView { height: 1fr; width: 1fr; background: $background; }
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
    CardListView > .cards--empty { color: $text-disabled; }
    """

    class Clicked(Message):
        """A row was clicked (chain 2 = double click)."""

        def __init__(self, view: CardListView, index: int, chain: int) -> None:
            self.view = view
            self.index = index
            self.chain = chain
            super().__init__()

        @property
        def control(self) -> CardListView:
            return self.view

    def __init__(self, cards: CardList, *, show_status: bool, id: str | None = None) -> None:
        super().__init__(id=id)
        self.cards = cards
        self.show_status = show_status
        self.title = ""
        self.empty_text = "No cards."
        self.team_colours: dict[str, str] = {}
        self.top = 0  # index of the first card on screen
        self._style_key: tuple[str, bool] | None = None
        self._styles: dict[str, Style] = {}

    @property
    def rows(self) -> int:
        return max(1, self.size.height - HEADER_HEIGHT)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return container.height

    def refresh_list(self) -> None:
        """Call after the cards or the cursor changed: keeps the cursor in view, redraws."""
        cursor = self.cards.cursor
        if cursor < self.top:
            self.top = cursor
        elif cursor >= self.top + self.rows:
            self.top = cursor - self.rows + 1
        self.top = max(0, min(self.top, len(self.cards.shown) - self.rows))
        self.refresh()

    def scroll_rows(self, delta: int) -> None:
        self.top = max(0, min(len(self.cards.shown) - self.rows, self.top + delta))
        self.refresh()

    def visible_keys(self) -> list[str]:
        """The keys of the cards on screen, top to bottom."""
        return [c["key"] for c in self.cards.shown[self.top : self.top + self.rows]]

    # -- drawing -------------------------------------------------------------------------

    def _style(self, name: str) -> Style:
        # Looked up per segment: cached per theme and focus (both change the styles).
        key = (self.app.theme, self.has_focus)
        if key != self._style_key:
            self._style_key, self._styles = key, {"": self.rich_style}
        style = self._styles.get(name)
        if style is None:
            # A component with a background of its own (the selection, the header) needs the
            # full style, or its alpha ($primary 25%) is lost; the rest only colour text.
            has_background = bool(self.get_component_styles(name).background.a)
            style = self.get_component_rich_style(name, partial=not has_background)
            self._styles[name] = style
        return style

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self._style("")
        if y < HEADER_HEIGHT:
            header = base + self._style("cards--header")
            return Strip([Segment(fit(f" {printable(self.title)}", width), header)])
        index = self.top + y - HEADER_HEIGHT
        shown = self.cards.shown
        if index >= len(shown):
            if not shown and y == HEADER_HEIGHT:
                text = fit(f"  {self.empty_text}", width)
                return Strip([Segment(text, base + self._style("cards--empty"))])
            return Strip.blank(width, base)
        return self._row(shown[index], index == self.cards.cursor, width, base)

    def _row(self, card: Card, selected: bool, width: int, base: Style) -> Strip:
        back = base + self._style("cards--selected") if selected else base
        muted = back + self._style("cards--muted")
        colour = self.team_colours.get(card["team"], "#888888")
        points = "?" if card["points"] is None else str(card["points"])
        priority = card["priority"]
        prio_style = muted
        if priority == "urgent":
            prio_style = back + self._style("cards--urgent")
        elif priority == "high":
            prio_style = back + self._style("cards--high")
        segments = [
            Segment("▶" if selected else "▌", back + Style(color=colour, bold=True)),
            Segment(fit(card["key"], 9), back + self._style("cards--key")),
            Segment(f"{points:>3} ", back),
            Segment(PRIORITY.get(priority, priority[:4]) + " ", prio_style),
        ]
        if self.show_status:
            status: str = card["status"]
            style = back + self._style("cards--done") if status == "done" else muted
            segments.append(Segment(fit(STATUS.get(status) or status, 7) + " ", style))
        cross = len(card["teams"]) > 1
        segments.append(Segment("⇄" if cross else " ", back + self._style("cards--cross")))
        mail = "✉" if card["feedback"] else " "
        segments.append(Segment(mail + " ", back + self._style("cards--feedback")))
        used = sum(cell_len(s.text) for s in segments)
        segments.append(Segment(fit(printable(card["title"]), max(0, width - used)), back))
        # Exactly one line, whatever wide characters the title holds.
        return Strip(segments).adjust_cell_length(width, back)

    # -- mouse ---------------------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        index = self.top + event.y - HEADER_HEIGHT
        if event.y >= HEADER_HEIGHT and index < len(self.cards.shown):
            self.post_message(self.Clicked(self, index, event.chain))

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        event.stop()
        self.scroll_rows(3)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        event.stop()
        self.scroll_rows(-3)

    def on_resize(self, event: events.Resize) -> None:
        self.refresh_list()


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

    def redraw(self, team_colours: dict[str, str] | None = None) -> None:
        model = self.model
        self.view(BACKLOG).title = model.backlog_title()
        self.view(SPRINT).title = model.sprint_title()
        for side in (BACKLOG, SPRINT):
            if team_colours is not None:
                self.view(side).team_colours = team_colours
            self.view(side).refresh_list()

    def move_cursor(self, delta: int) -> None:
        self.model.current().move_cursor(delta)
        self.view(self.model.side).refresh_list()

    def page(self, pages: int) -> None:
        self.move_cursor(pages * self.view(self.model.side).rows)

    def switch(self, side: str | None = None) -> None:
        """Make `side` (default: the other list) current, and focus it."""
        if side is None:
            side = SPRINT if self.model.side == BACKLOG else BACKLOG
        self.model.side = side
        self.view(side).focus()

    @on(CardListView.Clicked)
    def _clicked(self, event: CardListView.Clicked) -> None:
        # A double click bubbles on to the screen, which opens the card.
        self.switch(BACKLOG if event.view.id == "planning-backlog" else SPRINT)
        self.model.current().cursor = event.index
        event.view.refresh_list()
        if event.chain < 2:
            event.stop()
