"""What the stock screen shows, without Textual: one row per SKU and the cards that use it.

`fetch_stock` runs on the database thread; `StockView` is the screen's local state: every
row read, the ones the filters keep, and the cursor. A SKU that a card names but the
warehouse has not reported is shown too (`known` False): a promotion on it cannot be
checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sprintboard.errors import UserError


@dataclass(frozen=True)
class StockCard:
    key: str
    title: str
    status: str
    sprint: str | None  # None: the backlog


@dataclass(frozen=True)
class StockRow:
    sku: str
    name: str
    on_hand: int | None  # None: no stock row for this SKU
    threshold: int | None
    restock_date: str | None
    low: bool
    cards: tuple[StockCard, ...] = ()

    @property
    def known(self) -> bool:
        return self.on_hand is not None

    def matches(self, text: str) -> bool:
        """The text (any case) is in the SKU, the name or one of its cards' keys."""
        needle = text.casefold()
        fields = (self.sku, self.name, *(c.key for c in self.cards))
        return any(needle in value.casefold() for value in fields)


def stock_rows(
    stock: list[dict[str, Any]], cards: dict[str, list[dict[str, Any]]]
) -> list[StockRow]:
    """Rows in SKU order: every stock row, then every SKU only cards name, merged."""
    rows: dict[str, StockRow] = {}
    for s in stock:
        rows[s["sku"]] = StockRow(
            sku=s["sku"],
            name=s["name"],
            on_hand=int(s["on_hand"]),
            threshold=int(s["threshold"]),
            restock_date=s["restock_date"],
            low=bool(s["low"]),
        )
    for sku, using in cards.items():
        made = tuple(StockCard(c["key"], c["title"], c["status"], c["sprint"]) for c in using)
        known = rows.get(sku)
        if known is None:
            rows[sku] = StockRow(sku, "", None, None, None, False, made)
        else:
            rows[sku] = StockRow(
                known.sku,
                known.name,
                known.on_hand,
                known.threshold,
                known.restock_date,
                known.low,
                made,
            )
    return [rows[sku] for sku in sorted(rows)]


def fetch_stock(store: Any, card: str | None = None) -> dict[str, Any]:
    """Everything the stock screen shows, read in one go on the database thread.

    `card`: the screen shows only that card's SKUs (`skus`; none once the card is gone).
    """
    # The version first: a commit landing during the reads makes it look older, never newer.
    version = store.version()
    skus: frozenset[str] | None = None
    if card is not None:
        found = store.cards.query(keys=[card])
        skus = frozenset(found[0]["skus"]) if found else frozenset()
    return {
        "rows": stock_rows(store.stock.list(), store.stock.cards_by_sku()),
        "skus": skus,
        "version": version,
        "read_only": store.read_only,
    }


def import_stock(store: Any, path: str) -> str:
    """Import a stock CSV (as `sprintboard stock import`); returns its summary in one line,
    the first bad row's reason included. A file that cannot be read raises UserError."""
    from sprintboard.io.stock_csv import import_stock_csv

    where = path.strip()
    if not where:
        raise UserError("file: type the path of a stock CSV (columns sku, on_hand, ...)")
    done = import_stock_csv(lambda: store, Path(where).expanduser())
    summary = f"stock import: {done.summary()}"
    if done.errors:
        more = len(done.errors) - 1
        summary += f"; {done.errors[0]}" + (f" (and {more} more)" if more else "")
    return summary


@dataclass
class StockView:
    """Every row read, the rows the filters keep (`shown`), and the selected one."""

    rows: list[StockRow] = field(default_factory=list)
    text: str = ""
    skus: frozenset[str] | None = None
    """Only these SKUs (a card's, when opened from its detail); None: every SKU."""
    shown: list[StockRow] = field(default_factory=list)
    cursor: int = 0

    def load(self, rows: list[StockRow]) -> None:
        """New rows from the store; the selected SKU stays selected if it is still shown."""
        self.rows = rows
        self.refilter()

    def refilter(self) -> None:
        keep = self.selected()
        self.shown = [
            r
            for r in self.rows
            if (self.skus is None or r.sku in self.skus) and (not self.text or r.matches(self.text))
        ]
        skus = [r.sku for r in self.shown]
        if keep is not None and keep.sku in skus:
            self.cursor = skus.index(keep.sku)
        else:
            self.cursor = min(self.cursor, max(0, len(self.shown) - 1))

    def filter(self, text: str) -> None:
        self.text = text.strip()
        self.refilter()

    def selected(self) -> StockRow | None:
        return self.shown[self.cursor] if 0 <= self.cursor < len(self.shown) else None

    def move(self, delta: int) -> None:
        self.cursor = max(0, min(len(self.shown) - 1, self.cursor + delta))

    def counts(self) -> tuple[int, int, int]:
        """Shown SKUs, those low on stock, those cards name but the warehouse did not report."""
        low = sum(1 for r in self.shown if r.low)
        unknown = sum(1 for r in self.shown if not r.known)
        return len(self.shown), low, unknown
