"""The stock list: one line per SKU (a `LineList`), low stock marked, its cards at the end.

Draws a `StockView` (views/stock.py); the screen owns the keys and calls `refresh_list`.
SKUs, names and card titles are user text: drawn as plain segments, never markup.
"""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from sprintboard.views.stock import StockRow, StockView
from sprintboard.views.text import fit, printable
from sprintboard.widgets.line_list import LineList

LOW_MARK = "▼ low"
UNKNOWN_MARK = "? none"
# (title, width) of the fixed columns; the cards take the rest of the line. Below
# NARROW cells the name gets fewer, so the cards still show.
COLUMNS = (
    ("", 2),
    ("SKU", 14),
    ("NAME", 24),
    ("ON HAND", 8),
    ("LOW AT", 6),
    ("RESTOCK", 10),
    ("STOCK", 6),
)
NARROW = 110
NARROW_WIDTHS = {"SKU": 10, "NAME": 16, "ON HAND": 7, "STOCK": 5}
"""Below NARROW cells: narrower SKU, name and figures, so the cards (sprint) still show."""


def widths(width: int) -> list[int]:
    """The fixed columns' widths on a list `width` cells wide."""
    if width >= NARROW:
        return [w for _, w in COLUMNS]
    return [NARROW_WIDTHS.get(t, w) for t, w in COLUMNS]


def cards_text(row: StockRow) -> str:
    """The cards that use the SKU: key and sprint each (`backlog` for none)."""
    if not row.cards:
        return "-"
    return ", ".join(f"{c.key} ({printable(c.sprint or 'backlog')})" for c in row.cards)


def number(value: int | None) -> str:
    return "?" if value is None else f"{value:,}"


class StockList(LineList, can_focus=True):
    """Draws a StockView; the screen tells it when to redraw."""

    HEADER_HEIGHT = 1

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "stock--header",
        "stock--selected",
        "stock--low",
        "stock--unknown",
        "stock--muted",
    }

    DEFAULT_CSS = """
    StockList > .stock--header { color: $text-muted; background: $panel; text-style: bold; }
    StockList > .stock--selected { background: $primary 35%; }
    StockList:focus > .stock--selected { background: $primary 55%; }
    StockList > .stock--low { color: $error; text-style: bold; }
    StockList > .stock--unknown { color: $warning; }
    StockList > .stock--muted { color: $text-muted; }
    """

    def __init__(self, view: StockView, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.view = view
        self.empty_text = "No stock yet: ctrl+o imports a stock CSV."

    @property
    def row_count(self) -> int:
        return len(self.view.shown)

    @property
    def cursor(self) -> int:
        return self.view.cursor

    def render_header(self, y: int, width: int) -> Strip:
        sizes = widths(width)
        head = "".join(fit(t, w) + " " for (t, _), w in zip(COLUMNS, sizes, strict=True))
        head += "CARDS (SPRINT)"
        return Strip([Segment(fit(head, width), self.get_style("stock--header"))])

    def render_row(self, index: int, width: int) -> Strip:
        row = self.view.shown[index]
        selected = index == self.cursor
        base = self.get_style()
        back = base + self.get_style("stock--selected") if selected else base
        return self._row(row, selected, width, back)

    def _row(self, row: StockRow, selected: bool, width: int, back: Style) -> Strip:
        muted = back + self.get_style("stock--muted")
        if row.low:
            mark, mark_style = LOW_MARK, back + self.get_style("stock--low")
        elif not row.known:
            mark, mark_style = UNKNOWN_MARK, back + self.get_style("stock--unknown")
        else:
            mark, mark_style = "", back
        _, sku, name, on_hand, low_at, restock, stock = widths(width)
        segments = [
            Segment("▶ " if selected else "  ", back),
            Segment(fit(printable(row.sku), sku) + " ", back),
            Segment(fit(printable(row.name) or "-", name) + " ", back if row.name else muted),
            Segment(fit(number(row.on_hand), on_hand) + " ", mark_style if row.low else back),
            Segment(fit(number(row.threshold), low_at) + " ", muted),
            Segment(fit(row.restock_date or "-", restock) + " ", back),
            Segment(fit(mark, stock) + " ", mark_style),
        ]
        used = sum(cell_len(s.text) for s in segments)
        segments.append(Segment(fit(cards_text(row), max(0, width - used)), back))
        return Strip(segments).adjust_cell_length(width, back)
