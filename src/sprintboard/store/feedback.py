"""Customer feedback from Customer Service (capture, triage, inbox views), and warehouse stock.

Each triage verb (accept, duplicate, decline, snooze, reopen) and each wake-up of snoozed
items is one transaction in the activity log, so `store.activity.undo()` reverts it. An item
is triaged once: a verb that would overwrite an accepted, duplicate or declined item (its card
link, its merge, its reason) is refused until the item is reopened.

Views split the feedback into six disjoint sets (every item is in exactly one):
`new` (untriaged, including snoozes whose day has come), `snoozed`, `accepted` (its card not
done yet), `shipped` (accepted or duplicate, and the card is done: time to tell the customer),
`declined` and `duplicate`.

The inbox's text filter (`inbox(text=...)`, `count`, `counts`) runs in SQL: a LIKE over the
text, the customer, who reported it, its card's key and `#id`, ignoring case (also beyond
ASCII: see `store.database.text_match`), with `%`, `_` and `\\` in the text taken literally.
"""

from __future__ import annotations

import builtins
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sprintboard.errors import NotFound, UserError
from sprintboard.store.bulk import insert_many
from sprintboard.store.cards import Cards
from sprintboard.store.database import Rows, StoreCore, Tx, new_uuid, text_match
from sprintboard.vocabulary import INT64_MAX, URGENT_CATEGORIES, FeedbackCategory, Triage

if TYPE_CHECKING:
    from sprintboard.models import Feedback, StockItem

# A duplicate of another feedback item shows the card of the item it was merged into (two
# merges deep), so its customer learns when the fix ships too.
FEEDBACK_SELECT = """SELECT f.*, c.key AS card, c.status AS card_status,
    (c.status = 'done') AS shipped
  FROM feedback f
  LEFT JOIN feedback o ON o.id = f.duplicate_of
  LEFT JOIN feedback o2 ON o2.id = o.duplicate_of
  LEFT JOIN cards c ON c.id = COALESCE(f.card_id, o.card_id, o2.card_id)"""

# The inbox's triage order: urgent first, then the most reported, then the oldest.
# Index feedback_inbox (migration m003_inbox) hands out the items of one state in this order.
ORDER_COLUMNS = "urgent DESC, reports DESC, received_at, id"
FEEDBACK_ORDER = " ORDER BY f.urgent DESC, f.reports DESC, f.received_at, f.id"

VIEWS = ("new", "snoozed", "accepted", "shipped", "declined", "duplicate")
"""The inbox's views, in the order its tabs show them."""

CARD_JOINS = """
  LEFT JOIN feedback o ON o.id = f.duplicate_of
  LEFT JOIN feedback o2 ON o2.id = o.duplicate_of
  LEFT JOIN cards c ON c.id = COALESCE(f.card_id, o.card_id, o2.card_id)"""

# Each view as parts of one stored state each: (state, extra condition, needs the card). A
# part is one ordered walk of index feedback_inbox; a view of two parts merges two walks, so
# no page ever sorts a whole view. `c` is the item's card (its own, or the one of the item it
# duplicates).
VIEW_PARTS: dict[str, tuple[tuple[str, str, bool], ...]] = {
    "new": (("new", "", False), ("snoozed", " AND f.snoozed_until <= :day", False)),
    "snoozed": (("snoozed", " AND f.snoozed_until > :day", False),),
    "accepted": (("accepted", " AND c.status IS NOT 'done'", True),),
    "shipped": (
        ("accepted", " AND c.status = 'done'", True),
        ("duplicate", " AND c.status = 'done'", True),
    ),
    "declined": (("declined", "", False),),
    "duplicate": (("duplicate", " AND c.status IS NOT 'done'", True),),
}

# What the text filter looks in: everything the inbox shows of an item in its list.
TEXT_FIELDS = ("f.text", "f.customer", "f.reported_by", "c.key", "'#' || f.id")

UNTRIAGED = ("new", "snoozed")
CARD_DESCRIPTION_TEXT = 90_000
"""Feedback text copied into a card's description beyond this is cut (descriptions hold 100k)."""


def _shape(row: dict[str, Any]) -> dict[str, Any]:
    row["urgent"] = bool(row["urgent"])
    row["shipped"] = bool(row["shipped"])
    return row


def fb_key(feedback_id: int) -> str:
    """How the activity log names a feedback item."""
    return f"FB-{feedback_id}"


def parse_id(feedback_id: int | str) -> int:
    """A feedback id from `12`, `'12'` or `'FB-12'`."""
    try:
        ident = int(str(feedback_id).strip().upper().removeprefix("FB-"))
    except ValueError:
        raise UserError(f"feedback: must be a feedback id like 12 (got {feedback_id!r})") from None
    if not 1 <= ident <= INT64_MAX:
        raise UserError(f"feedback: must be a feedback id like 12 (got {feedback_id!r})")
    return ident


def card_description(row: dict[str, Any]) -> str:
    """A new card's description: the customer's words, then where they came from."""
    text = row["text"].strip()
    if len(text) > CARD_DESCRIPTION_TEXT:
        text = text[:CARD_DESCRIPTION_TEXT] + "…"
    reports = row["reports"]
    lines = [
        text,
        "",
        f"Customer feedback {row['id']}: {row['category']}, via {row['source']}, "
        f"{reports} report{'s' if reports != 1 else ''}",
    ]
    if row["customer"]:
        lines.append(f"Customer: {row['customer']}")
    if row["reported_by"]:
        lines.append(f"Reported by: {row['reported_by']}")
    lines.append(f"Received: {row['received_at']}")
    return "\n".join(lines)


class FeedbackItems:
    def __init__(self, core: StoreCore, cards: Cards) -> None:
        self.core = core
        self.cards = cards

    # -- capture -------------------------------------------------------------------------

    def add(self, item: Feedback) -> dict[str, Any]:
        with self.core.transaction("feedback.add") as tx:
            rowid = self.insert(tx, item)
        return self.get(rowid)

    def insert(self, tx: Tx, item: Feedback) -> int:
        return tx.insert("feedback", self._row(tx, item))

    def add_many(self, items: builtins.list[Feedback], *, action: str = "feedback.import") -> int:
        """Insert many items in one transaction (one logged creation each); returns how many."""
        if not items:
            return 0
        with self.core.transaction(action) as tx:
            insert_many(tx, "feedback", [{"uuid": new_uuid(), **self._row(tx, i)} for i in items])
        return len(items)

    def _row(self, tx: Tx, item: Feedback) -> dict[str, Any]:
        row = item.model_dump(mode="json")
        received = item.received_at
        if received is not None and received.tzinfo is not None:
            received = received.astimezone(UTC)
        # A time without a zone is taken as UTC, like every stored timestamp.
        row["received_at"] = (
            received.strftime("%Y-%m-%dT%H:%M:%SZ") if received is not None else tx.now
        )
        row["urgent"] = int(item.category in URGENT_CATEGORIES)
        return row

    # -- reading -------------------------------------------------------------------------

    def get(self, feedback_id: int | str) -> dict[str, Any]:
        ident = parse_id(feedback_id)
        row = self.core.row(FEEDBACK_SELECT + " WHERE f.id = ?", [ident])
        if row is None:
            raise NotFound(f"feedback: no feedback with id {ident}")
        return _shape(row)

    def list(
        self,
        *,
        state: str | None = None,
        category: str | None = None,
        card: str | None = None,
        limit: int | None = None,
    ) -> Rows:
        clauses, params = [], []
        if state is not None:
            clauses.append("f.state = ?")
            params.append(Triage(state).value)
        if category is not None:
            clauses.append("f.category = ?")
            params.append(category)
        if card is not None:
            clauses.append("c.key = ?")
            params.append(card.strip().upper())
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        sql = FEEDBACK_SELECT + where + FEEDBACK_ORDER
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [_shape(r) for r in self.core.rows(sql, params)]

    def _today(self, today: date | str | None) -> str:
        """`today` (a date, a datetime or `YYYY-MM-DD`) as stored dates are compared with it."""
        if today is None:
            return self.core.today()
        if isinstance(today, datetime):
            today = today.astimezone(UTC).date()
        if isinstance(today, str):
            try:
                today = date.fromisoformat(today.strip())
            except ValueError:
                raise UserError(f"today: must be a date like 2026-03-20 (got {today!r})") from None
        return today.isoformat()

    def inbox(
        self,
        view: str = "new",
        *,
        today: date | str | None = None,
        category: str | None = None,
        text: str | None = None,
        offset: int = 0,
        limit: int | None = None,
        matching: int | None = None,
    ) -> Rows:
        """One view's items in triage order; `offset`/`limit` page through it.

        `today` (default: the store's clock) decides which snoozes are due: a snoozed item
        is back in `new` on its until-day, woken or not. `text` keeps the items whose text,
        customer, reporter, card key or `#id` holds it (see the module's docstring).
        `matching`: how many items the view holds under these filters, if the caller has
        counted them; it only picks the faster way to read the same rows.
        """
        offset = max(0, offset)
        window = -1 if limit is None else max(0, limit)
        # A text filter cannot use an index. Walking the view in triage order stops after
        # a page of matches, but finding a few matches means reading nearly every row out
        # of table order; reading the table in its own order and sorting the matches is
        # then ~3x cheaper (a walk wins while a page's matches lie in the first third).
        scan = bool(text) and (
            limit is None or (matching is not None and matching < 3 * (offset + window))
        )
        parts, params = self._parts(view, today, category, text, scan=scan)
        # Ids first (from the index unless scanning); the joins then run for one page only.
        if len(parts) == 1:
            sql = f"{parts[0]}{FEEDBACK_ORDER} LIMIT :window OFFSET :offset"
        else:
            cap = "" if limit is None else " LIMIT :cap"
            walks = " UNION ALL ".join(
                f"SELECT * FROM ({part}{FEEDBACK_ORDER}{cap})" for part in parts
            )
            sql = f"{walks} ORDER BY {ORDER_COLUMNS} LIMIT :window OFFSET :offset"
        params |= {"window": window, "offset": offset, "cap": offset + max(0, window)}
        with self.core._lock:
            ids = [r[0] for r in self.core.conn.execute(sql, params)]
        rows: Rows = []
        # In chunks: SQLite builds may allow as few as 32,766 bound variables per statement.
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            rows += self.core.rows(
                f"{FEEDBACK_SELECT} WHERE f.id IN ({marks}){FEEDBACK_ORDER}", chunk
            )
        return [_shape(r) for r in rows]

    def _parts(
        self,
        view: str,
        today: date | str | None,
        category: str | None,
        text: str | None,
        *,
        scan: bool = False,
    ) -> tuple[builtins.list[str], dict[str, Any]]:
        """The SQL of each non-empty part of a view (selecting ids and order columns).

        `scan`: read the table in its own order rather than walk the inbox index.
        """
        if view not in VIEW_PARTS:
            raise UserError(f"view: must be one of {', '.join(VIEWS)} (got {view!r})")
        params: dict[str, Any] = {"day": self._today(today)}
        also = self._filters(category, text, params)
        parts = []
        for state, condition, needs_card in VIEW_PARTS[view]:
            if view == "new" and state == "snoozed" and not self._any_due(params["day"]):
                # Usually nothing is due (the inbox wakes snoozes when it opens): one walk.
                continue
            joins = CARD_JOINS if needs_card or text else ""  # the text may be a card's key
            table = "feedback f NOT INDEXED" if scan else "feedback f"
            parts.append(
                f"SELECT f.id, f.urgent, f.reports, f.received_at FROM {table}"
                f"{joins} WHERE f.state = '{state}'{condition}{also}"
            )
        return parts, params

    @staticmethod
    def _filters(category: str | None, text: str | None, params: dict[str, Any]) -> str:
        """The conditions of the inbox's filters (on `f` and its card `c`); fills `params`."""
        also = ""
        if category is not None:
            also += " AND f.category = :category"
            params["category"] = FeedbackCategory(category).value
        if text:
            # `#id` holds only '#' and digits: other text cannot be part of it.
            could_be_id = set(text) <= set("#0123456789")
            fields = TEXT_FIELDS if could_be_id else TEXT_FIELDS[:-1]
            match, params["like"] = text_match(fields, text, ":like")
            also += " AND " + match
        return also

    def _any_due(self, day: str) -> bool:
        return bool(
            self.core.scalar(
                "SELECT EXISTS (SELECT 1 FROM feedback WHERE state = 'snoozed'"
                " AND snoozed_until <= ?)",
                [day],
            )
        )

    def count(
        self,
        view: str = "new",
        *,
        today: date | str | None = None,
        category: str | None = None,
        text: str | None = None,
    ) -> int:
        """How many items a view holds (with the filters given: as many as `inbox` hands out)."""
        parts, params = self._parts(view, today, category, text)
        with self.core._lock:
            return sum(
                int(self.core.conn.execute(f"SELECT COUNT(*) FROM ({part})", params).fetchone()[0])
                for part in parts
            )

    def counts(
        self,
        *,
        today: date | str | None = None,
        category: str | None = None,
        text: str | None = None,
    ) -> dict[str, int]:
        """Every view's size (the inbox's tab labels), in VIEWS order, with the filters given."""
        if category is not None or text:
            return self._filtered_counts(self._today(today), category, text)
        found = {view: self.count(view, today=today) for view in ("new", "snoozed", "declined")}
        # The views that depend on the card's column share one walk over their two states.
        linked = {"accepted": 0, "shipped": 0, "duplicate": 0}
        with self.core._lock:
            for state, done, n in self.core.conn.execute(
                "SELECT f.state, c.status IS 'done', COUNT(*) FROM feedback f"
                f"{CARD_JOINS} WHERE f.state IN ('accepted', 'duplicate') GROUP BY 1, 2"
            ):
                linked["shipped" if done else state] += n
        found |= linked
        return {view: found[view] for view in VIEWS}

    def _filtered_counts(self, day: str, category: str | None, text: str | None) -> dict[str, int]:
        """Every view's size under filters the index cannot answer: one pass over the table.

        Read in table order (NOT INDEXED): walking an index here reads each row out of
        order, twice as slow at 50,000 items. Each (state, due, done) group goes to the
        view VIEW_PARTS puts it in.
        """
        params: dict[str, Any] = {"day": day}
        also = self._filters(category, text, params)
        found = dict.fromkeys(VIEWS, 0)
        with self.core._lock:
            groups = self.core.conn.execute(
                "SELECT f.state, f.snoozed_until <= :day, c.status IS 'done', COUNT(*)"
                f" FROM feedback f NOT INDEXED{CARD_JOINS} WHERE 1{also} GROUP BY 1, 2, 3",
                params,
            ).fetchall()
        for state, due, done, n in groups:
            if state == "snoozed":
                view = None if due is None else "new" if due else "snoozed"
            elif state in ("accepted", "duplicate"):
                view = "shipped" if done else state
            else:
                view = state
            if view is not None:
                found[view] += n
        return found

    # -- triage --------------------------------------------------------------------------

    def _raw(self, feedback_id: int | str) -> dict[str, Any]:
        ident = parse_id(feedback_id)
        row = self.core.row("SELECT * FROM feedback WHERE id = ?", [ident])
        if row is None:
            raise NotFound(f"feedback: no feedback with id {ident}")
        return row

    def _refuse_triaged(self, row: dict[str, Any], verb: str) -> None:
        """Refuse a verb that would overwrite an earlier triage decision."""
        state = row["state"]
        if state in UNTRIAGED:
            return
        if state == "declined":
            detail = f" ({row['decline_reason']})"
        elif row["card_id"] is not None:
            key = self.core.scalar("SELECT key FROM cards WHERE id = ?", [row["card_id"]])
            detail = f" as {key}" if state == "accepted" else f" of {key}"
        elif row["duplicate_of"] is not None:
            detail = f" of feedback {row['duplicate_of']}"
        else:
            detail = ""
        raise UserError(
            f"feedback: {row['id']} is already {state}{detail}; reopen it first to {verb} it"
        )

    def accept(
        self,
        feedback_id: int | str,
        team: str,
        sprint_id: int | None = None,
        title: str | None = None,
        description: str | None = None,
    ) -> dict[str, Any]:
        """Make a card for `team` from the item and link them; returns the item.

        The card's title is the feedback's first line, its description the whole text and
        where it came from; it is labelled `feedback`, urgent categories get priority high;
        in a sprint it starts in To do, else in the backlog.
        """
        from sprintboard.models import Card, summary_line, validate  # pydantic: only when writing

        with self.core.transaction("feedback.accept") as tx:
            row = self._raw(feedback_id)
            self._refuse_triaged(row, "accept")
            if sprint_id is not None:
                sprint = self.core.row("SELECT name, state FROM sprints WHERE id = ?", [sprint_id])
                if sprint is None:
                    raise NotFound(f"sprint: no sprint with id {sprint_id}")
                if sprint["state"] == "closed":
                    raise UserError(
                        f"sprint: {sprint['name']} is closed; pick a planned or active sprint "
                        "or the backlog"
                    )
            card = validate(
                Card,
                {
                    "title": title
                    if title is not None
                    else summary_line(row["text"]) or f"Customer feedback {row['id']}",
                    "description": description
                    if description is not None
                    else card_description(row),
                    "team": team,
                    "status": "todo" if sprint_id is not None else "backlog",
                    "priority": "high" if row["urgent"] else "medium",
                    "labels": ["feedback"],
                },
            )
            key = self.cards.insert(tx, card, sprint_id=sprint_id)
            card_id = self.core.scalar("SELECT id FROM cards WHERE key = ?", [key])
            tx.update(
                "feedback",
                row,
                {
                    "state": "accepted",
                    "card_id": card_id,
                    "snoozed_until": None,
                    "triaged_at": tx.now,
                },
                key=fb_key(row["id"]),
            )
        return self.get(row["id"])

    def _root(self, row: dict[str, Any]) -> dict[str, Any]:
        """The item a chain of duplicates ends at (the one whose count holds them all)."""
        seen = {row["id"]}
        while row["duplicate_of"] is not None and row["duplicate_of"] not in seen:
            row = self._raw(row["duplicate_of"])
            seen.add(row["id"])
        return row

    def duplicate(
        self,
        feedback_id: int | str,
        *,
        card: str | None = None,
        of_feedback: int | str | None = None,
    ) -> dict[str, Any]:
        """Merge the item as a duplicate of a card or of another feedback item.

        Of a card: the item links to it, so the card's reports (the sum over its feedback)
        count it. Of an item: its reports are added to that item's (or, when that one is a
        duplicate itself, to the item its chain ends at), so the original's count rolls up.
        """
        if (card is None) == (of_feedback is None):
            raise UserError(
                "duplicate: name either a card (like IT-42) or another feedback id, not both"
            )
        with self.core.transaction("feedback.duplicate") as tx:
            row = self._raw(feedback_id)
            self._refuse_triaged(row, "merge")
            changes: dict[str, Any] = {
                "state": "duplicate",
                "snoozed_until": None,
                "triaged_at": tx.now,
            }
            if card is not None:
                changes |= {"card_id": self.cards._raw(card)["id"], "duplicate_of": None}
            elif of_feedback is not None:
                target = self._raw(of_feedback)
                if target["id"] == row["id"]:
                    raise UserError(f"duplicate: feedback {row['id']} cannot duplicate itself")
                root = self._root(target)
                if root["id"] == row["id"]:
                    raise UserError(
                        f"duplicate: feedback {target['id']} is already merged into "
                        f"{row['id']}; merge it the other way round"
                    )
                tx.update(
                    "feedback",
                    root,
                    {"reports": root["reports"] + row["reports"]},
                    key=fb_key(root["id"]),
                )
                changes |= {"card_id": None, "duplicate_of": root["id"]}
            tx.update("feedback", row, changes, key=fb_key(row["id"]))
        return self.get(row["id"])

    def decline(self, feedback_id: int | str, reason: str) -> dict[str, Any]:
        """Decline the item; the reason (one line) is required."""
        from sprintboard.models import Decline, validate  # pydantic: only when writing

        why = validate(Decline, {"reason": reason}).reason
        with self.core.transaction("feedback.decline") as tx:
            row = self._raw(feedback_id)
            self._refuse_triaged(row, "decline")
            tx.update(
                "feedback",
                row,
                {
                    "state": "declined",
                    "decline_reason": why,
                    "snoozed_until": None,
                    "triaged_at": tx.now,
                },
                key=fb_key(row["id"]),
            )
        return self.get(row["id"])

    def snooze(self, feedback_id: int | str, until: date | str) -> dict[str, Any]:
        """Put the item away until a day after today; it is back in `new` on that day."""
        from sprintboard.models import Snooze, validate  # pydantic: only when writing

        day = validate(Snooze, {"until": until}).until
        today = date.fromisoformat(self.core.today())
        if day <= today:
            raise UserError(f"until: must be after today, {today} (got {day})")
        with self.core.transaction("feedback.snooze") as tx:
            row = self._raw(feedback_id)
            self._refuse_triaged(row, "snooze")
            tx.update(
                "feedback",
                row,
                {"state": "snoozed", "snoozed_until": day.isoformat(), "triaged_at": tx.now},
                key=fb_key(row["id"]),
            )
        return self.get(row["id"])

    def reopen(self, feedback_id: int | str) -> dict[str, Any]:
        """Put a triaged item back in `new`, undoing what its triage did to other records.

        A merged duplicate takes its reports back from the items they were added to. An
        accepted item is unlinked from its card; the card itself stays (delete it as a card).
        """
        with self.core.transaction("feedback.reopen") as tx:
            row = self._raw(feedback_id)
            if row["state"] == "new":
                raise UserError(f"feedback: {row['id']} is already new")
            seen = {row["id"]}
            parent_id = row["duplicate_of"] if row["state"] == "duplicate" else None
            while parent_id is not None and parent_id not in seen:
                parent = self._raw(parent_id)
                seen.add(parent_id)
                tx.update(
                    "feedback",
                    parent,
                    {"reports": max(1, parent["reports"] - row["reports"])},
                    key=fb_key(parent_id),
                )
                parent_id = parent["duplicate_of"] if parent["state"] == "duplicate" else None
            tx.update(
                "feedback",
                row,
                {
                    "state": "new",
                    "snoozed_until": None,
                    "decline_reason": None,
                    "card_id": None,
                    "duplicate_of": None,
                    "triaged_at": None,
                },
                key=fb_key(row["id"]),
            )
        return self.get(row["id"])

    def wake_snoozed(self, today: date | str | None = None) -> builtins.list[int]:
        """Bring snoozed items whose day has come back to `new`; returns their ids.

        One transaction logs every wake-up. A read-only database wakes nothing (the views
        count due snoozes as new anyway).
        """
        day = self._today(today)
        due_sql = "SELECT * FROM feedback WHERE state = 'snoozed' AND snoozed_until <= ?"
        if self.core.read_only or not self.core.scalar(f"SELECT EXISTS ({due_sql})", [day]):
            return []
        with self.core.transaction("feedback.wake") as tx:
            due = self.core.rows(due_sql + " ORDER BY id", [day])
            for row in due:
                tx.update(
                    "feedback",
                    row,
                    {"state": "new", "snoozed_until": None, "triaged_at": None},
                    key=fb_key(row["id"]),
                )
        return [row["id"] for row in due]


class Stock:
    def __init__(self, core: StoreCore) -> None:
        self.core = core

    def list(self) -> Rows:
        rows = self.core.rows("SELECT * FROM stock ORDER BY sku")
        for row in rows:
            row["low"] = row["on_hand"] < row["threshold"]
        return rows

    def get(self, sku: str) -> dict[str, Any]:
        row = self.core.row("SELECT * FROM stock WHERE sku = ?", [sku])
        if row is None:
            raise NotFound(f"sku: no stock for SKU {sku!r}")
        row["low"] = row["on_hand"] < row["threshold"]
        return row

    def upsert(
        self, items: builtins.list[StockItem], *, action: str = "stock.import"
    ) -> tuple[int, int]:
        """Insert or update stock rows in one transaction; returns (added, updated)."""
        added = updated = 0
        with self.core.transaction(action) as tx:
            for item in items:
                data = item.model_dump(mode="json")
                existing = self.core.row("SELECT * FROM stock WHERE sku = ?", [item.sku])
                if existing is None:
                    tx.insert("stock", data, key=item.sku)
                    added += 1
                elif tx.update("stock", existing, data, key=item.sku):
                    updated += 1
        return added, updated
