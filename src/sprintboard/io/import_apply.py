"""An import's plan written to the database inside the caller's one transaction."""

from __future__ import annotations

import json
from datetime import date
from enum import Enum
from typing import Any

from sprintboard.io.import_plan import CardUpdate, Node, Plan
from sprintboard.io.import_threads import apply_threads
from sprintboard.models import Card
from sprintboard.store import Store
from sprintboard.store.bulk import column_ends, insert_cards
from sprintboard.store.database import Tx


def apply_plan(store: Store, tx: Tx, plan: Plan) -> dict[str, int]:
    """Write the plan inside the open transaction `tx`; returns what was written."""
    sprint_ids = {
        name: int(s["id"])
        for name, s in ((n, store.sprints.get(n)) for n in _sprints_used(plan, store))
    }
    for sprint in plan.new_sprints:
        sprint_ids[sprint.name] = tx.insert(
            "sprint", sprint.model_dump(mode="json"), key=sprint.name
        )
    goal_ids = _insert_goals(store, tx, plan)
    rows: list[dict[str, Any]] = []
    for new in plan.creates:
        data = _card_columns(new.card)
        status = data["status"]
        rows.append(
            {
                **data,
                "team_code": new.card.team,
                "team_id": new.team_id,
                "sprint_id": sprint_ids[new.sprint] if new.sprint is not None else None,
                "goal_id": goal_ids.get(new.goal) if new.goal is not None else None,
                "external_id": new.item.external_id,
                **({"uuid": new.item.uuid} if new.item.uuid else {}),
                "created_at": tx.now,
                "updated_at": tx.now,
                "done_at": tx.now if status == "done" else None,
            }
        )
    written = insert_cards(tx, rows, [new.contributing for new in plan.creates])
    ids: dict[Node, int] = {
        new.item.identity: int(row["id"]) for new, row in zip(plan.creates, written, strict=True)
    }
    keys: dict[int, str] = {int(row["id"]): str(row["key"]) for row in written}
    plan.created_keys = {
        new.item.identity: str(row["key"]) for new, row in zip(plan.creates, written, strict=True)
    }
    ends = column_ends(store) if plan.updates else {}
    for update in plan.updates:
        if update.goal is not None:
            update.changes["goal_id"] = goal_ids[update.goal]
        _apply_update(store, tx, update, sprint_ids, ends)
    closed = _close(store, tx, plan)
    for blocker, dependent, _ in plan.dependencies:
        blocker_id = ids.get(blocker, blocker)
        dependent_id = ids.get(dependent, dependent)
        assert isinstance(blocker_id, int) and isinstance(dependent_id, int)
        named = f"{_key(store, keys, blocker_id)}>{_key(store, keys, dependent_id)}"
        tx.insert(
            "dependency",
            {"blocker_id": blocker_id, "dependent_id": dependent_id, "created_at": tx.now},
            key=named,
        )
    threads = apply_threads(store, tx, plan, ids, keys)
    return {
        "created": len(written),
        "updated": len(plan.updates),
        "sprints": len(plan.new_sprints),
        "dependencies": len(plan.dependencies),
        "closed": closed,
        "goals": len(plan.new_goals),
        **threads,
    }


_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


def _json_list(values: list[str]) -> str:
    return _ENCODE(values) if values else "[]"


def _card_columns(card: Card) -> dict[str, Any]:
    """A card's fields as the cards table stores them (what model_dump(mode="json") and
    json.dumps of the lists give, written out: this runs once per imported card)."""
    row: dict[str, Any] = {}
    for name, value in card.__dict__.items():
        kind = type(value)
        if kind is str or kind is int or value is None:
            pass
        elif kind is list:
            if name == "teams":
                continue
            value = _json_list(value)
        elif isinstance(value, Enum):
            value = value.value
        elif isinstance(value, date):
            value = value.isoformat()
        row[name] = value
    del row["team"]
    return row


def _insert_goals(store: Store, tx: Tx, plan: Plan) -> dict[int | str, int]:
    """The new goals written, and every source goal's id here; each remembers the source
    id it was made from (importing.GOAL_MEMORY), so a re-import finds it when renamed."""
    from sprintboard.io.importing import GOAL_MEMORY

    ids: dict[int | str, int] = {v: v for v in plan.goal_of.values() if isinstance(v, int)}
    for new in plan.new_goals:
        data = new.goal.model_dump(mode="json")
        goal_id = tx.insert(
            "goal", {**data, "created_at": tx.now, "updated_at": tx.now}, key=new.goal.title
        )
        ids[new.source.external_id] = goal_id
        uuid = store.scalar("SELECT uuid FROM goals WHERE id = ?", [goal_id])
        tx.conn.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
            [GOAL_MEMORY + new.source.external_id, uuid],
        )
    return ids


def _close(store: Store, tx: Tx, plan: Plan) -> int:
    """Cards the source archived since they were imported: done, and out of a sprint
    that is still to run (a closed sprint keeps its history)."""
    if not plan.closes:
        return 0
    ends = column_ends(store)
    for close in plan.closes:
        row = {k: v for k, v in close.row.items() if k != "contributing"}
        changes: dict[str, Any] = {}
        if close.leaves_sprint:
            changes["sprint_id"] = None
        if row["status"] != "done":
            changes["status"] = "done"
            changes["done_at"] = tx.now
        slot = (changes.get("sprint_id", row["sprint_id"]), "done")
        ends[slot] = ends.get(slot, 0.0) + 1.0
        changes["position"] = ends[slot]
        tx.update("card", row, {**changes, "updated_at": tx.now}, key=row["key"])
    return len(plan.closes)


def _sprints_used(plan: Plan, store: Store) -> set[str]:
    new = {s.name for s in plan.new_sprints}
    names = {c.sprint for c in plan.creates} | {u.sprint for u in plan.updates if u.sprint_changed}
    return {n for n in names if n is not None and n not in new}


def _key(store: Store, keys: dict[int, str], card_id: int) -> str:
    if card_id not in keys:
        keys[card_id] = str(store.scalar("SELECT key FROM cards WHERE id = ?", [card_id]))
    return keys[card_id]


def _apply_update(
    store: Store,
    tx: Tx,
    update: CardUpdate,
    sprint_ids: dict[str, int],
    ends: dict[tuple[int | None, str], float],
) -> None:
    row = {k: v for k, v in update.row.items() if k != "contributing"}
    changes = dict(update.changes)
    if update.sprint_changed:
        changes["sprint_id"] = sprint_ids[update.sprint] if update.sprint is not None else None
    status = changes.get("status", row["status"])
    sprint_id = changes.get("sprint_id", row["sprint_id"])
    if status != row["status"] or sprint_id != row["sprint_id"]:
        slot = (sprint_id, status)
        ends[slot] = ends.get(slot, 0.0) + 1.0
        changes["position"] = ends[slot]
        if status != row["status"]:
            changes["done_at"] = tx.now if status == "done" else None
    if tx.update("card", row, changes, key=row["key"]) or update.contributing is not None:
        tx.update("card", row, {"updated_at": tx.now}, key=row["key"])
    if update.contributing is not None:
        store.cards.set_contributing(tx, row, update.contributing)
