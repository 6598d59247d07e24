"""Customer feedback from Customer Service: capture, inbox views and reading here, the
triage verbs in store/feedback_triage.py (a mixin of `FeedbackItems`).

Each triage verb (accept, duplicate, decline, snooze, reopen, inform) and each wake-up of
snoozed items is one transaction in the activity log, so `store.activity.undo()` reverts it.
An item is triaged once: a verb that would overwrite an accepted, duplicate or declined item
(its card link, its merge, its reason) is refused until the item is reopened.

Views split the feedback into seven disjoint sets (every item is in exactly one):
`new` (untriaged, including snoozes whose day has come), `snoozed`, `accepted` (its card not
done yet), `shipped` (accepted or duplicate, and the card is done: time to tell the customer),
`informed` (the customer was told: who and when are kept), `declined` and `duplicate`.

An item is named `FB-12` everywhere (`fb_key`); `parse_id` also reads `fb-12` and `12`.

The inbox's text filter (`inbox(text=...)`, `count`, `counts`) runs in SQL: a LIKE over the
text, the customer, who reported it, its card's key and `FB-id`, ignoring case (also beyond
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
from sprintboard.store.feedback_triage import FeedbackTriage, fb_key, parse_id
from sprintboard.vocabulary import URGENT_CATEGORIES, FeedbackCategory, Triage

if TYPE_CHECKING:
    from sprintboard.models import Feedback

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

VIEWS = ("new", "snoozed", "accepted", "shipped", "informed", "declined", "duplicate")
"""The inbox's views, in the order its tabs show them."""

CARD_JOINS = """
  LEFT JOIN feedback o ON o.id = f.duplicate_of
  LEFT JOIN feedback o2 ON o2.id = o.duplicate_of
  LEFT JOIN cards c ON c.id = COALESCE(f.card_id, o.card_id, o2.card_id)"""

# A customer told about the fix (`inform`) leaves the shipped view for good: the item is in
# `informed` from then on, whatever becomes of its card.
NOT_INFORMED = " AND f.informed_at IS NULL"

# Each view as parts of one stored state each: (state, extra condition, needs the card). A
# part is one ordered walk of index feedback_inbox; a view of two parts merges two walks, so
# no page ever sorts a whole view. `c` is the item's card (its own, or the one of the item it
# duplicates).
VIEW_PARTS: dict[str, tuple[tuple[str, str, bool], ...]] = {
    "new": (("new", "", False), ("snoozed", " AND f.snoozed_until <= :day", False)),
    "snoozed": (("snoozed", " AND f.snoozed_until > :day", False),),
    "accepted": (("accepted", f" AND c.status IS NOT 'done'{NOT_INFORMED}", True),),
    "shipped": (
        ("accepted", f" AND c.status = 'done'{NOT_INFORMED}", True),
        ("duplicate", f" AND c.status = 'done'{NOT_INFORMED}", True),
    ),
    "informed": (
        ("accepted", " AND f.informed_at IS NOT NULL", False),
        ("duplicate", " AND f.informed_at IS NOT NULL", False),
    ),
    "declined": (("declined", "", False),),
    "duplicate": (("duplicate", f" AND c.status IS NOT 'done'{NOT_INFORMED}", True),),
}

# What the text filter looks in: everything the inbox shows of an item in its list.
TEXT_FIELDS = ("f.text", "f.customer", "f.reported_by", "c.key", "'FB-' || f.id")


def _shape(row: dict[str, Any]) -> dict[str, Any]:
    row["urgent"] = bool(row["urgent"])
    row["shipped"] = bool(row["shipped"])
    return row


class FeedbackItems(FeedbackTriage):
    def __init__(self, core: StoreCore, cards: Cards) -> None:
        self.core = core
        self.cards = cards

    # -- capture -------------------------------------------------------------------------

    def add(self, item: Feedback) -> dict[str, Any]:
        with self.core.transaction("feedback.add") as tx:
            rowid = self.insert(tx, item)
        return self.get(rowid)

    def insert(self, tx: Tx, item: Feedback) -> int:
        # The id SQLite would give (one past the largest; the write lock is held), chosen
        # here so the logged creation names the item `FB-12` like every later change.
        ident = int(self.core.scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM feedback"))
        return tx.insert("feedback", {"id": ident, **self._row(tx, item)}, key=fb_key(ident))

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
            raise NotFound(f"feedback: no feedback {fb_key(ident)}")
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

    def listing(
        self,
        *,
        view: str | None = None,
        state: str | None = None,
        category: str | None = None,
        card: str | None = None,
        limit: int | None = None,
        wake: bool = True,
    ) -> Rows:
        """`feedback list`: an inbox view's items or those in one state (not both), of a
        category, linked to a card, in triage order. Snoozes whose day has come are woken
        (back to new) first, unless `wake` is False (a reader that must not write)."""
        if view is not None and state is not None:
            raise UserError("view: use --view or --state, not both")
        if wake and not self.core.read_only:
            self.wake_snoozed()
        if view is None:
            return self.list(state=state, category=category, card=card, limit=limit)
        rows = self.inbox(view, category=category, limit=None if card else limit)
        if card is not None:
            key = card.strip().upper()
            rows = [r for r in rows if r["card"] == key][:limit]
        return rows

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
        customer, reporter, card key or `FB-id` holds it (see the module's docstring).
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
        self._attach_triagers(rows)
        return [_shape(r) for r in rows]

    def _attach_triagers(self, rows: Rows) -> None:
        """Who last changed each item's triage state (`triaged_by`, '' if nobody did), from
        the activity log: a page of items, one indexed look-up each."""
        triagers: dict[str, str] = {}
        uuids = [r["uuid"] for r in rows]
        for start in range(0, len(uuids), 500):
            chunk = uuids[start : start + 500]
            marks = ", ".join("?" for _ in chunk)
            # Waking a snooze on its day is sprintboard's doing, not a person's triage.
            for uuid, actor in self.core.conn.execute(
                f"""SELECT entity_uuid, actor FROM activity
                    WHERE entity_uuid IN ({marks}) AND field = 'state'
                      AND action != 'feedback.wake'
                    ORDER BY id""",
                chunk,
            ):
                triagers[uuid] = actor
        for row in rows:
            row["triaged_by"] = triagers.get(row["uuid"], "")

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
            # `FB-12` holds only those letters, '-' and digits: other text cannot be part of it.
            could_be_id = set(text.upper()) <= set("FB-0123456789")
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
        linked = {"accepted": 0, "shipped": 0, "informed": 0, "duplicate": 0}
        with self.core._lock:
            for state, done, informed, n in self.core.conn.execute(
                "SELECT f.state, c.status IS 'done', f.informed_at IS NOT NULL, COUNT(*)"
                f" FROM feedback f{CARD_JOINS} WHERE f.state IN ('accepted', 'duplicate')"
                " GROUP BY 1, 2, 3"
            ):
                linked["informed" if informed else "shipped" if done else state] += n
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
                "SELECT f.state, f.snoozed_until <= :day, c.status IS 'done',"
                " f.informed_at IS NOT NULL, COUNT(*)"
                f" FROM feedback f NOT INDEXED{CARD_JOINS} WHERE 1{also} GROUP BY 1, 2, 3, 4",
                params,
            ).fetchall()
        for state, due, done, informed, n in groups:
            if state == "snoozed":
                view = None if due is None else "new" if due else "snoozed"
            elif state in ("accepted", "duplicate"):
                view = "informed" if informed else "shipped" if done else state
            else:
                view = state
            if view is not None:
                found[view] += n
        return found
