"""The sync state at the right end of a screen's header line: '⇅ 3 to share · synced 10:42'.

`HeaderRow` puts a screen's own header and a `SyncBadge` side by side. The screen sets the
badge's `state` (None for a plan that is not shared: the badge then takes no room, and
the header looks exactly as it would without it). The badge takes the longest of the
state's forms that leaves the header `HEADER_KEEPS` columns, so at 80 columns it says
'⇅ 3↑ 10:42 2≠' and the header keeps its sprint and findings.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import HorizontalGroup
from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from sprintboard.views.sync_state import SyncState

HEADER_KEEPS = 64
"""Columns the screen's own header keeps beside the badge (the badge gets the rest, and
at least its shortest form)."""
STYLES = {"": "", "warning": "bold $warning", "error": "bold $error"}


class SyncBadge(Static):
    """The plan's sync state, or nothing when the plan is not shared."""

    DEFAULT_CSS = """
    SyncBadge {
        width: auto;
        height: 1;
        display: none;
        background: $panel;
        color: $text;
        text-wrap: nowrap;
        &.-shown { display: block; }
    }
    """

    state: reactive[SyncState | None] = reactive(None, layout=True, init=False)
    syncing: reactive[bool] = reactive(False, layout=True, init=False)

    def __init__(self) -> None:
        super().__init__(markup=False)

    def watch_state(self) -> None:
        self.refit()

    def watch_syncing(self) -> None:
        self.refit()

    def on_mount(self) -> None:
        self.refit()

    def line(self, width: int) -> Content:
        """What the badge shows in a header line `width` cells wide (empty: nothing)."""
        if self.state is None:
            return Content("")
        room = width - HEADER_KEEPS
        forms = [_content(form) for form in self.state.forms(self.syncing)]
        return next((form for form in forms if form.cell_length <= room), forms[-1])

    def refit(self) -> None:
        """Show the form that fits the header line's width now."""
        row = self.parent
        width = row.size.width if isinstance(row, Widget) and row.size.width else 0
        line = self.line(width or self.app.size.width)
        self.set_class(bool(line), "-shown")
        self.update(line)


def _content(form: list[tuple[str, str]]) -> Content:
    parts = [Content.styled(text, STYLES[role]) for text, role in form]
    return Content(" ") + Content("").join(parts) + Content(" ")


class HeaderRow(HorizontalGroup):
    """A screen's header line: its own header (the rest of the width), the sync badge."""

    DEFAULT_CSS = """
    HeaderRow {
        height: 1;
        background: $panel;
        & > * { width: 1fr; }
        & > SyncBadge { width: auto; }
    }
    """

    def __init__(self, header: Widget) -> None:
        super().__init__()
        self.header = header

    def compose(self) -> ComposeResult:
        yield self.header
        yield SyncBadge()

    def on_resize(self) -> None:
        self.query_one(SyncBadge).refit()
