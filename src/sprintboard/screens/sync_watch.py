"""The plan's sync state for every screen's header, and the sync key.

`SyncWatch` (one per app) reads the state on the database thread whenever the store's
version moves (the screens' live refresh reports each version it reads), after this
app's own writes and after a sync, and hands it to the screens of the current stack,
which show it in their `HeaderRow`; a screen coming back shows the state of then.

A sync runs in a thread of its own (a worker awaits it) with a database connection of its
own, opened and closed there: git may take seconds (or wait for the network), and the
app's connection, its lock and its database thread stay free for the keys meanwhile.
The screens then see the sync's writes as any other process's (the store's version
moves) and read again.
"""

from __future__ import annotations

import asyncio
import sqlite3
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sprintboard.errors import UserError
from sprintboard.views.sync_state import SyncState, read_sync_state

if TYPE_CHECKING:
    from textual.app import App

    from sprintboard.backend import Backend
    from sprintboard.io.sync import SyncResult
    from sprintboard.store.database import Clock

NOT_SHARED = (
    "sync: this plan is not shared with other laptops yet. To share it, run "
    "'sprintboard sync init REMOTE' in a terminal (REMOTE: a git repository's URL or path, "
    "an empty one to start), then sync here"
)
REREAD_AFTER_S = 0.2
"""Quiet after this app's own write before the state is read again: a burst of moves asks
once."""


class SyncWatch:
    """What the headers show of the plan's sync, and the one sync that may be running."""

    def __init__(self, app: App[Any], backend: Backend) -> None:
        self.app = app
        self.backend = backend
        self.state: SyncState | None = None
        """None: the plan is not shared (or not read yet)."""
        self.syncing = False
        self.version: tuple[int, int] | None = None
        """The store's version the state was read at."""
        self._timer: Any = None
        self._reading = False
        self._read_again = False
        self._closed = False

    # -- reading the state ------------------------------------------------------------------

    def seen(self, version: tuple[int, int]) -> None:
        """A screen read the store at `version`: read the state again if it has moved."""
        if version != self.version:
            self.reread()

    def soon(self) -> None:
        """After this app's own write: read the state again once writes pause."""
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.app.set_timer(REREAD_AFTER_S, self.reread)

    def close(self) -> None:
        """The app is closing (its database thread with it): read nothing more."""
        self._closed = True
        if self._timer is not None:
            self._timer.stop()

    def reread(self) -> None:
        """Read the state again now (once more after the read under way, if there is one:
        it may have read before the change that asks)."""
        if self._closed:
            return
        if self._reading:
            self._read_again = True
            return
        self._reading = True
        self.app.run_worker(self._read(), group="sync-state")

    async def _read(self) -> None:
        try:
            version, state = await self.backend.run(read_sync_state, self.backend.store)
        except (UserError, sqlite3.Error):
            version, state = None, self.state  # the screens' own reads say what is wrong
        except RuntimeError:  # the database thread has stopped: the app is closing
            return
        self._reading = False
        self.version = version
        if state != self.state:
            self.state = state
            self._changed()
        if self._read_again:
            self._read_again = False
            self.reread()

    def _set_syncing(self, syncing: bool) -> None:
        self.syncing = syncing
        self._changed()

    def _changed(self) -> None:
        for screen in self.app.screen_stack:
            show_sync = getattr(screen, "show_sync", None)  # the screens with a HeaderRow
            if show_sync is not None:
                show_sync()

    # -- syncing ---------------------------------------------------------------------------

    async def start(self) -> None:
        """The sync key (run in a worker): one sync in a thread, unless one is running or
        the plan is not shared (then one notification says why)."""
        if self.syncing:
            self.app.notify("sync: already under way; its result follows", markup=False)
            return
        self.syncing = True  # at once: a second press while the state is read says so too
        store = self.backend.store
        try:
            _, state = await self.backend.run(read_sync_state, store)
            actor = await self.backend.run(lambda: store.actor)
        except (UserError, sqlite3.Error) as exc:
            self.syncing = False
            self.app.notify(f"sync: {exc}", severity="error", markup=False)
            return
        if state is None:
            self.syncing = False
            self.app.notify(NOT_SHARED, markup=False, timeout=12)
            return
        self._set_syncing(True)
        # In a thread of its own: neither the event loop (git) nor the database thread.
        run = partial(sync_once, store.path, store.clock, actor, store.busy_timeout)
        self._finished(await asyncio.to_thread(run))

    def _finished(self, outcome: SyncResult | str) -> None:
        if isinstance(outcome, str):
            self.app.notify(outcome, severity="error", markup=False, timeout=10)
        else:
            self.app.notify(outcome.line(), markup=False, timeout=8)
            for note in outcome.notes:
                self.app.notify(f"sync: {note}", markup=False)
        self._set_syncing(False)
        self.reread()
        self.plan_changed()

    def plan_changed(self) -> None:
        """Show what a sync brought in (or a conflict settled) at once, on every screen of
        the stack, rather than at their next live look (which may be off)."""
        for screen in self.app.screen_stack:
            plan_changed = getattr(screen, "plan_changed", None)
            if plan_changed is not None:
                plan_changed()


def sync_once(path: Path, clock: Clock, actor: str, busy_timeout: float) -> SyncResult | str:
    """One sync on a connection of its own, opened and closed here (in the sync's thread):
    its result, or the one line saying why it failed."""
    from sprintboard.io.sync import sync
    from sprintboard.store import Store

    try:
        store = Store(path, clock=clock, actor=actor, busy_timeout=busy_timeout, seed=False)
        try:
            return sync(store)
        finally:
            store.close()
    except UserError as exc:
        return str(exc)
    except (sqlite3.Error, OSError) as exc:
        return f"sync failed: {exc}"
