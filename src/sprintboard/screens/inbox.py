"""The feedback inbox: Customer Service's reports triaged into the plan, one key each.

A triage key takes the item out of the view at once (the list is local state) and the
write follows on the database thread; the triage keys are `TriageActions`
(inbox_triage.py). The screen holds the other keys and the drawing; what it shows, and
every read that changes it, is `InboxReads` (views/inbox_reads.py): a stretch of the view
at a time, the pages around it read as the cursor nears its edges, `home`/`end` reading
the view's first or last page.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll

from sprintboard.planning.triage import VIEWS, AgeLimits
from sprintboard.screens.dialog_fit import ScreenFitsTerminal
from sprintboard.screens.inbox_triage import TriageActions
from sprintboard.screens.live import LiveScreen
from sprintboard.views import inbox as model
from sprintboard.views.inbox import InboxPage, Query
from sprintboard.views.inbox_reads import InboxReads, Paging
from sprintboard.vocabulary import URGENT_CATEGORIES, FeedbackCategory
from sprintboard.widgets.footer import KeyFooter
from sprintboard.widgets.inbox_list import (
    FilterBar,
    InboxDetail,
    InboxHeader,
    InboxList,
)
from sprintboard.widgets.sync_badge import HeaderRow

WAKE_EVERY = 60.0  # seconds between looks for snoozes whose day has come


class InboxScreen(ScreenFitsTerminal, TriageActions, LiveScreen):
    """The triage queue of one view (new, snoozed, accepted, shipped, informed, declined,
    duplicate)."""

    CSS_PATH = "inbox.tcss"

    HELP_TITLE = "Feedback inbox"
    PALETTE_TITLE = "Inbox"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "jump(-1)", "First item", show=False),
        Binding("end", "jump(1)", "Last item", show=False),
        Binding("a", "accept", "Accept"),
        Binding("equals_sign", "merge", "Duplicate", key_display="="),
        Binding("x", "decline", "Decline"),
        Binding("z", "snooze", "Snooze"),
        Binding("backspace", "reopen", "Reopen", key_display="⌫"),
        Binding("i", "inform", "Informed"),
        Binding("n", "new_feedback", "New feedback"),
        Binding("u", "undo", "Undo"),
        Binding("U", "redo", "Redo", show=False),
        Binding("enter", "open_card", "Open card"),
        Binding("space", "read_on", "Scroll the text", show=False),
        Binding("tab", "cycle_view(1)", "Next view"),
        Binding("right_square_bracket", "cycle_view(1)", "Next view", key_display="]", show=False),
        Binding("shift+tab", "cycle_view(-1)", "Previous view", show=False),
        Binding(
            "left_square_bracket", "cycle_view(-1)", "Previous view", key_display="[", show=False
        ),
        Binding("v", "pick_view", "Pick view", show=False),
        Binding("slash", "filter_text", "Filter", key_display="/"),
        Binding("c", "filter_category", "Category"),
        Binding("escape", "clear_filters", "Clear filters", show=False),
        Binding("r", "reload", "Reload", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.reads = InboxReads()

    # What the screen shows, as its reads left it.
    @property
    def page(self) -> InboxPage:
        return self.reads.page

    @property
    def query_state(self) -> Query:
        return self.reads.query

    @property
    def counts(self) -> dict[str, int]:
        return self.reads.counts

    # The reads keep these two for LiveScreen: when the first read came in, and the version
    # of the store the view was read at.
    @property
    def loaded(self) -> bool:
        return self.reads.loaded

    @loaded.setter
    def loaded(self, value: bool) -> None:
        self.reads.loaded = value

    @property
    def version(self) -> tuple[int, int] | None:
        return self.reads.version

    @version.setter
    def version(self, value: tuple[int, int] | None) -> None:
        self.reads.version = value

    @property
    def inbox_list(self) -> InboxList:
        return self.query_one(InboxList)

    def compose(self) -> ComposeResult:
        yield HeaderRow(InboxHeader(id="inbox-header"))
        yield InboxList(self.page, id="inbox-list")
        with VerticalScroll(id="inbox-detail"):
            yield InboxDetail(id="inbox-detail-body")
        yield FilterBar(id="inbox-filter", placeholder="filter by text, customer, card or FB-id")
        yield KeyFooter()

    async def on_mount(self) -> None:
        settings = self.settings
        self.reads.limits = AgeLimits(settings.feedback_amber_days, settings.feedback_red_days)
        self.reads.backend = self.backend
        self.query_one("#inbox-detail").can_focus = False
        self.inbox_list.focus()
        await self.load(wake=True)
        self.set_interval(WAKE_EVERY, self.wake_snoozed)
        self.start_polling()

    async def came_back(self, *, away: bool) -> None:
        """Back from another screen (not a dialog): read the view again, waking snoozes."""
        if away:
            await self.load(wake=True)

    # -- reading --------------------------------------------------------------------------

    async def load(self, *, wake: bool = False, keep: int | None = None) -> None:
        """Read the loaded stretch of the view again, keeping the selected item."""
        taken, woken = await self.reads.reload(wake=wake, keep=keep)
        if taken:
            self.redraw()
        if woken:
            n = len(woken)
            self.notify(f"{n} snoozed item{'s' if n != 1 else ''} back in the inbox", markup=False)

    @on(InboxList.NearEnd)
    async def load_more(self) -> None:
        self.paged(await self.reads.more())

    @on(InboxList.NearStart)
    async def load_earlier(self) -> None:
        self.paged(await self.reads.earlier())

    def paged(self, got: Paging) -> None:
        """A page came in before or after the loaded items (the selection stays), or the
        loaded items changed while it was read: ask for it again."""
        if got == "read":
            self.inbox_list.refresh_list()
            self.update_header()
        elif got == "stale":
            self.inbox_list.ask_for_more()

    async def refresh_counts(self) -> None:
        if await self.reads.recount():
            self.update_header()

    async def wake_snoozed(self) -> None:
        """Bring back snoozes whose day has come (while the screen is shown and idle)."""
        if self.backend.pending_writes or not self.is_current:
            return
        await self.load(wake=True)

    # -- drawing --------------------------------------------------------------------------

    def redraw(self) -> None:
        self.inbox_list.view = self.query_state.view
        self.inbox_list.empty_text = (
            "No feedback matches the filter."
            if self.is_filtered()
            else model.EMPTY[self.query_state.view]
        )
        self.inbox_list.refresh_list()
        self.update_header()
        self.update_detail()

    def is_filtered(self) -> bool:
        return bool(self.query_state.text or self.query_state.category)

    def update_header(self) -> None:
        found = self.counts[self.query_state.view] if self.query_state.text else None
        header = self.query_one(InboxHeader)
        header.show(self.query_state, self.counts, found, self.store.read_only)

    def update_detail(self) -> None:
        self.query_one(InboxDetail).show(self.page.selected())
        self.query_one("#inbox-detail", VerticalScroll).scroll_home(animate=False)

    # -- moving and views ------------------------------------------------------------------

    def action_cursor(self, delta: int) -> None:
        before = self.page.cursor
        self.page.move(delta)
        self.inbox_list.refresh_list(moved_from=before)
        self.update_detail()

    def action_read_on(self) -> None:
        """Page through a long text in the detail pane, then back to its start."""
        detail = self.query_one("#inbox-detail", VerticalScroll)
        if detail.scroll_y >= detail.max_scroll_y:
            detail.scroll_home(animate=False)
        else:
            detail.scroll_page_down(animate=False)

    def action_page(self, direction: int) -> None:
        self.action_cursor(self.inbox_list.page_step(direction))

    async def action_jump(self, edge: int) -> None:
        """The view's first (-1) or last (1) item: read from the store unless it is loaded."""
        page = self.page
        if page.complete if edge > 0 else page.start == 0:
            self.action_cursor(edge * len(page.items))
        elif await self.reads.jump(edge):
            self.redraw()

    @on(InboxList.Clicked)
    def _clicked(self, event: InboxList.Clicked) -> None:
        self.action_cursor(event.index - self.page.cursor)
        if event.chain >= 2:
            self.action_open_card()

    async def show(self, query: Query) -> None:
        """Switch view or filters; each view remembers its selected item."""
        if await self.reads.show(query):
            self.redraw()

    async def action_show_view(self, view: str) -> None:
        if view in VIEWS:
            await self.show(replace(self.query_state, view=view))

    async def action_cycle_view(self, delta: int) -> None:
        index = VIEWS.index(self.query_state.view)
        await self.action_show_view(VIEWS[(index + delta) % len(VIEWS)])

    def _pick(self, title: str, options: list[tuple[str, Any]], field: str) -> None:
        """Pick a view or a category from a list; the view shows it."""
        from sprintboard.screens.dialogs import PickerScreen

        def chosen(value: Any) -> None:
            if value is not PickerScreen.CANCELLED:
                query = replace(self.query_state, **{field: value})
                self.run_worker(self.show(query), group="views")

        self.app.push_screen(PickerScreen(title, options), chosen)

    def action_pick_view(self) -> None:
        options = [(f"{view}  ({self.counts.get(view, 0):,})", view) for view in VIEWS]
        self._pick("Show view", options, "view")

    def action_filter_text(self) -> None:
        self.query_one(FilterBar).open(self.query_state.text)

    @on(FilterBar.Applied)
    def _filter_typed(self, event: FilterBar.Applied) -> None:
        query = replace(self.query_state, text=event.text)
        self.run_worker(self.show(query), group="filter", exclusive=True)

    @on(FilterBar.Closed)
    def _filter_closed(self) -> None:
        self.inbox_list.focus()

    async def action_clear_filters(self) -> None:
        self.query_one(FilterBar).close()
        if self.is_filtered():
            await self.show(Query(view=self.query_state.view))

    def action_filter_category(self) -> None:
        options: list[tuple[str, Any]] = [("all categories", None)] + [
            (f"{c.value}{'  (urgent)' if c in URGENT_CATEGORIES else ''}", c.value)
            for c in FeedbackCategory
        ]
        self._pick("Show category", options, "category")

    async def action_reload(self) -> None:
        await self.load(wake=True)
