"""Dependencies between cards (blocker -> dependent); cycles are refused.

Also the bulk reads the dependency graph and the seam checks start from: every card, link
and capacity override in a few queries, never one query per card.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Hashable, Iterable, Mapping
from typing import Any, TypeVar

from sprintboard.errors import NotFound, UserError
from sprintboard.store.bulk import log_many
from sprintboard.store.cards import Cards, normalise_key
from sprintboard.store.database import Rows, StoreCore, link_uuid

DEPENDENCY_SELECT = """SELECT d.id, d.uuid, b.key AS blocker, b.status AS blocker_status,
    tb.code AS blocker_team, e.key AS dependent, e.status AS dependent_status,
    te.code AS dependent_team, d.created_at
  FROM dependencies d
  JOIN cards b ON b.id = d.blocker_id JOIN teams tb ON tb.id = b.team_id
  JOIN cards e ON e.id = d.dependent_id JOIN teams te ON te.id = e.team_id"""

PLAN_CARD_SELECT = """SELECT c.key, c.title, t.code AS team, t.format AS team_format,
    t.archived AS team_archived, c.status, s.name AS sprint, c.points, c.due,
    c.goal_id AS goal, c.labels, c.skus, c.expected_orders, c.cost_cents
  FROM cards c JOIN teams t ON t.id = c.team_id LEFT JOIN sprints s ON s.id = c.sprint_id
  ORDER BY c.id"""

N = TypeVar("N", bound=Hashable)


def find_cycle(successors: Mapping[N, Iterable[N]]) -> builtins.list[N] | None:
    """A cycle along the links, as [a, b, ..., a] in blocker -> dependent order, or None.

    Depth first and iterative (a chain of 10,000 cards must not hit the recursion limit);
    the first cycle met from the first node in `successors` order, so the answer is stable.
    """
    state: dict[N, int] = {}  # 1: on the current path, 2: finished
    for root in successors:
        if root in state:
            continue
        state[root] = 1
        path = [root]
        stack = [iter(successors.get(root, ()))]
        while stack:
            for nxt in stack[-1]:
                seen = state.get(nxt)
                if seen is None:
                    state[nxt] = 1
                    path.append(nxt)
                    stack.append(iter(successors.get(nxt, ())))
                    break
                if seen == 1:
                    return [*path[path.index(nxt) :], nxt]
            else:
                state[path.pop()] = 2
                stack.pop()
    return None


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

    # -- bulk: the dependency graph and the seam checks -------------------------------------

    def plan_cards(self) -> Rows:
        """Every card with what the graph and the checks read, in card order, in one query.

        Keys: key, title, team, team_format, team_archived (bool), status, sprint (name or
        None), points, due, goal, labels, skus (lists), expected_orders, cost_cents.
        """
        rows = self.core.rows(PLAN_CARD_SELECT)
        for row in rows:
            row["team_archived"] = bool(row["team_archived"])
            # Most cards have neither; skipping json.loads for them halves the cost at 100k.
            row["labels"] = json.loads(row["labels"]) if row["labels"] != "[]" else []
            row["skus"] = json.loads(row["skus"]) if row["skus"] != "[]" else []
        return rows

    def pairs(self) -> builtins.list[tuple[str, str]]:
        """Every link as (blocker key, dependent key), oldest first."""
        # Two plain scans and a dict beat joining cards twice: at 20,000 links the joins'
        # random lookups into the (wide) cards table cost twice as much.
        with self.core._lock:
            conn = self.core.conn
            keys = dict(conn.execute("SELECT id, key FROM cards").fetchall())
            links = conn.execute("SELECT blocker_id, dependent_id FROM dependencies ORDER BY id")
            return [(keys[b], keys[d]) for b, d in links.fetchall()]

    def capacity_overrides(self) -> dict[tuple[str, str], int]:
        """Each sprint's capacity overrides: (sprint name, team code) -> points."""
        with self.core._lock:
            found = self.core.conn.execute(
                """SELECT s.name, t.code, sc.capacity FROM sprint_capacity sc
                   JOIN sprints s ON s.id = sc.sprint_id JOIN teams t ON t.id = sc.team_id"""
            ).fetchall()
        return {(sprint, team): int(capacity) for sprint, team, capacity in found}

    def add_many(
        self, pairs: Iterable[tuple[str, str]], *, action: str = "dependency.import"
    ) -> int:
        """Add many links (blocker key, dependent key) in one transaction; returns how many
        were new. Links already recorded are skipped; an unknown card, a self-link or a
        batch that would close a cycle refuses the whole batch, naming the problem."""
        with self.core.transaction(action) as tx:
            conn = self.core.conn
            ids: dict[str, int] = dict(conn.execute("SELECT key, id FROM cards").fetchall())
            # A dict, not a set: links in a stable order name a cycle the same way each time.
            links: dict[tuple[int, int], None] = dict.fromkeys(
                conn.execute("SELECT blocker_id, dependent_id FROM dependencies ORDER BY id")
            )
            new: list[tuple[int, int, str]] = []
            for blocker, dependent in pairs:
                b_key, d_key = normalise_key(blocker), normalise_key(dependent)
                for key in (b_key, d_key):
                    if key not in ids:
                        raise NotFound(f"card: no card {key}")
                b, d = ids[b_key], ids[d_key]
                if b == d:
                    raise UserError(f"dependency: {b_key} cannot depend on itself")
                if (b, d) not in links:
                    links[(b, d)] = None
                    new.append((b, d, f"{b_key}>{d_key}"))
            if not new:
                return 0
            successors: dict[int, list[int]] = {}
            for b, d in links:
                successors.setdefault(b, []).append(d)
            cycle = find_cycle(successors)
            if cycle is not None:
                keys = {i: k for k, i in ids.items()}
                named = " -> ".join(keys[i] for i in cycle)
                raise UserError(f"dependency: refused, it would make a cycle: {named}")
            after = conn.execute("SELECT COALESCE(MAX(id), 0) FROM dependencies").fetchone()[0]
            uuids = dict(conn.execute("SELECT id, uuid FROM cards").fetchall())
            conn.executemany(
                "INSERT INTO dependencies(uuid, blocker_id, dependent_id, created_at)"
                " VALUES (?, ?, ?, ?)",
                [(link_uuid("dependency", [uuids[b], uuids[d]]), b, d, tx.now) for b, d, _ in new],
            )
            made = self.core.rows("SELECT * FROM dependencies WHERE id > ? ORDER BY id", [after])
            log_many(
                tx,
                (
                    {
                        "entity": "dependency",
                        "entity_uuid": row["uuid"],
                        "entity_key": key,
                        "op": "create",
                        "after": row,
                    }
                    for row, (_, _, key) in zip(made, new, strict=True)
                ),
            )
        return len(new)
