"""The board itself: five columns of cards drawn line by line (Textual's Line API).

Only the visible lines are ever drawn, so a column of 5,000 cards costs what a column of
ten does. A card takes three lines (key and badges, title, gap), or one in a narrow column
(views/board_layout.py decides what each keeps). Each column scrolls on its own; with
swimlanes on, the board scrolls as one so a team's lane lines up across the columns.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from sprintboard.planning.findings import Severity
from sprintboard.views.board import COLUMNS, LABELS, BoardModel, Card, card_face, lane_rank
from sprintboard.views.board_layout import (
    COMPACT_BELOW,
    Badge,
    Piece,
    card_badges,
    column_header,
    compact_line,
    key_line,
    title_line,
)
from sprintboard.views.text import fit
from sprintboard.widgets.team_rows import marker_style

CARD_HEIGHT = 3  # key line, title line, gap
NARROW_HEIGHT = 2  # a narrow column's card while every column fits: key line, title line
COMPACT_HEIGHT = 1  # ... and once one does not: one line (see views/board_layout.py)
HEADER_HEIGHT = 2  # column titles, rule
GAP = 1  # cells between columns


@dataclass
class _Slot:
    """What one screen line of a column shows."""

    card: Card | None = None
    part: int = 0  # 0 key line (a compact card's only line), 1 title line, 2 gap
    lane: str | None = None  # a swimlane header line


@dataclass
class _Lanes:
    """The swimlanes' layout as a few numbers: every column's cards stay in the model's
    lists (sorted by lane there), so a 100,000-card board lays out in a few bisections."""

    teams: list[Any] = field(default_factory=list)  # the lanes, top to bottom
    starts: list[int] = field(default_factory=list)  # each lane's header line (all columns)
    runs: list[list[tuple[int, int]]] = field(default_factory=list)
    """Per column, per lane: (index of its first card in the column, how many)."""
    height: int = 0  # lines of all the lanes


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
    BoardGrid > .board--rule { color: $border-blurred; }
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
        self._lanes = _Lanes()  # with swimlanes on
        self._style_key: tuple[str, bool] | None = None
        self._styles: dict[str, Style] = {}
        self._base: Style | None = None
        self._base_key: tuple[str, bool] | None = None
        self._card_height = CARD_HEIGHT  # set by `_fit_cards`
        self._fitted_size = Size(0, 0)  # the size `_fit_to_size` last fitted the cards to

    # -- geometry -----------------------------------------------------------------------

    @property
    def column_width(self) -> int:
        return max(8, (self.size.width - GAP * (len(COLUMNS) - 1)) // len(COLUMNS))

    @property
    def narrow(self) -> bool:
        """Columns too narrow for a card of three lines: two lines, or one."""
        return self.column_width < COMPACT_BELOW

    @property
    def compact(self) -> bool:
        """One line per card: key, badges and as much title as fits."""
        return self._card_height == COMPACT_HEIGHT

    @property
    def card_height(self) -> int:
        return self._card_height

    def _fit_cards(self) -> None:
        """A card's height: three lines in wide columns; in narrow ones two (no gap) while
        the fullest column fits on screen, else one, so more cards show."""
        if not self.narrow:
            self._card_height = CARD_HEIGHT
            return
        fullest = max(self.model.shown_count(status) for status in COLUMNS)
        fits = not self.model.swimlanes and fullest * NARROW_HEIGHT <= self.body_height
        self._card_height = NARROW_HEIGHT if fits else COMPACT_HEIGHT

    @property
    def body_height(self) -> int:
        return max(0, self.size.height - HEADER_HEIGHT)

    @property
    def visible_cards(self) -> int:
        return max(1, self.body_height // self.card_height)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return container.height

    def column_at(self, x: int) -> int:
        return min(len(COLUMNS) - 1, x // (self.column_width + GAP))

    # -- keeping the selection in view --------------------------------------------------

    def refresh_board(self) -> None:
        """Call after the model changed: lays out lanes and scrolls the selection in."""
        self._fitted_size = self.size
        self._fit_cards()
        self._lanes = self._layout_lanes() if self.model.swimlanes else _Lanes()
        # A column that lost cards (a filter, a change from elsewhere) shows its last ones,
        # not the empty stretch past its end it was scrolled to.
        for col in range(len(COLUMNS)):
            limit = max(0, len(self.model.column_cards(col)) - self.visible_cards)
            self.offsets[col] = min(self.offsets[col], limit)
        self.lane_offset = min(self.lane_offset, max(0, self._lanes.height - self.body_height))
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
            elif y + self.card_height > self.lane_offset + self.body_height:
                self.lane_offset = y + self.card_height - self.body_height
            return
        row, first = model.row, self.offsets[model.col]
        if row < first:
            self.offsets[model.col] = row
        elif row >= first + self.visible_cards:
            self.offsets[model.col] = row - self.visible_cards + 1

    def scroll_column(self, col: int, cards: int) -> None:
        if self.model.swimlanes:
            limit = max(0, self._lanes.height - self.body_height)
            self.lane_offset = max(0, min(limit, self.lane_offset + cards * self.card_height))
        else:
            limit = max(0, len(self.model.column_cards(col)) - self.visible_cards)
            self.offsets[col] = max(0, min(limit, self.offsets[col] + cards))
        self.refresh()

    # -- swimlanes ----------------------------------------------------------------------

    def _layout_lanes(self) -> _Lanes:
        """Where each lane starts and which cards of each column it holds: lanes are as
        tall as their fullest column. Each column is sorted by lane (BoardModel.rebuild),
        so a team's cards are one run of it, found by bisection."""
        rank = lane_rank(self.model.team_order)
        known = len(self.model.team_order)
        runs: list[dict[Any, tuple[int, int]]] = []
        for status in COLUMNS:
            cards = self.model.columns[status]
            found: dict[Any, tuple[int, int]] = {}
            for i, code in enumerate(self.model.team_order):
                lo = bisect_left(cards, (i, ""), key=rank)
                hi = bisect_right(cards, (i, ""), key=rank, lo=lo)
                if hi > lo:
                    found[code] = (lo, hi - lo)
            # Teams not in the order (rare): at the end, by code.
            for index in range(bisect_left(cards, (known, ""), key=rank), len(cards)):
                team = cards[index]["team"]
                first, count = found.get(team, (index, 0))
                found[team] = (first, count + 1)
            runs.append(found)
        teams = sorted({team for found in runs for team in found}, key=lambda t: rank({"team": t}))
        lanes = _Lanes(teams=teams, runs=[[] for _ in COLUMNS])
        line = 0
        for team in teams:
            lanes.starts.append(line)
            tallest = 0
            for col, found in enumerate(runs):
                run = found.get(team, (0, 0))
                lanes.runs[col].append(run)
                tallest = max(tallest, run[1])
            line += 1 + tallest * self.card_height
        lanes.height = line
        return lanes

    def _lane_line_of(self, col: int, key: str) -> int | None:
        lanes = self._lanes
        if col >= len(lanes.runs):
            return None
        index = next(
            (i for i, c in enumerate(self.model.column_cards(col)) if c["key"] == key), None
        )
        if index is None:
            return None
        for start, (first, count) in zip(lanes.starts, lanes.runs[col], strict=True):
            if first <= index < first + count:
                return start + 1 + (index - first) * self.card_height
        return None

    def _slot(self, col: int, y: int) -> _Slot:
        """What column `col` shows on body line `y`."""
        card_height = self.card_height
        if self.model.swimlanes:
            lanes = self._lanes
            line = self.lane_offset + y
            if line >= lanes.height or col >= len(lanes.runs):
                return _Slot()
            lane = bisect_right(lanes.starts, line) - 1
            inside = line - lanes.starts[lane]
            if inside == 0:
                return _Slot(lane=lanes.teams[lane])
            first, count = lanes.runs[col][lane]
            index, part = divmod(inside - 1, card_height)
            if index < count:
                return _Slot(self.model.column_cards(col)[first + index], part)
            return _Slot()
        cards = self.model.column_cards(col)
        index = self.offsets[col] + y // card_height
        if index < len(cards):
            return _Slot(cards[index], y % card_height)
        return _Slot()

    # -- drawing ------------------------------------------------------------------------

    def style_of(self, name: str) -> Style:
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
        if self.size != self._fitted_size:
            self._fit_to_size()
        width = self.column_width
        segments: list[Segment] = []
        base = self._base_style()
        compact, narrow = self.compact, self.narrow
        for col, status in enumerate(COLUMNS):
            if col:
                segments.append(Segment(" " * GAP, base))
            if y == 0:
                part = self._header(status, width)
            elif y == 1:
                part = [Segment("─" * width, base + self.style_of("board--rule"))]
            else:
                part = self._body(col, y - HEADER_HEIGHT, width, base, compact, narrow)
            # Every column is exactly `width` cells, whatever wide characters it holds.
            segments.extend(Strip(part).adjust_cell_length(width, base))
        return Strip(segments).adjust_cell_length(self.size.width, base)

    def _header(self, status: str, width: int) -> list[Segment]:
        # The whole column's count, filters or not: WIP is the work in the column.
        count, points = self.model.column_summary(status)
        limit = self.wip_limits.get(status, 0)
        shown = self.model.shown_count(status)
        text, over = column_header(LABELS[status], count, points, limit, shown, width)
        style = self.style_of("board--header-over" if over else "board--header")
        return [Segment(text, style)]

    def _body(
        self, col: int, y: int, width: int, base: Style, compact: bool, narrow: bool
    ) -> list[Segment]:
        slot = self._slot(col, y)
        if slot.lane is not None:
            return [Segment(fit(f" {slot.lane}", width), self.style_of("board--lane"))]
        card = slot.card
        if card is None:
            if y == 0 and not self.model.column_cards(col):
                return [Segment(fit("  (empty)", width), base + self.style_of("board--empty"))]
            return [Segment(" " * width, base)]
        if slot.part == 2:
            return [Segment(" " * width, base)]
        selected = card["key"] == self.model.selected and col == self.model.col
        back = base + self.style_of("board--selected") if selected else base
        bar_colour = self.team_colours.get(card["team"], "#888888")
        if selected:
            bar = Segment("▶", marker_style(bar_colour, back))
        else:
            bar = Segment("▌", back + Style(color=bar_colour, bold=True))
        inner = width - 1
        face = card_face(card)
        if slot.part == 1:
            pieces = title_line(card["title"], face.initials, inner)
        else:
            badges = card_badges(card, face, self.findings.get(card["key"]), self.today)
            if compact:
                pieces = compact_line(card, face.initials, badges, inner)
            else:
                pieces = key_line(card["key"], card["points"], badges, inner, narrow=narrow)
        return [bar, *self._segments(pieces, back)]

    def badges(self, card: Card, *, words: bool = False) -> list[Badge]:
        """The card's badges, its findings' from the last count first (`words`: each
        also said in words)."""
        severity = self.findings.get(card["key"])
        return card_badges(card, card_face(card), severity, self.today, words=words)

    def _segments(self, pieces: list[Piece], back: Style) -> list[Segment]:
        return [
            Segment(text, back + self.style_of(f"board--{role}") if role else back)
            for text, role in pieces
            if text
        ]

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
        self._fit_to_size()
        self.refresh()

    def _fit_to_size(self) -> None:
        """A card's height, the lanes and the scroll follow the size. Checked on every
        line drawn too: a resized terminal may paint before the Resize event arrives."""
        self._fitted_size = self.size
        self._fit_cards()
        if self.model.swimlanes:
            self._lanes = self._layout_lanes()
        self.scroll_to_selection()

    def configure(self, **settings: Any) -> None:
        """Set team colours, WIP limits, today's date and the findings; then redraw."""
        for name, value in settings.items():
            setattr(self, name, value)
        self.refresh()
