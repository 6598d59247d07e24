"""Warehouse stock: one row per SKU with its on-hand count and low-stock threshold."""

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
