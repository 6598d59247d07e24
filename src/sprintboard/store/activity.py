"""The activity log: history of a record, and undo of the last change."""

from __future__ import annotations

import json
from typing import Any

from sprintboard.errors import UserError
from sprintboard.store.cards import normalise_key
from sprintboard.store.database import ENTITY_TABLES, Rows, StoreCore

# Not changes a user means to undo with one key: loading the seed or demo organisation,
# undo itself, and snoozed feedback waking up on its day (it would only snooze again).
NOT_UNDOABLE = ("seed", "demo", "undo", "feedback.wake")
PLAN_REPLACED = "plan_replaced"
"""The meta key noting the last time the whole plan was replaced (demo --force): the
transaction, when, and the copy of the plan from before. Undo stops there."""


def describe_change(entry: dict[str, Any], team_codes: dict[int, str], arrow: str = "→") -> str:
    """One log entry in words: 'status: todo → doing', 'IT-6 now blocks ECOM-4', 'added
    contributing team FIN', 'created card IT-7'. `team_codes`: team id -> code."""
    op, entity = entry["op"], entry["entity"]
    if op == "update":
        return f"{entry['field']}: {entry['before']} {arrow} {entry['after']}"
    if entity == "card_team":
        row = (entry["after"] if op == "create" else entry["before"]) or {}
        team = team_codes.get(row.get("team_id", 0), "a team")
        return f"{'added' if op == 'create' else 'removed'} contributing team {team}"
    key = entry["entity_key"] or ""
    if entity == "dependency" and ">" in key:
        blocker, dependent = key.split(">", 1)
        return f"{blocker} {'now blocks' if op == 'create' else 'no longer blocks'} {dependent}"
    return f"{op}d {entity.replace('_', ' ')} {key}".rstrip()


class Activity:
    def __init__(self, core: StoreCore) -> None:
        self.core = core

    def _shape(self, row: dict[str, Any]) -> dict[str, Any]:
        for f in ("before", "after"):
            row[f] = None if row[f] is None else json.loads(row[f])
        return row

    def recent(self, limit: int = 50) -> Rows:
        rows = self.core.rows("SELECT * FROM activity ORDER BY id DESC LIMIT ?", [limit])
        return [self._shape(r) for r in rows]

    def for_card(self, key: str) -> Rows:
        """Every entry that touched the card (its fields, team links and dependencies), in
        time order: a demo or an import logs backdated entries after later ones."""
        key = normalise_key(key)
        uuid = self.core.scalar(
            "SELECT entity_uuid FROM activity WHERE entity = 'card' AND entity_key = ? "
            "AND op = 'create' ORDER BY id DESC LIMIT 1",
            [key],
        )
        # Card keys hold letters, digits and '-' only: nothing GLOB would read as a wildcard.
        rows = self.core.rows(
            """SELECT * FROM activity WHERE id IN (
                   SELECT id FROM activity WHERE entity_uuid = :uuid
                   UNION SELECT id FROM activity WHERE entity_key = :key
                   UNION SELECT id FROM activity WHERE entity_key GLOB :blocks
                   UNION SELECT id FROM activity
                         WHERE entity = 'dependency' AND entity_key GLOB :waits)
               ORDER BY at, id""",
            {"uuid": uuid, "key": key, "blocks": f"{key}>*", "waits": f"*>{key}"},
        )
        return [self._shape(r) for r in rows]

    def plan_replaced(self) -> dict[str, Any] | None:
        """When the whole plan was last replaced (demo --force), and where the plan from
        before was copied; None if it never was (in this database's log)."""
        found = self.core.scalar("SELECT value FROM meta WHERE key = ?", [PLAN_REPLACED])
        if found is None:
            return None
        note: dict[str, Any] = json.loads(found)
        last = self.core.scalar("SELECT MAX(id) FROM activity WHERE txn = ?", [note["txn"]])
        return None if last is None else {**note, "last_id": int(last)}

    def last_undoable(self) -> dict[str, Any] | None:
        marks = ", ".join("?" for _ in NOT_UNDOABLE)
        return self.core.row(
            f"""SELECT id, txn, action, at, actor, entity_key FROM activity a
                WHERE action NOT IN ({marks}) AND undoes IS NULL
                  AND NOT EXISTS (SELECT 1 FROM activity u WHERE u.undoes = a.txn)
                ORDER BY id DESC LIMIT 1""",
            list(NOT_UNDOABLE),
        )

    def undo(self) -> dict[str, Any]:
        """Revert the most recent change not yet undone, as a new (logged) change."""
        with self.core.transaction("undo") as tx:
            last = self.last_undoable()
            replaced = self.plan_replaced()
            if replaced is not None and (last is None or last["id"] < replaced["last_id"]):
                # What came before lies in a plan that is gone: reverting it would claim to
                # restore what it cannot, or fail for good.
                raise UserError(
                    f"undo: the whole plan was replaced at {replaced['at']} "
                    f"({replaced['by']}); nothing before that can be undone. The plan from "
                    f"before is in {replaced['backup']}: sprintboard restore "
                    f"{replaced['backup']}"
                )
            if last is None:
                raise UserError("undo: nothing to undo")
            tx.undoes = last["txn"]
            entries = self.core.rows(
                "SELECT * FROM activity WHERE txn = ? ORDER BY id DESC", [last["txn"]]
            )
            for entry in entries:
                self._revert(tx, self._shape(entry))
        return {
            "action": last["action"],
            "at": last["at"],
            "actor": last["actor"],
            "key": last["entity_key"],
            "changes": len(entries),
        }

    def _revert(self, tx: Any, entry: dict[str, Any]) -> None:
        entity, op = entry["entity"], entry["op"]
        table = ENTITY_TABLES[entity]
        current = self.core.row(f"SELECT * FROM [{table}] WHERE uuid = ?", [entry["entity_uuid"]])
        key = entry["entity_key"]
        if op == "update":
            if current is None:
                raise UserError(f"undo: {key or entity} no longer exists; cannot undo")
            tx.update(entity, current, {entry["field"]: entry["before"]}, key=key)
        elif op == "create":
            if current is not None:
                tx.delete(entity, current, key=key)
        elif op == "delete" and current is None:
            tx.insert(entity, entry["before"], key=key)
