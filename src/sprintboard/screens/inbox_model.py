"""What the inbox shows, without Textual: the loaded part of a view, and its reads.

The `fetch_*` functions run on the database thread (`app.backend.run`); `InboxPage` is the
screen's local state, changed at once by a key while the write follows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sprintboard.planning.triage import VIEWS, InboxItem

NEAR_END = 60  # ask for the next page when the cursor or the view gets this close to the end

PAGE = 300  # items per read from the store
FILTER_CAP = 5_000  # a text filter shows at most this many matches
EMPTY = {
    "new": "Inbox zero: nothing waits for triage.",
    "snoozed": "Nothing snoozed.",
    "accepted": "No accepted feedback waiting on its card.",
    "shipped": "Nothing shipped to tell customers about yet.",
    "declined": "Nothing declined.",
    "duplicate": "No duplicates waiting on their card.",
}


@dataclass(frozen=True)
class Query:
    view: str = "new"
    category: str | None = None
    text: str = ""


def _matches(row: dict[str, Any], needle: str) -> bool:
    fields = (row["text"], row["customer"], row["reported_by"], row["card"] or "", f"#{row['id']}")
    return any(needle in value.casefold() for value in fields)


def fetch_inbox(store: Any, query: Query, limit: int, wake: bool) -> dict[str, Any]:
    """Everything the inbox shows, read in one go on the database thread."""
    woken = store.feedback.wake_snoozed() if wake else []
    today = store.today()
    feedback = store.feedback
    if query.text:  # the store has no text search: walk the view page by page
        needle, offset = query.text.casefold(), 0
        rows: list[dict[str, Any]] = []
        while len(rows) < FILTER_CAP:
            chunk = feedback.inbox(
                query.view, today=today, category=query.category, offset=offset, limit=2000
            )
            if not chunk:
                break
            offset += len(chunk)
            rows += [row for row in chunk if _matches(row, needle)]
        rows = rows[:FILTER_CAP]
    else:
        rows = feedback.inbox(query.view, today=today, category=query.category, limit=limit)
    declined = feedback.list(state="declined", limit=200)
    return {
        "rows": rows,
        "counts": view_counts(store, query.category, today),
        "today": today,
        "woken": woken,
        "version": store.data_version(),
        "teams": [t for t in store.teams.list() if not t["archived"]],
        "sprints": [s for s in store.sprints.list() if s["state"] != "closed"],
        "reasons": [r["decline_reason"] for r in declined if r["decline_reason"]],
    }


def view_counts(store: Any, category: str | None, today: str) -> dict[str, int]:
    if category is None:
        return dict(store.feedback.counts(today=today))
    return {v: store.feedback.count(v, today=today, category=category) for v in VIEWS}


def merge_candidates(store: Any, item: InboxItem) -> list[dict[str, Any]]:
    """Open cards, feedback waiting or accepted (as `#id`), then done cards: for the picker."""
    cards = [
        {"key": c["key"], "title": c["title"], "team": c["team"], "status": c["status"]}
        for c in store.cards.query()
    ]
    items = [
        {"key": f"#{r['id']}", "title": r["text"], "team": r["category"], "status": r["state"]}
        for view in ("accepted", "new", "snoozed")
        for r in store.feedback.inbox(view, limit=1000)
        if r["id"] != item.id
    ]
    items.sort(key=lambda r: r["team"] != item.category)
    done = [c for c in cards if c["status"] == "done"]
    return [c for c in cards if c["status"] != "done"] + items + done


def triaged_message(row: dict[str, Any]) -> str:
    """What a triage verb did, in one line, from the item the store hands back."""
    state, said = row["state"], f"feedback {row['id']}"
    if state == "accepted":
        return f"{said} accepted as {row['card']}"
    if state == "duplicate":
        into = f"feedback {row['duplicate_of']}" if row["duplicate_of"] else row["card"]
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
    return f"feedback {item.id} is already {item.state}{detail}; reopen it first (o) to {verb} it"


@dataclass
class InboxPage:
    """The loaded start of one view, in triage order, and the selected item.

    An item taken out by a triage key stays out (`gone`) until its write is done, also
    when a read made before that write comes back.
    """

    items: list[InboxItem] = field(default_factory=list)
    total: int = 0  # items in the whole view, loaded or not
    cursor: int = 0
    complete: bool = False  # every item of the view is loaded (or a filter capped it)
    gone: set[int] = field(default_factory=set)

    def selected(self) -> InboxItem | None:
        return self.items[self.cursor] if 0 <= self.cursor < len(self.items) else None

    def load(self, items: list[InboxItem], total: int, complete: bool, keep: int | None) -> None:
        """Replace the items, keeping the selected item (by id) or else the cursor's place."""
        self.items = [item for item in items if item.id not in self.gone]
        self.total, self.complete = total, complete
        index = next((i for i, item in enumerate(self.items) if item.id == keep), None)
        self.cursor = index if index is not None else min(self.cursor, max(0, len(items) - 1))

    def extend(self, items: list[InboxItem], total: int) -> None:
        seen = self.gone | {item.id for item in self.items}
        fresh = [item for item in items if item.id not in seen]
        self.items.extend(fresh)
        self.total = max(total, len(self.items))
        self.complete = not fresh or len(self.items) >= self.total

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
        return not self.complete and max(self.cursor, last_visible) >= len(self.items) - NEAR_END
