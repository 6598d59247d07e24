"""The board's status line: the selected card's key and whole title, its team, points,
assignee and badges in words, drawn from the cards the board already holds.

One line, redrawn when the board's selection or cards change (`BoardScreen.show_cards`);
it reads no database and takes its badge colours from the grid it describes.
"""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from textual.strip import Strip
from textual.widget import Widget

from sprintboard.views.board import card_face
from sprintboard.views.board_layout import status_line
from sprintboard.widgets.board_grid import BoardGrid


class CardStatus(Widget):
    """What the grid's selected card says in full."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "status--key",
        "status--muted",
        "status--assignee",
    }

    DEFAULT_CSS = """
    CardStatus { height: 1; background: $panel; color: $text; }
    CardStatus > .status--key { color: $text; text-style: bold; }
    CardStatus > .status--muted { color: $text-muted; }
    CardStatus > .status--assignee { color: $text; text-style: italic; }
    """

    def __init__(self, grid: BoardGrid, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.grid = grid

    def line(self) -> list[tuple[str, str]]:
        """The line's (text, role) pieces, for its width."""
        card = self.grid.model.selected_card()
        if card is None:
            return status_line(None, [], "", "", self.size.width)
        face = card_face(card)
        assignee = card.get("assignee") or ""
        badges = self.grid.badges(card, words=True)
        return status_line(card, badges, assignee, face.initials, self.size.width)

    def render_line(self, y: int) -> Strip:
        base = self.rich_style
        width = self.size.width
        if y:
            return Strip.blank(width, base)
        segments = []
        for text, role in self.line():
            if role.startswith("status-"):
                style = base + self.get_component_rich_style(role.replace("-", "--", 1))
            elif role in ("", "status"):
                style = base
            else:  # a badge: the grid's colour for it, on this line's background
                style = base + self.grid.style_of(f"board--{role}")
            segments.append(Segment(text, style))
        return Strip(segments).adjust_cell_length(width, base)
