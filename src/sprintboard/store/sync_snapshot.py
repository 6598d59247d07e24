"""A plan as one file of records, so a new laptop starts without replaying every change.

A snapshot holds every record (references as uuids), the clock that set each field, the
cards' old keys, and how far it had read each device's operation files. A new laptop
loads the newest one, then applies only the operations after those positions: the
fields' clocks keep last-writer-wins exact for operations that arrive late.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from sprintboard.store.database import ENTITY_TABLES, StoreCore, Tx
from sprintboard.store.schema import FOREIGN_KEYS, SCHEMA_LEVEL
from sprintboard.store.sync_join import PUBLISH_ORDER
from sprintboard.store.sync_log import SYNC_FORMAT, _Refs, to_wire

SNAPSHOT_EVERY = 20_000
"""Operations received or sent since the last snapshot before a device writes a new one."""
_MAX_ID = 1 << 62


def snapshot_lines(
    core: StoreCore, positions: dict[str, tuple[str, int]], own: tuple[str, int] | None
) -> Iterator[dict[str, Any]]:
    """The header, then one line per record and per card alias (read in one snapshot
    of the database: the caller holds a read transaction)."""
    covered = dict(positions)
    if own is not None:
        covered[core.device] = own
    newest = core.scalar("SELECT MAX(hlc) FROM activity") or ""
    records = sum(
        int(core.scalar(f"SELECT COUNT(*) FROM [{ENTITY_TABLES[entity]}]"))
        for entity in PUBLISH_ORDER
    )
    yield {
        "format": "sprintboard-snapshot",
        "v": SYNC_FORMAT,
        "schema": SCHEMA_LEVEL,
        "device": core.device,
        "hlc": newest,
        "positions": {d: [s, n] for d, (s, n) in sorted(covered.items())},
        # A reader checks it loaded this many: a snapshot cut at a line end is not whole.
        "records": records,
    }
    refs = _Refs(core)
    logged, loaded = _clocks(core)
    for entity in PUBLISH_ORDER:
        table = ENTITY_TABLES[entity]
        for row in core.rows(f"SELECT * FROM [{table}] ORDER BY rowid"):
            fields = _latest(logged.get((entity, row["uuid"])), loaded.get(row["uuid"]))
            yield {
                "entity": entity,
                "row": to_wire(row, table, refs, _MAX_ID),
                "clock": fields,
            }
    for alias, card in core.conn.execute("SELECT alias, card_uuid FROM card_aliases"):
        yield {"alias": alias, "card": card}


def _clocks(
    core: StoreCore,
) -> tuple[dict[tuple[str, str], dict[str, str]], dict[str, dict[str, str]]]:
    """Which clock set each field ('' for the record's creation): by (entity, uuid) from
    the log, and by uuid from the snapshot this plan started from.

    One pass over each for every kind of record (a pass per kind read both whole each
    time: most of a snapshot's time at 100,000 cards)."""
    logged: dict[tuple[str, str], dict[str, str]] = {}
    for entity, uuid, column, hlc in core.conn.execute(
        """SELECT entity, entity_uuid, COALESCE(field, ''), MAX(hlc) FROM activity
           WHERE hlc IS NOT NULL AND op IN ('create', 'update')
           GROUP BY entity, entity_uuid, COALESCE(field, '')"""
    ):
        logged.setdefault((entity, uuid), {})[column] = hlc
    loaded: dict[str, dict[str, str]] = {}
    for uuid, column, hlc in core.conn.execute("SELECT entity_uuid, field, hlc FROM sync_clock"):
        loaded.setdefault(uuid, {})[column] = hlc
    return logged, loaded


def _latest(*found: dict[str, str] | None) -> dict[str, str]:
    """field -> the latest of the clocks given for it."""
    out: dict[str, str] = {}
    for clocks in found:
        for column, hlc in (clocks or {}).items():
            if hlc > out.get(column, ""):
                out[column] = hlc
    return out


def load_snapshot(tx: Tx, lines: Iterable[dict[str, Any]]) -> int:
    """Fill a plan that holds only its seeded teams from a snapshot's record lines (the
    header read already); returns the records loaded. One transaction (the caller's)."""
    conn = tx.conn
    conn.execute("PRAGMA defer_foreign_keys = ON")
    ids: dict[str, dict[str, int]] = {}
    loaded = 0
    clocks: list[tuple[str, str, str]] = []
    inserts: dict[tuple[str, tuple[str, ...]], str] = {}
    highest: dict[str, int] = {}
    columns: dict[str, set[str]] = {}
    for line in lines:
        if "alias" in line:
            conn.execute(
                "INSERT OR IGNORE INTO card_aliases(alias, card_uuid) VALUES (?, ?)",
                [str(line["alias"]), str(line["card"])],
            )
            continue
        entity, row, clock = line.get("entity"), line.get("row"), line.get("clock")
        if entity not in ENTITY_TABLES or not isinstance(row, dict):
            raise ValueError(f"a line holds no record of a kind sprintboard knows ({entity!r})")
        table = ENTITY_TABLES[entity]
        if table not in columns:
            columns[table] = {r[1] for r in conn.execute(f"PRAGMA table_info([{table}])")}
        unknown = set(row) - columns[table]
        if unknown or not isinstance(row.get("uuid"), str):
            name = sorted(unknown)[0][:40] if unknown else "uuid"
            raise ValueError(f"a {entity} line has a field sprintboard does not know ({name!r})")
        if not isinstance(clock, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in clock.items()
        ):
            raise ValueError(f"a {entity} line has no field clocks")
        row = dict(row)
        for column, parent in FOREIGN_KEYS.get(table, {}).items():
            value = row.get(column)
            if isinstance(value, str):
                row[column] = ids.get(parent, {}).get(value) or tx.core.scalar(
                    f"SELECT id FROM [{parent}] WHERE uuid = ?", [value]
                )
        if entity == "team" and tx.core.scalar(
            "SELECT 1 FROM teams WHERE uuid = ? OR code = ?", [row["uuid"], row["code"]]
        ):
            conn.execute("DELETE FROM teams WHERE uuid = ? OR code = ?", [row["uuid"], row["code"]])
        shape = (table, tuple(row))
        sql = inserts.get(shape)
        if sql is None:  # the same statement for every line of one shape: built once
            cols = ", ".join(f"[{c}]" for c in row)
            marks = ", ".join("?" for _ in row)
            sql = inserts[shape] = f"INSERT INTO [{table}] ({cols}) VALUES ({marks})"
        cursor = conn.execute(sql, list(row.values()))
        if table != "stock":
            ids.setdefault(table, {})[row["uuid"]] = int(cursor.lastrowid or 0)
        clocks += [(row["uuid"], column, hlc) for column, hlc in clock.items()]
        loaded += 1
        if entity == "card":
            prefix, _, number = str(row["key"]).rpartition("-")
            last = int(number) if number.isdigit() else 0
            highest[prefix] = max(highest.get(prefix, last), last)
    # Each team's key counter past its highest card: once per team, not once per card.
    conn.executemany(
        """INSERT INTO key_counters(team_code, last) VALUES (?, ?)
           ON CONFLICT(team_code) DO UPDATE SET last = MAX(last, excluded.last)""",
        list(highest.items()),
    )
    conn.executemany(
        "INSERT OR REPLACE INTO sync_clock(entity_uuid, field, hlc) VALUES (?, ?, ?)", clocks
    )
    if clocks:
        tx.core.observe(max(hlc for _, _, hlc in clocks))
    return loaded


def header_problem(header: Any) -> str | None:
    if not isinstance(header, dict) or header.get("format") != "sprintboard-snapshot":
        return "not a sprintboard snapshot"
    v, schema = header.get("v"), header.get("schema")
    if not isinstance(v, int) or not isinstance(schema, int):
        return "its header names no format or schema version"
    if v > SYNC_FORMAT or schema > SCHEMA_LEVEL:
        return "written by a newer sprintboard: upgrade sprintboard on this laptop"
    if not isinstance(header.get("hlc"), str):
        return "its header has no clock reading"
    return None


def as_json(line: dict[str, Any]) -> str:
    return json.dumps(line, ensure_ascii=False, sort_keys=True)
