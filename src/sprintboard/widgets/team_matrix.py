"""The team-by-team matrix: for each ordered pair of teams, the open links from one team's
cards (the blockers, by row) to the other's (the dependents, by column), and how many of
them are red (✗ late) or amber (≈ same sprint). Drawn line by line (Line API)."""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.strip import Strip

from sprintboard.planning.graph import LATE, SAME_SPRINT, MatrixCell
from sprintboard.views.text import fit, printable
from sprintboard.widgets.component_styles import ComponentStyles

LABEL = 18  # the row labels' column
TOP = 4  # lines above the first team's row: note, gap, column heads, rule
NOTE_LINES = (
    " rows: the blocking team · columns: the team whose cards wait ·",
    f" each cell: open links, {LATE.symbol} {LATE.word} (red), "
    f"{SAME_SPRINT.symbol} {SAME_SPRINT.word} (amber)",
)
NOTE = NOTE_LINES[0] + NOTE_LINES[1]
"""What the matrix shows: one line, or on a narrow screen two (the second in the gap)."""


class TeamMatrix(ComponentStyles):
    """Draws matrix cells; the screen owns the keys (see DependencyView) and moves the
    cursor; the matrix posts nothing but choices."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "matrix--head",
        "matrix--selected",
        "matrix--count",
        "matrix--muted",
        "matrix--red",
        "matrix--amber",
    }

    DEFAULT_CSS = """
    TeamMatrix { height: 1fr; background: $background; }
    TeamMatrix > .matrix--head { color: $text; text-style: bold; }
    TeamMatrix > .matrix--selected { background: $primary 55%; }
    TeamMatrix > .matrix--count { color: $text; text-style: bold; }
    TeamMatrix > .matrix--muted { color: $text-muted; }
    TeamMatrix > .matrix--red { color: $error; text-style: bold; }
    TeamMatrix > .matrix--amber { color: $warning; text-style: bold; }
    """

    class PairChosen(Message):
        """Enter (or a double click) on a cell: show the links between its two teams."""

        def __init__(self, blocker: str, dependent: str) -> None:
            self.blocker = blocker
            self.dependent = dependent
            super().__init__()

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.teams: list[tuple[str, str]] = []  # (code, name), in the teams' order
        self.cells: dict[tuple[str, str], MatrixCell] = {}
        self.internal = False
        self.row = 0
        self.col = 0

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return container.height

    def show(self, teams: list[tuple[str, str]], cells: list[MatrixCell], internal: bool) -> None:
        """Every team gets a row and a column, with or without links."""
        codes = {code for code, _ in teams}
        extra = sorted({t for c in cells for t in (c.blocker_team, c.dependent_team)} - codes)
        self.teams = teams + [(code, code) for code in extra]
        self.cells = {(c.blocker_team, c.dependent_team): c for c in cells}
        self.internal = internal
        self.move(0, 0)

    def move(self, d_row: int, d_col: int) -> None:
        last = max(0, len(self.teams) - 1)
        self.row = max(0, min(last, self.row + d_row))
        self.col = max(0, min(last, self.col + d_col))
        self.refresh()

    def select(self, blocker: str, dependent: str) -> None:
        """Put the cursor on a pair's cell (when both teams are in the matrix)."""
        codes = [code for code, _ in self.teams]
        if blocker in codes and dependent in codes:
            self.row, self.col = codes.index(blocker), codes.index(dependent)
            self.refresh()

    @property
    def selected(self) -> tuple[str, str] | None:
        if not self.teams:
            return None
        return (self.teams[self.row][0], self.teams[self.col][0])

    def selected_cell(self) -> MatrixCell | None:
        pair = self.selected
        return None if pair is None else self.cells.get(pair)

    def choose(self) -> None:
        if self.selected is not None:
            self.post_message(self.PairChosen(*self.selected))

    # -- drawing -------------------------------------------------------------------------

    def component_style(self, name: str) -> Style:
        return self.blended_style(name)

    @property
    def pitch(self) -> int:
        """Lines per team: a gap between rows when the height allows it."""
        return 2 if self.size.height >= TOP + 2 * len(self.teams) + 3 else 1

    @property
    def column_width(self) -> int:
        return max(4, (self.size.width - LABEL) // max(1, len(self.teams)))

    def render_line(self, y: int) -> Strip:
        width, base = self.size.width, self.get_style()
        muted, head = base + self.get_style("matrix--muted"), base + self.get_style("matrix--head")
        col_w, pitch, rows = self.column_width, self.pitch, len(self.teams)
        bottom = TOP + pitch * rows
        segments: list[Segment]
        two = cell_len(NOTE) > width
        if y == 0:
            segments = [Segment(fit(NOTE_LINES[0] if two else NOTE, width), muted)]
        elif y == 1 and two:
            segments = [Segment(fit(NOTE_LINES[1], width), muted)]
        elif y == 2:
            segments = [Segment(fit(" blocker ↓ waits →", LABEL), muted)]
            segments += [Segment(fit(f" {code}", col_w), head) for code, _ in self.teams]
        elif y == 3:
            segments = [Segment("─" * width, muted)]
        elif TOP <= y < bottom and (y - TOP) % pitch == 0:
            segments = self._team_row((y - TOP) // pitch, col_w, base)
        elif y == bottom:
            segments = [Segment(fit(self._totals(), width), head)]
        elif y == bottom + 1:
            segments = [Segment(fit(self._selected_text(), width), base)]
        elif y == bottom + 2:
            hint = " arrows choose a cell · enter shows the links between its two teams"
            segments = [Segment(fit(hint, width), muted)]
        else:
            segments = []
        return Strip(segments).adjust_cell_length(width, base)

    def _team_row(self, index: int, col_w: int, base: Style) -> list[Segment]:
        code, name = self.teams[index]
        label = f" {code:<5} {printable(name)}"
        segments = [Segment(fit(label, LABEL), base + self.get_style("matrix--head"))]
        for j, (other, _) in enumerate(self.teams):
            selected = index == self.row and j == self.col
            back = base + self.get_style("matrix--selected") if selected else base
            segments.extend(self._cell(code, other, col_w, back, selected))
        return segments

    def _cell(
        self, blocker: str, dependent: str, width: int, back: Style, selected: bool
    ) -> list[Segment]:
        muted = back + self.get_style("matrix--muted")
        mark = "▶" if selected else " "
        cell = self.cells.get((blocker, dependent))
        if blocker == dependent and not self.internal:
            parts = [Segment(f"{mark}—", muted)]
        elif cell is None or not cell.links:
            parts = [Segment(f"{mark}·", muted)]
        else:
            word = " open" if width >= 13 else ""
            count = back + self.get_style("matrix--count") if cell.open else muted
            parts = [Segment(mark, back), Segment(f"{cell.open}{word}", count)]
            if cell.red:
                parts.append(
                    Segment(f" {LATE.symbol}{cell.red}", back + self.get_style("matrix--red"))
                )
            if cell.amber:
                amber = back + self.get_style("matrix--amber")
                parts.append(Segment(f" {SAME_SPRINT.symbol}{cell.amber}", amber))
        return list(Strip(parts).adjust_cell_length(width, back))

    def _totals(self) -> str:
        shown = [
            c for c in self.cells.values() if self.internal or c.blocker_team != c.dependent_team
        ]
        links = sum(c.links for c in shown)
        scope = "links (inside teams too)" if self.internal else "links between teams"
        return (
            f" {links:,} {scope} · {sum(c.open for c in shown):,} open · "
            f"{sum(c.red for c in shown):,} {LATE.label} · "
            f"{sum(c.amber for c in shown):,} {SAME_SPRINT.label}"
        )

    def _selected_text(self) -> str:
        pair = self.selected
        if pair is None:
            return ""
        cell = self.cells.get(pair) or MatrixCell(*pair)
        noun = "link" if cell.links == 1 else "links"
        return (
            f" ▶ {pair[1]} waiting on {pair[0]} ({pair[0]} → {pair[1]}): {cell.links:,} {noun}, "
            f"{cell.open:,} open, {cell.red:,} {LATE.label}, {cell.amber:,} {SAME_SPRINT.label}"
        )

    # -- mouse ---------------------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        index, col = (event.y - TOP) // self.pitch, (event.x - LABEL) // self.column_width
        if event.y < TOP or (event.y - TOP) % self.pitch or event.x < LABEL:
            return
        if 0 <= index < len(self.teams) and 0 <= col < len(self.teams):
            self.row, self.col = index, col
            self.refresh()
            if event.chain >= 2:
                self.choose()
