"""What the stock screen shows: SKUs merged with the cards that name them, the filters, and
the import summary (the store and views parts; the screen's tests are in tests/ui)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sprintboard.errors import UserError
from sprintboard.models import Card, StockItem
from sprintboard.store import Store
from sprintboard.views.stock import StockView, fetch_stock, import_stock


def fill(store: Store) -> None:
    store.stock.upsert(
        [
            StockItem(sku="A-1", name="Table", on_hand=3, threshold=10),
            StockItem(sku="B-2", name="Chair", on_hand=50, threshold=10),
        ]
    )
    store.cards.add(Card(title="Promo tables", team="MKT", skus=["A-1", "Z-9"]))
    store.cards.add(Card(title="Page", team="CNT", skus=["A-1", "A-1"]))


def test_cards_by_sku_names_each_card_once(store: Store) -> None:
    fill(store)
    found = store.stock.cards_by_sku()
    assert {sku: [c["key"] for c in cards] for sku, cards in found.items()} == {
        "A-1": ["MKT-1", "CNT-1"],
        "Z-9": ["MKT-1"],
    }
    assert found["A-1"][0]["sprint"] is None and found["A-1"][0]["status"] == "backlog"


def test_rows_merge_stock_and_skus_only_cards_name(store: Store) -> None:
    fill(store)
    rows = fetch_stock(store)["rows"]
    assert [(r.sku, r.on_hand, r.low, r.known) for r in rows] == [
        ("A-1", 3, True, True),
        ("B-2", 50, False, True),
        ("Z-9", None, False, False),
    ]
    assert [c.key for c in rows[0].cards] == ["MKT-1", "CNT-1"]


def test_view_filters_keep_the_selection(store: Store) -> None:
    fill(store)
    view = StockView()
    view.load(fetch_stock(store)["rows"])
    assert view.counts() == (3, 1, 1)
    view.move(2)
    selected = view.selected()
    assert selected is not None and selected.sku == "Z-9"
    view.filter("mkt-1")  # a card key
    assert [r.sku for r in view.shown] == ["A-1", "Z-9"]
    selected = view.selected()
    assert selected is not None and selected.sku == "Z-9"
    view.filter("CHAIR")
    assert [r.sku for r in view.shown] == ["B-2"]
    narrowed = StockView(skus=frozenset({"B-2", "Z-9"}))
    narrowed.load(fetch_stock(store)["rows"])
    assert [r.sku for r in narrowed.shown] == ["B-2", "Z-9"]


def test_import_summary_and_refusals(store: Store, tmp_path: Path) -> None:
    csv = tmp_path / "s.csv"
    csv.write_text("sku,on_hand\nA-1,4\nB-2,x\nC-3,-1\n", encoding="utf-8")
    assert import_stock(store, str(csv)) == (
        "stock import: 1 added, 0 updated, 2 rejected; line 3: on_hand: must be a number "
        "written with the digits 0-9 (got 'x') (and 1 more)"
    )
    assert store.stock.get("A-1")["on_hand"] == 4
    with pytest.raises(UserError, match="file: type the path"):
        import_stock(store, "  ")
    with pytest.raises(UserError, match="no such file"):
        import_stock(store, str(tmp_path / "none.csv"))
