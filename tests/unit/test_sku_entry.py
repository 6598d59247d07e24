"""The card form's SKUs field as plain Python (completion of the last part, the stock line)
and the stock reads it uses when the table is too big to read whole."""

from __future__ import annotations

from typing import Any

from sprintboard.models import StockItem
from sprintboard.store import Store
from sprintboard.views.sku_entry import (
    SHOWN_SKUS,
    completion,
    last_part,
    split_skus,
    stock_line,
    stock_lines,
)

SKUS = ["GF-1001", "GF-1002", "HX-1"]


def row(sku: str, name: str, on_hand: int, threshold: int, restock: str | None) -> dict[str, Any]:
    return {
        "sku": sku,
        "name": name,
        "on_hand": on_hand,
        "threshold": threshold,
        "restock_date": restock,
        "low": on_hand < threshold,
    }


STOCK = {
    "GF-1001": row("GF-1001", "Gift box", 12, 20, "2026-12-11"),
    "GF-1002": row("GF-1002", "", 30, 20, None),
}


def test_last_part_keeps_what_was_entered_before_the_last_comma() -> None:
    assert last_part("GF-1001,  gf-") == ("GF-1001,  ", "gf-")
    assert last_part("gf") == ("", "gf")
    assert last_part("GF-1001, ") == ("GF-1001, ", "")


def test_completion_completes_only_the_last_part_in_any_case() -> None:
    assert completion("gf-1", SKUS) == "GF-1001"
    assert completion("hx-1, GF-100", SKUS) == "hx-1, GF-1001"
    assert completion("GF-1001, h", SKUS) == "GF-1001, HX-1"
    assert completion("GF-1001, ", SKUS) is None  # nothing typed yet
    assert completion("zz", SKUS) is None
    assert completion("GF-1001", SKUS) is None  # already whole: nothing longer to offer


def test_stock_line_names_on_hand_threshold_low_and_restock() -> None:
    assert (
        stock_line("GF-1001", STOCK["GF-1001"])
        == "GF-1001 Gift box · 12 on hand (low, threshold 20) · restock 2026-12-11"
    )
    assert stock_line("GF-1002", STOCK["GF-1002"]) == (
        "GF-1002 · 30 on hand (threshold 20) · no restock planned"
    )
    assert stock_line("ZZ-1", None) == "ZZ-1 ? not in stock"


def test_stock_lines_one_per_sku_with_a_hint_for_near_misses() -> None:
    assert stock_lines("GF-1001, gf-1002, gift, ZZ, GF-1002, GF-1001,", STOCK) == [
        (stock_line("GF-1001", STOCK["GF-1001"]), True),
        ("gf-1002 ? not in stock (did you mean GF-1002?)", False),
        ("gift ? not in stock (did you mean GF-1001 Gift box?)", False),
        ("ZZ ? not in stock", False),
        (stock_line("GF-1002", STOCK["GF-1002"]), False),
    ]
    assert stock_lines(" , ", STOCK) == []
    many = ", ".join(f"S-{n}" for n in range(SHOWN_SKUS + 3))
    lines = stock_lines(many, STOCK)
    assert len(lines) == SHOWN_SKUS + 1
    assert lines[-1].text == "… and 3 more SKUs"
    assert split_skus(" a, ,b ") == ["a", "b"]


def test_store_reads_stock_by_prefix_and_by_sku(store: Store) -> None:
    store.stock.upsert(
        [
            StockItem(sku="GF-1001", name="Gift box", on_hand=12, threshold=20),
            StockItem(sku="GF-1002", on_hand=30, threshold=20),
            StockItem(sku="G%_X", on_hand=1),
        ]
    )
    assert store.stock.count() == 3
    assert [r["sku"] for r in store.stock.starting_with("gf-")] == ["GF-1001", "GF-1002"]
    assert [r["sku"] for r in store.stock.starting_with("gf-", limit=1)] == ["GF-1001"]
    # % and _ are characters of a SKU, not patterns.
    assert [r["sku"] for r in store.stock.starting_with("G%")] == ["G%_X"]
    assert store.stock.starting_with("G_") == []
    found = store.stock.some(["GF-1002", "ZZ", "GF-1001", "GF-1002"])
    assert [(r["sku"], r["low"]) for r in found] == [("GF-1001", True), ("GF-1002", False)]
    assert store.stock.some([]) == []
