"""Customer feedback from Customer Service, and warehouse stock levels."""

from __future__ import annotations

import builtins
from typing import Any

from sprintboard.errors import NotFound, UserError
from sprintboard.models import URGENT_CATEGORIES, Feedback, StockItem, Triage
from sprintboard.store.database import Rows, StoreCore

FEEDBACK_SELECT = """SELECT f.*, c.key AS card, c.status AS card_status,
    (c.status = 'done') AS shipped
  FROM feedback f LEFT JOIN cards c ON c.id = f.card_id"""

# The inbox's triage order: urgent first, then the most reported, then the oldest.
FEEDBACK_ORDER = " ORDER BY f.urgent DESC, f.reports DESC, f.received_at, f.id"


def _shape(row: dict[str, Any]) -> dict[str, Any]:
    row["urgent"] = bool(row["urgent"])
    row["shipped"] = bool(row["shipped"])
    return row


class FeedbackItems:
    def __init__(self, core: StoreCore) -> None:
        self.core = core

    def add(self, item: Feedback) -> dict[str, Any]:
        with self.core.transaction("feedback.add") as tx:
            rowid = self.insert(tx, item)
        return self.get(rowid)

    def insert(self, tx: Any, item: Feedback) -> int:
        row = item.model_dump(mode="json")
        received = item.received_at
        row["received_at"] = (
            received.strftime("%Y-%m-%dT%H:%M:%SZ") if received is not None else tx.now
        )
        row["urgent"] = int(item.category in URGENT_CATEGORIES)
        return tx.insert("feedback", row)

    def get(self, feedback_id: int | str) -> dict[str, Any]:
        try:
            ident = int(str(feedback_id).upper().removeprefix("FB-"))
        except ValueError:
            raise UserError(
                f"feedback: must be a feedback id like 12 (got {feedback_id!r})"
            ) from None
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
