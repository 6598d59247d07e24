"""What the inbox shows, without Textual: the loaded stretch of a view, and its reads.

The `fetch_*` functions run on the database thread (`app.backend.run`); `InboxPage` is the
screen's local state, changed at once by a key while the write follows. Filters (category,
text) run in the store's SQL, so a filtered view pages like any other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sprintboard.planning.triage import VIEWS, InboxItem
from sprintboard.store.feedback_triage import fb_key

NEAR_END = 60  # ask for the next page when the cursor or the view gets this close to the end

PAGE = 300  # items per read from the store
EMPTY = {
    "new": "Inbox zero: nothing waits for triage.",
    "snoozed": "Nothing snoozed.",
    "accepted": "No accepted feedback waiting on its card.",
    "shipped": "Nothing shipped to tell customers about yet.",
    "informed": "No customer told about a fix yet.",
    "declined": "Nothing declined.",
    "duplicate": "No duplicates waiting on their card.",
}


@dataclass(frozen=True)
class Query:
    view: str = "new"
    category: str | None = None
    text: str = ""


def fetch_inbox(
    store: Any, query: Query, start: int | None, limit: int, wake: bool
) -> dict[str, Any]:
    """Everything the inbox shows, read in one go on the database thread.

    `limit` items of the view from index `start`, or its last ones when `start` is None or
    past the end (the view shrank meanwhile); `start` in the answer says where they begin.
    """
    # The version first: a commit landing during the reads below then makes it look
    # older than what is shown (one extra reload), never newer (a change hidden).
    version = store.version()
    woken = store.feedback.wake_snoozed() if wake else []
    today = store.today()
    feedback = store.feedback
    counts = view_counts(store, query, today)
    total = counts[query.view]
    if start is None or start >= total:
        start = max(0, total - limit)
    # Nothing matches (a filter typed halfway, say): no walk through the whole view.
    rows = fetch_rows(store, query, today, start, limit, total) if total else []
    declined = feedback.list(state="declined", limit=200)
    return {
        "rows": rows,
        "start": start,
        "complete": len(rows) < limit or start + len(rows) >= total,
        "counts": counts,
        "today": today,
        "woken": woken,
        "version": version,
        "teams": [t for t in store.teams.list() if not t["archived"]],
        "sprints": [s for s in store.sprints.list() if s["state"] != "closed"],
        "reasons": [r["decline_reason"] for r in declined if r["decline_reason"]],
    }


def fetch_rows(
    store: Any, query: Query, today: str | None, offset: int, limit: int, matching: int
) -> list[Any]:
    """`limit` items of the view from index `offset`, filtered in the store.

    `today`: None for the store's clock; `matching`: the view's size under the query (its
    count), which lets the store pick how to read a text filter.
    """
    return list(
        store.feedback.inbox(
            query.view,
            today=today,
            category=query.category,
            text=query.text or None,
            offset=offset,
            limit=limit,
            matching=matching,
        )
    )


def view_counts(store: Any, query: Query, today: str) -> dict[str, int]:
    """Every view's size under the query's filters: the tabs count what each would show."""
    counts = store.feedback.counts(today=today, category=query.category, text=query.text or None)
    return {view: int(counts[view]) for view in VIEWS}


def merge_candidates(store: Any, item: InboxItem) -> list[dict[str, Any]]:
    """Open cards, feedback waiting or accepted (as `FB-12`, with `feedback` set to its id),
    then done cards: for the picker."""
    cards = [
        {"key": c["key"], "title": c["title"], "team": c["team"], "status": c["status"]}
        for c in store.cards.query()
    ]
    items = [
        {
            "key": fb_key(r["id"]),
            "title": r["text"],
            "team": r["category"],
            "status": r["state"],
            "feedback": r["id"],
        }
        for view in ("accepted", "new", "snoozed")
        for r in store.feedback.inbox(view, limit=1000)
        if r["id"] != item.id
    ]
    items.sort(key=lambda r: r["team"] != item.category)
    done = [c for c in cards if c["status"] == "done"]
    return [c for c in cards if c["status"] != "done"] + items + done


def add_feedback(store: Any, record: Any) -> dict[str, Any]:
    """Store a new feedback item (a checked `models.Feedback`), reported by the person at the
    keyboard unless the record names someone."""
    if not record.reported_by:
        record = record.model_copy(update={"reported_by": store.actor})
    return dict(store.feedback.add(record))


def triaged_message(row: dict[str, Any]) -> str:
    """What a triage verb did, in one line, from the item the store hands back."""
    state, said = row["state"], fb_key(row["id"])
    if row.get("informed_at") and state in ("accepted", "duplicate"):
        return f"{said}: customer marked informed by {row['informed_by']}"
    if state == "accepted":
        return f"{said} accepted as {row['card']}"
    if state == "duplicate":
        into = fb_key(row["duplicate_of"]) if row["duplicate_of"] else row["card"]
        return f"{said} merged into {into} (its reports count there now)"
    if state == "declined":
        return f"{said} declined: {row['decline_reason']}"
    if state == "snoozed":
        return f"{said} snoozed until {row['snoozed_until']}"
    return f"{said} is back in new"


def refusal(item: InboxItem, verb: str) -> str:
    """The one line the store would answer for an item triaged already."""
    if item.state == "declined":
        detail = f" ({item.decline_reason})"
    elif item.card:
        detail = f" as {item.card}" if item.state == "accepted" else f" of {item.card}"
    else:
        detail = ""
    return f"{item.key} is already {item.state}{detail}; reopen it first (backspace) to {verb} it"


def inform_refusal(item: InboxItem) -> str:
    """Why an item outside the shipped view cannot be marked informed, in one line."""
    if item.view == "informed":
        return f"{item.key}: the customer was already informed by {item.informed_by}"
    if item.card and item.view in ("accepted", "duplicate"):
        return f"{item.key} has not shipped: {item.card} is not done yet"
    return f"{item.key} is {item.view}; only shipped feedback can be marked informed"


@dataclass
class InboxPage:
    """A loaded stretch of one view, in triage order, and the selected item.

    `items` are the view's items from index `start` on. The screen reads the page before or
    after them as the cursor nears either edge, and `home`/`end` read the view's first or
    last page in their place; `cursor` is an index into `items`. An item taken out by a
    triage key stays out (`gone`) until its write is done, also when a read made before
    that write comes back.
    """

    items: list[InboxItem] = field(default_factory=list)
    start: int = 0  # the view's index of items[0]
    total: int = 0  # items in the whole view, loaded or not
    cursor: int = 0
    complete: bool = False  # the items reach the end of the view
    gone: set[int] = field(default_factory=set)

    @property
    def end(self) -> int:
        """The view's index just past the last loaded item: where the next page starts."""
        return self.start + len(self.items)

    def selected(self) -> InboxItem | None:
        return self.items[self.cursor] if 0 <= self.cursor < len(self.items) else None

    def load(
        self,
        items: list[InboxItem],
        total: int,
        complete: bool,
        keep: int | None,
        start: int = 0,
    ) -> None:
        """Replace the items (read from the view's index `start`), keeping the selected item
        (by id) or else the cursor's place."""
        self.items = [item for item in items if item.id not in self.gone]
        self.start, self.total, self.complete = start, total, complete
        index = next((i for i, item in enumerate(self.items) if item.id == keep), None)
        self.cursor = index if index is not None else min(self.cursor, max(0, len(self.items) - 1))

    def extend(self, items: list[InboxItem], total: int) -> None:
        """The page after the loaded items."""
        seen = self.gone | {item.id for item in self.items}
        fresh = [item for item in items if item.id not in seen]
        self.items.extend(fresh)
        self.total = max(total, self.end)
        self.complete = not fresh or self.end >= self.total

    def prepend(self, items: list[InboxItem], start: int) -> int:
        """The page before the loaded items, read from index `start`; returns how many
        items came in (the cursor stays on its item, that many places further on)."""
        seen = self.gone | {item.id for item in self.items}
        fresh = [item for item in items if item.id not in seen]
        self.items[:0] = fresh
        self.cursor += len(fresh)
        self.start = start
        return len(fresh)

    def move(self, delta: int) -> None:
        self.cursor = max(0, min(len(self.items) - 1, self.cursor + delta))

    def take(self, item_id: int) -> None:
        """Take out an item that leaves the view; the cursor stays put (on the next one)."""
        self.gone.add(item_id)
        index = next((i for i, item in enumerate(self.items) if item.id == item_id), None)
        if index is None:
            return
        del self.items[index]
        self.total = max(0, self.total - 1)
        if index < self.cursor or self.cursor >= len(self.items):
            self.cursor = max(0, self.cursor - 1)

    def wants_more(self, last_visible: int) -> bool:
        """The cursor or the screen nears the last loaded item, and the view goes on."""
        return not self.complete and max(self.cursor, last_visible) >= len(self.items) - NEAR_END

    def wants_earlier(self, first_visible: int) -> bool:
        """The cursor or the screen nears the first loaded item, and the view starts before."""
        return self.start > 0 and min(self.cursor, first_visible) < NEAR_END
