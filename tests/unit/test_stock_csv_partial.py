"""A stock CSV changes only the columns it has: a file of on-hand counts keeps names,
thresholds and restock dates; a column it does not know is named, not silently ignored."""

from __future__ import annotations

from pathlib import Path

from sprintboard.io.stock_csv import import_stock_csv
from sprintboard.store import Store


def stock_row(store: Store, sku: str) -> tuple[object, ...]:
    row = store.row("SELECT name, on_hand, threshold, restock_date FROM stock WHERE sku = ?", [sku])
    assert row is not None
    return tuple(row.values())


def test_a_file_of_counts_keeps_what_it_does_not_give(store: Store, tmp_path: Path) -> None:
    full = tmp_path / "full.csv"
    full.write_text(
        "sku,name,on_hand,threshold,restock_date\n"
        "GF-1001,Teak table,14,40,2026-12-14\n"
        "GF-1002,Parasol,3,5,2026-12-20\n",
        encoding="utf-8",
    )
    assert import_stock_csv(lambda: store, full).summary() == "2 added, 0 updated, 0 rejected"

    counts = tmp_path / "counts.csv"
    counts.write_text("sku,on_hand\nGF-1001,15\nGF-9,7\n", encoding="utf-8")
    done = import_stock_csv(lambda: store, counts)
    assert (done.added, done.updated) == (1, 1)
    assert stock_row(store, "GF-1001") == ("Teak table", 15, 40, "2026-12-14")
    assert stock_row(store, "GF-9") == ("", 7, 0, None)  # a new SKU takes the defaults

    # A column the file has is the file's to say, an empty cell included (no restock
    # planned any more); the columns it lacks stay.
    blanks = tmp_path / "blanks.csv"
    blanks.write_text("sku,on_hand,restock_date\nGF-1002,4,\n", encoding="utf-8")
    import_stock_csv(lambda: store, blanks)
    assert stock_row(store, "GF-1002") == ("Parasol", 4, 5, None)


def test_an_unknown_column_is_named(store: Store, tmp_path: Path) -> None:
    typo = tmp_path / "typo.csv"
    typo.write_text("sku,on_hand,restock\nGF-1001,15,2026-12-30\n", encoding="utf-8")
    done = import_stock_csv(lambda: store, typo)
    assert done.ignored == ["restock"]
    assert done.summary() == (
        "1 added, 0 updated, 0 rejected; columns not read: 'restock' (the columns are sku, "
        "on_hand, name, threshold, restock_date)"
    )
    assert stock_row(store, "GF-1001")[3] is None
