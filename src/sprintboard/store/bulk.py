"""Bulk loading: many rows and their activity entries in one transaction (demo, import)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from typing import Any

from sprintboard.store.database import ENTITY_TABLES, Tx, new_uuid


def sql_uuid() -> str:
    """An SQL expression for a time-ordered (version 7) UUID, like database.new_uuid().

    The millisecond prefix is fixed when the statement is built (SQLite's 'now' is fixed
    per statement anyway); randomblob() gives each row its own random part.
    """
    h = f"{time.time_ns() // 1_000_000:012x}"
    return (
        f"('{h[:8]}-{h[8:12]}-7' || substr(lower(hex(randomblob(2))), 2) || '-' || "
        "substr('89ab', (abs(random()) % 4) + 1, 1) || substr(lower(hex(randomblob(2))), 2) "
        "|| '-' || lower(hex(randomblob(6))))"
    )


def insert_many(
    tx: Tx,
    entity: str,
    rows: list[dict[str, Any]],
    *,
    key_field: str | None = None,
    at_field: str | None = None,
) -> None:
    """Insert rows that all have the same columns (uuid included) and log each creation.

    The activity entries are written by one INSERT ... SELECT with json_object(), so a
    100,000-row load costs SQLite's time, not Python's. `at_field` names a column holding
    when the record was made, so a loaded history reads as it happened.
    """
    if not rows:
        return
    columns = list(rows[0])
    table = ENTITY_TABLES[entity]
    conn = tx.db.conn
    after_rowid = conn.execute(f"SELECT COALESCE(MAX(rowid), 0) FROM [{table}]").fetchone()[0]
    names = ", ".join(f"[{c}]" for c in columns)
    marks = ", ".join("?" for _ in columns)
    conn.executemany(
        f"INSERT INTO [{table}] ({names}) VALUES ({marks})",
        ([row[c] for c in columns] for row in rows),
    )
    log_created(tx, entity, after_rowid, key_field=key_field, at_field=at_field)


def log_created(
    tx: Tx,
    entity: str,
    after_rowid: int,
    *,
    key_field: str | None = None,
    at_field: str | None = None,
) -> None:
    """Log a 'create' entry, with the whole record, for every row past `after_rowid`."""
    table = ENTITY_TABLES[entity]
    conn = tx.db.conn
    record = ", ".join(f"'{c}', [{c}]" for c in _table_columns(conn, table))
    at = f"[{at_field}]" if at_field else "NULL"
    key = f"[{key_field}]" if key_field else "NULL"
    conn.execute(
        f"""INSERT INTO activity(uuid, txn, at, actor, device, action, entity, entity_uuid,
                entity_key, op, after)
            SELECT {sql_uuid()}, ?, COALESCE({at}, ?), ?, ?, ?, ?, uuid, {key}, 'create',
                json_object({record})
            FROM [{table}] WHERE rowid > ? ORDER BY rowid""",
        [tx.txn, tx.now, tx.core.actor, tx.core.device, tx.action, entity, after_rowid],
    )


def _table_columns(conn: Any, table: str) -> list[str]:
    return [row[1] for row in conn.execute(f"PRAGMA table_info([{table}])")]


def log_many(tx: Tx, entries: Iterable[dict[str, Any]]) -> None:
    """Append activity entries (entity, entity_uuid, op, and optional key/field/before/after/at)."""
    core = tx.core
    tx.db.conn.executemany(
        "INSERT INTO activity(uuid, txn, at, actor, device, action, entity, entity_uuid,"
        " entity_key, op, field, before, after) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (
            (
                new_uuid(),
                tx.txn,
                e.get("at") or tx.now,
                core.actor,
                core.device,
                tx.action,
                e["entity"],
                e["entity_uuid"],
                e.get("entity_key"),
                e["op"],
                e.get("field"),
                None
                if e.get("before") is None
                else json.dumps(e["before"], ensure_ascii=False, separators=(",", ":")),
                None
                if e.get("after") is None
                else json.dumps(e["after"], ensure_ascii=False, separators=(",", ":")),
            )
            for e in entries
        ),
    )


def bump_key_counters(tx: Tx, keys: Iterable[str]) -> None:
    """Make sure the per-team key counters are past every key just loaded."""
    highest: dict[str, int] = {}
    for key in keys:
        code, _, n = key.rpartition("-")
        highest[code] = max(highest.get(code, 0), int(n))
    tx.db.conn.executemany(
        """INSERT INTO key_counters(team_code, last) VALUES (?, ?)
           ON CONFLICT(team_code) DO UPDATE SET last = MAX(last, excluded.last)""",
        list(highest.items()),
    )
