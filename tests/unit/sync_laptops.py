"""Plans that exchange operations in memory (no git): the merge engine alone."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sprintboard.io.sync_values import value_problem
from sprintboard.store import Store
from sprintboard.store.activity import FOREIGN_KEYS
from sprintboard.store.database import ENTITY_TABLES
from sprintboard.store.sync_join import join
from sprintboard.store.sync_log import SHARED_UPTO, outgoing, set_meta
from sprintboard.store.sync_merge import MergeReport, merge_ops


class Laptop:
    """A plan that exchanges operations with others in memory."""

    def __init__(self, path: Path, name: str, start: datetime) -> None:
        self.name = name
        self.now = start
        self.store = Store(path, clock=lambda: self.now, actor=name)
        self.device = name.lower().ljust(12, "0")[:12]
        with self.store.transaction("sync.join") as tx:
            join(tx, self.device)
        self.sent: list[dict[str, Any]] = []

    def later(self, minutes: int = 1) -> None:
        """Move this laptop's wall clock (backwards too, with a negative number: a clock
        set wrong, then corrected)."""
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
        return merge_ops(
            self.store,
            sorted(ops, key=lambda op: op["hlc"]),
            check=lambda op: value_problem(self.store, op),
        )


class Folder:
    """A shared folder as git carries it: each laptop's operations in a file of its own,
    only ever appended to, and a pull giving a laptop the files as another laptop has them.

    `publish` appends a laptop's unshared changes to its file. `carry(src, dst)` gives
    `dst` what `src` holds and `dst` lacks, in one merge: every file (a git pull brings
    the whole folder), or `src`'s own file only (`own_only`). `again` sends that many
    operations `dst` already has once more, as a re-read after a crash would."""

    def __init__(self, laptops: list[Laptop]) -> None:
        self.laptops = laptops
        self.files: dict[str, list[dict[str, Any]]] = {lap.device: [] for lap in laptops}
        # How much of each file each laptop holds (of its own file: all of it).
        self.holds: dict[str, dict[str, int]] = {
            lap.device: dict.fromkeys(self.files, 0) for lap in laptops
        }

    def publish(self, lap: Laptop) -> int:
        ops = lap.send()
        self.files[lap.device] += ops
        self.holds[lap.device][lap.device] = len(self.files[lap.device])
        return len(ops)

    def carry(
        self, src: Laptop, dst: Laptop, *, own_only: bool = False, again: int = 0
    ) -> MergeReport | None:
        devices = [src.device] if own_only else list(self.files)
        return self._take(dst, {d: self.holds[src.device][d] for d in devices}, again)

    def pull_all(self, dst: Laptop, *, again: int = 0) -> MergeReport | None:
        """`dst` reads every file to its end (one merge, as `sprintboard sync` does)."""
        return self._take(dst, {d: len(file) for d, file in self.files.items()}, again)

    def _take(self, dst: Laptop, upto: dict[str, int], again: int) -> MergeReport | None:
        ops: list[dict[str, Any]] = []
        for device, end in upto.items():
            if device == dst.device:
                continue
            have = self.holds[dst.device][device]
            ops += self.files[device][max(0, have - again) : max(have, end)]
            self.holds[dst.device][device] = max(have, end)
        return dst.receive(ops) if ops else None

    def sync_all(self, rounds: int = 2) -> None:
        """Everyone publishes, then everyone reads everyone's files; `rounds` times (the
        changes sync makes itself while merging travel in the next round)."""
        for _ in range(rounds):
            for lap in self.laptops:
                self.publish(lap)
            for lap in self.laptops:
                self.pull_all(lap)


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
