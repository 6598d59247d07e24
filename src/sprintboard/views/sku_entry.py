"""The card form's SKUs field as plain Python: the part being typed, its completion from
the stock table, and one line of stock per SKU entered.

The field holds comma-separated SKUs; only the last part (after the last comma) is
completed, so the SKUs already entered stay as typed. Completion ignores case; the stock
line matches a SKU exactly, as the promotion checks do, and says so when only the case
differs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

PRELOAD_LIMIT = 5000
"""Up to this many SKUs the form reads the whole stock table when it opens; beyond it,
it reads the rows a prefix or the entered SKUs need."""

SHOWN_SKUS = 6
"""Stock lines shown under the field; further SKUs are counted."""


def split_skus(value: str) -> list[str]:
    """The SKUs in the field, as the card will store them (stripped, empty parts dropped)."""
    return [part.strip() for part in value.split(",") if part.strip()]


def last_part(value: str) -> tuple[str, str]:
    """The field split into what stays (up to the last comma and the spaces after it) and
    the part being typed."""
    comma = value.rfind(",") + 1
    rest = value[comma:]
    typed = rest.lstrip()
    return value[: comma + len(rest) - len(typed)], typed


def completion(value: str, skus: Iterable[str]) -> str | None:
    """The field with its last part completed to the first SKU (in the given order) that
    starts with it, any case; None when nothing longer matches."""
    head, typed = last_part(value)
    if not typed:
        return None
    folded = typed.casefold()
    for sku in skus:
        if len(sku) > len(typed) and sku.casefold().startswith(folded):
            return head + sku
    return None


def stock_line(sku: str, row: Mapping[str, Any] | None, near: str | None = None) -> str:
    """One SKU's stock: name, on hand, threshold (low marked), restock date; or `? not in
    stock`, naming `near` (the SKU spelled in another case, or whose name matches)."""
    if row is None:
        line = f"{sku} ? not in stock"
        return f"{line} (did you mean {near}?)" if near else line
    name = f" {row['name']}" if row["name"] else ""
    low = "low, " if row["on_hand"] < row["threshold"] else ""
    restock = f"restock {row['restock_date']}" if row["restock_date"] else "no restock planned"
    return f"{sku}{name} · {row['on_hand']} on hand ({low}threshold {row['threshold']}) · {restock}"


class StockLine(NamedTuple):
    text: str
    low: bool  # on hand under the threshold: a promotion on it is a finding


def stock_lines(value: str, stock: Mapping[str, Mapping[str, Any]]) -> list[StockLine]:
    """A line per SKU in the field (the first `SHOWN_SKUS`), from `stock` (SKU -> row)."""
    skus = list(dict.fromkeys(split_skus(value)))
    lines = []
    for sku in skus[:SHOWN_SKUS]:
        row = stock.get(sku)
        low = row is not None and row["on_hand"] < row["threshold"]
        lines.append(StockLine(stock_line(sku, row, _near(sku, stock)), low))
    if len(skus) > SHOWN_SKUS:
        lines.append(StockLine(f"… and {len(skus) - SHOWN_SKUS} more SKUs", False))
    return lines


def _near(sku: str, stock: Mapping[str, Mapping[str, Any]]) -> str | None:
    """For a SKU not in stock: the stocked SKU it matches in another case, or the first
    whose name starts with it."""
    if sku in stock:
        return None
    folded = sku.casefold()
    for known in stock:
        if known.casefold() == folded:
            return known
    for known, row in stock.items():
        if str(row["name"]).casefold().startswith(folded):
            return f"{known} {row['name']}"
    return None
