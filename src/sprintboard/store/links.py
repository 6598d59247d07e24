"""Dependencies between cards (blocker -> dependent); cycles are refused."""

from __future__ import annotations

import builtins
from typing import Any

from sprintboard.errors import NotFound, UserError
from sprintboard.store.cards import Cards
from sprintboard.store.database import Rows, StoreCore

DEPENDENCY_SELECT = """SELECT d.id, d.uuid, b.key AS blocker, b.status AS blocker_status,
    tb.code AS blocker_team, e.key AS dependent, e.status AS dependent_status,
    te.code AS dependent_team, d.created_at
  FROM dependencies d
  JOIN cards b ON b.id = d.blocker_id JOIN teams tb ON tb.id = b.team_id
  JOIN cards e ON e.id = d.dependent_id JOIN teams te ON te.id = e.team_id"""


class Dependencies:
    def __init__(self, core: StoreCore, cards: Cards) -> None:
        self.core = core
        self.cards = cards

    def list(self, *, card: str | None = None, team: str | None = None) -> Rows:
        clauses, params = [], []
        if card is not None:
            key = self.cards.get(card)["key"]
            clauses.append("(b.key = ? OR e.key = ?)")
            params += [key, key]
        if team is not None:
            code = self.cards.teams.get(team)["code"]
            clauses.append("(tb.code = ? OR te.code = ?)")
            params += [code, code]
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        rows = self.core.rows(DEPENDENCY_SELECT + where + " ORDER BY d.id", params)
        for row in rows:
            row["cross_team"] = row["blocker_team"] != row["dependent_team"]
            row["open"] = row["blocker_status"] != "done"
        return rows

    def path(self, start_id: int, goal_id: int) -> builtins.list[int] | None:
        """Card ids along blocker -> dependent links from start to goal, if any."""
        parent: dict[int, int | None] = {start_id: None}
        frontier = [start_id]
        while frontier and goal_id not in parent:
            marks = ", ".join("?" for _ in frontier)
            nxt: list[int] = []
            for blocker, dependent in self.core.conn.execute(
                f"SELECT blocker_id, dependent_id FROM dependencies WHERE blocker_id IN ({marks})",
                frontier,
            ):
                if dependent not in parent:
                    parent[dependent] = blocker
                    nxt.append(dependent)
            frontier = nxt
        if goal_id not in parent:
            return None
        chain: list[int] = []
        node: int | None = goal_id
        while node is not None:
            chain.append(node)
            node = parent[node]
        return chain[::-1]

    def add(self, blocker: str, dependent: str) -> dict[str, Any]:
        """Record that `dependent` waits on `blocker`; a link closing a cycle is refused."""
        with self.core.transaction("dependency.add") as tx:
            b = self.cards._raw(blocker)
            d = self.cards._raw(dependent)
            if b["id"] == d["id"]:
                raise UserError(f"dependency: {b['key']} cannot depend on itself")
            if self.core.scalar(
                "SELECT 1 FROM dependencies WHERE blocker_id = ? AND dependent_id = ?",
                [b["id"], d["id"]],
            ):
                raise UserError(f"dependency: {d['key']} already depends on {b['key']}")
            cycle = self.path(d["id"], b["id"])
            if cycle is not None:
                keys = dict(
                    self.core.conn.execute(
                        f"SELECT id, key FROM cards WHERE id IN ({', '.join('?' for _ in cycle)})",
                        cycle,
                    ).fetchall()
                )
                named = " -> ".join(keys[i] for i in [*cycle, d["id"]])
                raise UserError(f"dependency: refused, it would make a cycle: {named}")
            tx.insert(
                "dependency",
                {"blocker_id": b["id"], "dependent_id": d["id"], "created_at": tx.now},
                key=f"{b['key']}>{d['key']}",
            )
        return self.get(b["key"], d["key"])

    def get(self, blocker: str, dependent: str) -> dict[str, Any]:
        rows = self.core.rows(
            DEPENDENCY_SELECT + " WHERE b.key = ? AND e.key = ?",
            [blocker.strip().upper(), dependent.strip().upper()],
        )
        if not rows:
            raise NotFound(f"dependency: {dependent} does not depend on {blocker}")
        row = rows[0]
        row["cross_team"] = row["blocker_team"] != row["dependent_team"]
        row["open"] = row["blocker_status"] != "done"
        return row

    def remove(self, blocker: str, dependent: str) -> dict[str, Any]:
        with self.core.transaction("dependency.remove") as tx:
            b = self.cards._raw(blocker)
            d = self.cards._raw(dependent)
            found = self.get(b["key"], d["key"])
            row = self.core.row("SELECT * FROM dependencies WHERE id = ?", [found["id"]])
            assert row is not None
            tx.delete("dependency", row, key=f"{b['key']}>{d['key']}")
        return found
