"""Every key of the screen underneath, the app-wide ones, and the key map.

The text is laid out for the width it gets: one column on a narrow terminal, two side by
side on a wide one. Each key sits in a column of its own and its meaning wraps under
itself, never under the keys, and no line is wider than the dialog, so nothing is cut
or folded by the terminal. The dialog scrolls, and says so when the text is taller than it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.geometry import Size
from textual.screen import ModalScreen, Screen
from textual.strip import Strip
from textual.widgets import Static

from sprintboard.screens.keymap import KEY_MAP

TWO_COLUMNS = 96
"""Text width from which the help is laid out in two columns."""
GAP = 3
"""Cells between the two columns."""
KEY_MAX = 20
"""The widest a key column gets; longer keys wrap inside it."""
INDENT = "  "

Entry = tuple[str, str]
"""(the keys as shown, what they do)"""


def _keys(binding: Binding) -> str:
    # key_display names the first key only: "H,shift+left" reads "H / shift+left".
    keys = binding.key.split(",")
    if binding.key_display:
        keys[0] = binding.key_display
    return " / ".join(keys)


def entries(bindings: Sequence[BindingType]) -> list[Entry]:
    return [(_keys(b), b.description) for b in bindings if isinstance(b, Binding)]


def _wrap(text: str, width: int) -> list[Content]:
    """Plain text wrapped at spaces to `width` cells (folded only where a word is wider)."""
    return Content(text).wrap(max(1, width)) or [Content("")]


def table(rows: Sequence[Entry], width: int) -> list[list[Content]]:
    """Each row as its lines, `width` cells at most: keys in a fixed column, the meaning
    wrapped in the column beside it."""
    key_width = min(KEY_MAX, max((cell_len(k) for k, _ in rows), default=1), width // 3)
    meaning_width = max(1, width - cell_len(INDENT) - key_width - 2)
    found = []
    for keys, meaning in rows:
        key_lines = _wrap(keys, key_width)
        meaning_lines = _wrap(meaning, meaning_width)
        lines = []
        for i in range(max(len(key_lines), len(meaning_lines))):
            key = key_lines[i] if i < len(key_lines) else Content("")
            text = meaning_lines[i] if i < len(meaning_lines) else Content("")
            key = key.stylize("bold").pad_right(key_width - key.cell_length)
            lines.append(Content(INDENT) + key + Content("  ") + text)
        found.append(lines)
    return found


def side_by_side(rows: list[list[Content]], width: int) -> list[Content]:
    """Rows in two columns `width` cells apart, split where the line counts balance; a row
    is never split between the columns."""
    total = sum(len(r) for r in rows)
    left: list[Content] = []
    split, count = len(rows), 0
    for i, row in enumerate(rows):
        if count >= (total + 1) // 2:
            split = i
            break
        count += len(row)
    left = [line for row in rows[:split] for line in row]
    right = [line for row in rows[split:] for line in row]
    lines = []
    for i in range(max(len(left), len(right))):
        one = left[i] if i < len(left) else Content("")
        two = right[i] if i < len(right) else Content("")
        lines.append(one.pad_right(width - one.cell_length) + Content(" " * GAP) + two)
    return lines


class HelpText(Static):
    """The help's sections, laid out for the widget's width and drawn line by line."""

    DEFAULT_CSS = "HelpText { height: auto; }"

    def __init__(
        self, sections: Sequence[tuple[str, str, Sequence[Entry]]], notes: Sequence[str]
    ) -> None:
        super().__init__(markup=False)
        self.sections = sections
        self.notes = notes
        self._laid_out: tuple[int, list[Content]] = (-1, [])

    def lines(self, width: int) -> list[Content]:
        width = max(20, width)
        two = width >= TWO_COLUMNS
        column = (width - GAP) // 2 if two else width
        lines = [
            Content.styled("Keys", "bold")
            + Content(" · ctrl+p: the command palette reaches every action by name")
        ]
        for number, (title, intro, rows) in enumerate(self.sections):
            lines += [Content(""), Content.styled(title, "bold underline")]
            if intro:
                lines += [line.stylize("dim") for line in _wrap(intro, width)]
            laid = table(rows, column)
            lines += side_by_side(laid, column) if two else [x for row in laid for x in row]
            if number == 0 and self.notes:
                # The screen's notes (badges, marks) go with the screen's own keys.
                lines.append(Content(""))
                for note in self.notes:
                    lines += _wrap(note, width)
        # Wrapping keeps every line inside the width; this makes sure of it.
        return [line.truncate(width) for line in lines]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines(width))

    def render(self) -> Content:
        """The whole text as laid out now (what the lines draw)."""
        return Content("\n").join(self.lines(self.size.width or TWO_COLUMNS))

    def render_line(self, y: int) -> Strip:
        # Drawn line by line: the lines are already laid out, nothing is wrapped again.
        width = self.size.width
        if self._laid_out[0] != width:
            self._laid_out = (width, self.lines(width))
        lines = self._laid_out[1]
        style = self.visual_style
        if y >= len(lines):
            return Strip.blank(width, style.rich_style)
        segments = lines[y].render_segments(style)
        return Strip(segments).adjust_cell_length(width, style.rich_style)


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"
    # Textual annotates this `ClassVar[...] | None`, which mypy reads as an instance variable.
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (100, "-wide")]  # type: ignore[misc]
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,question_mark", "close", "Close")]

    def __init__(self, under: Screen[object]) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        title = getattr(self.under, "HELP_TITLE", type(self.under).__name__)
        key_map = [(row.shown, row.meaning) for row in KEY_MAP]
        sections = [
            (title, "", entries(self.under.BINDINGS)),
            ("Everywhere", "", entries(self.app.BINDINGS)),
            (
                "Same keys everywhere",
                "What each key means on every screen (a screen's own list above names what "
                "it does there):",
                key_map,
            ),
        ]
        notes = getattr(self.under, "HELP_NOTES", ())
        with VerticalScroll(classes="dialog help"):
            yield HelpText(sections, notes)

    def on_resize(self) -> None:
        self.call_after_refresh(self._say_if_it_scrolls)

    def _say_if_it_scrolls(self) -> None:
        """The bottom border says how to scroll when the text is taller than the dialog."""
        scroll = self.query_one(VerticalScroll)
        if scroll.max_scroll_y > 0:
            scroll.border_subtitle = "taller than the screen: ↑ ↓ pgup pgdn scroll · esc closes"
        else:
            scroll.border_subtitle = "esc closes"

    def action_close(self) -> None:
        self.dismiss(None)
