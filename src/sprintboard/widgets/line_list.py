"""A scrolling list drawn line by line (Textual's Line API): the base of the app's lists.

`LineList` is a `ScrollView` with one virtual line per row, under a header of
`HEADER_HEIGHT` lines that stays put. Textual asks `render_line` only for the lines on
screen, so a list of 10,000 rows costs what one of ten does. The list keeps the cursor in
view, pages, scrolls three rows a wheel turn, turns a click into a row index
(`LineList.Clicked`) and caches its component styles (`ComponentStyles`).

The cursor is not the list's own: a subclass reads it from its view model (`cursor`),
where a key moves it at once (the focus lands later), and the screen calls `refresh_list`
after. The list binds no keys (the screens own them) and shows no scrollbar.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.segment import Segment
from textual import events
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from sprintboard.views.text import fit
from sprintboard.widgets.component_styles import ComponentStyles


@dataclass
class LineListMessage(Message):
    """A message from a LineList (or a subclass), which is its `control`."""

    line_list: LineList

    @property
    def control(self) -> LineList:
        return self.line_list


_HOOKS = ("row_count", "cursor", "render_row")
"""What every list says for itself (see `LineList`)."""


class LineList(ComponentStyles, ScrollView, inherit_bindings=False):
    """Rows under a fixed header; a subclass says how many there are and draws one."""

    HEADER_HEIGHT: ClassVar[int] = 0
    """Lines above the rows that do not scroll."""
    PAGE_OVERLAP: ClassVar[int] = 1
    """Rows of the old page still on screen after a page key."""
    WHEEL_ROWS: ClassVar[int] = 3

    COMPONENT_CLASSES: ClassVar[set[str]] = {"line-list--empty"}

    DEFAULT_CSS = """
    LineList { width: 1fr; height: 1fr; background: $background; overflow: hidden hidden; }
    LineList > .line-list--empty { color: $text-disabled; }
    """

    @dataclass
    class Clicked(LineListMessage):
        """A row was clicked (chain 2 = double click)."""

        index: int
        chain: int

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.empty_text = ""

    # -- what a subclass says ------------------------------------------------------------
    # Each list defines `row_count`, `cursor` (the selected row, as its view model holds
    # it) and `render_row`; a class that misses one is refused when it is defined.

    if TYPE_CHECKING:

        @property
        def row_count(self) -> int: ...

        @property
        def cursor(self) -> int: ...

        def render_row(self, index: int, width: int) -> Strip: ...

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        missing = [name for name in _HOOKS if not hasattr(cls, name)]
        if missing:
            raise TypeError(f"{cls.__name__} is a LineList without {', '.join(missing)}")

    def render_header(self, y: int, width: int) -> Strip:
        return Strip.blank(width, self.get_style())

    def render_below(self, line: int, width: int) -> Strip:
        """Line `line` (0: the first row's) of the screen below the last row."""
        if line == 0 and not self.row_count:
            return self.note_line(self.empty_text, width)
        return Strip.blank(width, self.get_style())

    def note_line(self, text: str, width: int) -> Strip:
        """A line saying why there are no rows, in a quiet colour."""
        style = self.get_style() + self.get_style("line-list--empty")
        return Strip([Segment(fit(f"  {text}", width), style)])

    # -- geometry ------------------------------------------------------------------------

    @property
    def visible_rows(self) -> int:
        return max(1, self.size.height - self.HEADER_HEIGHT)

    @property
    def top(self) -> int:
        """Index of the first row on screen."""
        return self.scroll_offset.y

    def page_step(self, pages: int) -> int:
        """Rows that `pages` page keys move."""
        return pages * max(1, self.visible_rows - self.PAGE_OVERLAP)

    def row_at(self, y: int) -> int | None:
        index = self.top + y - self.HEADER_HEIGHT
        return index if y >= self.HEADER_HEIGHT and index < self.row_count else None

    # -- scrolling -----------------------------------------------------------------------

    def scroll_to_row(self, top: int) -> bool:
        """Make row `top` the first on screen, as near as the rows allow; True if it moved."""
        size = Size(self.size.width, self.row_count + self.HEADER_HEIGHT)
        if size != self.virtual_size:
            # The height comes from CSS, so a new row count needs no layout pass.
            self.set_reactive(LineList.virtual_size, size)
        before = self.top
        # force: overflow is hidden (no scrollbar), so Textual would not scroll by itself.
        self.scroll_to(y=top, animate=False, force=True)
        return self.top != before

    def kept_top(self) -> int:
        """The first row to keep on screen while the cursor comes into view."""
        return self.top

    def top_for_cursor(self, top: int, cursor: int) -> int:
        """The first row to show so the cursor is on screen, scrolling as little as it can."""
        if cursor < top:
            return cursor
        if cursor >= top + self.visible_rows:
            return cursor - self.visible_rows + 1
        return top

    def refresh_list(self, moved_from: int | None = None) -> None:
        """Call after the rows or the cursor changed: keeps the cursor in view and redraws.

        `moved_from`: only the cursor moved, from that row; unless the list scrolls, just
        its two lines are drawn again.
        """
        scrolled = self.scroll_to_row(self.top_for_cursor(self.kept_top(), self.cursor))
        if moved_from is None:
            self.refresh()
        elif not scrolled:  # scrolling redraws everything
            self.refresh_rows(moved_from, self.cursor)

    def refresh_rows(self, *indexes: int) -> None:
        """Draw these rows again, where they are on screen."""
        for index in indexes:
            y = index - self.top + self.HEADER_HEIGHT
            if self.HEADER_HEIGHT <= y < self.size.height:
                self.refresh(Region(0, y, self.size.width, 1))

    def scroll_rows(self, delta: int) -> None:
        self.scroll_to_row(self.top + delta)

    # -- drawing -------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if y < self.HEADER_HEIGHT:
            return self.render_header(y, width)
        index = self.top + y - self.HEADER_HEIGHT
        if index < self.row_count:
            return self.render_row(index, width)
        return self.render_below(y - self.HEADER_HEIGHT, width)

    # -- mouse ---------------------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        index = self.row_at(event.y)
        message = None if index is None else self.click_message(index, event)
        if message is not None:
            self.post_message(message)

    def click_message(self, index: int, event: events.Click) -> Message | None:
        """What a click on row `index` says (None: nothing)."""
        return self.Clicked(self, index, event.chain)

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        event.stop()
        self.scroll_rows(self.WHEEL_ROWS)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        event.stop()
        self.scroll_rows(-self.WHEEL_ROWS)

    def on_resize(self, event: events.Resize) -> None:
        self.refresh_list()
