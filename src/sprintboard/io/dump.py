"""The whole plan as one versioned JSON document, and its exact restore.

Shape (version 1)::

    {
      "format": "sprintboard",
      "version": 1,
      "schema": 8,                      # what records can hold (store/schema.py SCHEMA_LEVEL)
      "sprintboard": "0.1.0",
      "exported_at": "2026-03-11T10:30:00Z",
      "tables": {
        "teams": [{"id": 1, "uuid": "…", "code": "MKT", …}, …],
        "key_counters": [{"team_code": "IT", "last": 42}, …],
        "cards": [{"id": 1, "uuid": "…", "key": "IT-1", "labels": "[\"promotion\"]", …}],
        …                               # every table of the plan, parents first
      }
    }

Each table is a list of its rows, column name -> value exactly as stored (ids, uuids and
keys included; JSON columns such as `labels` stay JSON text). The activity log is not
exported: a restore records every row it writes as created, in one transaction. A backup
(`sprintboard backup`) keeps the log too.

`write_dump` writes that document row by row from the database (what the CLI uses: memory
stays flat at any size); `export_dump` builds it in memory, for callers that want the dict.
Both give the same text: `json.dumps(document, ensure_ascii=False, indent=1) + "\n"`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sprintboard import __version__
from sprintboard.errors import UserError
from sprintboard.io.dump_rows import check_rows
from sprintboard.store import Store
from sprintboard.store.bulk import (
    NOT_DATA_TABLES,
    data_tables,
    read_tables,
    restore_tables,
    row_counts,
    table_columns,
)
from sprintboard.store.schema import SCHEMA_LEVEL

FORMAT = "sprintboard"
VERSION = 1

KEY_FIELDS = {
    "teams": "code",
    "members": "name",
    "goals": "title",
    "sprints": "name",
    "cards": "key",
    "stock": "sku",
}
"""The column the activity log names each restored record by."""


_VALUE = json.JSONEncoder(ensure_ascii=False)
# A row is a flat object of column values: with this item separator the C encoder lays it
# out as indent=1 does at the row's depth (4 spaces), between its braces.
_ROW = json.JSONEncoder(ensure_ascii=False, separators=(",\n    ", ": "))


def _header(store: Store) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "schema": SCHEMA_LEVEL,
        "sprintboard": __version__,
        "exported_at": store.now(),
    }


def export_dump(store: Store) -> dict[str, Any]:
    """The whole database (except the activity log) as a JSON-ready document, in memory.

    For a file use `write_dump`: at 100,000 cards this dict and its text take ~700 MB.
    """
    tables = read_tables(store, data_tables(store))
    return {**_header(store), "tables": tables}


def write_dump(store: Store, write: Callable[[str], object]) -> None:
    """Write the document `export_dump` returns, as JSON text, a row at a time.

    The text is exactly `json.dumps(export_dump(store), ensure_ascii=False, indent=1)`
    plus a newline, read from one snapshot of the database, so `restore_dump` takes it.
    """
    write("{")
    for key, value in _header(store).items():
        write(f"\n {_VALUE.encode(key)}: {_VALUE.encode(value)},")
    write('\n "tables": {')
    tables = data_tables(store)
    with _snapshot(store):
        for n, table in enumerate(tables):
            write(f"{',' if n else ''}\n  {_VALUE.encode(table)}: [")
            separator = "\n   "
            for row in _table_rows(store, table):
                # The row's text (keys and values) comes from the json module.
                write(f"{separator}{{\n    {_ROW.encode(row)[1:-1]}\n   }}")
                separator = ",\n   "
            write("]" if separator == "\n   " else "\n  ]")
    write("\n }\n}\n" if tables else "}\n}\n")


@contextmanager
def _snapshot(store: Store) -> Iterator[None]:
    """Hold one read transaction (and the store's lock), so every table is read as of the
    same commit; inside a caller's transaction, read that one."""
    with store._lock:
        own = not store.conn.in_transaction
        if own:
            store.conn.execute("BEGIN")
        try:
            yield
        finally:
            if own:
                store.conn.execute("COMMIT")


def _table_rows(store: Store, table: str) -> Iterator[dict[str, Any]]:
    """Each row of `table` in insertion (rowid) order, one at a time from the cursor."""
    cursor = store.conn.execute(f"SELECT * FROM [{table}] ORDER BY rowid")
    names = [d[0] for d in cursor.description]
    for values in cursor:
        yield dict(zip(names, values, strict=True))


def check_dump(store: Store, document: Any) -> dict[str, list[dict[str, Any]]]:
    """The tables of an export, checked against this database's schema, or one clear error
    naming the JSON path of the problem."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise UserError('$.format: not a sprintboard export (expected "format": "sprintboard")')
    version = document.get("version")
    if version != VERSION:
        raise UserError(f"$.version: this sprintboard reads version {VERSION} (got {version!r})")
    schema = document.get("schema")
    if not isinstance(schema, int) or isinstance(schema, bool):
        raise UserError(f"$.schema: expected the schema number (got {schema!r})")
    if schema > SCHEMA_LEVEL:
        raise UserError(
            f"$.schema: exported by a newer sprintboard (schema {schema}, this one knows "
            f"{SCHEMA_LEVEL}); upgrade sprintboard to restore it"
        )
    tables = document.get("tables")
    if not isinstance(tables, dict):
        raise UserError("$.tables: expected an object of tables")
    known = data_tables(store)
    for name, rows in tables.items():
        if name not in known:
            raise UserError(f"$.tables.{name}: no such table here (known: {', '.join(known)})")
        if not isinstance(rows, list):
            raise UserError(f"$.tables.{name}: expected a list of rows")
        columns = set(table_columns(store, name))
        first: list[str] | None = None
        for index, row in enumerate(rows):
            at = f"$.tables.{name}[{index}]"
            if not isinstance(row, dict):
                raise UserError(f"{at}: expected a row object")
            unknown = sorted(set(row) - columns)
            if unknown:
                raise UserError(f"{at}.{unknown[0]}: no such column in {name}")
            if first is None:
                first = list(row)
            elif set(row) != set(first):
                different = sorted(set(row) ^ set(first))[0]
                raise UserError(f"{at}: has not the same columns as row 0 ({different!r})")
            for column, value in row.items():
                if not isinstance(value, str | int | float | type(None)):
                    raise UserError(f"{at}.{column}: expected text, a number or null")
    return tables


def restore_dump(
    store: Store, document: Any, *, dry_run: bool = False, notes: list[str] | None = None
) -> dict[str, int]:
    """Restore an export into a database holding nothing but its seeded teams.

    Returns rows per table. Every row goes in as it was (ids, uuids, keys and key counters
    kept), in one transaction: all or nothing. Values are checked as every other way into
    the store checks them (io/dump_rows.py); text that needed cleaning (control characters,
    lone surrogates) goes in cleaned, counted as "text values cleaned"; what goes in
    otherwise than written (a sprint renamed) is described in `notes`.
    """
    tables = check_dump(store, document)
    types = {name: column_types(store, name) for name in tables}
    cleaned = check_rows(tables, types, notes)
    counts = {name: len(rows) for name, rows in tables.items() if rows}
    if cleaned:
        counts["text values cleaned"] = cleaned
    if dry_run:
        _require_empty(store)
        return counts
    try:
        with store.transaction("import.json") as tx:
            _require_empty(store)
            restore_tables(tx, tables, KEY_FIELDS)
    except sqlite3.IntegrityError as exc:
        raise UserError(
            f"$.tables: the database refused the rows ({exc}); nothing was written"
        ) from None
    return counts


def column_types(store: Store, table: str) -> dict[str, str]:
    """Each column of `table` and its declared SQLite type (INTEGER, REAL, TEXT)."""
    return {r["name"]: r["type"] for r in store.rows(f"SELECT * FROM pragma_table_info('{table}')")}


def _require_empty(store: Store) -> None:
    # Empty: nothing but the seeded teams (and the key counters of deleted cards).
    held = [t for t, n in row_counts(store, data_tables(store)).items() if n]
    if set(held) - {"teams", "key_counters"}:
        raise UserError(
            f"{store.path} already holds a plan; restore into a new database "
            "(sprintboard --db NEW.db import FILE --from json)"
        )


def check_database_values(conn: sqlite3.Connection) -> None:
    """Check every value a database holds as a JSON restore checks its rows (types per
    column, dates, ranges, JSON lists, keys, counters, no dependency cycle): for `restore`,
    so a backup edited by another tool cannot bring in what the CLI would refuse. Raises
    UserError naming the first bad value (`$.tables.cards[3].labels: ...`)."""
    conn.row_factory = sqlite3.Row
    try:
        found = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchall()
        virtual = [r["name"] for r in found if (r["sql"] or "").upper().startswith("CREATE VIRT")]
        names = [
            r["name"]
            for r in found
            if r["name"] not in NOT_DATA_TABLES
            and r["name"] not in virtual
            and not any(r["name"].startswith(f"{v}_") for v in virtual)
        ]
        tables = {
            name: [dict(row) for row in conn.execute(f'SELECT * FROM "{name}" ORDER BY rowid')]
            for name in names
        }
        types = {
            name: {r["name"]: r["type"] for r in conn.execute(f"PRAGMA table_info('{name}')")}
            for name in names
        }
    finally:
        conn.row_factory = None
    check_rows(tables, types)
