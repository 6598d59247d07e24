"""Sprint planning: the backlog beside a sprint, capacity per team, start and close, charts.

A key changes the screen's state at once (views/planning.py) and the write follows on the
database thread; a refused write says why in one line and reloads. Capacity is recomputed
from the cards on screen, so the bars follow every move before the write lands. The
charts are replayed from the activity log in a worker and drawn by textual-plotext.

Below `WIDE` columns the lists take the whole width and a `CapacityStrip` under them keeps
every team's load against its capacity in sight; `v` then shows the panel (capacity bars,
then each chart) in place of the lists, and a list key (tab, a move) brings them back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from functools import partial
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Input

from sprintboard.errors import UserError
from sprintboard.planning.capacity import SprintCapacity
from sprintboard.screens.findings_after_save import FindingsAfterSave
from sprintboard.screens.host import host
from sprintboard.screens.live import LiveScreen
from sprintboard.screens.planning_sprints import SprintActions
from sprintboard.screens.undo_keys import undo_or_redo
from sprintboard.views.planning import (
    BACKLOG,
    VIEWS,
    CapacityState,
    PlanningModel,
    fetch_chart,
    fetch_planning,
    fetch_velocity,
    move_card,
    person_load,
    sprint_label,
)
from sprintboard.widgets.capacity_bars import CapacityStrip, PlanningPanel
from sprintboard.widgets.card_list import CardListView, FilterInput, PlanningLists
from sprintboard.widgets.footer import KeyFooter
from sprintboard.widgets.planning_header import PlanningHeader
from sprintboard.widgets.sync_badge import HeaderRow

WIDE = 120
"""Columns from which the panel sits beside the lists; below, the strip under them."""


class PlanningScreen(SprintActions, LiveScreen):
    """Plan a sprint: which cards go in, and whether each team can carry its share."""

    CSS_PATH = "planning.tcss"
    # Textual annotates this `ClassVar[...] | None`, which mypy reads as an instance variable.
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (WIDE, "-wide")]  # type: ignore[misc]

    HELP_TITLE = "Sprint planning"
    HELP_NOTES = (
        "priority: ! urgent · ▲ high · ● medium · ▼ low (words when the list is wide)",
        "status in the sprint: · backlog · ○ to do · ◔ doing · ◕ review · ✓ done",
        "badges: ⇄ cross-team · ✉ feedback · ✗ error / ⚠ warning from the seam checks",
        f"under {WIDE} columns: the team loads sit under the lists; v shows the capacity bars"
        " and the charts in place of the lists, tab brings the lists back",
    )
    PALETTE_SKIP = ("cursor", "page")

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "cursor(-1_000_000)", "First card", show=False),
        Binding("end", "cursor(1_000_000)", "Last card", show=False),
        Binding("tab", "switch_side", "Switch list", show=False),
        Binding("greater_than_sign", "move_in", "Into sprint", key_display=">"),
        Binding("less_than_sign", "move_out", "To backlog", key_display="<"),
        Binding("enter", "open_card", "Open"),
        Binding("K,shift+up", "priority(1)", "Priority ↑", key_display="K"),
        Binding("J,shift+down", "priority(-1)", "Priority ↓", key_display="J"),
        Binding("s", "pick_sprint", "Sprint"),
        Binding("v", "cycle_view", "Chart"),
        Binding("S", "start_sprint", "Start"),
        Binding("C", "close_sprint", "Close"),
        Binding("N", "new_sprint", "New sprint", show=False),
        Binding("E", "edit_sprint", "Edit sprint", show=False),
        Binding("D", "delete_sprint", "Delete empty sprint", show=False),
        Binding("R", "sprint_report", "Sprint report", show=False),
        Binding("p", "set_capacity", "Team capacity in this sprint", show=False),
        Binding("slash", "filter_text", "Filter", key_display="/"),
        Binding("t", "filter_teams", "Filter by team", show=False),
        Binding("g", "filter_goal", "Filter by goal", show=False),
        Binding("escape", "clear_filters", "Clear filters", show=False),
        Binding("u", "undo", "Undo", show=False),
        Binding("U", "redo", "Redo", show=False),
        Binding("r", "reload", "Reload", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.model = PlanningModel()
        self.sprint_id: int | None = None
        self.sprint_chosen = False
        self.sprints: list[dict[str, Any]] = []
        self.teams: list[dict[str, Any]] = []
        self.capacity = CapacityState()
        self.plan: SprintCapacity | None = None
        self.view = VIEWS[0]
        self.panel_shown = False
        """Narrow screens: the panel is shown in place of the lists."""
        self._first: Awaitable[dict[str, Any]] | None = None
        self.findings = FindingsAfterSave(self, lambda: self.lists.redraw(findings=self._badges()))

    def compose(self) -> ComposeResult:
        # The first read starts now, while the screen is still being built and styled.
        self._first = asyncio.ensure_future(
            self.backend.run(fetch_planning, self.store, self.sprint_id, self.sprint_chosen)
        )
        yield HeaderRow(PlanningHeader(id="planning-header"))
        with Horizontal(id="planning-body"):
            yield PlanningLists(self.model, id="planning-lists")
            yield PlanningPanel(id="planning-side")
        yield CapacityStrip(id="planning-strip")
        yield FilterInput(id="planning-filter", placeholder="filter the backlog by key or title")
        yield KeyFooter()

    @property
    def lists(self) -> PlanningLists:
        return self.query_one(PlanningLists)

    @property
    def panel(self) -> PlanningPanel:
        return self.query_one(PlanningPanel)

    async def on_mount(self) -> None:
        self.lists.switch(BACKLOG)
        await self.load()
        self.start_polling()

    # -- loading --------------------------------------------------------------------------

    async def load(self) -> None:
        first, self._first = self._first, None
        data = await (
            first
            or self.backend.run(fetch_planning, self.store, self.sprint_id, self.sprint_chosen)
        )
        sprint = data["sprint"]
        self.version, self.sprints, self.teams = data["version"], data["sprints"], data["teams"]
        self.sprint_id = sprint["id"] if sprint else None
        self.model.load(data["backlog"], data["cards"], sprint)
        target = self.settings.feedback_share_target
        replay = self.capacity.reset(data, target)
        self.loaded = True
        self.redraw({t["code"]: t["colour"] for t in self.teams})
        if replay:
            # After the first paint: the replay holds the GIL on the database thread. A
            # function, not a coroutine: an exclusive worker may be cancelled before it runs.
            work = partial(self._load_velocity, self.capacity.key, sprint)
            self.call_after_refresh(self.run_worker, work, group="velocity", exclusive=True)
        if self.view != "capacity":
            self.refresh_chart()

    async def _load_velocity(self, key: Any, sprint: dict[str, Any]) -> None:
        found = await self.backend.run(fetch_velocity, self.store, sprint)
        if self.capacity.velocity_found(key, found):
            self.redraw()

    # -- drawing --------------------------------------------------------------------------

    def redraw(self, team_colours: dict[str, str] | None = None) -> None:
        self.plan = self.capacity.plan(self.model.sprint.cards)
        self.lists.redraw(team_colours, findings=self._badges())
        cards = self.model.sprint.cards
        base = self.capacity.base
        self.panel.bars.show(
            self.plan,
            velocity_loading=self.capacity.loading,
            people=person_load(cards),
            costs=self.capacity.costs(cards),
            currency=base.currency if base is not None else "",
        )
        self.query_one(CapacityStrip).show(self.plan)
        self.update_header()

    def _badges(self) -> dict[str, Any]:
        """Card key -> its findings' worst severity, from the last count (the board's or
        this screen's after a save)."""
        return host(self).findings.worst

    def update_header(self) -> None:
        model = self.model
        header = self.query_one(PlanningHeader)
        header.show(model.sprint_row, self.plan, model.filters, self.store.read_only)
        self.show_panel_title()

    # -- narrow screens: the lists, or the panel in their place ------------------------------

    @property
    def narrow(self) -> bool:
        return self.has_class("-narrow")

    def show_panel_title(self) -> None:
        shown = ("lists", *VIEWS) if self.narrow else VIEWS
        view = self.view if self.panel_shown or not self.narrow else "lists"
        self.panel.show_title(view, shown)

    def show_panel(self, shown: bool) -> None:
        """On a narrow screen, the panel in place of the lists (or the lists back)."""
        self.panel_shown = shown
        self.set_class(shown, "-panel")
        self.show_panel_title()
        if not shown:
            self.lists.switch(self.model.side)

    def show_lists(self) -> None:
        """A list key on a narrow screen brings the lists back, so the change shows."""
        if self.panel_shown and self.narrow:
            self.show_panel(False)

    def on_resize(self) -> None:
        # The breakpoint class is set before this: the title names what the width shows.
        self.call_after_refresh(self.show_panel_title)

    # -- writing ---------------------------------------------------------------------------

    async def saved(self) -> None:
        """The lists showed the change before it was written: no reload for it."""
        await self.absorb_own_write()
        if self.view != "capacity":
            self.refresh_chart()

    def _queue(self, fn: Callable[..., Any], key: str, *args: Any) -> None:
        """Save a change to card `key` the lists already show; then count the findings."""
        self.findings.saved(key)
        self.run_worker(self.write(fn, key, *args), group="writes")

    # -- actions: the lists -----------------------------------------------------------------

    def action_cursor(self, delta: int) -> None:
        self.show_lists()
        self.lists.move_cursor(delta)

    def action_page(self, pages: int) -> None:
        self.show_lists()
        self.lists.page(pages)

    def action_switch_side(self) -> None:
        if self.panel_shown and self.narrow:
            self.show_panel(False)  # tab from the panel: back to the lists, as they were
            return
        self.lists.switch()

    @on(CardListView.Clicked)
    def _double_clicked(self) -> None:
        self.action_open_card()

    def action_move_in(self) -> None:
        self.show_lists()
        refusal = self.model.refusal_in(self.model.backlog.selected())
        if refusal:
            self.notify(refusal, severity="warning", markup=False)
            return
        card = self.model.move_in()
        if card is not None:
            self.redraw()
            self._queue(partial(move_card, self.store), card["key"], "todo", card["sprint_id"])

    def action_move_out(self) -> None:
        self.show_lists()
        card = self.model.sprint.selected()
        if card is not None and card["status"] == "done":
            self.notify(f"{card['key']} is done: it stays in the sprint's history", markup=False)
            return
        card = self.model.move_out()
        if card is not None:
            self.redraw()
            self._queue(partial(move_card, self.store), card["key"], "backlog", None)

    def action_priority(self, delta: int) -> None:
        self.show_lists()
        card = self.model.bump_priority(delta)
        if card is not None:
            self.redraw()
            self._queue(self.store.cards.edit, card["key"], {"priority": card["priority"]})

    # -- actions: sprints --------------------------------------------------------------------

    async def action_pick_sprint(self) -> None:
        from sprintboard.screens.dialogs import PickerScreen

        sprints = await self.backend.run(self.store.sprints.list)
        options = [(sprint_label(s), s) for s in reversed(sprints)]

        def chosen(sprint: Any) -> None:
            if sprint is not PickerScreen.CANCELLED:
                self.sprint_id, self.sprint_chosen = sprint["id"], True
                self.run_worker(self.load(), group="writes")

        self.app.push_screen(PickerScreen("Plan sprint", options), chosen)

    # -- actions: the right-hand panel -------------------------------------------------------

    async def action_cycle_view(self) -> None:
        if self.narrow and not self.panel_shown:
            # The lists first, then the panel in their place: bars, then each chart.
            self.show_panel(True)
            if self.view != "capacity":
                self.refresh_chart()
            return
        self.view = VIEWS[(VIEWS.index(self.view) + 1) % len(VIEWS)]
        await self.panel.show_view(self.view, VIEWS)
        if self.narrow and self.view == VIEWS[0]:
            self.show_panel(False)
        else:
            self.show_panel_title()
        if self.view != "capacity":
            self.refresh_chart()

    def refresh_chart(self) -> None:
        self.run_later(self._load_chart, group="chart", exclusive=True)

    async def _load_chart(self) -> None:
        view = self.view
        try:
            data = await self.backend.run(fetch_chart, self.store, view, self.model.sprint_row)
        except UserError as exc:
            data = exc
        if view == self.view:
            order = [t["code"] for t in self.teams if not t["archived"]]
            self.panel.show_chart(view, data, order)

    # -- actions: filters, cards, undo --------------------------------------------------------

    def _set_filters(self, **changes: Any) -> None:
        self.model.set_filters(replace(self.model.filters, **changes))
        self.redraw()

    def action_filter_text(self) -> None:
        self.query_one(FilterInput).open(self.model.filters.text)

    @on(Input.Changed, "#planning-filter")
    def _filter_typed(self, event: Input.Changed) -> None:
        self._set_filters(text=event.value.strip())

    @on(FilterInput.Done)
    def _filter_done(self) -> None:
        self.lists.switch(BACKLOG)

    def action_clear_filters(self) -> None:
        if self.query_one(FilterInput).close():
            self.lists.switch(self.model.side)
        self._set_filters(text="", teams=frozenset(), goal=None)

    def action_filter_teams(self) -> None:
        from sprintboard.screens.dialogs import pick_teams

        pick_teams(
            self,
            self.teams,
            self.model.filters.teams,
            lambda codes: self._set_filters(teams=codes),
        )

    async def action_filter_goal(self) -> None:
        from sprintboard.screens.dialogs import pick_goal

        await pick_goal(
            self, "Filter the backlog by goal", lambda goal: self._set_filters(goal=goal)
        )

    def action_open_card(self) -> None:
        from sprintboard.screens.card_detail import CardDetailScreen

        card = self.model.current().selected()
        if card is not None:  # an edit there shows on return (on_screen_resume)
            self.app.push_screen(CardDetailScreen(card["key"]))

    async def action_undo(self) -> None:
        if await undo_or_redo(self) is not None:
            await self.load()

    async def action_redo(self) -> None:
        if await undo_or_redo(self, redo=True) is not None:
            await self.load()

    async def action_reload(self) -> None:
        await self.load()
