"""The board screen: a sprint's cards by column, moved and edited from the keyboard."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, Static

from sprintboard.errors import UserError
from sprintboard.screens.live import binding_commands
from sprintboard.views.board import BoardModel, Filters, Move, fetch_board
from sprintboard.views.text import printable
from sprintboard.widgets.board_grid import BoardGrid

BACKLOG = "backlog"
RECOUNT_AFTER_S = 2.0  # quiet after a change before the seam checks run again


class BoardScreen(Screen[None]):
    """Columns Backlog · To do · Doing · Review · Done for one sprint (or the backlog)."""

    HELP_TITLE = "Board"
    HELP_NOTES = (
        "mouse: click selects a card, double-click opens it",
        "badges: ⊘ blocked · ⇄ cross-team · ✉n feedback reports · ◷nd due soon · !late overdue"
        " · ▶ selected",
    )

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left,h", "cursor(-1, 0)", "Left", show=False),
        Binding("right,l", "cursor(1, 0)", "Right", show=False),
        Binding("up,k", "cursor(0, -1)", "Up", show=False),
        Binding("down,j", "cursor(0, 1)", "Down", show=False),
        Binding("pageup", "cursor(0, -10)", "Page up", show=False),
        Binding("pagedown", "cursor(0, 10)", "Page down", show=False),
        Binding("H,shift+left", "move(-1)", "Move ←", key_display="H"),
        Binding("L,shift+right", "move(1)", "Move →", key_display="L"),
        Binding("K,shift+up", "reorder(-1)", "Card up", show=False),
        Binding("J,shift+down", "reorder(1)", "Card down", show=False),
        Binding("n", "new_card", "New"),
        Binding("enter", "open_card", "Open"),
        Binding("e", "edit_card", "Edit", show=False),
        Binding("d", "delete_card", "Delete"),
        Binding("u", "undo", "Undo"),
        Binding("slash", "filter_text", "Filter", key_display="/"),
        Binding("t", "filter_teams", "Teams"),
        Binding("s", "switch_sprint", "Sprint"),
        Binding("g", "filter_goal", "Goal", show=False),
        Binding("f", "filter_feedback", "Feedback-linked", show=False),
        Binding("w", "swimlanes", "Lanes"),
        Binding("escape", "clear_filters", "Clear filters", show=False),
        Binding("r", "reload", "Reload", show=False),
        # Seam checks and dependencies (issue 5): see the section at the end.
        Binding("exclamation_mark", "findings", "Findings", key_display="!"),
        Binding("plus", "add_dependency", "Add dependency", key_display="+", show=False),
        Binding("minus", "remove_dependency", "Remove dependency", key_display="-", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.model = BoardModel()
        self.sprint: dict[str, Any] | None = None  # None: the backlog
        self.sprint_chosen = False
        self._version: tuple[int, int] | None = None
        self._teams: list[dict[str, Any]] = []
        # Changes the screen showed before writing them (moves, deletes): counted, and
        # those not yet written, so a read started before one never overwrites it.
        self._changes = 0
        self._unsaved = 0
        self._findings: list[Any] | None = None  # the seam checks' findings, once counted
        self._checking = False  # the seam checks are running...
        self._check_again = False  # ...and the plan changed since they started
        self._recount_timer: Timer | None = None

    @property
    def backend(self) -> Any:
        return self.app.backend  # type: ignore[attr-defined]

    @property
    def store(self) -> Any:
        return self.backend.store

    def compose(self) -> ComposeResult:
        yield Static(id="board-header")
        yield BoardGrid(self.model, id="board")
        yield Input(id="filter", placeholder="filter by key or title; enter to apply, esc to clear")
        yield Footer()

    @property
    def grid(self) -> BoardGrid:
        return self.query_one(BoardGrid)

    async def on_mount(self) -> None:
        self.query_one("#filter", Input).display = False
        self.grid.wip_limits = dict(self.app.settings.wip_limits)  # type: ignore[attr-defined]
        self.grid.focus()
        await self.load(first=True)
        interval = self.app.live_refresh  # type: ignore[attr-defined]
        if interval:
            self.set_interval(interval, self._poll)

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
        self._version = data["version"]
        self._teams = data["teams"]
        self.model.load(data["cards"], [t["code"] for t in data["teams"]])
        self.grid.configure(
            team_colours={t["code"]: t["colour"] for t in data["teams"]},
            today=date.fromisoformat(data["today"]),
        )
        self.grid.refresh_board()
        self.update_header()
        if first:
            self.call_after_refresh(self._count_findings)  # after the board is drawn
        else:
            self._recount_when_quiet()
        if data["empty"]:
            self.offer_demo()

    async def _poll(self) -> None:
        """Notice changes other processes made (the CLI in another terminal)."""
        if self.backend.pending_writes or not self.is_current:
            return
        version = await self.backend.run(self.store.version)
        if version != self._version and not self.backend.pending_writes:
            await self.load()

    async def on_screen_resume(self) -> None:
        """Back from another screen or a dialog: show what changed meanwhile."""
        if self._version is not None:
            await self._poll()

    def update_header(self) -> None:
        if self.sprint is None:
            where = "Backlog (cards in no sprint)"
        else:
            s = self.sprint
            where = f"{printable(s['name'])} · {s['state']} · {s['start']} → {s['end']}"
        total = sum(len(cards) for cards in self.model.columns.values())
        parts = [
            Content.styled(" sprintboard ", "bold reverse"),
            Content(f" {where} · {total} cards"),
        ]
        if self.model.filters.active():
            parts.append(Content.styled(f" · filtered: {self.model.filters.describe()}", "italic"))
        if self.model.swimlanes:
            parts.append(Content(" · swimlanes"))
        parts.extend(self._findings_header())
        if self.store.read_only:
            parts.append(Content.styled(" · READ-ONLY", "bold"))
        self.query_one("#board-header", Static).update(Content("").join(parts))

    def redraw(self) -> None:
        self.grid.refresh_board()
        self.update_header()

    # -- writing ---------------------------------------------------------------------------

    async def write(
        self, fn: Callable[..., Any], *args: Any, shown: bool = False, **kwargs: Any
    ) -> Any:
        """Run a store write; on failure say why and show the database as it is.

        `shown`: the screen already shows the change (see `_shown()`)."""
        try:
            return await self.backend.write(fn, *args, **kwargs)
        except UserError as exc:
            self.notify(f"not saved: {exc}", severity="error", markup=False)
        except sqlite3.Error as exc:
            self.notify(f"not saved: {exc}", severity="error", markup=False, timeout=8)
        finally:
            if shown:
                self._unsaved -= 1
        await self.load()
        return None

    def _shown(self) -> None:
        """A change is on screen before it is written; `write(..., shown=True)` follows."""
        self._changes += 1
        self._unsaved += 1

    def _apply(self, move: Move | None) -> None:
        if move is None:
            return
        self.redraw()
        cards = self.store.cards
        if move.status is not None:
            write = self.write(cards.move, move.key, status=move.status, shown=True)
        elif move.before is not None:
            write = self.write(cards.place_next_to, move.key, move.before, after=False, shown=True)
        elif move.after is not None:
            write = self.write(cards.place_next_to, move.key, move.after, after=True, shown=True)
        else:
            return
        self._shown()
        self.run_worker(write, group="writes")

    # -- actions ---------------------------------------------------------------------------

    def action_cursor(self, d_col: int, d_row: int) -> None:
        self.model.move_selection(d_col, d_row)
        self.grid.refresh_board()

    def action_move(self, delta: int) -> None:
        self._apply(self.model.move_card(delta))

    def action_reorder(self, delta: int) -> None:
        self._apply(self.model.reorder(delta))

    @on(BoardGrid.CardClicked)
    def _clicked(self, event: BoardGrid.CardClicked) -> None:
        self.model.select(event.key)
        self.grid.refresh_board()
        if event.chain >= 2:
            self.action_open_card()

    def action_open_card(self) -> None:
        from sprintboard.screens.card_detail import CardDetailScreen

        card = self.model.selected_card()
        if card is not None:
            self.app.push_screen(CardDetailScreen(card["key"]), self._after_dialog)

    async def action_edit_card(self) -> None:
        card = self.model.selected_card()
        if card is not None:
            await self.open_form(card["key"])

    async def action_new_card(self) -> None:
        await self.open_form(None, sprint_id=self.sprint["id"] if self.sprint else None)

    async def open_form(self, key: str | None, sprint_id: int | None = None) -> None:
        from sprintboard.screens.card_form import CardFormScreen

        data = await self.backend.run(CardFormScreen.fetch, self.store, key)
        self.app.push_screen(CardFormScreen(key, data, sprint_id=sprint_id), self._after_dialog)

    def _after_dialog(self, key: str | None) -> None:
        """A dialog changed something: reload, and select the card it names."""
        if key is None:
            return

        async def reload() -> None:
            await self.load()
            if self.model.select(key):
                self.grid.refresh_board()

        self.run_worker(reload(), group="writes")

    def action_delete_card(self) -> None:
        from sprintboard.screens.dialogs import ConfirmScreen

        card = self.model.selected_card()
        if card is None:
            return
        question = Content(f"Delete {card['key']} “{printable(card['title'])}”?")

        def answered(yes: bool | None) -> None:
            if yes:
                self.model.remove(card["key"])
                self.redraw()
                self._shown()
                self.run_worker(
                    self.write(self.store.cards.delete, card["key"], shown=True), group="writes"
                )
                self.notify(f"{card['key']} deleted; u undoes", markup=False)

        self.app.push_screen(ConfirmScreen(question, yes="Delete"), answered)

    async def action_undo(self) -> None:
        try:
            done = await self.backend.write(self.store.activity.undo)
        except UserError as exc:  # e.g. "undo: nothing to undo": nothing was lost
            self.notify(str(exc), severity="warning", markup=False)
            return
        except sqlite3.Error as exc:
            self.notify(f"not undone: {exc}", severity="error", markup=False, timeout=8)
            return
        what = f" {done['key']}" if done["key"] else ""
        self.notify(f"undone: {done['action']}{what}", markup=False)
        await self.load()

    async def action_reload(self) -> None:
        await self.load()
        self._count_findings()

    def action_swimlanes(self) -> None:
        self.model.toggle_swimlanes()
        self.redraw()

    def action_filter_text(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.value = self.model.filters.text
        box.cursor_blink = not self.app.frozen  # type: ignore[attr-defined]
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
        f = self.model.filters
        self.model.set_filters(
            Filters(
                text=changes.get("text", f.text),
                teams=changes.get("teams", f.teams),
                goal=changes.get("goal", f.goal),
                feedback_only=changes.get("feedback_only", f.feedback_only),
            )
        )
        self.redraw()

    def action_filter_feedback(self) -> None:
        self._set_filters(feedback_only=not self.model.filters.feedback_only)

    def action_filter_teams(self) -> None:
        from sprintboard.screens.dialogs import pick_teams

        pick_teams(
            self.app,
            self._teams,
            self.model.filters.teams,
            lambda codes: self._set_filters(teams=codes),
        )

    async def action_filter_goal(self) -> None:
        from sprintboard.screens.dialogs import pick_goal

        await pick_goal(self.app, "Filter by goal", lambda goal: self._set_filters(goal=goal))

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

    # -- seam checks and dependencies (issue 5) --------------------------------------------

    def _recount_when_quiet(self) -> None:
        """Recount the findings once the plan has stopped changing for a moment.

        The checks read the whole plan (seconds of database time at 50,000 cards); a burst
        of moves, each reloading the board, asks for them once, not once per move.
        """
        if self._recount_timer is not None:
            self._recount_timer.stop()
        self._recount_timer = self.set_timer(RECOUNT_AFTER_S, self._count_findings)

    def _count_findings(self) -> None:
        """Run the seam checks in the background for the header's count (one run at a time:
        asked again while they run, they run once more when done)."""
        if self._checking:
            self._check_again = True
            return
        self._checking = True
        # A callable, not a coroutine: a worker cancelled before it starts leaves nothing behind.
        self.run_worker(self._check_seams, group="findings")  # type: ignore[arg-type]

    async def _check_seams(self) -> None:
        from sprintboard.screens.findings import check_seams

        settings = self.app.settings  # type: ignore[attr-defined]
        try:
            found = await check_seams(self.backend, settings)
        except Exception:  # a hint in the header must never take the board down; ! says why
            found = None
        finally:
            self._checking = False
        self._findings = found
        self.update_header()
        if self._check_again:
            self._check_again = False
            self._count_findings()

    def _findings_header(self) -> list[Content]:
        if self._findings is None:
            return []
        from sprintboard.screens.findings import count_line

        return [Content(" · findings: "), count_line(self._findings, short=True), Content(" (!)")]

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
        if not self.model.select(key):
            self.model.set_filters(Filters())
            self.model.select(key)
        self.redraw()

    def action_add_dependency(self) -> None:
        card = self.model.selected_card()
        if card is not None:
            self.run_worker(self._edit_dependency(card["key"], add=True), group="dependency")

    def action_remove_dependency(self) -> None:
        card = self.model.selected_card()
        if card is not None:
            self.run_worker(self._edit_dependency(card["key"], add=False), group="dependency")

    async def _edit_dependency(self, key: str, *, add: bool) -> None:
        """The card finder, then the way the link runs (+), or one of its links (-)."""
        from sprintboard.screens.dependency_dialogs import add_dependency, remove_dependency

        changed = await (add_dependency(self, key) if add else remove_dependency(self, key))
        if changed:
            await self.load()  # the blocked and cross-team badges follow the links

    def palette_commands(self) -> Iterable[SystemCommand]:
        """Every board binding, for the command palette."""
        return binding_commands(self, "Board")
