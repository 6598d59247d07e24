"""The dependency screen's drawing: rows of a team view (links grouped by team pair, or a
layered graph from blockers to dependents), drawn line by line (a `LineList`).

Only the rows on screen are drawn, so a pair with 2,000 links costs what a pair with two
does. Every link shows its colour *and* its symbol and word, and the critical path is
marked ★ as well as coloured. User text (titles, sprint names) is drawn as plain segments,
never parsed as markup. The rows come from `views/dependencies.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.strip import Strip

from sprintboard.planning.findings import Severity
from sprintboard.planning.graph import CardNode
from sprintboard.views.board import LABELS
from sprintboard.views.card_findings import GLYPHS
from sprintboard.views.dependencies import (
    BRANCH,
    CARD,
    CRITICAL,
    GROUP,
    LAYER,
    LINK,
    Row,
)
from sprintboard.views.text import fit, printable
from sprintboard.widgets.line_list import LineList

COLOUR_ROLES = {"red": "dep--red", "amber": "dep--amber", "green": "dep--green"}
"""A link colour's component class (the theme's error, warning and success colours)."""


def where(card: CardNode) -> str:
    """' Sprint 42 · To do': the card's sprint (or backlog) and column."""
    return f" {printable(card.sprint or 'backlog')} · {LABELS.get(card.status, card.status)}"


# A part of a line: text, its width in cells (None: share what the fixed parts leave),
# style, and when it goes on a narrow line (0: never; the highest first).
Part = tuple[str, int | None, Style, int]

MIN_TITLE = 12
"""Cells a title keeps before the parts that may go make room for it."""
WIDE = 140
WIDE_TITLE = 40
"""From `WIDE` cells a line is wide: its titles keep `WIDE_TITLE` cells (whole, mostly)."""


def lay_out(parts: list[Part], width: int) -> list[Segment]:
    """Parts fitted to their widths; the flexible ones share the rest of the line.

    While the flexible parts would get under `MIN_TITLE` cells each (`WIDE_TITLE` on a
    wide line), the part with the
    highest drop rank goes (sprint and column first: the detail below the drawing shows
    them), so the keys, the link's state and both titles stay."""
    parts = list(parts)
    least = WIDE_TITLE if width >= WIDE else MIN_TITLE
    while True:
        fixed = sum(w for _, w, _, _ in parts if w is not None)
        flexible = sum(1 for _, w, _, _ in parts if w is None)
        rank = max((r for _, _, _, r in parts), default=0)
        if not flexible or rank == 0 or width - fixed >= flexible * least:
            break
        parts.remove(next(p for p in parts if p[3] == rank))
    share = max(0, width - fixed) // flexible if flexible else 0
    return [Segment(fit(text, share if w is None else w), style) for text, w, style, _ in parts]


class DependencyView(LineList, can_focus=False):
    """Draws rows (a list or a graph); the screen owns the keys and says what to show.

    Not focusable, like the matrix beside it: the screen's bindings take every key, and
    switching views moves no focus (a focus change rebuilds the footer: ~100 ms here).

    `cursor` is the selected row (always one that shows cards, when there is one) and
    `side` which of its cards is selected: a link row shows the dependent, then the blocker.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "dep--group",
        "dep--selected",
        "dep--side",
        "dep--key",
        "dep--muted",
        "dep--red",
        "dep--amber",
        "dep--green",
        "dep--critical",
        "dep--finding-error",
        "dep--finding-warning",
    }

    DEFAULT_CSS = """
    DependencyView > .dep--group { color: $text; background: $panel; text-style: bold; }
    DependencyView > .dep--selected { background: $primary 55%; }
    DependencyView > .dep--side { text-style: bold reverse; }
    DependencyView > .dep--key { color: $text; text-style: bold; }
    DependencyView > .dep--muted { color: $text-muted; }
    DependencyView > .dep--red { color: $error; text-style: bold; }
    DependencyView > .dep--amber { color: $warning; text-style: bold; }
    DependencyView > .dep--green { color: $success; text-style: bold; }
    DependencyView > .dep--critical { color: $secondary; text-style: bold; }
    DependencyView > .dep--finding-error { color: $error; text-style: bold; }
    DependencyView > .dep--finding-warning { color: $warning; text-style: bold; }
    """

    cursor = 0  # a plain attribute here: the screen sets it too

    @dataclass
    class Clicked(LineList.Clicked):
        """A row was clicked (chain 2 = double click); `side`: which of its cards."""

        side: int

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows: list[Row] = []
        self.side = 0
        self.pending = True
        self.empty_text = "No links."
        self.findings: dict[str, Severity] = {}
        """Card key -> the worst severity of its findings (errors and warnings only)."""

    @property
    def row_count(self) -> int:
        return 0 if self.pending else len(self.rows)

    def component_style(self, name: str) -> Style:
        return self.blended_style(name)

    # -- what is shown and selected ------------------------------------------------------

    def show(self, rows: list[Row], keep: tuple[tuple[str, ...], int] | None = None) -> None:
        """Show `rows`, selecting the row `keep` names ((its keys, side)) if it is there,
        else a row with the card `keep` had selected, else the first one with cards."""
        self.rows, self.pending = rows, False
        self.cursor, self.side = self._find(keep), 0
        if keep is not None and self.selected_row is not None:
            keys, side = keep
            if self.selected_row.keys == keys:
                self.side = side
            elif keys[side] in self.selected_row.keys:
                self.side = self.selected_row.keys.index(keys[side])
        visible = self.visible_rows
        self.scroll_to_row(max(0, self.cursor - visible // 3) if self.cursor >= visible else 0)
        self.refresh_list()

    def _find(self, keep: tuple[tuple[str, ...], int] | None) -> int:
        if keep is not None:
            keys, side = keep
            for i, row in enumerate(self.rows):
                if row.keys == keys:
                    return i
            for i, row in enumerate(self.rows):
                if keys[side] in row.keys:
                    return i
        return next((i for i, row in enumerate(self.rows) if row.keys), 0)

    def set_pending(self) -> None:
        self.pending = True
        self.refresh()

    @property
    def selected_row(self) -> Row | None:
        if self.pending or not 0 <= self.cursor < len(self.rows):
            return None
        row = self.rows[self.cursor]
        return row if row.keys else None

    @property
    def selected_key(self) -> str | None:
        row = self.selected_row
        return None if row is None else row.keys[min(self.side, len(row.keys) - 1)]

    @property
    def selection(self) -> tuple[tuple[str, ...], int] | None:
        """What is selected, to find again in new rows (also while they are loading)."""
        if not 0 <= self.cursor < len(self.rows) or not self.rows[self.cursor].keys:
            return None
        return (self.rows[self.cursor].keys, self.side)

    # -- moving --------------------------------------------------------------------------

    def move(self, delta: int) -> None:
        """Move the cursor `delta` selectable rows (as far as there are)."""
        step = 1 if delta > 0 else -1
        index = self.cursor
        for _ in range(abs(delta)):
            nxt = index + step
            while 0 <= nxt < len(self.rows) and not self.rows[nxt].keys:
                nxt += step
            if not 0 <= nxt < len(self.rows):
                break
            index = nxt
        self._go(index)

    def page(self, delta: int) -> None:
        """Move about a screenful of lines, landing on the nearest selectable row."""
        if not self.rows:
            return
        step = self.page_step(delta)
        self.scroll_rows(step)  # the view scrolls with the cursor
        target = max(0, min(len(self.rows) - 1, self.cursor + step))
        for distance in range(len(self.rows)):
            for index in (target + distance, target - distance):
                if 0 <= index < len(self.rows) and self.rows[index].keys:
                    self._go(index)
                    return

    def home(self, end: bool = False) -> None:
        self.cursor = len(self.rows) if end else -1
        self.move(-1 if end else 1)

    def set_side(self, delta: int) -> None:
        row = self.selected_row
        if row is not None:
            self.side = max(0, min(len(row.keys) - 1, self.side + delta))
            self.refresh_rows(self.cursor)

    def _go(self, index: int) -> None:
        before = self.cursor
        if index != before:
            self.side = 0
        self.cursor = index
        self.refresh_list(moved_from=before)

    def top_for_cursor(self, top: int, cursor: int) -> int:
        shown = super().top_for_cursor(top, cursor)
        if cursor < top and shown > 0 and not self.rows[shown - 1].keys:
            shown -= 1  # keep the group's or layer's heading in sight
        return shown

    # -- drawing -------------------------------------------------------------------------

    def render_below(self, line: int, width: int) -> Strip:
        if self.pending and line == 0:
            return self.note_line("loading…", width)
        return super().render_below(line, width)

    def render_row(self, index: int, width: int) -> Strip:
        base, row = self.get_style(), self.rows[index]
        selected = index == self.cursor and bool(row.keys)
        back = base + self.get_style("dep--selected") if selected else base
        if row.kind == GROUP:
            parts: list[Part] = [(f" {row.text}", None, base + self.get_style("dep--group"), 0)]
        elif row.kind == LAYER:
            heading = f"── {row.text}"
            parts = [(heading + "─" * max(0, width - len(heading)), None, base + self._muted, 0)]
        elif row.kind == LINK:
            parts = self._link_parts(row, selected, back)
        elif row.kind == CARD:
            parts = self._card_parts(row, selected, back)
        elif row.kind == BRANCH:
            parts = self._branch_parts(row, selected, back)
        else:
            return Strip.blank(width, base)
        return Strip(lay_out(parts, width)).adjust_cell_length(width, back)

    @property
    def _muted(self) -> Style:
        return self.get_style("dep--muted")

    def _key(self, key: str, critical: bool, chosen: bool, back: Style) -> Style:
        style = back + self.get_style("dep--critical" if critical else "dep--key")
        return style + self.get_style("dep--side") if chosen else style

    def _mark(self, selected: bool, critical: bool, back: Style) -> list[Part]:
        star = f"{CRITICAL} " if critical else "  "
        return [
            ("▶ " if selected else "  ", 2, back, 0),
            (star, 2, back + self.get_style("dep--critical"), 0),
        ]

    def _badge(self, key: str, back: Style) -> Part:
        """The card's findings badge (✗ error, ⚠ warning), or blank: two cells."""
        severity = self.findings.get(key)
        if severity is None:
            return ("  ", 2, back, 0)
        style = back + self.get_style(f"dep--finding-{severity.value}")
        return (GLYPHS[severity] + " ", 2, style, 0)

    def _link_parts(self, row: Row, selected: bool, back: Style) -> list[Part]:
        assert row.link is not None
        link, muted = row.link, back + self._muted
        dep, blk = link.dependent, link.blocker
        return [
            *self._mark(selected, row.critical, back),
            (link.style.label, 14, back + self.get_style(COLOUR_ROLES[link.style.colour]), 0),
            (dep.key, 9, self._key(dep.key, row.critical, selected and self.side == 0, back), 0),
            self._badge(dep.key, back),
            (printable(dep.title), None, back, 0),
            (where(dep), 22, muted, 1),
            ("  waits on  ", 12, muted, 0),
            (blk.key, 9, self._key(blk.key, row.critical, selected and self.side == 1, back), 0),
            self._badge(blk.key, back),
            (printable(blk.title), None, back, 0),
            (where(blk), 22, muted, 2),
        ]

    def _card_parts(self, row: Row, selected: bool, back: Style) -> list[Part]:
        assert row.card is not None
        card, muted = row.card, back + self._muted
        points = "" if card.points is None else f"{card.points}pt"
        return [
            *self._mark(selected, row.critical, back),
            (card.key, 9, self._key(card.key, row.critical, selected, back), 0),
            self._badge(card.key, back),
            (printable(card.title), None, back, 0),
            (f" {card.team}", 6, muted, 0),
            (where(card), 22, muted, 1),
            (f" {points}", 6, muted, 0),
        ]

    def _branch_parts(self, row: Row, selected: bool, back: Style) -> list[Part]:
        assert row.link is not None
        link, muted = row.link, back + self._muted
        dep = link.dependent
        return [
            ("▶ " if selected else "  ", 2, back, 0),
            ("  └→ " if row.last else "  ├→ ", 6, muted, 0),
            (link.style.label, 14, back + self.get_style(COLOUR_ROLES[link.style.colour]), 0),
            (
                f"{CRITICAL} " if row.critical else "  ",
                2,
                back + self.get_style("dep--critical"),
                0,
            ),
            (dep.key, 9, self._key(dep.key, row.critical, selected, back), 0),
            self._badge(dep.key, back),
            (printable(dep.title), None, back, 0),
            (f" {dep.team}", 6, muted, 2),
            (where(dep), 22, muted, 3),
            (f" layer {row.layer}", 9, muted, 1),
        ]

    # -- mouse ---------------------------------------------------------------------------

    def click_message(self, index: int, event: events.Click) -> DependencyView.Clicked | None:
        keys = self.rows[index].keys
        if not keys:
            return None
        # A link row shows the blocker in its right half.
        side = 1 if len(keys) > 1 and event.x > self.size.width // 2 else 0
        return self.Clicked(self, index, event.chain, side)
