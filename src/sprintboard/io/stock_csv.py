"""Warehouse stock levels from CSV: sku, name, on_hand, threshold, restock_date."""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sprintboard.errors import UserError
from sprintboard.io.items import MAX_IMPORT_ITEMS, not_utf8, open_text
from sprintboard.models import StockItem, describe_validation_error
from sprintboard.vocabulary import needs_cleaning

REQUIRED = ("sku", "on_hand")
OPTIONAL = ("name", "threshold", "restock_date")


def read_stock_csv(
    path: Path,
    *,
    cleaned: list[int] | None = None,
    given: list[frozenset[str]] | None = None,
    ignored: list[str] | None = None,
) -> tuple[list[StockItem], list[str]]:
    """Parse a stock CSV; returns the good rows and one message per bad row (with its line).
    `given` receives, per good row, the fields the file has columns for (an empty cell in
    one clears or defaults the value); `ignored`, the columns that are none of the known
    ones."""
    try:
        with open_text(path, newline="") as handle:
            reader = csv.DictReader(handle)
            header = [h.strip().lower() for h in reader.fieldnames or []]
            missing = [c for c in REQUIRED if c not in header]
            if missing:
                raise UserError(
                    f"{path}: line 1: missing column(s) {', '.join(missing)} (columns: "
                    f"{', '.join(REQUIRED + OPTIONAL)})"
                )
            reader.fieldnames = header
            if ignored is not None:
                ignored += [h for h in header if h and h not in REQUIRED + OPTIONAL]
            columns = frozenset(h for h in header if h in REQUIRED + OPTIONAL)
            items: list[StockItem] = []
            errors: list[str] = []
            for row in reader:
                if len(items) + len(errors) >= MAX_IMPORT_ITEMS:
                    raise UserError(f"{path}: more than {MAX_IMPORT_ITEMS:,} rows; split the file")
                line = reader.line_num
                data = {k: (v or "").strip() for k, v in row.items() if k in REQUIRED + OPTIONAL}
                for optional in OPTIONAL:
                    if not data.get(optional):
                        data.pop(optional, None)
                try:
                    items.append(StockItem.model_validate(data))
                    if given is not None:
                        given.append(columns)
                    if cleaned is not None and any(needs_cleaning(v) for v in data.values()):
                        cleaned.append(len(items))  # control characters removed
                except ValidationError as exc:
                    errors.append(f"line {line}: {describe_validation_error(exc)}")
            return items, errors
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise not_utf8(path, exc) from None
    except csv.Error as exc:
        raise UserError(f"{path}: not a readable CSV file ({exc})") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a directory, not a CSV file") from None


@dataclass
class StockImport:
    """What an import of a stock CSV did: rows added and updated, bad rows (one message
    each, with its line) and rows whose text had control characters removed."""

    added: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)
    cleaned: list[int] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    """Columns of the file that are none of the known ones (a misspelt `restock`)."""

    def summary(self) -> str:
        """One line, as `sprintboard stock import` prints it."""
        line = f"{self.added} added, {self.updated} updated, {len(self.errors)} rejected"
        if self.cleaned:
            line += f", {len(self.cleaned)} cleaned (control characters removed)"
        if self.ignored:
            shown = ", ".join(repr(c) for c in self.ignored[:5])
            line += (
                f"; columns not read: {shown} (the columns are {', '.join(REQUIRED + OPTIONAL)})"
            )
        return line


def import_stock_csv(open_store: Callable[[], Any], path: Path) -> StockImport:
    """Read a stock CSV and write its good rows in one transaction. `open_store()` gives the
    store, asked for only when there is something to write (a refused file creates no
    database). A file that cannot be read at all raises UserError, one line."""
    done = StockImport()
    given: list[frozenset[str]] = []
    items, done.errors = read_stock_csv(
        path, cleaned=done.cleaned, given=given, ignored=done.ignored
    )
    if items:
        # A column the file does not have leaves that field as stored.
        done.added, done.updated = open_store().stock.upsert(items, given=given)
    return done
