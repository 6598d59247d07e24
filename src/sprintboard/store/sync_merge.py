"""Merging other laptops' operations into this plan, the same way on every laptop.

Rules (ARCHITECTURE.md, "Sharing a plan", says why):
- operations apply in hybrid-logical-clock order; per field of a record, the change with
  the latest clock wins, whatever order the operations arrive in;
- a create is idempotent by uuid (an existing record takes its fields as changes); a
  delete wins over edits made concurrently (what they set is kept as a conflict, and
  taking it brings the record back);
- the value a merge overrides, when its writer had not seen the winning one, is kept as
  a conflict (`sync_conflicts`) that someone can take back with one key;
- values that must be unique are settled by who claimed them first: the later card is
  renumbered (its old key stays an alias), a later sprint or team renamed, a later import
  id cleared; two records that are one by nature (the same SKU, the same link) become one
  under the earlier uuid. Cleared ids and merged records are changes of sync's own that
  travel; keys, names and codes are worked out from the claims by every laptop alone
  (sync_unique.py says why), so every laptop ends with the same plan;
- a record created (or brought back) by an operation older than changes already here
  takes those newer changes, whichever arrived first.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sprintboard.errors import UserError
from sprintboard.store.database import ENTITY_TABLES, StoreCore, Tx, new_uuid, parse_hlc
from sprintboard.store.schema import BOOKKEEPING, FOREIGN_KEYS, SCHEMA_LEVEL
from sprintboard.store.sync_log import APPLIED, REPAIR, SYNC_FORMAT, _Refs
from sprintboard.store.sync_unique import (
    RENAMED,
    key_number,
    placeholder,
    settle_active_sprint,
    settle_card_keys,
    settle_names,
    write_settled,
)
from sprintboard.vocabulary import replace_surrogates, strip_control

NULLABLE_REFS = frozenset(
    {
        ("cards", "sprint_id"),
        ("cards", "goal_id"),
        ("feedback", "card_id"),
        ("feedback", "duplicate_of"),
        ("checklist_items", "team_id"),
    }
)
SAME_RECORD = {
    "stock": ("sku",),
    "dependencies": ("blocker_id", "dependent_id"),
    "card_teams": ("card_id", "team_id"),
    "sprint_capacity": ("sprint_id", "team_id"),
    "plan_settings": ("name",),
}
"""Records that are one record when these columns agree, whatever their uuids."""
UNIQUE_VALUES = {
    "cards": {"key": "renumber", "external_id": "clear"},
    "teams": {"code": "rename"},
    "sprints": {"name": "rename"},
    "comments": {"external_id": "clear"},
    "checklist_items": {"external_id": "clear"},
}
"""Values two records cannot share: how the one that claimed it later gives way."""
_TABLE_ENTITY = {table: entity for entity, table in ENTITY_TABLES.items()}
_KEEP = object()


@dataclass
class MergeReport:
    """What one merge did here."""

    received: int = 0
    applied: int = 0
    superseded: int = 0
    conflicts: int = 0
    refused: int = 0
    renumbered: list[tuple[str, str]] = field(default_factory=list)


def op_problem(op: Any, columns: dict[str, set[str]]) -> str | None:
    """Why an operation cannot be applied by this sprintboard (newer format or schema, or
    not an operation at all), in words; None when it can. Checked for every incoming
    operation before any is applied, so a plan never takes half of a newer batch."""
    if not isinstance(op, dict):
        return "not an operation"
    v, schema = op.get("v"), op.get("schema")
    if not isinstance(v, int) or not isinstance(schema, int):
        return "no format or schema version"
    if v > SYNC_FORMAT or schema > SCHEMA_LEVEL:
        return (
            f"written by a newer sprintboard (operations format {v}, schema {schema}; this "
            f"one reads format {SYNC_FORMAT}, schema {SCHEMA_LEVEL}): upgrade sprintboard "
            "on this laptop, then sync again"
        )
    entity, kind = op.get("entity"), op.get("op")
    if entity not in ENTITY_TABLES or kind not in ("create", "update", "delete"):
        return f"unknown record kind {entity!r} or change {kind!r}"
    if not isinstance(op.get("uuid"), str) or not isinstance(op.get("hlc"), str):
        return "no record uuid or clock"
    try:
        parse_hlc(op["hlc"])
    except ValueError:
        return f"clock {op['hlc']!r} is not a clock reading"
    known = columns[ENTITY_TABLES[entity]]
    if kind == "update" and op.get("field") not in known:
        return f"unknown field {op.get('field')!r} of a {entity}"
    if kind == "create":
        after = op.get("after")
        if not isinstance(after, dict) or not set(after) <= known:
            return f"a {entity} with fields this sprintboard does not know"
    return None


def table_columns(core: StoreCore) -> dict[str, set[str]]:
    return {
        table: {r[1] for r in core.conn.execute(f"PRAGMA table_info([{table}])")}
        for table in ENTITY_TABLES.values()
    }


_UNCLEAN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff]")
"""What `strip_control` and `replace_surrogates` change (a carriage return too: it becomes
a newline), but U+0085, which a title keeps as given; text without any is stored as it
came, without running them."""


def _clean(value: Any) -> Any:
    """Text from another laptop, as this one stores typed text (no terminal controls)."""
    if isinstance(value, str) and _UNCLEAN.search(value):
        # U+0085 stays: titles keep it (the value checks refuse it where a field may not).
        return "\x85".join(strip_control(replace_surrogates(p)) for p in value.split("\x85"))
    return value


def _dump(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":"))


def _load(text: str | None) -> Any:
    return None if text is None else json.loads(text)


class Merger:
    """Applies operations inside one open transaction (the caller's)."""

    def __init__(self, tx: Tx) -> None:
        self.tx = tx
        self.core = tx.core
        self.conn = tx.conn
        self.report = MergeReport()
        # What every operation would otherwise ask the database again, read once (at first
        # use) and kept up to date by the merge itself:
        self._aliases: dict[str, str] | None = None  # sync_uuid_alias, whole (it is small)
        self._deletes: set[str] | None = None  # uuids with a delete in the log
        self._loaded_clocks: bool | None = None  # sync_clock holds rows (a snapshot's)
        self._ids: dict[tuple[str, str], int] = {}  # (table, uuid) -> id, of records found
        # Card key prefixes and tables whose unique values this merge may have unsettled.
        self._unsettled_keys: set[str] = set()
        self._unsettled_names: set[str] = set()
        self._waiting_for: set[str] | None = None  # see _wanted
        # Records waiting under a placeholder: uuid -> {column: the value they claim}.
        self._waiting: dict[str, dict[str, Any]] = {}

    # -- reading this plan -----------------------------------------------------------------

    def canonical(self, uuid: str) -> str:
        if self._aliases is None:
            self._aliases = {
                str(a): str(c)
                for a, c in self.conn.execute("SELECT uuid, canonical FROM sync_uuid_alias")
            }
        return self._aliases.get(uuid, uuid)

    def _row(self, table: str, uuid: str) -> dict[str, Any] | None:
        return self.core.row(f"SELECT * FROM [{table}] WHERE uuid = ?", [uuid])

    def _shown(self, row: dict[str, Any]) -> dict[str, Any]:
        """A record as the log names it: the value it claims, not the placeholder it waits
        under until the merge ends (a deleted record's entry must not keep one)."""
        return {**row, **self._waiting.get(row["uuid"], {})}

    def clock(self, uuid: str, column: str) -> dict[str, Any] | None:
        """The change that set a record's field as it is now (the latest by clock), with
        its clock, writer and the values it replaced and wrote; None when no change with a
        clock did (history from before sync). Seeding a new plan's teams is no change:
        what another laptop gave a seeded team (a cost rate) wins over the seed."""
        entry = self.core.row(
            """SELECT hlc, device, actor, at, action, op, before, after, origin FROM activity
               WHERE entity_uuid = ? AND hlc IS NOT NULL
                 AND (field = ? OR (op = 'create' AND action != 'seed'))
               ORDER BY hlc DESC, id DESC LIMIT 1""",
            [uuid, column],
        )
        if self._loaded_clocks is None:  # only loading a snapshot adds any, never a merge
            self._loaded_clocks = bool(
                self.conn.execute("SELECT 1 FROM sync_clock LIMIT 1").fetchone()
            )
        snap = None
        if self._loaded_clocks:
            snap = self.core.row(
                """SELECT hlc FROM sync_clock WHERE entity_uuid = ? AND field IN (?, '')
                   ORDER BY hlc DESC LIMIT 1""",
                [uuid, column],
            )
        if snap is not None and (entry is None or snap["hlc"] > entry["hlc"]):
            return {"hlc": snap["hlc"], "op": "snapshot", "before": None, "after": None}
        if entry is None:
            return None
        if entry["op"] == "create":
            entry["after"] = (_load(entry["after"]) or {}).get(column)
            entry["before"] = None
        else:
            entry["after"], entry["before"] = _load(entry["after"]), _load(entry["before"])
        return entry

    def _deleted(self, uuid: str) -> dict[str, Any] | None:
        """The delete that ended a record here, when its latest create or delete is one."""
        if self._deletes is None:
            self._deletes = {
                str(u)
                for (u,) in self.conn.execute(
                    "SELECT DISTINCT entity_uuid FROM activity WHERE op = 'delete'"
                )
            }
        if uuid not in self._deletes:  # never deleted here: most records that arrive
            return None
        last = self.core.row(
            """SELECT hlc, actor, device, at, op FROM activity WHERE entity_uuid = ?
               AND op IN ('create', 'delete') ORDER BY hlc DESC, id DESC LIMIT 1""",
            [uuid],
        )
        return last if last is not None and last["op"] == "delete" else None

    def _local(self, table: str, column: str, value: Any) -> tuple[Any, bool]:
        """A referenced record's uuid as this database's id: (id, found)."""
        parent = FOREIGN_KEYS.get(table, {}).get(column)
        if parent is None or value is None:
            return value, True
        if not isinstance(value, str):
            return None, False
        known = (parent, self.canonical(value))
        if known not in self._ids:
            found = self.conn.execute(
                f"SELECT id FROM [{parent}] WHERE uuid = ?", [known[1]]
            ).fetchone()
            if found is None:
                return None, False
            self._ids[known] = found[0]
        return self._ids[known], True

    # -- writing the log -------------------------------------------------------------------

    def _log(
        self,
        op: dict[str, Any],
        uuid: str,
        kind: str,
        *,
        key: str | None,
        column: str | None = None,
        before: Any = None,
        after: Any = None,
    ) -> None:
        """Record a received change in this plan's log, as its writer made it (who, when,
        which transaction, its clock), marked as received from its device."""
        if kind == "delete" and self._deletes is not None:
            self._deletes.add(uuid)
        self.conn.execute(
            "INSERT INTO activity(uuid, txn, at, actor, device, action, entity, entity_uuid,"
            " entity_key, op, field, before, after, undoes, hlc, origin)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                new_uuid(),
                str(op.get("tx") or new_uuid()),
                str(op.get("at") or self.tx.now),
                _clean(str(op.get("actor") or "unknown")),
                str(op.get("device") or "unknown"),
                str(op.get("action") or "change"),
                op["entity"],
                uuid,
                key,
                kind,
                column,
                _dump(before),
                _dump(after),
                op.get("undoes"),
                op["hlc"],
                str(op.get("device") or "unknown"),
            ],
        )

    def _repair(self, entity: str, row: dict[str, Any], changes: dict[str, Any]) -> None:
        """A change sync makes itself, with a clock after everything merged so far: it
        travels like any change, so every laptop ends with the same plan."""
        saved = self.tx.action, self.tx.hlc
        self.tx.action, self.tx.hlc = REPAIR, self.core.tick()
        try:
            self.tx.update(entity, row, changes, key=_key(entity, row))
        finally:
            self.tx.action, self.tx.hlc = saved

    def note(
        self,
        kind: str,
        entity: str,
        uuid: str,
        key: str | None,
        column: str | None,
        *,
        kept: Any,
        other: Any,
        who: dict[str, Any],
        winner_hlc: str | None,
    ) -> None:
        cursor = self.conn.execute(
            """INSERT OR IGNORE INTO sync_conflicts(kind, entity, entity_uuid, entity_key, field,
                   kept, other, other_actor, other_device, other_at, winner_hlc, noted_at)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?)""",
            [
                kind,
                entity,
                uuid,
                key,
                column,
                _dump(kept),
                _dump(other),
                who.get("actor"),
                who.get("device"),
                who.get("at"),
                winner_hlc,
                self.tx.now,
            ],
        )
        self.report.conflicts += cursor.rowcount

    # -- applying --------------------------------------------------------------------------

    def apply(self, op: dict[str, Any], problem: str | None = None) -> None:
        """Apply one checked operation (see op_problem); a value the database refuses, or
        `problem` (why its values cannot be stored here: a broken or hostile file), refuses
        that operation alone, noted as a conflict."""
        self.report.received += 1
        self.core.observe(op["hlc"])
        if ENTITY_TABLES[op["entity"]] in RENAMED:
            self._unsettled_names.add(ENTITY_TABLES[op["entity"]])
        if problem is not None:
            self._refuse(op, problem)
            return
        self.conn.execute("SAVEPOINT sync_op")
        noted = self.report.conflicts
        try:
            {"create": self._create, "update": self._update, "delete": self._delete}[op["op"]](op)
        except sqlite3.IntegrityError as exc:
            self.conn.execute("ROLLBACK TO sync_op")
            # What was read or changed inside what was undone is read again when needed,
            # and the conflicts it noted are gone with it.
            self._ids.clear()
            self._aliases = None
            self.report.conflicts = noted
            self._refuse(op, str(exc))
        finally:
            self.conn.execute("RELEASE sync_op")

    def _refuse(self, op: dict[str, Any], reason: str) -> None:
        self.report.refused += 1
        uuid = self.canonical(op["uuid"])
        self.note(
            "refused",
            op["entity"],
            uuid,
            op.get("key"),
            op.get("field"),
            kept=None,
            other={"op": op["op"], "after": op.get("after"), "reason": reason},
            who=op,
            winner_hlc=op["hlc"],
        )
        self._log(op, uuid, op["op"], key=op.get("key"), column=op.get("field"))

    def _create(self, op: dict[str, Any]) -> None:
        entity = op["entity"]
        table = ENTITY_TABLES[entity]
        uuid = self.canonical(op["uuid"])
        wire = {k: _clean(v) for k, v in op["after"].items() if k not in ("id", "uuid")}
        if table == "cards":
            self._key_claimed(str(wire.get("key") or ""))
        current = self._row(table, uuid)
        if current is None and table in SAME_RECORD:
            current, uuid = self._same_record(table, uuid, wire, op)
        if current is not None:
            # Created here already (or the same record by nature): its fields are changes.
            for column, value in wire.items():
                self._set(op, table, uuid, column, value, before=None, in_create=True)
            return
        ended = self._deleted(uuid)
        if ended is not None and ended["hlc"] > op["hlc"]:
            self.report.superseded += 1
            self._log(op, uuid, "create", key=op.get("key"), after=op["after"])
            return
        row: dict[str, Any] = {"uuid": uuid}
        for column, value in wire.items():
            local, found = self._local(table, column, value)
            if not found and (table, column) not in NULLABLE_REFS:
                self._refuse_missing(op, uuid, table, column, value)
                return
            if not found:
                self._wants(op, uuid, table, column, value)
            row[column] = local
        as_sent = dict(row)
        row.update(self._changed_since(op, table, uuid))
        given = self._claim_all(op, table, uuid, row)
        self._insert(table, row)
        inserted = self._row(table, uuid) or row
        received = {**inserted, **as_sent}
        self._log(op, uuid, "create", key=_key(entity, received), after=received)
        if ended is not None:
            self._brought_back(op, table, inserted)
        self.restore_children(table, uuid, recreated=ended is not None)
        for column, (value, fresh) in given.items():
            if table not in RENAMED and column != "key":  # those are settled at the end
                self._repaired(entity, inserted, column, value, fresh)
        self.report.applied += 1

    def _changed_since(self, op: dict[str, Any], table: str, uuid: str) -> dict[str, Any]:
        """Fields changed by changes later than a creation that arrived first, while the
        record was not here (deleted, then brought back by undo; or not created yet):
        they are newer than what the creation carries, so they stand (last writer wins
        per field, whatever order the operations arrived in)."""
        found: dict[str, Any] = {}
        refs: _Refs | None = None
        for entry in self.core.rows(
            """SELECT id, field, after FROM activity WHERE entity_uuid = ? AND op = 'update'
               AND hlc > ? ORDER BY hlc, id""",
            [uuid, op["hlc"]],
        ):
            column, value = entry["field"], _load(entry["after"])
            if column in ("id", "uuid") or (table == "cards" and column == "key"):
                continue  # a card's key is settled from its claims (sync_unique)
            parent = FOREIGN_KEYS.get(table, {}).get(column)
            if parent is not None and isinstance(value, int):
                # Logged as this database's id, as it was then: as a uuid, to look up now.
                refs = refs or _Refs(self.core)
                value = refs.uuid(parent, value, int(entry["id"]))
            local, known = self._local(table, column, _clean(value))
            if known or (table, column) in NULLABLE_REFS:
                found[column] = local
        return found

    def _edits_here(self, uuid: str, before_hlc: str) -> dict[str, dict[str, Any]]:
        """The latest edit of each field of a record made before `before_hlc` (fields that
        follow other changes left out): field -> who, where, when, clock."""
        found: dict[str, dict[str, Any]] = {}
        for entry in self.core.rows(
            """SELECT field, actor, device, at, hlc FROM activity WHERE entity_uuid = ?
               AND op = 'update' AND hlc < ? ORDER BY hlc, id""",
            [uuid, before_hlc],
        ):
            if entry["field"] not in BOOKKEEPING:
                found[entry["field"]] = entry
        return found

    def _unseen_edit(
        self, op: dict[str, Any], table: str, current: dict[str, Any]
    ) -> dict[str, Any] | None:
        """An edit here that a delete's writer had not seen (the record as they deleted it
        holds another value): an edit made meanwhile, which the delete overrides, kept as a
        conflict on this laptop too, whichever of the two has the later clock."""
        seen = op.get("before")
        if not isinstance(seen, dict):
            return None
        for column, edit in self._edits_here(current["uuid"], op["hlc"]).items():
            if column not in seen or column in UNIQUE_VALUES.get(table, {}):
                continue
            theirs, _ = self._local(table, column, seen[column])
            if theirs != current.get(column):
                return edit
        return None

    def _brought_back(self, op: dict[str, Any], table: str, row: dict[str, Any]) -> None:
        """A record deleted here comes back (the deleter undid the delete) as it was where it
        was deleted: a field edited here meanwhile, that the deleter had not seen, is kept
        as a conflict, as on the laptops that received the edit after the record came back."""
        gone = self.core.row(
            """SELECT before, hlc FROM activity WHERE entity_uuid = ? AND op = 'delete'
               ORDER BY hlc DESC, id DESC LIMIT 1""",
            [row["uuid"]],
        )
        if gone is None or not isinstance(was := _load(gone["before"]), dict):
            return
        entity = _TABLE_ENTITY[table]
        for column, edit in self._edits_here(row["uuid"], str(gone["hlc"])).items():
            if column in UNIQUE_VALUES.get(table, {}) or column not in was:
                continue
            value = was[column]
            if isinstance(value, str) and column in FOREIGN_KEYS.get(table, {}):
                value = self._local(table, column, value)[0]  # logged as received: a uuid
            if edit["device"] != op.get("device") and value != row.get(column):
                self.note(
                    "field", entity, row["uuid"], _key(entity, self._shown(row)), column,
                    kept=row.get(column), other=value, who=edit, winner_hlc=op["hlc"],
                )  # fmt: skip

    # -- records that need another: gone with it, back with it ------------------------------

    def _children(self, table: str, *, nullable: bool) -> list[tuple[str, str]]:
        """(table, column) of the records that refer to a record of `table`: that cannot be
        without it (`nullable` False), or that are left without it (True)."""
        return [
            (child, column)
            for child, columns in FOREIGN_KEYS.items()
            for column, parent in columns.items()
            if parent == table and ((child, column) in NULLABLE_REFS) == nullable
        ]

    def _cascade(self, table: str, row: dict[str, Any]) -> None:
        """Log the records that go with a deleted one (the database deletes them with it): a
        link or comment its deleter had not seen (their own went one by one). The entries
        have no clock (sync's own, never sent) and name the deleted record: if it comes
        back, so do they (restore_children)."""
        saved = self.tx.action, self.tx.hlc
        self.tx.action, self.tx.hlc = REPAIR, None  # type: ignore[assignment]
        try:
            for child, column in self._children(table, nullable=False):
                entity = _TABLE_ENTITY[child]
                for found in self.core.rows(
                    f"SELECT * FROM [{child}] WHERE [{column}] = ?", [row["id"]]
                ):
                    self.tx.log(entity, found["uuid"], "delete", key=_key(entity, found),
                                before=found, after={"with": row["uuid"]})  # fmt: skip
                    self._ids.pop((child, found["uuid"]), None)
        finally:
            self.tx.action, self.tx.hlc = saved

    def restore_children(self, table: str, uuid: str, *, recreated: bool = True) -> None:
        """A record that came (back) brings what referred to it: links and comments made
        while it was gone (refused then, for want of it) or that went with it (see
        _cascade), and references to it that were emptied meanwhile, unless changed
        since. Every laptop ends with them, whichever came first."""
        if uuid not in self._wanted() and not recreated:
            return
        if not any(parent == table for cols in FOREIGN_KEYS.values() for parent in cols.values()):
            return  # nothing refers to a record of this kind
        waiting = self.core.rows(
            """SELECT id, entity, entity_uuid, field, winner_hlc,
                      json_extract(other, '$.op') AS op
               FROM sync_conflicts WHERE kind = 'refused' AND resolved_at IS NULL
               AND json_extract(other, '$.uuid') = ?""",
            [uuid],
        )
        needs = [r["entity_uuid"] for r in waiting if r["op"] == "create"]
        refers = [
            (ENTITY_TABLES[r["entity"]], r["entity_uuid"], r["field"], r["winner_hlc"])
            for r in waiting
            if r["op"] == "update"
        ]
        if recreated:
            needs += [
                str(r[0])
                for r in self.conn.execute(
                    """SELECT entity_uuid FROM activity WHERE op = 'delete' AND hlc IS NULL
                       AND action = ? AND json_extract(after, '$.with') = ?""",
                    [REPAIR, uuid],
                )
            ]
            refers += self._emptied(table, uuid)
        for child in dict.fromkeys(needs):
            self._bring_back_child(child)
        parent = self.core.scalar(f"SELECT id FROM [{table}] WHERE uuid = ?", [uuid])
        for child_table, child, column, hlc in refers:
            clock = self.clock(child, column)
            if clock is not None and clock["hlc"] == hlc:  # nobody changed it since
                self.conn.execute(
                    f"""UPDATE [{child_table}] SET [{column}] = ?
                        WHERE uuid = ? AND [{column}] IS NULL""",
                    [parent, child],
                )
        self.conn.execute(
            """UPDATE sync_conflicts SET resolved_at = ?, resolved_by = 'sync'
               WHERE resolved_at IS NULL AND id IN (SELECT value FROM json_each(?))""",
            [self.tx.now, json.dumps([r["id"] for r in waiting])],
        )

    def _emptied(self, table: str, uuid: str) -> list[tuple[str, str, str, str]]:
        """References to a record that came back, emptied when it was deleted here (the
        database sets them to NULL): (table, uuid, column, clock of the change that set
        them). Read from the log, only when a record comes back (rarely)."""
        ids = [
            r[0]
            for r in self.conn.execute(
                """SELECT DISTINCT json_extract(COALESCE(after, before), '$.id') FROM activity
                   WHERE entity_uuid = ? AND op IN ('create', 'delete')""",
                [uuid],
            )
            if isinstance(r[0], int)
        ]
        found: list[tuple[str, str, str, str]] = []
        refs = _Refs(self.core)
        for child, column in self._children(table, nullable=True) if ids else []:
            marks = ", ".join("?" for _ in ids)
            for entry in self.core.rows(
                f"""SELECT id, entity_uuid, hlc, op, after FROM activity
                    WHERE entity = ? AND hlc IS NOT NULL AND (
                      (op = 'update' AND field = ? AND CAST(after AS INTEGER) IN ({marks}))
                      OR (op = 'create' AND json_extract(after, '$.{column}') IN ({marks})))""",
                [_TABLE_ENTITY[child], column, *ids, *ids],
            ):
                value = _load(entry["after"])
                if isinstance(value, dict):
                    value = value.get(column)
                if isinstance(value, int) and refs.uuid(table, value, entry["id"]) == uuid:
                    found.append((child, str(entry["entity_uuid"]), column, str(entry["hlc"])))
        return found

    def _bring_back_child(self, child: str) -> None:
        entry = self.core.row(
            """SELECT * FROM activity WHERE entity_uuid = ? AND hlc IS NOT NULL
               AND op IN ('create', 'delete') ORDER BY hlc DESC, id DESC LIMIT 1""",
            [child],
        )
        if entry is None or entry["op"] != "create":
            return  # deleted by someone since: it stays deleted
        entity = str(entry["entity"])
        if self._row(ENTITY_TABLES[entity], self.canonical(child)) is not None:
            return
        after = _load(entry["after"]) or {}
        refs = _Refs(self.core)
        for column, parent in FOREIGN_KEYS.get(ENTITY_TABLES[entity], {}).items():
            if isinstance(after.get(column), int):  # this database's id, as it was then
                after[column] = refs.uuid(parent, after[column], int(entry["id"]))
        self._create(
            {"hlc": entry["hlc"], "tx": self.tx.txn, "at": entry["at"],
             "actor": entry["actor"], "device": entry["origin"] or entry["device"],
             "action": REPAIR, "entity": entity, "uuid": child,
             "key": entry["entity_key"], "op": "create", "after": after}
        )  # fmt: skip

    def _insert(self, table: str, row: dict[str, Any]) -> None:
        cols = ", ".join(f"[{c}]" for c in row)
        marks = ", ".join("?" for _ in row)
        self.conn.execute(f"INSERT INTO [{table}] ({cols}) VALUES ({marks})", list(row.values()))

    def _refuse_missing(
        self, op: dict[str, Any], uuid: str, table: str, column: str, value: Any
    ) -> None:
        parent = FOREIGN_KEYS[table][column]
        self.report.refused += 1
        self.note(
            "refused",
            op["entity"],
            uuid,
            op.get("key"),
            column,
            kept=None,
            other={"op": "create", "after": op["after"], "missing": parent, "uuid": value},
            who=op,
            winner_hlc=op["hlc"],
        )
        self._wanted().add(str(value))
        self._log(op, uuid, "create", key=op.get("key"), after=op["after"])

    def _wants(self, op: dict[str, Any], uuid: str, table: str, column: str, value: Any) -> None:
        """A change that set a reference to a record not here (deleted, or not arrived
        yet): the field is left empty, kept as a conflict, and set when the record comes."""
        self.note(
            "refused", _TABLE_ENTITY[table], uuid, op.get("key"), column, kept=None,
            other={"op": "update", "field": column, "after": value,
                   "missing": FOREIGN_KEYS[table][column], "uuid": value},
            who=op, winner_hlc=op["hlc"],
        )  # fmt: skip
        self._wanted().add(str(value))

    def _wanted(self) -> set[str]:
        """Uuids of records that refused changes wait for (read once per merge)."""
        if self._waiting_for is None:
            self._waiting_for = {
                str(r[0])
                for r in self.conn.execute(
                    """SELECT json_extract(other, '$.uuid') FROM sync_conflicts
                       WHERE kind = 'refused' AND resolved_at IS NULL"""
                )
                if r[0] is not None
            }
        return self._waiting_for

    def _update(self, op: dict[str, Any]) -> None:
        entity = op["entity"]
        table = ENTITY_TABLES[entity]
        uuid = self.canonical(op["uuid"])
        column = str(op["field"])
        current = self._row(table, uuid)
        if current is None:
            ended = self._deleted(uuid)
            if ended is not None and column not in BOOKKEEPING:
                self.note(
                    "deleted",
                    entity,
                    uuid,
                    op.get("key"),
                    column,
                    kept=None,
                    other=_clean(op.get("after")),
                    who=op,
                    winner_hlc=ended["hlc"],
                )
            self.report.superseded += 1
            self._log(op, uuid, "update", key=op.get("key"), column=column,
                      before=op.get("before"), after=op.get("after"))  # fmt: skip
            return
        self._set(
            op, table, uuid, column, _clean(op.get("after")), before=op.get("before"), row=current
        )

    def _set(
        self,
        op: dict[str, Any],
        table: str,
        uuid: str,
        column: str,
        value: Any,
        *,
        before: Any,
        in_create: bool = False,
        row: dict[str, Any] | None = None,
    ) -> None:
        """One field of an existing record, last writer wins (`row`: the record as it is
        now, when the caller has just read it)."""
        entity = _TABLE_ENTITY[table]
        current = row if row is not None else self._row(table, uuid)
        if current is None:
            return
        if table == "cards" and column == "key":
            # A card's key is its first claim's, settled at the end (sync_unique); no
            # change sets it (a card created again, by undo, claims nothing new).
            if not in_create:
                self.report.superseded += 1
                self._log(op, uuid, "update", key=_key(entity, self._shown(current)), column=column,
                          before=before, after=value)  # fmt: skip
            return
        local, found = self._local(table, column, value)
        if not found:
            if (table, column) not in NULLABLE_REFS:
                self.report.superseded += 1
                return
            local = None
        missing = None if found else value
        local_before, _ = self._local(table, column, before)
        winner = self.clock(uuid, column)
        key = _key(entity, self._shown(current))
        # An equal clock is an earlier entry of the same transaction (applied in order):
        # the later entry wins, as it did where it was made.
        if winner is not None and winner["hlc"] > op["hlc"]:
            # Lost to a later change: kept as a conflict when its writer had not seen
            # the value that beat it.
            if not in_create:
                self._conflict(op, entity, uuid, key, column, winner, current[column], local,
                               local_before, winner_is_here=True)  # fmt: skip
            self.report.superseded += 1
            if not in_create:
                self._log(op, uuid, "update", key=key, column=column,
                          before=local_before, after=local)  # fmt: skip
            return
        if missing is not None:
            self._wants(op, uuid, table, column, missing)
        if current[column] == local:
            if not in_create:
                self._log(op, uuid, "update", key=key, column=column,
                          before=local_before, after=local)  # fmt: skip
            return
        if winner is not None and not in_create:
            self._conflict(op, entity, uuid, key, column, winner, local, current[column],
                           local_before, winner_is_here=False)  # fmt: skip
        fresh = self._claim(op, table, uuid, column, local)
        written = local if fresh is _KEEP else fresh
        self.conn.execute(f"UPDATE [{table}] SET [{column}] = ? WHERE uuid = ?", [written, uuid])
        self._log(op, uuid, "update", key=key, column=column, before=current[column], after=local)
        self.report.applied += 1
        if fresh is not _KEEP and table not in RENAMED:  # a renamed one is settled at the end
            self._repaired(entity, current, column, local, fresh)
        if table == "cards" and column == "sprint_id" and written is not None:
            self._moved_into_closed(op, written, uuid)
        if table == "sprints" and column == "state" and written == "closed":
            for card in self.core.rows(
                "SELECT uuid FROM cards WHERE sprint_id = ? AND status != 'done'", [current["id"]]
            ):
                moved = self.clock(card["uuid"], "sprint_id")
                if moved is not None and moved["hlc"] > op["hlc"] and moved["op"] == "update":
                    self._moved_into_closed(moved, current["id"], card["uuid"])

    def _moved_into_closed(self, move: dict[str, Any], sprint_id: int, uuid: str) -> None:
        """A card moved into a sprint that another laptop closed meanwhile stays there,
        unfinished, as a conflict: taking its other value sends it to the backlog."""
        sprint = self.core.row("SELECT name, state FROM sprints WHERE id = ?", [sprint_id])
        card = self.core.row("SELECT key, status FROM cards WHERE uuid = ?", [uuid])
        if sprint is None or card is None or sprint["state"] != "closed":
            return
        if card["status"] == "done":
            return
        self.note(
            "field", "card", uuid, card["key"], "sprint_id", kept=sprint_id, other=None,
            who=move, winner_hlc=None,
        )  # fmt: skip

    def _conflict(
        self,
        op: dict[str, Any],
        entity: str,
        uuid: str,
        key: str | None,
        column: str,
        winner: dict[str, Any],
        kept: Any,
        other: Any,
        other_before: Any,
        *,
        winner_is_here: bool,
    ) -> None:
        """Note a conflict when two writers changed a field without seeing each other's
        value: the later one started from something else than the earlier one wrote."""
        if column in BOOKKEEPING or kept == other:
            return
        if REPAIR in (op.get("action"), winner.get("action")) or winner["op"] == "snapshot":
            return
        if winner_is_here:
            # `op` lost; the winner (here) replaced op's value only if it started from it.
            saw = winner["before"] == other
            loser = op
        else:
            saw = other_before == winner["after"]
            loser = winner
        if saw or op.get("device") == winner.get("device"):
            return
        self.note(
            "field",
            entity,
            uuid,
            key,
            column,
            kept=kept,
            other=other,
            who=loser,
            winner_hlc=op["hlc"] if not winner_is_here else winner["hlc"],
        )

    def _delete(self, op: dict[str, Any]) -> None:
        entity = op["entity"]
        table = ENTITY_TABLES[entity]
        uuid = self.canonical(op["uuid"])
        current = self._row(table, uuid)
        if current is None:
            self.report.superseded += 1
            self._log(op, uuid, "delete", key=op.get("key"), before=op.get("before"))
            return
        made = self.core.scalar(
            "SELECT MAX(hlc) FROM activity WHERE entity_uuid = ? AND op = 'create'", [uuid]
        )
        if made is not None and made > op["hlc"]:
            # Created again after this delete (a link added anew, here or elsewhere: a
            # link is one record however often added): the later change stands.
            self.report.superseded += 1
            self._log(op, uuid, "delete", key=op.get("key"), before=op.get("before"))
            return
        current = self._shown(current)
        key = _key(entity, current)
        edited = self.core.row(
            """SELECT actor, device, at, hlc FROM activity WHERE entity_uuid = ? AND hlc > ?
               AND op = 'update' AND field NOT IN ('updated_at', 'position', 'done_at',
               'edited_at') ORDER BY hlc DESC LIMIT 1""",
            [uuid, op["hlc"]],
        )
        if edited is None:
            edited = self._unseen_edit(op, table, current)
        if edited is not None:
            self.note(
                "deleted",
                entity,
                uuid,
                key,
                None,
                kept=None,
                other=current,
                who=edited,
                winner_hlc=op["hlc"],
            )
        self._cascade(table, current)
        self.conn.execute(f"DELETE FROM [{table}] WHERE uuid = ?", [uuid])
        self._ids.pop((table, uuid), None)
        self._log(op, uuid, "delete", key=key, before=current)
        self.report.applied += 1

    # -- values that must be unique ----------------------------------------------------------

    def _claim_all(
        self, op: dict[str, Any], table: str, uuid: str, row: dict[str, Any]
    ) -> dict[str, tuple[Any, Any]]:
        """Make room for a new record's unique values. Returns its own values that gave way
        ({column: (value received, value written)}); `row` is changed to what to write."""
        given: dict[str, tuple[Any, Any]] = {}
        columns = [c for c in UNIQUE_VALUES.get(table, {}) if row.get(c) is not None]
        if table == "sprints" and row.get("state") == "active":
            columns.append("state")
        for column in columns:
            fresh = self._claim(op, table, uuid, column, row[column])
            if fresh is not _KEEP:
                given[column] = (row[column], fresh)
                row[column] = fresh
        return given

    def _claim(self, op: dict[str, Any], table: str, uuid: str, column: str, value: Any) -> Any:
        """When another record holds `value` in a unique column, the one that claimed it
        first keeps it: returns _KEEP when the incoming record may write it (the other one
        was repaired, or nobody holds it), else the value the incoming record gets."""
        if table == "sprints" and column == "state":
            return self._one_active(op, uuid) if value == "active" else _KEEP
        rule = UNIQUE_VALUES.get(table, {}).get(column)
        if rule is None or value is None:
            return _KEEP
        other = self.core.row(
            f"SELECT * FROM [{table}] WHERE [{column}] = ? AND uuid != ?", [value, uuid]
        )
        if rule != "clear":
            # Keys, names and codes: who keeps the value is settled when the merge ends,
            # the same on every laptop (sync_unique); meanwhile the record waits aside.
            if other is None:
                return _KEEP
            if table == "cards":
                self._unsettled_keys.add(key_number(str(value))[0])
            else:
                self._unsettled_names.add(table)
            self._waiting.setdefault(uuid, {})[column] = value
            return placeholder(uuid)
        if other is None:
            return _KEEP
        theirs = self.clock(other["uuid"], column)
        entity = _TABLE_ENTITY[table]
        self.note(
            "duplicate", entity, uuid if theirs is None or theirs["hlc"] < op["hlc"]
            else other["uuid"], _key(entity, other), column, kept=None, other=value,
            who=op, winner_hlc=None,
        )  # fmt: skip
        if theirs is not None and theirs["hlc"] > op["hlc"]:
            # The record here claimed it later: it gives way.
            self._repair(entity, other, {column: None})
            return _KEEP
        return None

    def _one_active(self, op: dict[str, Any], uuid: str) -> Any:
        """At most one active sprint: the sprint started last stays active; the other goes
        back to planned, noted as a conflict. Which one that is, is settled when the merge
        ends (sync_unique, from the starts alone: a delete arriving later may change it);
        meanwhile the one that gives way here is planned."""
        self._unsettled_names.add("sprints")
        other = self.core.row("SELECT * FROM sprints WHERE state = 'active' AND uuid != ?", [uuid])
        if other is None:
            return _KEEP
        theirs = self.clock(other["uuid"], "state")
        if theirs is None or theirs["hlc"] < op["hlc"]:
            write_settled(self.tx, "sprint", "sprints", "state", {other["uuid"]: "active"},
                          {other["uuid"]: "planned"}, through_placeholder=False)  # fmt: skip
            self.note(
                "field", "sprint", other["uuid"], other["name"], "state", kept="planned",
                other="active", who=theirs or {}, winner_hlc=None,
            )  # fmt: skip
            return _KEEP
        self.note(
            "field", "sprint", uuid, op.get("key"), "state", kept="planned", other="active",
            who=op, winner_hlc=None,
        )  # fmt: skip
        return "planned"

    def _repaired(
        self, entity: str, row: dict[str, Any], column: str, given: Any, fresh: Any
    ) -> None:
        """Log that a received value gave way (it was written as `fresh` at once: the unique
        index would refuse it), as a change of sync's own that travels to everyone."""
        saved = self.tx.action, self.tx.hlc
        self.tx.action, self.tx.hlc = REPAIR, self.core.tick()
        try:
            self.tx.log(entity, row["uuid"], "update", key=_key(entity, {**row, column: fresh}),
                        field=column, before=given, after=fresh)  # fmt: skip
        finally:
            self.tx.action, self.tx.hlc = saved

    def _key_claimed(self, key: str) -> None:
        """A card arrived claiming `key` (created, or created again): its team's keys need
        settling when the number is one this plan has handed out or seen already; the
        counter moves past it either way, so no card made here takes it."""
        prefix, number = key_number(key)
        if number is None:
            return
        last = self.conn.execute(
            "SELECT last FROM key_counters WHERE team_code = ?", [prefix]
        ).fetchone()
        held = self.conn.execute("SELECT 1 FROM cards WHERE key = ?", [key]).fetchone()
        if held or (last is not None and number <= last[0]):
            self._unsettled_keys.add(prefix)
        self.conn.execute(
            """INSERT INTO key_counters(team_code, last) VALUES (?, ?)
               ON CONFLICT(team_code) DO UPDATE SET last = MAX(last, excluded.last)""",
            [prefix, number],
        )

    def settle(self) -> None:
        """Settle the keys, names and codes this merge may have unsettled (sync_unique)."""
        for table in sorted(self._unsettled_names):
            settle_names(self.tx, table)
        if "sprints" in self._unsettled_names:
            settle_active_sprint(self.tx)
        for prefix in sorted(self._unsettled_keys):
            self.report.renumbered += settle_card_keys(self.tx, prefix)
        self._unsettled_names.clear()
        self._unsettled_keys.clear()
        self._waiting.clear()

    def _same_record(
        self, table: str, uuid: str, wire: dict[str, Any], op: dict[str, Any]
    ) -> tuple[dict[str, Any] | None, str]:
        """An existing record that is the incoming one by nature (same SKU, same link):
        both become the one created first. Returns (that record, its uuid) or (None, uuid)."""
        columns = SAME_RECORD[table]
        values = []
        for column in columns:
            local, found = self._local(table, column, wire.get(column))
            if not found:
                return None, uuid
            values.append(local)
        where = " AND ".join(f"[{c}] IS ?" for c in columns)
        other = self.core.row(f"SELECT * FROM [{table}] WHERE {where}", values)
        if other is None or other["uuid"] == uuid:
            return other, uuid
        created = self.clock(other["uuid"], columns[0])
        theirs = created["hlc"] if created is not None else ""
        if (op["hlc"], uuid) < (theirs, other["uuid"]):
            # The incoming record came first: the one here takes its uuid.
            for sql in (
                f"UPDATE [{table}] SET uuid = ? WHERE uuid = ?",
                "UPDATE activity SET entity_uuid = ? WHERE entity_uuid = ?",
                "UPDATE sync_clock SET entity_uuid = ? WHERE entity_uuid = ?",
            ):
                self.conn.execute(sql, [uuid, other["uuid"]])
            self._alias(other["uuid"], uuid)
            return self._row(table, uuid), uuid
        self._alias(uuid, other["uuid"])
        return other, str(other["uuid"])

    def _alias(self, uuid: str, canonical: str) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO sync_uuid_alias(uuid, canonical) VALUES (?, ?)",
            [uuid, canonical],
        )
        self.conn.execute(
            "UPDATE sync_uuid_alias SET canonical = ? WHERE canonical = ?", [canonical, uuid]
        )
        if self._aliases is not None:  # the same two changes, to what was read
            self._aliases[uuid] = canonical
            for alias, target in self._aliases.items():
                if target == uuid:
                    self._aliases[alias] = canonical
        if self._deletes is not None and uuid in self._deletes:
            self._deletes.add(canonical)  # its log entries may name `canonical` now
        self._ids.clear()


def _key(entity: str, row: dict[str, Any]) -> str | None:
    """How the log names a record (as the rest of sprintboard does)."""
    if entity == "card":
        return str(row.get("key") or "") or None
    if entity == "team":
        return str(row.get("code") or "") or None
    if entity == "sprint":
        return str(row.get("name") or "") or None
    if entity == "stock":
        return str(row.get("sku") or "") or None
    if entity == "feedback" and row.get("id") is not None:
        return f"FB-{row['id']}"
    return None


def sort_key(op: dict[str, Any], segment: str, line: int) -> tuple[str, str, int]:
    """The order operations apply in: clock, then their place in their device's files."""
    return (str(op["hlc"]), segment, line)


def merge_ops(
    core: StoreCore,
    ops: list[dict[str, Any]],
    *,
    where: list[str] | None = None,
    then: Callable[[Tx], None] | None = None,
    check: Callable[[dict[str, Any]], str | None] | None = None,
) -> MergeReport:
    """Check every operation, then apply them all in one transaction (ops in the order to
    apply; `where` names each one's place, for the error line). `then` runs inside the same
    transaction (recording how far the files were read), so a crash leaves neither half.
    `check` says why an operation's values cannot be stored (that one is refused)."""
    columns = table_columns(core)
    for i, op in enumerate(ops):
        problem = op_problem(op, columns)
        if problem is not None:
            place = where[i] if where is not None else f"operation {i + 1}"
            raise UserError(f"sync: {place}: {problem}; nothing was applied")
    with core.transaction(APPLIED) as tx:
        merger = Merger(tx)
        for op in ops:
            merger.apply(op, None if check is None else check(op))
        merger.settle()
        if then is not None:
            then(tx)
    return merger.report
