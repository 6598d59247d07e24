"""The inbox's reads: which stretch of which view is loaded, read on the database thread.

`InboxReads` holds what the inbox screen shows (the query, the loaded `InboxPage`, the
counts, the choices its dialogs offer) and every read that changes it; the screen draws
after each read that comes back in time. A read that comes back after the view or a filter
changed is dropped. No Textual here: `backend` is the app's `Backend`, whose `run` and
`write` go to the database thread.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any, Literal

from sprintboard.planning.triage import VIEWS, AgeLimits, InboxItem, inbox_item
from sprintboard.views import inbox as model
from sprintboard.views.inbox import InboxPage, Query

Paging = Literal["read", "stale", "idle"]
"""What reading the next or previous page did: added it; found the loaded items changed
meanwhile (ask again); or had nothing to do (all read, a read under way, another view)."""


class InboxReads:
    def __init__(self) -> None:
        self.backend: Any = None  # the app's Backend, set when the screen mounts
        self.page = InboxPage()
        self.query = Query()
        self.counts: dict[str, int] = dict.fromkeys(VIEWS, 0)
        self.today = date(1970, 1, 1)
        self.teams: list[dict[str, Any]] = []
        self.sprints: list[dict[str, Any]] = []
        self.reasons: list[str] = []
        self.version: tuple[int, int] | None = None  # the store's version at the last read
        self.limits = AgeLimits()
        self.loaded = False  # the first read is in
        # Per view: the selected item, its index in the view, and the filters it was under.
        self._remembered: dict[str, tuple[int, int, tuple[str | None, str]]] = {}
        # One read of a stretch of the view at a time: a reload after a write reads the
        # stretch that `end` (say) just loaded, not the one it replaced.
        self._reading = asyncio.Lock()
        self._more = self._earlier = False

    @property
    def store(self) -> Any:
        return self.backend.store

    def items(self, rows: list[dict[str, Any]]) -> list[InboxItem]:
        return [inbox_item(row, self.today, self.limits) for row in rows]

    # -- a stretch of the view --------------------------------------------------------------

    async def reload(
        self, *, wake: bool = False, keep: int | None = None
    ) -> tuple[bool, list[int]]:
        """Read the loaded stretch again, keeping the selected item (or `keep`).

        `wake`: first bring back snoozes whose day has come. Returns whether the read was
        taken in, and the ids of the items woken.
        """
        async with self._reading:
            limit = max(model.PAGE, len(self.page.items) + 1)
            return await self._read(self.page.start, limit, wake=wake, keep=keep)

    async def show(self, query: Query) -> bool:
        """Switch view or filters; each view remembers its selected item.

        Back in a view under the same filters, the read starts around that item, wherever
        in the view it was; otherwise at the top. Returns whether the read was taken in.
        """
        old, selected = self.query, self.page.selected()
        if selected is not None:
            at = self.page.start + self.page.cursor
            self._remembered[old.view] = (selected.id, at, (old.category, old.text))
        self.query = query
        keep, at, filters = self._remembered.get(query.view, (None, 0, (None, "")))
        start = max(0, at - model.PAGE // 2) if filters == (query.category, query.text) else 0
        async with self._reading:
            taken, _ = await self._read(start, model.PAGE, keep=keep, reset=True)
        return taken

    async def jump(self, edge: int) -> bool:
        """Read the view's first (-1) or last (1) page and select its first or last item."""
        async with self._reading:
            taken, _ = await self._read(None if edge > 0 else 0, model.PAGE, edge=edge)
        return taken

    async def _read(
        self,
        start: int | None,
        limit: int,
        *,
        wake: bool = False,
        keep: int | None = None,
        reset: bool = False,
        edge: int = 0,
    ) -> tuple[bool, list[int]]:
        """Read `limit` items of the view from index `start` (None: its last ones).

        `reset`: a different view or filter; the cursor starts at the top unless `keep`
        names an item read. `edge`: select the first (-1) or the last (1) item read.
        """
        query, store = self.query, self.store
        run = self.backend.write if wake and not store.read_only else self.backend.run
        data = await run(model.fetch_inbox, store, query, start, limit, wake)
        if query != self.query:
            return False, data["woken"]  # the view or a filter changed: that read follows
        self.today = date.fromisoformat(data["today"])
        self.counts, self.version = data["counts"], data["version"]
        self.teams, self.sprints, self.reasons = data["teams"], data["sprints"], data["reasons"]
        page, selected = self.page, self.page.selected()
        if reset:
            page.cursor = 0
        elif keep is None and selected is not None:
            keep = selected.id
        total = self.counts[query.view]
        page.load(self.items(data["rows"]), total, data["complete"], keep, data["start"])
        if edge:
            page.move(edge * len(page.items))
        self.loaded = True
        return True, data["woken"]

    # -- the pages around it ----------------------------------------------------------------

    async def more(self) -> Paging:
        """Read the page after the loaded items."""
        page, query = self.page, self.query
        if self._more or page.complete:
            return "idle"
        self._more, offset = True, page.end
        try:
            rows = await self.backend.run(
                model.fetch_rows, self.store, query, None, offset, model.PAGE, page.total
            )
        finally:
            self._more = False
        if query != self.query:
            return "idle"
        if page.end != offset:  # a triage or a jump changed the loaded items meanwhile
            return "stale"
        page.extend(self.items(rows), self.counts[query.view])
        return "read"

    async def earlier(self) -> Paging:
        """Read the page before the loaded items (after `end`, or back in a view deep in)."""
        page, query = self.page, self.query
        if self._earlier or page.start == 0:
            return "idle"
        self._earlier, end = True, page.start
        start = max(0, end - model.PAGE)
        try:
            rows = await self.backend.run(
                model.fetch_rows, self.store, query, None, start, end - start, page.total
            )
        finally:
            self._earlier = False
        if query != self.query:
            return "idle"
        if page.start != end:
            return "stale"
        page.prepend(self.items(rows), start)
        return "read"

    async def recount(self) -> bool:
        """Read every view's count again (after a write); returns whether it was taken in."""
        query = self.query
        counts = await self.backend.run(model.view_counts, self.store, query, str(self.today))
        if self.backend.pending_writes or query != self.query:
            return False  # the next write's refresh will be newer
        self.counts = counts
        self.page.total = counts[query.view]
        return True
