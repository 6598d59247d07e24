"""The activity log as operations that travel: what a plan sends to the others.

An operation is one activity entry in a form every laptop reads the same way: records are
named by uuid (never by this database's integer ids), and it carries the hybrid logical
clock reading that orders it among everyone's changes. `outgoing` lists this plan's own
changes not shared yet; `publish` turns a plan that was never shared into operations (its
records as they are now), when it joins a shared plan.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from sprintboard.store.database import ENTITY_TABLES, StoreCore, Tx
from sprintboard.store.schema import FOREIGN_KEYS, SCHEMA_LEVEL

SYNC_FORMAT = 1
"""The operations' format; a laptop refuses operations in a newer one."""


PUBLISH = "sync.publish"
"""The action of the entries that put a plan's records into the shared log when it joins."""
REPAIR = "sync.repair"
"""The action of changes sync makes itself (a renumbered key, a renamed sprint)."""
APPLIED = "sync"
"""The action under which a sync records what it did not receive but did here."""

# meta keys
DEVICE = "device"
FOLDER = "sync_folder"
REMOTE = "sync_remote"
SHARED_UPTO = "sync_shared_upto"
JOINED_UPTO = "sync_joined_upto"
"""The last log id from before the plan joined: its own operations start after it."""
OWN_FILES = "sync_own_files"
LAST_SYNC = "sync_last"
LAST_ERROR = "sync_last_error"


def meta(core: StoreCore, key: str) -> str | None:
    found = core.scalar("SELECT value FROM meta WHERE key = ?", [key])
    return None if found is None else str(found)


def set_meta(tx: Tx, key: str, value: str | None) -> None:
    if value is None:
        tx.conn.execute("DELETE FROM meta WHERE key = ?", [key])
    else:
        tx.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", [key, value])


def is_shared(core: StoreCore) -> bool:
    """The plan was connected to a sync folder (`sprintboard sync init`)."""
    return meta(core, FOLDER) is not None


class _Refs:
    """Integer ids of this database as uuids, as they were when an entry was written: an
    id may have been handed to another record since (SQLite reuses the highest id of a
    deleted row, and a record brought back by undo or sync may come back under another
    id), so the record holding it now is the one meant only if it held it then."""

    def __init__(self, core: StoreCore) -> None:
        self.core = core
        # (table, id) -> the record holding it now, and that record's creations and
        # deletions in the log: (log id, op, the id it had).
        self.cache: dict[tuple[str, int], tuple[str | None, list[tuple[int, str, Any]]]] = {}

    def uuid(self, table: str, ident: int, entry_id: int) -> str | None:
        found = self.cache.get((table, ident))
        if found is None:
            row = self.core.row(f"SELECT uuid FROM [{table}] WHERE id = ?", [ident])
            spans: list[tuple[int, str, Any]] = []
            if row is not None:
                spans = [
                    (int(r[0]), str(r[1]), r[2])
                    for r in self.core.conn.execute(
                        """SELECT id, op, json_extract(COALESCE(after, before), '$.id')
                           FROM activity WHERE entity_uuid = ? AND op IN ('create', 'delete')
                           ORDER BY id""",
                        [row["uuid"]],
                    )
                ]
            found = (None if row is None else str(row["uuid"]), spans)
            self.cache[(table, ident)] = found
        uuid, spans = found
        then = [span for span in spans if span[0] <= entry_id]
        held = not spans or (then and then[-1][1] == "create" and then[-1][2] in (ident, None))
        if uuid is not None and held:
            return uuid  # made before the log began, or holding this id at the entry
        entity = next(e for e, t in ENTITY_TABLES.items() if t == table)
        older = self.core.scalar(
            """SELECT entity_uuid FROM activity WHERE entity = ? AND op = 'create'
               AND json_extract(after, '$.id') = ? AND id <= ? ORDER BY id DESC LIMIT 1""",
            [entity, ident, entry_id],
        )
        if older is None and uuid is not None and then and then[-1][1] == "create":
            return uuid  # its id changed outside the log (loaded from a snapshot)
        return None if older is None else str(older)


def to_wire(row: dict[str, Any], table: str, refs: _Refs, entry_id: int) -> dict[str, Any]:
    """A record as operations carry it: no local id, references as uuids."""
    out = {k: v for k, v in row.items() if k != "id"}
    for column, parent in FOREIGN_KEYS.get(table, {}).items():
        value = out.get(column)
        if isinstance(value, int):
            out[column] = refs.uuid(parent, value, entry_id)
    return out


def _value(value: Any, table: str, field: str, refs: _Refs, entry_id: int) -> Any:
    parent = FOREIGN_KEYS.get(table, {}).get(field)
    if parent is not None and isinstance(value, int):
        return refs.uuid(parent, value, entry_id)
    return value


def wire_op(entry: dict[str, Any], refs: _Refs) -> dict[str, Any]:
    """One activity entry (a row of the log) as an operation."""
    table = ENTITY_TABLES[entry["entity"]]
    before = None if entry["before"] is None else json.loads(entry["before"])
    after = None if entry["after"] is None else json.loads(entry["after"])
    op, eid = entry["op"], int(entry["id"])
    if op == "create":
        after = to_wire(after or {}, table, refs, eid)
    elif op == "delete":
        before = to_wire(before or {}, table, refs, eid)
    else:
        before = _value(before, table, entry["field"], refs, eid)
        after = _value(after, table, entry["field"], refs, eid)
    found = {
        "v": SYNC_FORMAT,
        "schema": SCHEMA_LEVEL,
        "hlc": entry["hlc"],
        "tx": entry["txn"],
        "at": entry["at"],
        "actor": entry["actor"],
        "device": entry["device"],
        "action": entry["action"],
        "entity": entry["entity"],
        "uuid": entry["entity_uuid"],
        "key": entry["entity_key"],
        "op": op,
        "field": entry["field"],
        "before": before,
        "after": after,
    }
    if entry["undoes"]:
        found["undoes"] = entry["undoes"]
    return found


def shared_upto(core: StoreCore) -> int:
    return int(meta(core, SHARED_UPTO) or 0)


def outgoing(
    core: StoreCore, *, limit: int | None = None, batch: int = 5000
) -> Iterator[tuple[int, dict[str, Any]]]:
    """This plan's own changes not shared yet, oldest first: (log id, operation). Read in
    batches, so publishing a 100,000-card plan never holds its whole log at once."""
    refs = _Refs(core)
    after, left = shared_upto(core), limit
    while left is None or left > 0:
        size = batch if left is None else min(batch, left)
        entries = core.rows(
            "SELECT * FROM activity WHERE id > ? AND origin IS NULL AND hlc IS NOT NULL"
            " ORDER BY id LIMIT ?",
            [after, size],
        )
        for entry in entries:
            yield int(entry["id"]), wire_op(entry, refs)
        if len(entries) < size:
            return
        after = int(entries[-1]["id"])
        if left is not None:
            left -= len(entries)


def unshared_count(core: StoreCore) -> int:
    return int(
        core.scalar(
            "SELECT COUNT(*) FROM activity WHERE id > ? AND origin IS NULL AND hlc IS NOT NULL",
            [shared_upto(core)],
        )
    )


def unshared_changes(core: StoreCore) -> int:
    """Changes (transactions) made here and not shared yet: what the header counts."""
    return int(
        core.scalar(
            "SELECT COUNT(DISTINCT txn) FROM activity WHERE id > ? AND origin IS NULL"
            " AND hlc IS NOT NULL AND action != ?",
            [shared_upto(core), PUBLISH],
        )
    )
