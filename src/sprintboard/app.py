"""`make_app()`: the one factory the CLI and tests use, and the screens the app switches to.

Start-up order matters for speed: the database is opened (plain sqlite3) and the board's
cards are read first, while nothing else runs, and Textual is imported only then; the
board's first frame needs no database work (see Backend.prefetch for why not in parallel).
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sprintboard.backend import Backend
from sprintboard.config import Settings
from sprintboard.screens.registry import SCREENS
from sprintboard.store import Store
from sprintboard.store.database import Clock
from sprintboard.views.board import fetch_board, first_rows

__all__ = ["SCREENS", "make_app", "run_app"]

if TYPE_CHECKING:
    from sprintboard.tui import SprintboardApp


@contextmanager
def _starting_up() -> Iterator[None]:
    """No garbage collection while the app is built; what it built is then exempt from it.

    Start-up makes long-lived objects (modules, classes, the first board's cards), and
    each full collection walked them all again: one fell in the middle of mounting the
    board and cost about 60 ms, and reading the board took 40 ms more with collections
    than without. The freeze is done once per process, so a test run that builds many apps
    doesn't freeze the garbage of the ones before.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        _freeze_once()
        if was_enabled:
            gc.enable()


@functools.cache
def _freeze_once() -> None:
    gc.freeze()


APP_CACHE_KIB = 16384
"""The app's SQLite page cache, in KiB."""


def make_app(
    db_path: Path | str,
    *,
    clock: Clock | None = None,
    settings: Settings | None = None,
    create_parent: bool = False,
    busy_timeout: float | None = None,
    live_refresh: float = 1.0,
    before_ui: Callable[[], None] | None = None,
    actor: str | Callable[[], str] | None = None,
) -> SprintboardApp:
    """Open the database and build the app on it; ready for `run()` or `run_test()`.

    Raises UserError (one line) when the database cannot be used. `before_ui` runs once
    the database is open, before Textual is loaded: a last check that may refuse.
    """
    with _starting_up():
        store = Store(
            Path(db_path),
            clock=clock,
            create_parent=create_parent,
            busy_timeout=busy_timeout,
            actor=actor,
        )
        if before_ui is not None:
            try:
                before_ui()
            except BaseException:
                store.close()
                raise
        # A screen holds what it shows; SQLite's page cache need not hold the plan too (the
        # CLI's 64 MiB is for bulk loads): at 100,000 cards 16 MiB keeps ~60 MB off the
        # app's memory, and pages read again come from the OS's cache.
        store.conn.execute(f"PRAGMA cache_size = -{APP_CACHE_KIB}")
        backend = Backend(store)
        backend.prefetch(fetch_board, store, None, False, True, first_rows(), backend.start)
        try:
            from sprintboard.tui import SprintboardApp

            return SprintboardApp(
                store,
                backend=backend,
                settings=settings,
                live_refresh=live_refresh,
                remember_theme=settings is None,
                frozen=clock is not None,
            )
        except BaseException:
            backend.close()
            raise


def run_app(
    db_path: Path,
    *,
    create_parent: bool = False,
    before_ui: Callable[[], None] | None = None,
    actor: str | Callable[[], str] | None = None,
) -> int:
    """Run the board until it quits; returns its exit status (1 after an unhandled error,
    whose traceback Textual has printed). `actor`: who is at the keyboard (or a function
    that finds out, called on the first write)."""
    app = make_app(db_path, create_parent=create_parent, before_ui=before_ui, actor=actor)
    app.run()
    return app.return_code or 0
