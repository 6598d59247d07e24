"""What a merge overrode, and taking it back.

A conflict stays open while the value that beat it is still the record's value: once
anyone changes that field again (here or on another laptop, taking either value), it is
settled everywhere. `take` writes the other value as a new change (it travels like any
change); `keep` settles it here without changing the plan.
"""

from __future__ import annotations

import json
from typing import Any

from sprintboard.errors import NotFound, UserError
from sprintboard.store.database import ENTITY_TABLES, StoreCore
from sprintboard.store.sync_merge import Merger

KIND_WORDS = {
    "field": "changed on two laptops",
    "deleted": "edited while deleted elsewhere",
    "refused": "could not be applied",
    "duplicate": "imported on two laptops",
}


def _load(text: str | None) -> Any:
    return None if text is None else json.loads(text)


class Conflicts:
    def __init__(self, core: StoreCore) -> None:
        self.core = core

    def _current_hlc(self, uuid: str, column: str) -> str | None:
        found = self.core.row(
            """SELECT hlc FROM activity WHERE entity_uuid = ? AND hlc IS NOT NULL
               AND (field = ? OR op = 'create') ORDER BY hlc DESC, id DESC LIMIT 1""",
            [uuid, column],
        )
        return None if found is None else str(found["hlc"])

    def _is_open(self, row: dict[str, Any]) -> bool:
        if row["resolved_at"] is not None:
            return False
        table = ENTITY_TABLES[row["entity"]]
        exists = self.core.scalar(f"SELECT 1 FROM [{table}] WHERE uuid = ?", [row["entity_uuid"]])
        if row["kind"] == "deleted":
            return not exists
        if row["kind"] == "field":
            if not exists:
                return False
            return (
                row["winner_hlc"] is None
                or self._current_hlc(row["entity_uuid"], row["field"]) == row["winner_hlc"]
            )
        return True

    def list(
        self, *, include_settled: bool = False, uuid: str | None = None
    ) -> list[dict[str, Any]]:
        """Conflicts, oldest first: open ones only unless `include_settled`."""
        sql = "SELECT * FROM sync_conflicts"
        params: list[Any] = []
        if uuid is not None:
            sql += " WHERE entity_uuid = ?"
            params.append(uuid)
        found = []
        for row in self.core.rows(sql + " ORDER BY id", params):
            row["open"] = self._is_open(row)
            if not row["open"] and not include_settled:
                continue
            row["kept"], row["other"] = _load(row["kept"]), _load(row["other"])
            row["name"] = self._name(row)
            row["what"] = KIND_WORDS[row["kind"]]
            found.append(row)
        return found

    def open_count(self) -> int:
        return len(self.list())

    def _name(self, row: dict[str, Any]) -> str:
        """How people name the record now (a card's current key, a sprint's name)."""
        table = ENTITY_TABLES[row["entity"]]
        now = self.core.row(f"SELECT * FROM [{table}] WHERE uuid = ?", [row["entity_uuid"]])
        if now is not None:
            for column in ("key", "code", "name", "sku"):
                if now.get(column):
                    return str(now[column])
            if "id" in now and row["entity"] == "feedback":
                return f"FB-{now['id']}"
        return str(row["entity_key"] or row["entity"].replace("_", " "))

    def get(self, conflict_id: int) -> dict[str, Any]:
        for row in self.list(include_settled=True):
            if row["id"] == conflict_id:
                return row
        raise NotFound(
            f"conflict: no conflict {conflict_id} ('sprintboard sync conflicts' lists them)"
        )

    def keep(self, conflict_id: int) -> dict[str, Any]:
        """Settle a conflict here, keeping the plan as it is."""
        row = self._open(conflict_id)
        with self.core.transaction("sync.keep") as tx:
            tx.conn.execute(
                "UPDATE sync_conflicts SET resolved_at = ?, resolved_by = ? WHERE id = ?",
                [tx.now, self.core.actor, conflict_id],
            )
        return row

    def take(self, conflict_id: int) -> dict[str, Any]:
        """Take the value the merge overrode (or bring back what was deleted): a new
        change, shared at the next sync."""
        row = self._open(conflict_id)
        table = ENTITY_TABLES[row["entity"]]
        with self.core.transaction("sync.take") as tx:
            current = self.core.row(f"SELECT * FROM [{table}] WHERE uuid = ?", [row["entity_uuid"]])
            if row["kind"] == "field":
                if current is None:
                    raise UserError(f"conflict {conflict_id}: {row['name']} no longer exists")
                tx.update(row["entity"], current, {row["field"]: row["other"]},
                          key=row["entity_key"])  # fmt: skip
            elif row["kind"] == "deleted":
                self._bring_back(tx, row)
            else:
                raise UserError(
                    f"conflict {conflict_id}: nothing to take ({row['what']}); "
                    f"'sprintboard sync keep {conflict_id}' settles it"
                )
            tx.conn.execute(
                "UPDATE sync_conflicts SET resolved_at = ?, resolved_by = ? WHERE id = ?",
                [tx.now, self.core.actor, conflict_id],
            )
        return row

    def _bring_back(self, tx: Any, row: dict[str, Any]) -> None:
        table = ENTITY_TABLES[row["entity"]]
        last = self.core.row(
            """SELECT before FROM activity WHERE entity_uuid = ? AND op = 'delete'
               ORDER BY hlc DESC, id DESC LIMIT 1""",
            [row["entity_uuid"]],
        )
        record = _load(last["before"]) if last is not None else None
        if not isinstance(record, dict):
            raise UserError(f"conflict {row['id']}: what was deleted is not in the log here")
        if row["field"] and row["field"] in record:
            record[row["field"]] = row["other"]
        if "id" in record and self.core.scalar(
            f"SELECT 1 FROM [{table}] WHERE id = ?", [record["id"]]
        ):
            del record["id"]
        merger = Merger(tx)
        for column, value in list(record.items()):
            if isinstance(value, str) and column.endswith("_id"):
                record[column] = merger._local(table, column, value)[0]
        try:
            tx.insert(row["entity"], record, key=row["entity_key"])
        except Exception as exc:  # a record it needs is gone too
            raise UserError(
                f"conflict {row['id']}: cannot bring back {row['name']}: {exc}"
            ) from None
        merger.restore_children(table, row["entity_uuid"])

    def _open(self, conflict_id: int) -> dict[str, Any]:
        row = self.get(conflict_id)
        if not row["open"]:
            raise UserError(f"conflict {conflict_id} is settled already")
        return row
