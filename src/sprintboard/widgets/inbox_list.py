"""The inbox's triage queue, one line per feedback item (a `LineList`), and its detail pane.

`InboxList` draws only the lines on screen from an `InboxPage` (the stretch of a view loaded
so far, and the cursor), so a view of 50,000 items costs what a view of ten does, and asks
for the next page (or the one before) as the screen nears either edge. User text is drawn
as plain segments or `Content`, never parsed as markup.
"""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual.cache import LRUCache
from textual.content import Content
from textual.message import Message
from textual.strip import Strip
from textual.timer import Timer
from textual.widgets import Input, Static

from sprintboard.planning.triage import VIEWS, AgeLevel, InboxItem
from sprintboard.views.board import LABELS
from sprintboard.views.inbox import InboxPage, Query
from sprintboard.views.text import fit, printable
from sprintboard.widgets.line_list import LineList, LineListMessage

URGENT_MARK = "⚑"
AGE_MARKS = {AgeLevel.OK: "", AgeLevel.AMBER: " !", AgeLevel.RED: " !!"}

# (title, width) of the fixed columns; the text takes the rest of the line.
COLUMNS = (("", 2), ("CATEGORY", 9), ("SOURCE", 7), ("CUSTOMER", 18), ("AGE", 7), ("REP", 4))
NARROW = 100
"""Under this many cells the source column goes and the customer's narrows (the detail
below the list shows both), so the feedback's text keeps room beside its category and age."""
NARROW_COLUMNS = (("", 2), ("CATEGORY", 9), ("CUSTOMER", 12), ("AGE", 7), ("REP", 4))


def columns(width: int) -> tuple[tuple[str, int], ...]:
    return NARROW_COLUMNS if width < NARROW else COLUMNS


LINK_WIDTH = 22  # the state column of the views other than new


def link_text(item: InboxItem) -> str:
    """What the state column says for an item outside the new view."""
    if item.view == "snoozed":
        return f"until {item.snoozed_until or '?'}"
    if item.view == "declined":
        return printable(item.decline_reason or "")
    if item.view == "shipped":
        return f"✓ {item.card} done"
    if item.view == "informed":
        return f"told {(item.informed_at or '')[:10]} {printable(item.informed_by)}"
    if item.card:
        return f"{'=' if item.view == 'duplicate' else '→'} {item.card} {item.card_status or ''}"
    return "(no card)"


class InboxList(LineList, can_focus=True):
    """Draws an InboxPage; the screen owns the keys and tells it when to redraw."""

    HEADER_HEIGHT = 1

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "inbox--header",
        "inbox--selected",
        "inbox--urgent",
        "inbox--amber",
        "inbox--red",
        "inbox--muted",
        "inbox--shipped",
    }

    DEFAULT_CSS = """
    InboxList > .inbox--header { color: $text-muted; background: $panel; text-style: bold; }
    InboxList > .inbox--selected { background: $primary 35%; }
    InboxList:focus > .inbox--selected { background: $primary 55%; }
    InboxList > .inbox--urgent { color: $error; text-style: bold; }
    InboxList > .inbox--amber { color: $warning; text-style: bold; }
    InboxList > .inbox--red { color: $error; text-style: bold; }
    InboxList > .inbox--muted { color: $text-muted; }
    InboxList > .inbox--shipped { color: $success; text-style: bold; }
    """

    class NearEnd(LineListMessage):
        """The view scrolled close to the last loaded item: time to load the next page."""

    class NearStart(LineListMessage):
        """The view scrolled close to the first loaded item, and the view starts before it."""

    def __init__(self, page: InboxPage, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.page = page
        self.view = "new"
        self.empty_text = "Nothing to triage."
        self._start = 0  # the page's start when the list was last drawn
        # Items are immutable: a row is drawn once until it, the width or the styles change,
        # so taking one out of the view redraws only the line the cursor lands on.
        self._rows: LRUCache[tuple[InboxItem, bool, int, str], Strip] = LRUCache(1024)

    @property
    def row_count(self) -> int:
        return len(self.page.items)

    @property
    def cursor(self) -> int:
        return self.page.cursor

    def notify_style_update(self) -> None:
        self._rows.clear()
        super().notify_style_update()

    # -- keeping the cursor in view ------------------------------------------------------

    def kept_top(self) -> int:
        # A page read in before the loaded items leaves the screen where it was.
        return self.top + self._start - self.page.start

    def refresh_list(self, moved_from: int | None = None) -> None:
        super().refresh_list(moved_from)
        self._start = self.page.start
        self.ask_for_more()

    def scroll_rows(self, delta: int) -> None:
        super().scroll_rows(delta)
        self.ask_for_more()

    def ask_for_more(self) -> None:
        if self.page.wants_more(self.top + self.visible_rows):
            self.post_message(self.NearEnd(self))
        if self.page.wants_earlier(self.top):
            self.post_message(self.NearStart(self))

    # -- drawing -------------------------------------------------------------------------

    def render_header(self, y: int, width: int) -> Strip:
        text = fit(self._header_text(width), width)
        return Strip([Segment(text, self.get_style("inbox--header"))])

    def render_row(self, index: int, width: int) -> Strip:
        key = (self.page.items[index], index == self.cursor, width, self.view)
        strip = self._rows.get(key)
        if strip is None:
            strip = self._rows[key] = self._row(key[0], key[1], width, self.get_style())
        return strip

    def _header_text(self, width: int) -> str:
        head = "".join(fit(title, w) + " " for title, w in columns(width))
        if self.view != "new":
            head += fit("STATE", 16 if width < NARROW else LINK_WIDTH) + " "
        return head + "TEXT"

    def _row(self, item: InboxItem, selected: bool, width: int, base: Style) -> Strip:
        back = base + self.get_style("inbox--selected") if selected else base
        muted = back + self.get_style("inbox--muted")
        age_style = back
        if item.age_level is AgeLevel.AMBER:
            age_style = back + self.get_style("inbox--amber")
        elif item.age_level is AgeLevel.RED:
            age_style = back + self.get_style("inbox--red")
        mark = "▶" if selected else " "
        urgent = URGENT_MARK if item.urgent else " "
        segments = [
            Segment(mark, back),
            Segment(urgent + " ", back + self.get_style("inbox--urgent") if item.urgent else back),
            Segment(fit(item.category, 9) + " ", back),
        ]
        narrow = width < NARROW
        if not narrow:
            segments.append(Segment(fit(item.source, 7) + " ", muted))
        customer = fit(printable(item.customer) or "-", 12 if narrow else 18)
        segments += [
            Segment(customer + " ", back),
            Segment(fit(f"{item.age_days}d{AGE_MARKS[item.age_level]}", 7) + " ", age_style),
            Segment(fit(f"×{item.reports}", 4) + " ", back),
        ]
        if self.view != "new":
            style = back + self.get_style("inbox--shipped") if item.shipped else muted
            link_width = 16 if narrow else LINK_WIDTH
            segments.append(Segment(fit(link_text(item), link_width) + " ", style))
        used = sum(cell_len(s.text) for s in segments)
        segments.append(Segment(fit(printable(item.title), max(0, width - used)), back))
        # Exactly one line, whatever wide characters the text holds.
        return Strip(segments).adjust_cell_length(width, back)


class InboxDetail(Static):
    """The selected item in full: text, customer, reported by, received, card, state."""

    _height = -1

    def set_content(self, content: Content) -> None:
        # A layout pass costs more than the rest of a keypress: only when the height changes.
        height = len(content.wrap(max(1, self.content_region.width or self.app.size.width)))
        self.update(content, layout=height != self._height)
        self._height = height

    def show(self, item: InboxItem | None) -> None:
        if item is None:
            self.set_content(Content.styled("No item selected.", "dim"))
            return
        bold = "bold"
        age = f"{item.age_days} day{'s' if item.age_days != 1 else ''} old"
        if item.age_level is not AgeLevel.OK:
            age += f" ({item.age_level.value}{AGE_MARKS[item.age_level]})"
        urgent = f" {URGENT_MARK} urgent" if item.urgent else ""
        head = f"{item.key}  {item.category}{urgent} · via {item.source} · ×{item.reports} reports"
        received = item.received_at.replace("T", " ").rstrip("Z")
        lines = [
            Content.styled(head, bold) + Content(f" · received {received} · {age}"),
            Content.styled("Customer: ", bold)
            + Content(item.customer or "-")
            + Content.styled("   Reported by: ", bold)
            + Content(item.reported_by or "-"),
            Content.styled("State: ", bold) + self.state_line(item),
            Content(""),
            Content(item.text).expand_tabs(4),
        ]
        self.set_content(Content("\n").join(lines))

    @staticmethod
    def state_line(item: InboxItem) -> Content:
        card = ""
        if item.card:
            card = f"{item.card} ({LABELS.get(item.card_status or '', item.card_status)})"
        by = Content(f" by {item.triaged_by}") if item.triaged_by else Content("")
        if item.view == "shipped":
            return Content.styled(
                f"shipped: {card} is done, tell the customer (i marks them informed)", "bold"
            )
        if item.view == "informed":
            when = (item.informed_at or "").replace("T", " ").rstrip("Z")
            return (
                Content(f"shipped in {card or 'its card'}; customer informed by ")
                + Content(item.informed_by or "?")
                + Content(f" on {when}")
            )
        if item.view == "snoozed" or item.wake_due:
            return Content(f"snoozed until {item.snoozed_until}") + by
        if item.state == "declined":
            return Content("declined") + by + Content(": ") + Content(item.decline_reason or "")
        if item.state == "accepted":
            return Content(f"accepted as {card}") + by + Content(" · enter opens the card")
        if item.state == "duplicate":
            opens = " · enter opens the card" if card else ""
            return Content(f"duplicate of {card or 'another item'}") + by + Content(opens)
        return Content("new · a accept · = duplicate · x decline · z snooze")


class InboxHeader(Static):
    """The views with their counts (click one to show it), and the filters in force."""

    _shown = Content("")
    _args: tuple[Query, dict[str, int], int | None, bool] | None = None

    def on_resize(self) -> None:
        if self._args is not None:
            self.show(*self._args)

    def show(
        self, query: Query, counts: dict[str, int], found: int | None, read_only: bool
    ) -> None:
        """The views and filters; where they do not fit, the title shortens and the empty
        views other than the one shown leave the line (tab still reaches them)."""
        self._args = (query, counts, found, read_only)
        narrow = (self.size.width or self.app.size.width) < NARROW
        title = " Inbox " if narrow else " Feedback inbox "
        parts = [Content.styled(" sprintboard ", "bold reverse"), Content(title)]
        for view in VIEWS:
            if narrow and not counts.get(view, 0) and view != query.view:
                continue
            label = f" {view} {counts.get(view, 0):,} "
            style = "bold reverse" if view == query.view else "dim"
            parts.append(Content.styled(label, f"{style} @click=screen.show_view('{view}')"))
        if query.category:
            parts.append(Content.styled(f" · category {query.category}", "italic"))
        if found is not None:
            parts.append(Content.styled(" · text “", "italic") + Content(query.text))
            parts.append(Content.styled(f"” {found:,} found", "italic"))
        if read_only:
            parts.append(Content.styled(" · READ-ONLY", "bold"))
        content = Content("").join(parts)
        if not content.is_same(self._shown):
            self._shown = content
            self.update(content, layout=False)  # always one line


class FilterBar(Input):
    """The text filter: applies as you type (after a pause), enter keeps it, hides itself."""

    DELAY = 0.15  # seconds of quiet typing before the view is searched

    class Applied(Message):
        def __init__(self, text: str) -> None:
            self.text = text
            super().__init__()

    class Closed(Message):
        """Enter or escape: the filter bar is hidden again."""

    _timer: Timer | None = None

    def on_mount(self) -> None:
        self.display = False

    def open(self, text: str) -> None:
        self.display = True
        self.value = text
        self.cursor_blink = not getattr(self.app, "frozen", False)
        self.focus()

    def close(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        if self.display:
            self.display = False
            self.post_message(self.Closed())

    def _on_input_changed(self, event: Input.Changed) -> None:
        if self._timer is not None:
            self._timer.stop()
        text = event.value.strip()
        self._timer = self.set_timer(self.DELAY, lambda: self.post_message(self.Applied(text)))

    def _on_input_submitted(self, event: Input.Submitted) -> None:
        self.display = False
        self.post_message(self.Closed())
