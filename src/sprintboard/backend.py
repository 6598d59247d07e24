"""The store on a thread of its own, so database work never blocks the screen.

Every call runs on one worker thread in the order it was made: a burst of keypresses
becomes the same burst of writes, in the same order, each its own transaction.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from sprintboard.store import Store

if TYPE_CHECKING:
    from sprintboard.planning.findings_index import IncrementalFindings

T = TypeVar("T")


class Backend:
    def __init__(self, store: Store) -> None:
        self.store = store
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sprintboard-db")
        self.pending_writes = 0
        self._prefetched: Future[Any] | None = None
        self.seams: IncrementalFindings | None = None
        """The seam checks' findings, kept up to date on the database thread (see
        screens/findings.py)."""

    def prefetch(self, fn: Callable[..., Any], *args: Any) -> None:
        """Read what the first screen needs, now, in the calling thread, before Textual loads.

        Not on the database thread: Python's sqlite3 gives up the GIL for every row it
        steps, and while the main thread imports Textual each row then waits its turn for
        the GIL (about 5 ms), so 2,000 cards took half a second that way instead of 40 ms.
        An error is kept for the screen to report, like any other failed read.
        """
        found: Future[Any] = Future()
        try:
            found.set_result(fn(*args))
        except Exception as exc:
            found.set_exception(exc)
        self._prefetched = found

    def start(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        """Queue `fn` on the database thread now; its result, or error, in the future.
        (A read whose SQLite work runs in one step, an aggregate, gives up the GIL while
        it runs: the main thread meanwhile imports Textual unhindered.)"""
        return self._executor.submit(fn, *args)

    def take_prefetched(self) -> Awaitable[Any] | None:
        """The prefetched result (once), as an awaitable; None if there is none."""
        found, self._prefetched = self._prefetched, None
        return None if found is None else asyncio.wrap_future(found)

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run `fn` on the database thread and wait for its result."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(fn, *args, **kwargs))

    async def write(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Like run(), counting the write as pending until it is done (see live refresh)."""
        self.pending_writes += 1
        try:
            return await self.run(fn, *args, **kwargs)
        finally:
            self.pending_writes -= 1

    def close(self) -> None:
        """Finish queued writes, then close the database."""
        self._executor.submit(self.store.close)
        self._executor.shutdown(wait=True)
