"""Plans that exchange operations in memory (no git): the merge engine alone."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sprintboard.store import Store
from sprintboard.store.activity import FOREIGN_KEYS
from sprintboard.store.database import ENTITY_TABLES
from sprintboard.store.sync_join import join
from sprintboard.store.sync_log import SHARED_UPTO, outgoing, set_meta
from sprintboard.store.sync_merge import MergeReport, merge_ops


class Laptop:
    """A plan that exchanges operations with others in memory."""

    def __init__(self, path: Path, name: str, start: datetime) -> None:
        self.now = start
        self.store = Store(path, clock=lambda: self.now, actor=name)
        with self.store.transaction("sync.join") as tx:
            join(tx, name.lower().ljust(12, "0")[:12])
        self.sent: list[dict[str, Any]] = []

    def later(self, minutes: int = 1) -> None:
        self.now += timedelta(minutes=minutes)

    def send(self) -> list[dict[str, Any]]:
        found = list(outgoing(self.store))
        if found:
            with self.store.transaction("sync.mark") as tx:
                set_meta(tx, SHARED_UPTO, str(found[-1][0]))
        ops = [op for _, op in found]
        self.sent += ops
        return ops

    def receive(self, ops: list[dict[str, Any]]) -> MergeReport:
        return merge_ops(self.store, sorted(ops, key=lambda op: op["hlc"]))


def exchange(*laptops: Laptop) -> None:
    """Everyone sends, then everyone receives everyone else's (twice: repairs travel too)."""
    for _ in range(2):
        outbox = {id(lap): lap.send() for lap in laptops}
        for lap in laptops:
            lap.receive([op for other in laptops if other is not lap for op in outbox[id(other)]])


def plan(store: Store) -> dict[str, Any]:
    """The plan as comparable data: records by uuid, references as uuids, no local ids."""
    found: dict[str, Any] = {}
    for table in ENTITY_TABLES.values():
        rows = {}
        for row in store.rows(f"SELECT * FROM [{table}]"):
            for column, parent in FOREIGN_KEYS.get(table, {}).items():
                if row.get(column) is not None:
                    row[column] = store.scalar(
                        f"SELECT uuid FROM [{parent}] WHERE id = ?", [row[column]]
                    )
            row.pop("id", None)
            rows[row["uuid"]] = row
        found[table] = rows
    return found
