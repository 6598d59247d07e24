"""What must hold in a sprintboard database whatever happened to the process writing it.

Read with a plain `sqlite3` connection (as a recovery tool would), never through the store:
a bug in the store must not hide a broken file.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sprintboard.store.database import ENTITY_TABLES

Row = dict[str, Any]


@contextmanager
def connect(path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection, closed on leaving the block."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    conn.row_factory = sqlite3.Row
    try:
        yield conn
    finally:
        conn.close()


def integrity(conn: sqlite3.Connection) -> list[str]:
    """Problems SQLite itself finds: page-level damage and dangling references."""
    try:
        problems = [r[0] for r in conn.execute("PRAGMA integrity_check") if r[0] != "ok"]
    except sqlite3.DatabaseError as exc:  # too damaged to even check
        return [str(exc)]
    problems += [
        f"foreign key: {r[0]} rowid {r[1]} -> {r[2]}"
        for r in conn.execute("PRAGMA foreign_key_check")
    ]
    return problems


def replay(conn: sqlite3.Connection) -> dict[str, dict[str, Row]]:
    """Every record as the activity log says it is now: entity -> uuid -> fields."""
    state: dict[str, dict[str, Row]] = {entity: {} for entity in ENTITY_TABLES}
    cursor = conn.execute(
        "SELECT entity, entity_uuid, op, field, before, after FROM activity ORDER BY id"
    )
    for entity, uuid, op, field, _before, after in cursor:
        records = state[entity]
        if op == "create":
            records[uuid] = json.loads(after)
        elif op == "delete":
            records.pop(uuid, None)
        elif uuid in records:
            records[uuid][field] = None if after is None else json.loads(after)
        else:
            records[uuid] = {"<updated without a create>": True}
    return state


def _same(logged: Any, stored: Any) -> bool:
    if logged == stored:
        return True
    if isinstance(stored, str) and not isinstance(logged, str):
        # JSON columns (labels, skus, onboarding) are logged as values, stored as text.
        try:
            return bool(json.loads(stored) == logged)
        except ValueError:
            return False
    return False


def log_mismatches(conn: sqlite3.Connection, limit: int = 10) -> list[str]:
    """Where the tables and a replay of the activity log disagree (nothing means they agree)."""
    state = replay(conn)
    problems: list[str] = []
    for entity, table in ENTITY_TABLES.items():
        logged = state[entity]
        rows = {r["uuid"]: dict(r) for r in conn.execute(f"SELECT * FROM [{table}]")}
        for uuid in rows.keys() - logged.keys():
            problems.append(f"{entity} {uuid}: in {table} but never created in the log")
        for uuid in logged.keys() - rows.keys():
            problems.append(f"{entity} {uuid}: the log says it exists, {table} has no such row")
        for uuid in rows.keys() & logged.keys():
            row, record = rows[uuid], logged[uuid]
            for column, value in row.items():
                if column in record and not _same(record[column], value):
                    problems.append(
                        f"{entity} {uuid}: {column} is {value!r}, the log says {record[column]!r}"
                    )
            if "<updated without a create>" in record:
                problems.append(f"{entity} {uuid}: updated in the log before it was created")
        if len(problems) >= limit:
            break
    return problems[:limit]
