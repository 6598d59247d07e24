"""The base of the screens that show the store and follow its changes (the six main
screens, and a goal's cards).

A screen built on `LiveScreen` reads and shows its data in `load()`; the base finds the
store, polls the store's version every `live_refresh` seconds while the screen is shown
and again when it comes back (from a dialog or another screen), reloads when anything was
written meanwhile, by another process or by this app from any screen, and turns a refused
write into one notification.

Screens differ in how they show a change and how they come back, so those steps are
methods to override: `came_back()` (what coming back does), `saved()` (what follows a
write that went through) and a write's `settled` callback (the screen's bookkeeping for a
change it showed before writing it).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from typing import Any, ClassVar

from textual import on
from textual.app import SystemCommand
from textual.events import Mount
from textual.screen import Screen
from textual.widgets import OptionList
from textual.worker import WorkType

from sprintboard.backend import Backend
from sprintboard.config import Settings
from sprintboard.errors import UserError
from sprintboard.screens.host import host
from sprintboard.screens.palette import binding_commands
from sprintboard.store import Store
from sprintboard.widgets.sync_badge import SyncBadge


class LiveScreen(Screen[None]):
    """A screen that reads the store on the database thread and notices others' changes."""

    HELP_TITLE: ClassVar[str] = ""
    """The screen's name, in the help screen and the palette ("Goals: sign off (key o)")."""
    PALETTE_TITLE: ClassVar[str] = ""
    """A shorter name for the palette's entries, if the help title is long."""
    PALETTE_SKIP: ClassVar[tuple[str, ...]] = ("cursor",)
    """Actions (by prefix) left out of the palette: moving around is for keys."""

    version: tuple[int, int] | None = None
    """The store's version the data on screen was read at."""
    loaded = False
    """The first read is in."""
    away = False
    """Left for another screen (not covered by a dialog), until it comes back."""

    @property
    def backend(self) -> Backend:
        return host(self).backend

    @property
    def store(self) -> Store:
        return self.backend.store

    @property
    def settings(self) -> Settings:
        return host(self).settings

    # Each screen reads its data on the database thread (setting `version`) and shows it in
    # its own `async def load()`.
    load: Callable[[], Awaitable[None]]

    # -- following the store -----------------------------------------------------------------

    def start_polling(self) -> None:
        interval = host(self).live_refresh
        if interval:
            self.set_interval(interval, self.poll)

    async def poll(self, *, even_hidden: bool = False) -> None:
        """Reload when anything was written since the data on screen was read."""
        if self.backend.pending_writes or not (self.is_current or even_hidden):
            return
        version = await self.backend.run(self.store.version)
        host(self).sync.seen(version)
        if version != self.version and not self.backend.pending_writes:
            await self.follow_changes()

    async def follow_changes(self) -> None:
        """Show what was written since the data on screen was read: read it again (a
        screen that can read only what changed says so here)."""
        await self.load()

    def on_screen_suspend(self) -> None:
        # The app's screen stack is the current mode's: a dialog on top keeps this screen in it.
        self.away = self not in self.app.screen_stack

    async def on_screen_resume(self) -> None:
        self.show_sync()  # it may have changed while another screen was shown
        away, self.away = self.away, False
        await self.came_back(away=away)

    async def came_back(self, *, away: bool) -> None:
        """Back from a dialog or (`away`) another screen: cards may have moved meanwhile.
        Looks for changes in the background."""
        if self.loaded:
            self.run_worker(self.poll(even_hidden=True), group="reads")

    # -- the header's sync state -------------------------------------------------------------

    @on(Mount)
    def _show_sync_first(self) -> None:
        self.show_sync()

    def show_sync(self) -> None:
        """Show the app's sync state in the header (the screen's `HeaderRow`)."""
        watch = host(self).sync
        for badge in self.query(SyncBadge):
            badge.state, badge.syncing = watch.state, watch.syncing
        self.sync_shown()

    def plan_changed(self) -> None:
        """A sync or a settled conflict changed the plan: show it now, even under a
        dialog."""
        self.run_worker(self.poll(even_hidden=True), group="reads")

    def sync_shown(self) -> None:
        """After the header's sync state changed: a screen that fits its header line to the
        width left beside it fits it again."""

    # -- writing -----------------------------------------------------------------------------

    async def try_write(
        self,
        fn: Callable[..., Any],
        *args: Any,
        refused: str = "not saved",
        settled: Callable[[], object] | None = None,
        **kwargs: Any,
    ) -> tuple[bool, Any]:
        """Run a store write on the database thread: (True, its result), or (False, None)
        once the user has been told in one line why it was refused.

        `settled` runs once the write is over either way (before any reload): the screen's
        bookkeeping for a change it showed before writing it."""
        try:
            result = await self.backend.write(fn, *args, **kwargs)
        except UserError as exc:
            self.notify(f"{refused}: {exc}", severity="error", markup=False)
            return False, None
        except sqlite3.Error as exc:
            self.notify(f"{refused}: {exc}", severity="error", markup=False, timeout=8)
            return False, None
        finally:
            if settled is not None:
                settled()
        host(self).sync.soon()  # the count of changes to share moved
        return True, result

    async def write(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run a store write (see `try_write`): refused, show the database as it is; else
        `saved()`. Returns the write's result, None when it was refused."""
        ok, result = await self.try_write(fn, *args, **kwargs)
        await (self.saved() if ok else self.load())
        return result

    async def saved(self) -> None:
        """After a write that went through: show the database as it is now."""
        await self.load()

    async def absorb_own_write(self) -> None:
        """For a screen that showed its change before writing it: count the write as seen
        (no reload for it), unless another process committed meanwhile (data_version moved)."""
        if self.version is None:
            return
        version = await self.backend.run(self.store.version)
        if version[0] == self.version[0]:
            self.version = version

    def open_card_detail(self, key: str) -> None:
        """Show a card in full; an edit made there reloads this screen on return."""
        from sprintboard.screens.card_detail import CardDetailScreen

        def closed(changed: str | None) -> None:
            if changed is not None:
                self.run_worker(self.load(), group="writes")

        self.app.push_screen(CardDetailScreen(key), closed)

    def run_later(
        self, work: Callable[[], Coroutine[Any, Any, None]], *, group: str, exclusive: bool = False
    ) -> None:
        """Run `work()` in a worker. A function, not a coroutine: a worker cancelled before
        it starts (an exclusive one, replaced) then leaves no coroutine behind unawaited."""
        # Typed as Textual's work type: mypy can't infer its result from an `async def`.
        typed: WorkType[None] = work
        self.run_worker(typed, group=group, exclusive=exclusive)

    # -- keys ----------------------------------------------------------------------------------

    def palette_commands(self) -> Iterable[SystemCommand]:
        return binding_commands(self, self.PALETTE_TITLE or self.HELP_TITLE, self.PALETTE_SKIP)


class ListCursor(Screen[None]):
    """For a screen whose lists are OptionLists: j and k move in the focused one."""

    def action_cursor(self, delta: int) -> None:
        """j and k move in the focused list, as up and down do."""
        focused = self.focused
        if isinstance(focused, OptionList):
            (focused.action_cursor_down if delta > 0 else focused.action_cursor_up)()
