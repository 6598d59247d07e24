"""A titled list of entries of one or more lines each (a `LineList`): the card detail's
checklist, comment thread and history, and the list of comments that mention me.

An entry is a few `Content` lines (user text in them is plain text, never markup), wrapped
to the width the list has, continuation lines indented as the line they continue. The
selected entry is highlighted, strongly while the list has the focus. The screen owns the
keys and calls `move` and `show`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from textual import events
from textual.content import Content
from textual.message import Message
from textual.strip import Strip
from textual.style import Style

from sprintboard.store.people import mentions
from sprintboard.views.card_detail import Detail, People, history_words, when
from sprintboard.views.text import fit, printable
from sprintboard.widgets.line_list import LineList

CARD_TITLE_CELLS = 48
"""A card's title beside a comment (the mentions list) is cut to this many cells."""

Entry = list[Content]
"""One entry's lines, before wrapping."""
Build = Callable[[Any, "EntryList"], Entry]
"""How a row becomes an entry, in this list's styles (`EntryList.style_of`)."""


class EntryList(LineList, can_focus=True):
    """A title line, then the entries' lines; `selected` is an entry's index."""

    HEADER_HEIGHT = 1
    PAGE_OVERLAP = 0
    MAX_LINES: ClassVar[int] = 12
    """Lines the list grows to before it scrolls (0: it takes the height CSS gives it)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "entries--header",
        "entries--selected",
        "entries--muted",
        "entries--mention",
        "entries--done",
        "entries--person",
    }

    DEFAULT_CSS = """
    EntryList { margin-top: 1; }
    EntryList > .entries--header { color: $text; text-style: bold; }
    EntryList:focus > .entries--header { color: $text; background: $primary 40%; }
    EntryList > .entries--selected { background: $primary 15%; }
    EntryList:focus > .entries--selected { background: $primary 50%; }
    EntryList > .entries--muted { color: $text-muted; }
    EntryList > .entries--mention { color: $accent; text-style: bold; }
    EntryList > .entries--done { color: $success; }
    EntryList > .entries--person { text-style: bold; }
    """

    class Chosen(Message):
        """An entry was double-clicked."""

        def __init__(self, entries: EntryList, index: int) -> None:
            super().__init__()
            self.entries = entries
            self.index = index

        @property
        def control(self) -> EntryList:
            return self.entries

    def __init__(
        self, title: str, empty_text: str, *, hang: int = 0, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.title = title
        self.hang = hang
        """Cells a wrapped line's continuation is indented by, beyond the line's own."""
        self.empty_text = empty_text
        self.entries: list[Entry] = []
        self.selected = 0
        self._rows: Sequence[Any] = []
        self._build: Build | None = None
        self._stale = False  # the styles changed (a theme): build the entries again
        self._lines: list[tuple[int, Content]] = []  # (entry index, one wrapped line)
        self._starts: list[int] = []  # each entry's first line
        self._wrapped_at = -1

    # -- what the screen calls -------------------------------------------------------------

    def show(self, rows: Sequence[Any], build: Build, title: str | None = None) -> None:
        """Show an entry per row, each made by `build(row, self)` (again when the theme
        changes); the selection stays at its index, within the new count."""
        self._rows, self._build = rows, build
        if title is not None:
            self.title = title
        self._make_entries()
        self.selected = max(0, min(self.selected, len(self.entries) - 1))
        self.refresh_list()

    def _make_entries(self) -> None:
        build = self._build
        self.entries = [] if build is None else [build(row, self) for row in self._rows]
        self._stale = False
        self._wrap(force=True)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        if self._rows:
            self._stale = True
            self.refresh()

    def move(self, delta: int) -> None:
        if not self.entries:
            return
        self.select(self.selected + delta)

    def select(self, index: int) -> None:
        before = self.selected
        self.selected = max(0, min(index, len(self.entries) - 1))
        if self.selected != before:
            self.refresh_list()

    def style_of(self, name: str) -> Style:
        """A component class's style, to stylize Content with."""
        return Style.from_rich_style(self.get_style(f"entries--{name}"))

    # -- LineList hooks --------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self._lines)

    @property
    def cursor(self) -> int:
        return self._starts[self.selected] if self._starts else 0

    def top_for_cursor(self, top: int, cursor: int) -> int:
        """Keep the whole selected entry on screen when it fits, else its first line."""
        if not self._starts:
            return 0
        last = self._end(self.selected) - 1
        if last >= top + self.visible_rows:
            top = last - self.visible_rows + 1
        return min(top, cursor)

    def render_header(self, y: int, width: int) -> Strip:
        style = self.get_style() + self.get_style("entries--header")
        return Strip([Segment(self.title, style)]).crop_extend(0, width, style)

    def render_line(self, y: int) -> Strip:
        if self._stale:
            self._make_entries()
        return super().render_line(y)

    def render_row(self, index: int, width: int) -> Strip:
        entry, line = self._lines[index]
        base = self.get_style()
        if entry == self.selected:
            base = base + self.get_style("entries--selected")
        segments = line.render_segments(Style.from_rich_style(base))
        return Strip(segments).crop_extend(0, width, base)

    # -- layout ----------------------------------------------------------------------------

    def _end(self, entry: int) -> int:
        return self._starts[entry + 1] if entry + 1 < len(self._starts) else len(self._lines)

    def _wrap(self, force: bool = False) -> None:
        width = self.size.width or 80
        if width == self._wrapped_at and not force:
            return
        self._wrapped_at = width
        self._lines, self._starts = [], []
        for index, entry in enumerate(self.entries):
            self._starts.append(len(self._lines))
            for line in entry:
                self._lines += [(index, part) for part in _wrapped(line, width, self.hang)]
        if self.MAX_LINES:
            height = self.HEADER_HEIGHT + max(1, min(len(self._lines), self.MAX_LINES))
            if self.styles.height is None or self.styles.height.value != height:
                self.styles.height = height

    def on_resize(self, event: events.Resize) -> None:
        self._wrap()
        self.refresh_list()

    def click_message(self, index: int, event: events.Click) -> Message | None:
        entry = self._lines[index][0]
        self.focus()
        self.select(entry)
        return self.Chosen(self, entry) if event.chain >= 2 else None


def _wrapped(line: Content, width: int, hang: int) -> list[Content]:
    """`line` folded to `width` cells; continuation lines indented as the line starts, and
    `hang` cells more."""
    plain = line.plain
    lead = len(plain) - len(plain.lstrip(" "))
    if line.cell_length <= width or width <= lead + hang + 8:
        return [line]
    first, *rest = line[lead:].wrap(width - lead)
    out = [Content(" " * lead) + first]
    if rest:
        more = Content(" ").join(rest) if hang else Content("")
        parts = more.wrap(width - lead - hang) if hang else rest
        out += [Content(" " * (lead + hang)) + part for part in parts]
    return out


# -- entries -------------------------------------------------------------------------------


def user_text(text: str, members: Iterable[str], mention: Style) -> list[Content]:
    """User text as lines of plain Content, `@name` mentions of people styled."""
    spans = [m for m in mentions(text, members) if m.person]
    lines: list[Content] = []
    offset = 0
    for raw in text.split("\n"):
        line = Content(printable(raw))
        for m in spans:
            start, end = max(m.start - offset, 0), min(m.end - offset, len(raw))
            if start < end:
                line = line.stylize(mention, start, end)
        lines.append(line)
        offset += len(raw) + 1
    return lines


def comment_entry(
    comment: dict[str, Any], list_: EntryList, *, people: People, card: bool = False
) -> Entry:
    """A comment: who and when (and 'edited'), then its text indented."""
    person, muted = list_.style_of("person"), list_.style_of("muted")
    head = Content("  ")
    if card:
        head += Content.styled(comment["card"], person)
        title = printable(comment.get("card_title", ""))
        if title:
            head += Content(
                "  "
                + (fit(title, CARD_TITLE_CELLS) if cell_len(title) > CARD_TITLE_CELLS else title)
            )
        head += Content.styled("  ·  ", muted)
    head += Content(printable(people.person(comment["author"]))).stylize(person)
    head += Content.styled(f"  {when(comment['created_at'])}", muted)
    if comment["edited_at"]:
        head += Content.styled(f"  edited {when(comment['edited_at'])}", muted)
    members = [*people.members, comment["author"], people.me]
    body = user_text(comment["body"], members, list_.style_of("mention"))
    return [head, *(Content("    ") + line for line in body)]


def checklist_entry(item: dict[str, Any], list_: EntryList) -> Entry:
    """'[x] WH    confirm stock', done items in the done colour."""
    mark = "[x]" if item["done"] else "[ ]"
    line = Content(f"  {mark} {(item['team'] or '-'):<5} ") + Content(printable(item["text"]))
    if item["done"]:
        line = line.stylize(list_.style_of("done"), 2, 5)
    return [line]


def history_entry(entry: dict[str, Any], list_: EntryList, *, detail: Detail) -> Entry:
    """'2026-03-11 10:30  Sanne de Vries (MKT)  status: todo → doing'."""
    muted = list_.style_of("muted")
    line = Content.styled(f"  {when(entry['at'])}  ", muted)
    who = Content(printable(detail.people.person(entry["actor"])))
    line += who.stylize(list_.style_of("person"))
    line += Content("  " + printable(history_words(entry, detail)))
    if entry.get("undone_by"):
        line = line.stylize(muted)
    return [line]
