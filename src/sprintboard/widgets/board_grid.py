"""The board itself: five columns of cards drawn line by line (Textual's Line API).

Only the visible lines are ever drawn, so a column of 5,000 cards costs what a column of
ten does. Each column scrolls on its own; with swimlanes on, the board scrolls as one so
a team's lane lines up across the columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from sprintboard.planning.findings import Severity
from sprintboard.views.board import COLUMNS, LABELS, BoardModel, Card, Face, card_face
from sprintboard.views.card_findings import GLYPHS
from sprintboard.views.text import fit, printable
from sprintboard.vocabulary import stored_day

CARD_HEIGHT = 3  # key line, title line, gap
HEADER_HEIGHT = 2  # column titles, rule
GAP = 1  # cells between columns


@dataclass
class _Slot:
    """What one screen line of a column shows."""

    card: Card | None = None
    part: int = 0  # 0 key line, 1 title line, 2 gap
    lane: str | None = None  # a swimlane header line


class BoardGrid(Widget, can_focus=True):
    """Draws a BoardModel; posts messages when a card is clicked."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "board--header",
        "board--header-over",
        "board--rule",
        "board--key",
        "board--title",
        "board--muted",
        "board--selected",
        "board--lane",
        "board--blocked",
        "board--cross",
        "board--feedback",
        "board--overdue",
        "board--due",
        "board--empty",
        "board--assignee",
        "board--checklist",
        "board--checklist-done",
        "board--comments",
        "board--finding-error",
        "board--finding-warning",
    }

    DEFAULT_CSS = """
    BoardGrid { height: 1fr; background: $background; }
    BoardGrid > .board--header { color: $text; background: $panel; text-style: bold; }
    BoardGrid > .board--header-over { color: $text; background: $warning 60%; text-style: bold; }
    BoardGrid > .board--rule { color: $panel-lighten-2; }
    BoardGrid > .board--key { color: $text; text-style: bold; }
    BoardGrid > .board--title { color: $text; }
    BoardGrid > .board--muted { color: $text-muted; }
    BoardGrid > .board--selected { background: $primary 35%; }
    BoardGrid:focus > .board--selected { background: $primary 55%; }
    BoardGrid > .board--lane { color: $text; background: $boost; text-style: bold; }
    BoardGrid > .board--blocked { color: $error; text-style: bold; }
    BoardGrid > .board--cross { color: $accent; }
    BoardGrid > .board--feedback { color: $secondary; }
    BoardGrid > .board--overdue { color: $error; text-style: bold; }
    BoardGrid > .board--due { color: $warning; }
    BoardGrid > .board--empty { color: $text-disabled; }
    BoardGrid > .board--assignee { color: $text-muted; text-style: bold; }
    BoardGrid > .board--checklist { color: $text-muted; }
    BoardGrid > .board--checklist-done { color: $success; }
    BoardGrid > .board--comments { color: $text-muted; }
    BoardGrid > .board--finding-error { color: $error; text-style: bold; }
    BoardGrid > .board--finding-warning { color: $warning; text-style: bold; }
    """

    class CardClicked(Message):
        """A card was clicked (chain 2 = double click)."""

        def __init__(self, key: str, chain: int) -> None:
            self.key = key
            self.chain = chain
            super().__init__()

    def __init__(self, model: BoardModel, *, name: str | None = None, id: str | None = None):
        super().__init__(name=name, id=id)
        self.model = model
        self.team_colours: dict[str, str] = {}
        self.wip_limits: dict[str, int] = {}
        self.today: date = date.today()
        self.findings: dict[str, Severity] = {}
        """Card key -> the worst severity of its findings (errors and warnings only)."""
        self.offsets = [0] * len(COLUMNS)  # first visible card per column
        self.lane_offset = 0  # first visible line of the lanes, with swimlanes on
        self._lanes: list[list[_Slot]] = []  # per column, with swimlanes on
        self._style_key: tuple[str, bool] | None = None
        self._styles: dict[str, Style] = {}
        self._base: Style | None = None
        self._base_key: tuple[str, bool] | None = None

    # -- geometry -----------------------------------------------------------------------

    @property
    def column_width(self) -> int:
        return max(8, (self.size.width - GAP * (len(COLUMNS) - 1)) // len(COLUMNS))

    @property
    def body_height(self) -> int:
        return max(0, self.size.height - HEADER_HEIGHT)

    @property
    def visible_cards(self) -> int:
        return max(1, self.body_height // CARD_HEIGHT)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return container.height

    def column_at(self, x: int) -> int:
        return min(len(COLUMNS) - 1, x // (self.column_width + GAP))

    # -- keeping the selection in view --------------------------------------------------

    def refresh_board(self) -> None:
        """Call after the model changed: lays out lanes and scrolls the selection in."""
        self._lanes = self._layout_lanes() if self.model.swimlanes else []
        self.scroll_to_selection()
        self.refresh()

    def scroll_to_selection(self) -> None:
        model = self.model
        if model.selected is None:
            return
        if model.swimlanes:
            y = self._lane_line_of(model.col, model.selected)
            if y is None:
                return
            if y < self.lane_offset:
                self.lane_offset = max(0, y - 1)  # show the lane header too when we can
            elif y + CARD_HEIGHT > self.lane_offset + self.body_height:
                self.lane_offset = y + CARD_HEIGHT - self.body_height
            return
        row, first = model.row, self.offsets[model.col]
        if row < first:
            self.offsets[model.col] = row
        elif row >= first + self.visible_cards:
            self.offsets[model.col] = row - self.visible_cards + 1

    def scroll_column(self, col: int, cards: int) -> None:
        if self.model.swimlanes:
            longest = max((len(lane) for lane in self._lanes), default=0)
            limit = max(0, longest - self.body_height)
            self.lane_offset = max(0, min(limit, self.lane_offset + cards * CARD_HEIGHT))
        else:
            limit = max(0, len(self.model.column_cards(col)) - self.visible_cards)
            self.offsets[col] = max(0, min(limit, self.offsets[col] + cards))
        self.refresh()

    # -- swimlanes ----------------------------------------------------------------------

    def _layout_lanes(self) -> list[list[_Slot]]:
        """Per column, the lines of every lane: lanes are as tall as their fullest column."""
        by_team: list[dict[str, list[Card]]] = []
        teams: list[str] = []
        for status in COLUMNS:
            groups: dict[str, list[Card]] = {}
            for card in self.model.columns[status]:
                groups.setdefault(card["team"], []).append(card)
                if card["team"] not in teams:
                    teams.append(card["team"])
            by_team.append(groups)
        order = {code: i for i, code in enumerate(self.model.team_order)}
        teams.sort(key=lambda code: order.get(code, len(order)))
        columns: list[list[_Slot]] = [[] for _ in COLUMNS]
        for team in teams:
            height = max(len(groups.get(team, [])) for groups in by_team)
            for col, groups in enumerate(by_team):
                lines = columns[col]
                lines.append(_Slot(lane=team))
                cards = groups.get(team, [])
                for card in cards:
                    lines.extend(_Slot(card, part) for part in range(CARD_HEIGHT))
                lines.extend(_Slot() for _ in range((height - len(cards)) * CARD_HEIGHT))
        return columns

    def _lane_line_of(self, col: int, key: str) -> int | None:
        if col >= len(self._lanes):
            return None
        for y, slot in enumerate(self._lanes[col]):
            if slot.card is not None and slot.card["key"] == key and slot.part == 0:
                return y
        return None

    def _slot(self, col: int, y: int) -> _Slot:
        """What column `col` shows on body line `y`."""
        if self.model.swimlanes:
            lines = self._lanes[col] if col < len(self._lanes) else []
            index = self.lane_offset + y
            return lines[index] if index < len(lines) else _Slot()
        cards = self.model.column_cards(col)
        index = self.offsets[col] + y // CARD_HEIGHT
        if index < len(cards):
            return _Slot(cards[index], y % CARD_HEIGHT)
        return _Slot()

    # -- drawing ------------------------------------------------------------------------

    def _style(self, name: str) -> Style:
        # Looked up per segment, so cached per theme and focus (both change the styles).
        key = (self.app.theme, self.has_focus)
        if key != self._style_key:
            self._style_key, self._styles = key, {}
        style = self._styles.get(name)
        if style is None:
            # The full style: a partial one leaves "auto" colours ($text) white on every
            # theme and drops alpha ($primary 55%). A background the component does not set
            # itself is left out, so badges on the selected card keep the selection colour.
            style = self.get_component_rich_style(name)
            if not self.get_component_styles(name).background.a:
                style = style.without_color + Style(color=style.color)
            self._styles[name] = style
        return style

    def _base_style(self) -> Style:
        key = (self.app.theme, self.has_focus)
        if key != self._base_key or self._base is None:
            self._base_key, self._base = key, self.rich_style
        return self._base

    def render_line(self, y: int) -> Strip:
        width = self.column_width
        segments: list[Segment] = []
        base = self._base_style()
        for col, status in enumerate(COLUMNS):
            if col:
                segments.append(Segment(" " * GAP, base))
            if y == 0:
                part = self._header(status, width)
            elif y == 1:
                part = [Segment("─" * width, base + self._style("board--rule"))]
            else:
                part = self._body(col, y - HEADER_HEIGHT, width, base)
            # Every column is exactly `width` cells, whatever wide characters it holds.
            segments.extend(Strip(part).adjust_cell_length(width, base))
        return Strip(segments).adjust_cell_length(self.size.width, base)

    def _header(self, status: str, width: int) -> list[Segment]:
        # The whole column's count, filters or not: WIP is the work in the column.
        count, points = self.model.column_summary(status)
        limit = self.wip_limits.get(status, 0)
        over = bool(limit) and count > limit
        wip = f" WIP {count}/{limit}" if limit else ""
        text = f" {LABELS[status]} {count} · {points}pt{wip}"
        shown = self.model.shown_count(status)
        if shown != count:  # a filter hides some: what is shown, of the whole (narrow)
            text = f" {LABELS[status]} {shown} of {count}" + (
                f" ·{wip}" if limit else f" · {points}pt"
            )
        if over:
            text = f" {LABELS[status]} ⚠ OVER WIP {count}/{limit} · " + (
                f"{points}pt" if shown == count else f"{shown} shown"
            )
        style = self._style("board--header-over" if over else "board--header")
        return [Segment(fit(text, width), style)]

    def _body(self, col: int, y: int, width: int, base: Style) -> list[Segment]:
        slot = self._slot(col, y)
        if slot.lane is not None:
            return [Segment(fit(f" {slot.lane}", width), self._style("board--lane"))]
        card = slot.card
        if card is None:
            if y == 0 and not self.model.column_cards(col):
                return [Segment(fit("  (empty)", width), base + self._style("board--empty"))]
            return [Segment(" " * width, base)]
        selected = card["key"] == self.model.selected and col == self.model.col
        back = base + self._style("board--selected") if selected else base
        if slot.part == 2:
            return [Segment(" " * width, base)]
        bar_colour = self.team_colours.get(card["team"], "#888888")
        bar = Segment("▶" if selected else "▌", back + Style(color=bar_colour, bold=True))
        inner = width - 1
        face = card_face(card)
        if slot.part == 1:
            return [bar, *self._title_line(card, face, inner, back)]
        return [bar, *self._key_line(card, face, inner, back)]

    def _title_line(self, card: Card, face: Face, width: int, back: Style) -> list[Segment]:
        """The title, and the assignee's initials at the end of the line (when there is
        room for a few letters of the title too)."""
        who = f" {face.initials}" if face.initials else ""
        if cell_len(who) + 6 > width:
            who = ""
        title = fit(printable(card["title"]), width - cell_len(who))
        return [
            Segment(title, back + self._style("board--title")),
            Segment(who, back + self._style("board--assignee")),
        ]

    def _key_line(self, card: Card, face: Face, width: int, back: Style) -> list[Segment]:
        points = "" if card["points"] is None else f"{card['points']}pt"
        badges = self._badges(card, face, back)
        fixed = sum(cell_len(s.text) for s in badges) + cell_len(points)
        # A narrow column keeps the key and points whole, dropping badges from the end.
        room = max(6, cell_len(card["key"]) + 1)
        while badges and fixed + room > width:
            fixed -= cell_len(badges.pop().text)
        key_part = fit(card["key"], max(1, width - fixed - 1))
        tail = max(0, width - cell_len(key_part) - fixed)
        return [
            Segment(key_part, back + self._style("board--key")),
            *badges,
            Segment(" " * tail, back),
            Segment(points, back + self._style("board--muted")),
        ]

    def _badges(self, card: Card, face: Face, back: Style) -> list[Segment]:
        badges: list[Segment] = []
        # First, so a narrow column drops it last: the findings say what will break.
        severity = self.findings.get(card["key"])
        if severity is not None:
            style = back + self._style(f"board--finding-{severity.value}")
            badges.append(Segment(f" {GLYPHS[severity]}", style))
        if card["blocked_by"]:
            badges.append(Segment(" ⊘", back + self._style("board--blocked")))
        if card["cross_team"] or len(card["teams"]) > 1:
            badges.append(Segment(" ⇄", back + self._style("board--cross")))
        if card["feedback"]:
            badges.append(Segment(f" ✉{card['reports']}", back + self._style("board--feedback")))
        due = stored_day(card.get("due"))  # None also for a date stored out of range
        if due is not None and card["status"] != "done":
            days = (due - self.today).days
            if days < 0:
                badges.append(Segment(" !late", back + self._style("board--overdue")))
            elif days <= 3:
                badges.append(Segment(f" ◷{days}d", back + self._style("board--due")))
        if face.checklist:
            done = "board--checklist-done" if face.checklist_done else "board--checklist"
            badges.append(Segment(f" ☑{face.checklist}", back + self._style(done)))
        if face.comments:
            badges.append(Segment(f" ✎{face.comments}", back + self._style("board--comments")))
        return badges

    # -- mouse ---------------------------------------------------------------------------

    def card_at(self, x: int, y: int) -> tuple[int, Card | None]:
        col = self.column_at(x)
        if y < HEADER_HEIGHT:
            return col, None
        return col, self._slot(col, y - HEADER_HEIGHT).card

    def on_click(self, event: events.Click) -> None:
        _, card = self.card_at(event.x, event.y)
        if card is not None:
            self.post_message(self.CardClicked(card["key"], event.chain))

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        event.stop()
        self.scroll_column(self.column_at(event.x), 1)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        event.stop()
        self.scroll_column(self.column_at(event.x), -1)

    def on_resize(self, event: events.Resize) -> None:
        self.scroll_to_selection()

    def configure(self, **settings: Any) -> None:
        """Set team colours, WIP limits, today's date and the findings; then redraw."""
        for name, value in settings.items():
            setattr(self, name, value)
        self.refresh()
