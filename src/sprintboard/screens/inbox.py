"""The feedback inbox: Customer Service's reports triaged into the plan, one key each.

A triage key takes the item out of the view at once (the list is local state) and the
write follows on the database thread; a refused write says why in one line and reloads.
The screen holds the keys and the drawing; what it shows, and every read that changes it,
is `InboxReads` (views/inbox_reads.py): a stretch of the view at a time, the pages around it read
as the cursor nears its edges, `home`/`end` reading the view's first or last page.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date
from typing import Any, ClassVar, TypeVar

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen

from sprintboard.errors import UserError
from sprintboard.models import URGENT_CATEGORIES, FeedbackCategory
from sprintboard.planning.triage import VIEWS, AgeLimits, InboxItem
from sprintboard.screens.live import binding_commands
from sprintboard.screens.triage_dialogs import (
    AcceptChoice,
    AcceptScreen,
    DeclineScreen,
    SnoozeScreen,
    TriageDialog,
)
from sprintboard.views import inbox as model
from sprintboard.views.inbox import InboxPage, Query
from sprintboard.views.inbox_reads import InboxReads, Paging
from sprintboard.widgets.inbox_list import (
    FilterBar,
    InboxDetail,
    InboxHeader,
    InboxList,
    QuietFooter,
)

D = TypeVar("D", bound=TriageDialog)

WAKE_EVERY = 60.0  # seconds between looks for snoozes whose day has come


class InboxScreen(Screen[None]):
    """The triage queue of one view (new, snoozed, accepted, shipped, declined, duplicate)."""

    CSS_PATH = "inbox.tcss"

    HELP_TITLE = "Feedback inbox"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "jump(-1)", "First item", show=False),
        Binding("end", "jump(1)", "Last item", show=False),
        Binding("a", "accept", "Accept"),
        Binding("m", "merge", "Duplicate"),
        Binding("x", "decline", "Decline"),
        Binding("z", "snooze", "Snooze"),
        Binding("o", "reopen", "Reopen"),
        Binding("u", "undo", "Undo"),
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
        self._dialogs: dict[type[TriageDialog], TriageDialog] = {}
        self._away = False

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

    @property
    def loaded(self) -> bool:
        """The first read is in."""
        return self.reads.loaded

    @property
    def backend(self) -> Any:
        return self.app.backend  # type: ignore[attr-defined]

    @property
    def store(self) -> Any:
        return self.backend.store

    @property
    def inbox_list(self) -> InboxList:
        return self.query_one(InboxList)

    def compose(self) -> ComposeResult:
        yield InboxHeader(id="inbox-header")
        yield InboxList(self.page, id="inbox-list")
        with VerticalScroll(id="inbox-detail"):
            yield InboxDetail(id="inbox-detail-body")
        yield FilterBar(id="inbox-filter", placeholder="filter by text, customer, card or #id")
        yield QuietFooter()

    async def on_mount(self) -> None:
        settings = self.app.settings  # type: ignore[attr-defined]
        self.reads.limits = AgeLimits(settings.feedback_amber_days, settings.feedback_red_days)
        self.reads.backend = self.backend
        self.query_one("#inbox-detail").can_focus = False
        self.inbox_list.focus()
        await self.load(wake=True)
        self.set_interval(WAKE_EVERY, lambda: self._poll(wake=True))
        if self.app.live_refresh:  # type: ignore[attr-defined]
            self.set_interval(self.app.live_refresh, self._poll)  # type: ignore[attr-defined]

    def on_screen_suspend(self) -> None:
        self._away = self not in self.app.screen_stack  # another screen, not a dialog on top

    async def on_screen_resume(self) -> None:
        if self._away:
            self._away = False
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

    async def _poll(self, wake: bool = False) -> None:
        """Notice changes other processes made (the CLI elsewhere); wake due snoozes."""
        if self.backend.pending_writes or not self.is_current:
            return
        version = await self.backend.run(self.store.version)
        if (wake or version != self.reads.version) and not self.backend.pending_writes:
            await self.load(wake=wake)

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

    # -- triage ---------------------------------------------------------------------------

    async def write(self, fn: Callable[..., Any], *args: Any, forget: int = 0, **kw: Any) -> Any:
        """Run a store write; on failure say why and show the database as it is."""
        try:
            return await self.backend.write(fn, *args, **kw)
        except UserError as exc:
            self.notify(f"not saved: {exc}", severity="error", markup=False)
        except sqlite3.Error as exc:
            self.notify(f"not saved: {exc}", severity="error", markup=False, timeout=8)
        finally:
            self.page.gone.discard(forget)
        await self.load()
        return None

    def _target(self, verb: str) -> InboxItem | None:
        item = self.page.selected()
        if item is None:
            self.notify(f"nothing to {verb} here", markup=False)
        elif item.state not in ("new", "snoozed") and verb != "reopen":
            self.notify(model.refusal(item, verb), severity="warning", markup=False)
            return None
        return item

    def triage(
        self, item: InboxItem, to: str, fn: Callable[..., Any], *args: Any, **kw: Any
    ) -> None:
        """Take the item out of the view now; the write follows on the database thread.

        `to`: the view the item moves to ("?" when only the store knows: reload after).
        """
        view = self.query_state.view
        stays = to == view
        if not stays:
            self.page.take(item.id)
            self.counts[view] = max(0, self.counts[view] - 1)
            if to in self.counts:
                self.counts[to] += 1
            self.redraw()

        async def run() -> None:
            row = await self.write(fn, item.id, *args, forget=item.id, **kw)
            if row is not None:
                self.notify(model.triaged_message(row), markup=False)
                await (self.load() if stays or to == "?" else self.refresh_counts())

        self.run_worker(run(), group="writes")

    def _ask(
        self, verb: str, dialog: Callable[[InboxItem], Any], then: Callable[..., None]
    ) -> None:
        """Open a triage dialog for the selected item; `then(item, answer)` unless cancelled."""
        item = self._target(verb)
        if item is not None:
            self.app.push_screen(dialog(item), lambda got: None if got is None else then(item, got))

    def dialog(self, kind: type[D]) -> D:
        """The inbox's one dialog of this kind, made (and installed, to be kept) once."""
        found = self._dialogs.get(kind)
        if found is None:
            found = self._dialogs[kind] = kind()
            self.app.install_screen(found, f"{kind.__name__}-{id(self)}")
        return found  # type: ignore[return-value]

    def action_accept(self) -> None:
        def accept(item: InboxItem, c: AcceptChoice) -> None:
            fn = self.store.feedback.accept
            self.triage(item, "accepted", fn, c.team, c.sprint_id, c.title)

        dialog = self.dialog(AcceptScreen).offer(self.reads.teams, self.reads.sprints)
        self._ask("accept", dialog.prepare, accept)

    def action_decline(self) -> None:
        def decline(item: InboxItem, reason: str) -> None:
            self.triage(item, "declined", self.store.feedback.decline, reason)

        dialog = self.dialog(DeclineScreen).suggest(self.reads.reasons)
        self._ask("decline", dialog.prepare, decline)

    def action_snooze(self) -> None:
        def snooze(item: InboxItem, day: date) -> None:
            self.triage(item, "snoozed", self.store.feedback.snooze, day.isoformat())

        self._ask("snooze", self.dialog(SnoozeScreen).starting(self.reads.today).prepare, snooze)

    async def action_merge(self) -> None:
        from sprintboard.screens.card_picker import CardPickerScreen

        item = self._target("merge")
        if item is None:
            return
        candidates = await self.backend.run(model.merge_candidates, self.store, item)
        status = {c["key"]: c["status"] for c in candidates}

        def merge(key: str | None) -> None:
            fn = self.store.feedback.duplicate
            if key is None:
                return
            if key.startswith("#"):  # another feedback item: its count and order change
                self.triage(item, "?", fn, of_feedback=int(key[1:]))
            else:
                to = "shipped" if status.get(key) == "done" else "duplicate"
                self.triage(item, to, fn, card=key)

        title = f"Feedback {item.id} duplicates… (a card, or #id of feedback)"
        self.app.push_screen(CardPickerScreen(title, candidates), merge)

    def action_reopen(self) -> None:
        item = self._target("reopen")
        if item is not None and item.state == "new":
            self.notify(f"feedback {item.id} is already new", markup=False)
        elif item is not None:
            self.triage(item, "new", self.store.feedback.reopen)

    async def action_undo(self) -> None:
        done = await self.write(self.store.activity.undo)
        if done is not None:
            key = done["key"] or ""
            self.notify(f"undone: {done['action']} {key}".rstrip(), markup=False)
            keep = int(key[3:]) if key.startswith("FB-") and key[3:].isdigit() else None
            await self.load(keep=keep)

    def action_open_card(self) -> None:
        from sprintboard.screens.card_detail import CardDetailScreen

        item = self.page.selected()
        if item is None or not item.card:
            self.notify("no card is linked to this item (a accepts it as one)", markup=False)
            return

        def closed(changed: str | None) -> None:
            if changed is not None:
                self.run_worker(self.load(), group="writes")

        self.app.push_screen(CardDetailScreen(item.card), closed)

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

    def palette_commands(self) -> Iterable[SystemCommand]:
        """Every inbox binding, for the command palette."""
        return binding_commands(self, "Inbox")
