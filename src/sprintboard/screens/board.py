"""The board screen: a sprint's cards by column, moved and edited from the keyboard."""

from __future__ import annotations

import asyncio
import functools
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import replace
from datetime import date
from typing import Any, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Input, Static

from sprintboard.errors import UserError
from sprintboard.planning.findings import Severity
from sprintboard.screens.board_cards import CardActions
from sprintboard.screens.host import host
from sprintboard.screens.live import LiveScreen
from sprintboard.views.board import COLUMNS, BoardModel, Filters, Move, fetch_board
from sprintboard.views.board_changes import Span, fetch_changes, own_write
from sprintboard.views.card_findings import announce
from sprintboard.views.text import printable
from sprintboard.vocabulary import Status
from sprintboard.widgets.board_grid import BoardGrid
from sprintboard.widgets.card_status import CardStatus
from sprintboard.widgets.footer import KeyFooter
from sprintboard.widgets.sync_badge import HeaderRow, SyncBadge

BACKLOG = "backlog"
HEADER_STEPS = (
    "long dates",
    "findings",
    "state",
    "cards",
    "filter words",
    "lanes",
    "dates",
    "app",
    "name",
)
"""How the header narrows, one step at a time until it fits: dates without their year,
the findings as '5✗ 4⚠ 7 info', then without the sprint's state, the card count, the
filter's words, 'swimlanes', the dates, the app's name, and the sprint's name cropped.
The findings count and READ-ONLY stay at every width."""
RECOUNT_AFTER_S = 0.3
"""Quiet after this app's own change before the seam checks run again: a burst of keys
(held down, at 10,000 cards each recount costs ~0.3 s of database time) asks once, when
it pauses. A change the poll brings in from elsewhere is counted at once."""


class BoardScreen(CardActions, LiveScreen):
    """Columns Backlog · To do · Doing · Review · Done for one sprint (or the backlog).

    A move or a delete shows at once and its write follows on the database thread
    (`show_then_write`); the card's dialogs and the undo are `CardActions` (board_cards.py).
    """

    HELP_TITLE = "Board"
    HELP_NOTES = (
        "mouse: click selects a card, double-click opens it",
        "badges: ✗ error / ⚠ warning from the seam checks (! lists them) · ⊘ blocked"
        " · ⇄ cross-team · ✉n feedback reports · ◷nd due soon · !late overdue"
        " · ☑2/3 checklist done/items · ✎n comments · ▶ selected",
        "initials at the end of a card's title line: its assignee; m shows only yours",
        "the line above the keys: the selected card's whole title, team, points, assignee"
        " and badges in words; narrow columns show each card on two lines, or one",
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,h", "cursor(-1, 0)", "Left", show=False),
        Binding("right,l", "cursor(1, 0)", "Right", show=False),
        Binding("up,k", "cursor(0, -1)", "Up", show=False),
        Binding("down,j", "cursor(0, 1)", "Down", show=False),
        Binding("pageup", "cursor(0, -10)", "Page up", show=False),
        Binding("pagedown", "cursor(0, 10)", "Page down", show=False),
        Binding("home", "cursor(0, -1_000_000)", "First card", show=False),
        Binding("end", "cursor(0, 1_000_000)", "Last card", show=False),
        Binding("H,shift+left", "move(-1)", "Move ←", key_display="H"),
        Binding("L,shift+right", "move(1)", "Move →", key_display="L"),
        Binding("K,shift+up", "reorder(-1)", "Card up", show=False),
        Binding("J,shift+down", "reorder(1)", "Card down", show=False),
        Binding("n", "new_card", "New card"),
        Binding("enter", "open_card", "Open"),
        Binding("e", "edit_card", "Edit", show=False),
        Binding("d", "delete_card", "Delete"),
        Binding("u", "undo", "Undo"),
        Binding("U", "redo", "Redo", show=False),
        Binding("at", "mentions", "Mentions", key_display="@", show=False),
        Binding("slash", "filter_text", "Filter", key_display="/"),
        Binding("t", "filter_teams", "Teams"),
        Binding("s", "switch_sprint", "Sprint"),
        Binding("g", "filter_goal", "Goal", show=False),
        Binding("f", "filter_feedback", "Feedback-linked", show=False),
        Binding("m", "filter_mine", "Mine", show=False),
        Binding("w", "swimlanes", "Lanes"),
        Binding("escape", "clear_filters", "Clear filters", show=False),
        Binding("r", "reload", "Reload", show=False),
        # Seam checks (the section at the end) and links (board_cards.py).
        Binding("exclamation_mark", "findings", "Findings", key_display="!"),
        Binding("plus", "add_dependency", "Add dependency", key_display="+", show=False),
        Binding("minus", "remove_dependency", "Remove dependency", key_display="-", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.model = BoardModel()
        self.sprint: dict[str, Any] | None = None  # None: the backlog
        self.sprint_chosen = False
        self._teams: list[dict[str, Any]] = []
        # Changes the screen showed before writing them (moves, deletes): counted, and
        # those not yet written, so a read started before one never overwrites it.
        self._changes = 0
        self._unsaved = 0
        # What this board's own moves logged since the version on screen (activity id
        # spans, noted on the database thread): on screen already (see `follow_changes`).
        self._own: list[Span] = []
        self._rest_pending = False  # the first frame showed the first cards; the rest comes
        self._today = ""  # the day the board was read on (its due badges)
        self._findings: list[Any] | None = None  # the seam checks' findings, once counted
        # (the findings, short -> the header's part): drawn on every move, said once a count
        self._findings_said: tuple[Any, dict[bool, list[Content]]] | None = None
        self._checking = False  # the seam checks are running...
        self._check_again = False  # ...and the plan changed since they started
        self._recount_timer: Timer | None = None
        self._last_change = 0.0  # time.monotonic() of this app's last change on the board
        self._last_count = 0.0  # ... and of the last time the findings were asked for
        self._counted_version: Any = None  # the store's version the last count reads (or later)
        self._grid_findings: Any = None  # the count whose badges the grid shows

    def compose(self) -> ComposeResult:
        yield HeaderRow(Static(id="board-header"))
        grid = BoardGrid(self.model, id="board")
        yield grid
        yield CardStatus(grid, id="card-status")
        yield Input(id="filter", placeholder="filter by key or title; enter to apply, esc to clear")
        yield KeyFooter()

    async def on_mount(self) -> None:
        self.query_one("#filter", Input).display = False
        self.grid.wip_limits = dict(self.settings.wip_limits)
        self.grid.focus()
        await self.load(first=True)
        self.start_polling()

    # -- loading --------------------------------------------------------------------------

    async def load(self, first: bool = False) -> None:
        prefetched = self.backend.take_prefetched() if first else None
        while True:
            # Read after the writes of the changes on screen (one thread runs both, in order)...
            while self._unsaved:
                await asyncio.sleep(0.01)
            changes = self._changes
            if prefetched is not None:
                data, prefetched = await prefetched, None
            else:
                data = await self.backend.run(
                    fetch_board, self.store, self.sprint, self.sprint_chosen, first
                )
            if changes == self._changes:
                break  # ...and again if a key changed the board while the read was under way.
        self.sprint = data["sprint"]
        self.version, self.loaded = data["version"], True
        self._own.clear()  # every change on screen was written before this read
        self._today = data["today"]
        self._teams = data["teams"]
        totals = data.get("totals")
        if isinstance(totals, Future):  # the first frame's, read meanwhile on the database thread
            totals = await asyncio.wrap_future(totals)
        self.model.load(data["cards"], [t["code"] for t in data["teams"]], totals)
        self.grid.configure(
            team_colours={t["code"]: t["colour"] for t in data["teams"]},
            today=date.fromisoformat(data["today"]),
        )
        self._show_badges()
        self.show_cards()
        self.update_header()
        if self.model.partial:
            # The first frame shows the first cards of each column and every column's
            # totals; the rest follows from the database thread (keys act meanwhile on
            # what is shown), then the findings are counted.
            self._rest_pending = True
            # Once the first frame is out: the read would hold the GIL while it paints.
            self.call_after_refresh(self.run_later, self._load_rest, group="writes")
        elif first:
            self.call_after_refresh(self._count_findings)  # after the board is drawn
        else:
            self._recount_after_change()
        if data["empty"]:
            self.offer_demo()

    async def _load_rest(self) -> None:
        try:
            await self.load()
        finally:
            self._rest_pending = False

    async def follow_changes(self) -> None:
        """Show what was written since the board was read: the cards the activity log
        names, read again and merged in (none for this board's own moves, which show
        already); the whole board when the log cannot say (views/board_changes.py)."""
        if self.model.partial or not self.loaded or self.version is None:
            if not self._rest_pending:
                await self.load()
            return  # the rest of the board is being read: it brings the change too
        while True:
            while self._unsaved:  # as in `load`: after the writes of the changes on screen
                await asyncio.sleep(0.01)
            changes, own = self._changes, tuple(self._own)
            found = await self.backend.run(
                fetch_changes, self.store, self.sprint, self.version, own, self._today
            )
            if changes == self._changes:
                break
        if found is None or not self.model.merge(found["cards"], found["gone"]):
            await self.load()
            return
        self.version = found["version"]
        self._own[:] = [span for span in self._own if span not in own]
        if found["cards"] or found["gone"]:
            self.redraw()
            self._recount_after_change()

    def on_resize(self, event: events.Resize) -> None:
        self.update_header()  # its form follows the width

    async def came_back(self, *, away: bool) -> None:
        """Back from another screen or a dialog: show what changed meanwhile, and 'mine'
        of whoever is at the keyboard now (someone else may have taken it)."""
        if self._rest_pending:
            # The first frame is up and the rest of the board is being read: that read
            # brings the changes too, and waiting for the database thread here would hold
            # the keys pressed meanwhile (this handler runs in the screen's message queue).
            return
        if self.model.filters.mine is not None:
            me = await self.backend.run(lambda: self.store.actor)
            if me != self.model.filters.mine:
                self._set_filters(mine=me)
        if self.version is not None:
            await self.poll()

    def update_header(self) -> None:
        """The header line: the longest form that fits the screen's width (`HEADER_STEPS`)."""
        width = self.size.width or 10_000  # before the first layout: the widest form
        for badge in self.query(SyncBadge):  # the sync state beside it, if shared
            width -= badge.line(width).cell_length
        for level in range(len(HEADER_STEPS) + 1):
            line = Content("").join(self._header_parts(level, width))
            if line.cell_length <= width:
                break
        self.query_one("#board-header", Static).update(line.truncate(width, ellipsis=True))

    def sync_shown(self) -> None:
        if self.loaded:
            self.update_header()  # the sync state beside it takes more or less room

    def _header_parts(self, level: int, width: int) -> list[Content]:
        """The header at narrowing `level`: the steps of `HEADER_STEPS` before it are taken.
        The findings count comes right after the sprint, so every step keeps it."""
        cut = set(HEADER_STEPS[:level])
        app_name = [] if "app" in cut else [Content.styled(" sprintboard ", "bold reverse")]
        s = self.sprint
        name = "Backlog (cards in no sprint)" if s is None else printable(s["name"])
        if s is None and "dates" in cut:
            name = "Backlog"
        tail: list[Content] = []
        if s is not None and "state" not in cut:
            tail.append(Content(f" · {s['state']}"))
        tail += self._findings_header(short="findings" in cut)
        total = self.model.shown_total()
        if "cards" not in cut:
            tail.append(Content(f" · {total} cards"))
        if s is not None and "dates" not in cut:
            start, end = s["start"], s["end"]
            if "long dates" in cut:  # 11-25→12-08: the year is the sprint's
                start, end = start[5:], f"→{end[5:]}"
            else:
                end = f" → {end}"
            tail.append(Content(f" · {start}{end}"))
        if self.model.filters.active():
            words = (
                "filtered"
                if "filter words" in cut
                else (f"filtered: {self.model.filters.describe()}")
            )
            tail.append(Content.styled(f" · {words}", "italic"))
        if self.model.swimlanes and "lanes" not in cut:
            tail.append(Content(" · swimlanes"))
        if self.store.read_only:
            tail.append(Content.styled(" · READ-ONLY", "bold"))
        if "name" in cut:  # the last step: the sprint's name gives way to the rest
            room = width - sum(p.cell_length for p in [*app_name, *tail]) - 1
            name = Content(name).truncate(max(1, room), ellipsis=True).plain
        return [*app_name, Content(f" {name}"), *tail]

    def redraw(self) -> None:
        self.show_cards()
        self.update_header()

    # -- writing ---------------------------------------------------------------------------

    def show_then_write(
        self, fn: Callable[..., Any], *args: Any, told: str | None = None, **kwargs: Any
    ) -> None:
        """Write a change the screen already shows, on the database thread; a read started
        meanwhile waits for it (see `load`). A refused write says why and reloads; `told`
        is shown once the write is saved (never for a refused one)."""
        self._changes += 1
        self._unsaved += 1
        self._last_change = time.monotonic()

        async def write() -> None:
            ok, _ = await self.try_write(fn, *args, settled=self._written, **kwargs)
            if ok and told is not None:
                self.notify(told, markup=False)
            await (self.saved() if ok else self.load())

        self.run_worker(write(), group="writes")

    def _written(self) -> None:
        self._unsaved -= 1
        if not self._unsaved:  # the changes on screen are stored: count them once keys pause
            self._recount_when_quiet()

    async def saved(self) -> None:
        """The change showed before it was written: the next look at the store's version
        reads the board again."""

    def _apply(self, move: Move | None) -> None:
        if move is None:
            return
        self.redraw()
        host(self).findings.watch(move.key)  # the next count says what the move made
        cards = self.store.cards
        # The write notes what it logged: the next look at the store skips that.
        own = functools.partial(own_write, self.store, self._own)
        if move.status is not None:
            self.show_then_write(own, cards.move, move.key, status=move.status)
        elif move.before is not None:
            self.show_then_write(own, cards.place_next_to, move.key, move.before, after=False)
        elif move.after is not None:
            self.show_then_write(own, cards.place_next_to, move.key, move.after, after=True)

    # -- actions ---------------------------------------------------------------------------

    def action_cursor(self, d_col: int, d_row: int) -> None:
        self.model.move_selection(d_col, d_row)
        self.show_cards()

    def action_move(self, delta: int) -> None:
        blockers = self.model.move_needs_asking(delta)
        if blockers:
            self._confirm_done_while_blocked(blockers)
            return
        self._apply(self.model.move_card(delta))

    def _confirm_done_while_blocked(self, blockers: list[str]) -> None:
        """Ask before a card goes to Done while it still waits on open blockers."""
        from sprintboard.screens.dialogs import ConfirmScreen

        card = self.model.selected_card()
        assert card is not None
        key = card["key"]
        them = "it is" if len(blockers) == 1 else "they are"
        question = Content(
            f"{key} waits on {', '.join(blockers)}, still open. Move {key} to Done before "
            f"{them} done?"
        )

        def answered(yes: bool | None) -> None:
            # The selection may have moved meanwhile: move the card asked about.
            if yes and self.model.select(key):
                self._apply(self.model.move_card(COLUMNS.index(Status.DONE) - self.model.col))

        self.app.push_screen(ConfirmScreen(question, yes="Move to Done"), answered)

    def action_reorder(self, delta: int) -> None:
        self._apply(self.model.reorder(delta))

    @on(BoardGrid.CardClicked)
    def _clicked(self, event: BoardGrid.CardClicked) -> None:
        self.model.select(event.key)
        self.show_cards()
        if event.chain >= 2:
            self.action_open_card()

    async def action_reload(self) -> None:
        await self.load()
        if self._recount_timer is not None:
            self._recount_timer.stop()
            self._recount_timer = None
        if not self._checking:  # the reload may have started them already
            self._count_findings()

    def action_swimlanes(self) -> None:
        self.model.toggle_swimlanes()
        self.redraw()

    def action_filter_text(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.value = self.model.filters.text
        box.cursor_blink = not host(self).frozen
        box.focus()

    @on(Input.Changed, "#filter")
    def _filter_typed(self, event: Input.Changed) -> None:
        self._set_filters(text=event.value.strip())

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self.query_one("#filter", Input).display = False
        self.grid.focus()

    def action_clear_filters(self) -> None:
        box = self.query_one("#filter", Input)
        if box.display:
            box.display = False
            self.grid.focus()
        self.model.set_filters(Filters())
        self.redraw()

    def _set_filters(self, **changes: Any) -> None:
        self.model.set_filters(replace(self.model.filters, **changes))
        self.redraw()

    def action_filter_feedback(self) -> None:
        self._set_filters(feedback_only=not self.model.filters.feedback_only)

    async def action_filter_mine(self) -> None:
        """Only the cards assigned to the person at the keyboard (again: all cards)."""
        if self.model.filters.mine is not None:
            self._set_filters(mine=None)
            return
        # Who that is may take a look at git and the members: on the database thread.
        me = await self.backend.run(lambda: self.store.actor)
        self._set_filters(mine=me)

    def action_filter_teams(self) -> None:
        from sprintboard.screens.dialogs import pick_teams

        pick_teams(
            self,
            self._teams,
            self.model.filters.teams,
            lambda codes: self._set_filters(teams=codes),
        )

    async def action_filter_goal(self) -> None:
        from sprintboard.screens.dialogs import pick_goal

        await pick_goal(self, "Filter by goal", lambda goal: self._set_filters(goal=goal))

    async def action_switch_sprint(self) -> None:
        from sprintboard.screens.dialogs import PickerScreen

        sprints = await self.backend.run(self.store.sprints.list)
        options: list[tuple[str, Any]] = [
            (f"{s['name']}  ({s['state']}, {s['start']} → {s['end']}, {s['cards']} cards)", s)
            for s in reversed(sprints)
        ]
        options.append(("Backlog (cards in no sprint)", BACKLOG))

        def chosen(sprint: Any) -> None:
            if sprint is PickerScreen.CANCELLED:
                return
            self.sprint = None if sprint == BACKLOG else sprint
            self.sprint_chosen = True
            self.run_worker(self.load(), group="writes")

        self.app.push_screen(PickerScreen("Show sprint", options), chosen)

    def offer_demo(self) -> None:
        from sprintboard.screens.dialogs import FirstStartScreen

        def chosen(load_demo: bool | None) -> None:
            if load_demo:
                self.run_worker(self._load_demo(), group="writes")

        self.app.push_screen(FirstStartScreen(), chosen)

    async def _load_demo(self) -> None:
        from sprintboard.demo import load_demo

        await self.write(load_demo, self.store)
        self.sprint_chosen = False
        await self.load()
        self.notify("demo organisation loaded", markup=False)

    # -- seam checks ----------------------------------------------------------------------

    def _recount_after_change(self) -> None:
        """The board was read again because the plan changed: recount the findings at once
        when the change came from elsewhere (the poll brings those at most once a second),
        else once the changes pause (this app's burst of keys, or reloads in a row)."""
        if self.version == self._counted_version and not self._unsaved:
            return  # the last count already read this plan (e.g. after this app's own moves)
        now = time.monotonic()
        recent = now - max(self._last_change, self._last_count) < RECOUNT_AFTER_S
        if recent or self._unsaved or self._recount_timer is not None:
            self._recount_when_quiet()
        else:
            self._count_findings()

    def _recount_when_quiet(self) -> None:
        """Recount the findings once the plan has stopped changing for `RECOUNT_AFTER_S`.

        The checks read the whole plan (seconds of database time at 50,000 cards); a burst
        of moves, each reloading the board, asks for them once, not once per move.
        """
        if self._recount_timer is not None:
            self._recount_timer.stop()
        self._recount_timer = self.set_timer(RECOUNT_AFTER_S, self._quiet_now)

    def _quiet_now(self) -> None:
        self._recount_timer = None
        self._count_findings()

    def _count_findings(self) -> None:
        """Run the seam checks in the background for the header's count (one run at a time:
        asked again while they run, they run once more when done)."""
        self._last_count = time.monotonic()
        self._counted_version = self.version  # what is on screen; the count reads it or later
        if self._checking:
            self._check_again = True
            return
        self._checking = True
        self.run_later(self._check_seams, group="findings")

    async def _check_seams(self) -> None:
        from sprintboard.screens.findings import check_seams

        # Every change on screen is written before this count reads: it can say what they made.
        settles = not self._unsaved
        version = None
        try:
            # Read first, on the same thread as the plan: the count is at least this new (a
            # reload of this version meanwhile needs no count of its own).
            version = self._counted_version = await self.backend.run(self.store.version)
            found = await check_seams(self.backend, self.settings)
        except Exception:  # a hint in the header must never take the board down; ! says why
            self._counted_version = None
            found = None
        finally:
            self._checking = False
        if not self.is_attached or not (self.query("#board-header") and self.query(BoardGrid)):
            return  # the screen went away (the app quit) while the checks ran
        self._findings = found
        if found is not None:
            news = host(self).findings.update(found, version, settle=settles)
            self._show_badges()
            self.grid.refresh()
            self.query_one(CardStatus).refresh()
            toast = announce(news)
            if toast is not None:
                self.notify(toast, severity="warning", markup=False, timeout=8)
        self.update_header()
        if self._check_again:
            self._check_again = False
            self._count_findings()

    def _show_badges(self) -> None:
        """Each card's findings badge, from the last count (a map: one look-up per card)."""
        counted = host(self).findings.counted
        if counted is not self._grid_findings:
            self._grid_findings = counted
            self.grid.findings = {} if counted is None else counted.worst

    def _findings_header(self, short: bool = False) -> list[Content]:
        """' · findings: 5 errors, 4 warnings, 7 info (!)'; `short`: ' · ! 5✗ 4⚠ 7 info'."""
        if self._findings is None:
            return []
        said = self._findings_said
        if said is None or said[0] is not self._findings:
            said = self._findings_said = (self._findings, {})
        if short not in said[1]:
            said[1][short] = _say(self._findings, short)
        return said[1][short]

    def action_findings(self) -> None:
        from sprintboard.screens.findings import FindingsScreen

        def chosen(key: str | None) -> None:
            self._count_findings()
            if key is not None:
                self.run_worker(self.show_card(key), group="writes")

        self.app.push_screen(FindingsScreen(), chosen)

    async def show_card(self, key: str) -> None:
        """Select a card, showing its sprint (or the backlog) and clearing filters hiding it."""

        def fetch() -> tuple[dict[str, Any], dict[str, Any] | None]:
            card = self.store.cards.get(key)
            sprint_id = card["sprint_id"]
            return card, None if sprint_id is None else self.store.sprints.get_by_id(sprint_id)

        try:
            card, sprint = await self.backend.run(fetch)
        except UserError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        if card["sprint_id"] != (self.sprint["id"] if self.sprint else None):
            self.sprint, self.sprint_chosen = sprint, True
            await self.load()
        else:
            await self.follow_changes()
        if not self.model.select(key):
            self.model.set_filters(Filters())
            self.model.select(key)
        self.redraw()


def _say(findings: list[Any], short: bool) -> list[Content]:
    """The findings part of the board's header (see BoardScreen._findings_header)."""
    from sprintboard.screens.findings import count_line

    if not short:
        return [Content(" · findings: "), count_line(findings, short=True), Content(" (!)")]
    counts = Counter(f.severity for f in findings)
    parts = [Content(" · findings")]
    for severity, mark, style in (
        (Severity.ERROR, "✗", "bold $error"),
        (Severity.WARNING, "⚠", "bold $warning"),
        (Severity.INFO, " info", "$text-muted"),
    ):
        if counts[severity]:
            parts.append(Content(" ") + Content.styled(f"{counts[severity]}{mark}", style))
    if len(parts) == 1:
        parts.append(Content(" none"))
    return [*parts, Content(" (!)")]
