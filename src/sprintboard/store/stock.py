"""Warehouse stock: one row per SKU with its on-hand count and low-stock threshold, and the
cards (promotions) that name each SKU."""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any

from sprintboard.errors import NotFound
from sprintboard.store.database import Rows, StoreCore

if TYPE_CHECKING:
    from sprintboard.models import StockItem


class Stock:
    def __init__(self, core: StoreCore) -> None:
        self.core = core

    def list(self) -> Rows:
        rows = self.core.rows("SELECT * FROM stock ORDER BY sku")
        for row in rows:
            row["low"] = row["on_hand"] < row["threshold"]
        return rows

    def count(self) -> int:
        return int(self.core.scalar("SELECT count(*) FROM stock"))

    def starting_with(self, prefix: str, limit: int = 20) -> Rows:
        """Rows whose SKU starts with `prefix` (any case), in SKU order: for completing a
        SKU when the stock table is too big to read whole."""
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = self.core.rows(
            "SELECT * FROM stock WHERE sku LIKE ? ESCAPE '\\' ORDER BY sku LIMIT ?",
            [escaped + "%", limit],
        )
        for row in rows:
            row["low"] = row["on_hand"] < row["threshold"]
        return rows

    def some(self, skus: builtins.list[str]) -> Rows:
        """The rows of these SKUs (exact names; unknown ones are left out)."""
        wanted = sorted(set(skus))[:1000]
        if not wanted:
            return []
        marks = ", ".join("?" * len(wanted))
        rows = self.core.rows(f"SELECT * FROM stock WHERE sku IN ({marks}) ORDER BY sku", wanted)
        for row in rows:
            row["low"] = row["on_hand"] < row["threshold"]
        return rows

    def get(self, sku: str) -> dict[str, Any]:
        row = self.core.row("SELECT * FROM stock WHERE sku = ?", [sku])
        if row is None:
            raise NotFound(f"sku: no stock for SKU {sku!r}")
        row["low"] = row["on_hand"] < row["threshold"]
        return row

    def cards_by_sku(self) -> dict[str, builtins.list[dict[str, Any]]]:
        """The cards that concern each SKU (the SKU is in their `skus`): key, title, status
        and sprint (None: backlog), oldest card first; SKUs no card names are left out."""
        found: dict[str, builtins.list[dict[str, Any]]] = {}
        rows = self.core.rows(
            """SELECT j.value AS sku, c.key, c.title, c.status, s.name AS sprint
               FROM cards c JOIN json_each(c.skus) j
               LEFT JOIN sprints s ON s.id = c.sprint_id
               WHERE c.skus != '[]' AND json_valid(c.skus) AND j.type = 'text'
               ORDER BY c.id"""
        )
        for row in rows:
            sku = row.pop("sku")
            cards = found.setdefault(sku, [])
            if all(c["key"] != row["key"] for c in cards):
                cards.append(row)
        return found

    def upsert(
        self,
        items: builtins.list[StockItem],
        *,
        action: str = "stock.import",
        given: builtins.list[frozenset[str]] | None = None,
    ) -> tuple[int, int]:
        """Insert or update stock rows in one transaction; returns (added, updated).

        `given`: per item, the fields its source really has (a CSV without a threshold
        column has none); an update leaves the others as stored, so a file of on-hand
        counts does not wipe names, thresholds and restock dates."""
        added = updated = 0
        with self.core.transaction(action) as tx:
            for index, item in enumerate(items):
                data = item.model_dump(mode="json")
                existing = self.core.row("SELECT * FROM stock WHERE sku = ?", [item.sku])
                if existing is None:
                    tx.insert("stock", data, key=item.sku)
                    added += 1
                    continue
                if given is not None:
                    data = {f: v for f, v in data.items() if f in given[index] or f == "sku"}
                if tx.update("stock", existing, data, key=item.sku):
                    updated += 1
        return added, updated
