"""Cards: keys, the board's columns and positions, edits, moves, deletes."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from sprintboard.errors import NotFound, UserError
from sprintboard.store.checklists import Checklists
from sprintboard.store.database import Rows, StoreCore, Tx, text_match
from sprintboard.store.teams import Teams
from sprintboard.vocabulary import CARD_KEY, MAX_CARD_NUMBER, Priority, Status, numbers_used_up

if TYPE_CHECKING:
    from sprintboard.models import Card

STATUS_ORDER = [s.value for s in Status]

CARD_SELECT = """SELECT c.id, c.uuid, c.key, c.title, c.description, t.code AS team, c.status,
    s.name AS sprint, c.sprint_id, c.points, c.priority, c.assignee, c.due, c.goal_id AS goal,
    c.labels, c.skus, c.expected_orders, c.position, c.external_id,
    c.created_at, c.updated_at, c.done_at, c.cost_cents
  FROM cards c JOIN teams t ON t.id = c.team_id LEFT JOIN sprints s ON s.id = c.sprint_id"""

PUBLIC_FIELDS = (
    "key",
    "uuid",
    "title",
    "description",
    "team",
    "teams",
    "status",
    "sprint",
    "points",
    "priority",
    "assignee",
    "due",
    "goal",
    "labels",
    "skus",
    "expected_orders",
    "blocked_by",
    "blockers",
    "blocks",
    "cross_team",
    "feedback",
    "reports",
    "comment_count",
    "checklist_done",
    "checklist_total",
    "position",
    "created_at",
    "updated_at",
    "done_at",
)
"""The documented JSON shape of a card (README: 'JSON output')."""

EDITABLE = (
    "title",
    "description",
    "team",
    "teams",
    "status",
    "points",
    "priority",
    "assignee",
    "due",
    "labels",
    "skus",
    "expected_orders",
)

ALL = object()
"""Sentinel for 'any sprint' in card queries (None means the backlog)."""


def public(card: dict[str, Any]) -> dict[str, Any]:
    return {f: card[f] for f in PUBLIC_FIELDS}


def _json_list(text: str) -> list[Any]:
    # Most cards have no labels or SKUs: skip the decoder for the empty list.
    return [] if text == "[]" else json.loads(text)


class Cards:
    def __init__(self, core: StoreCore, teams: Teams) -> None:
        self.core = core
        self.teams = teams
        self.checklists = Checklists(core, self)

    # -- reading -------------------------------------------------------------------------

    def query(
        self,
        *,
        sprint: Any = ALL,
        team: str | None = None,
        status: str | None = None,
        goal: int | None = None,
        text: str | None = None,
        keys: list[str] | None = None,
        label: str | None = None,
        priority: str | None = None,
        limit: int | None = None,
    ) -> Rows:
        """Cards matching every filter given, in board order, with their links attached.

        `label` matches a label exactly, in any case. `limit`: the first so many only (the
        links are then read for those cards alone)."""
        where, params = self._where(sprint, team, status, goal, text, keys, label, priority)
        order = " ORDER BY " + _status_order_sql() + ", c.position, c.id"
        with self.core._lock:
            if limit is not None:
                ids = [
                    r[0]
                    for r in self.core.conn.execute(
                        f"SELECT c.id FROM cards c{where}{order} LIMIT ?", [*params, limit]
                    )
                ]
                where, params = f" WHERE c.id IN ({', '.join('?' for _ in ids)})", ids
            rows = self.core.rows(CARD_SELECT + where + order, params)
            self._attach_links(rows, where, params)
        return rows

    def count(self, **filters: Any) -> int:
        """How many cards `query(**filters)` would give."""
        where, params = self._where(**filters)
        return int(self.core.scalar(f"SELECT COUNT(*) FROM cards c{where}", params))

    def _where(
        self,
        sprint: Any = ALL,
        team: str | None = None,
        status: str | None = None,
        goal: int | None = None,
        text: str | None = None,
        keys: list[str] | None = None,
        label: str | None = None,
        priority: str | None = None,
    ) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if sprint is not ALL:
            clauses.append("c.sprint_id IS ?")
            params.append(sprint)
        if team is not None:
            clauses.append(
                "(c.team_id = ? OR c.id IN (SELECT card_id FROM card_teams WHERE team_id = ?))"
            )
            team_id = self.teams.get(team)["id"]
            params += [team_id, team_id]
        if status is not None:
            clauses.append("c.status = ?")
            params.append(Status(status).value)
        if goal is not None:
            clauses.append("c.goal_id = ?")
            params.append(goal)
        if text:
            match, like = text_match(("c.title", "c.key"), text)
            clauses.append(match)
            params += [like, like]
        if label:
            clauses.append(
                "EXISTS (SELECT 1 FROM json_each(c.labels) WHERE casefold(value) = casefold(?))"
            )
            params.append(label.strip())
        if priority is not None:
            clauses.append("c.priority = ?")
            params.append(Priority(priority).value)
        if keys is not None:
            clauses.append(f"c.key IN ({', '.join('?' for _ in keys)})")
            params += keys
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def _attach_links(self, rows: list[dict[str, Any]], where: str, params: list[Any]) -> None:
        if not rows:
            return
        ids = f"(SELECT c.id FROM cards c{where})"
        contributing: dict[int, list[str]] = {}
        for cid, code in self.core.conn.execute(
            f"""SELECT ct.card_id, t.code FROM card_teams ct JOIN teams t ON t.id = ct.team_id
                WHERE ct.card_id IN {ids} ORDER BY t.position""",
            params,
        ):
            contributing.setdefault(cid, []).append(code)
        blockers: dict[int, list[tuple[str, str, str]]] = {}
        for cid, key, status, code in self.core.conn.execute(
            f"""SELECT d.dependent_id, b.key, b.status, t.code FROM dependencies d
                JOIN cards b ON b.id = d.blocker_id JOIN teams t ON t.id = b.team_id
                WHERE d.dependent_id IN {ids} ORDER BY b.id""",
            params,
        ):
            blockers.setdefault(cid, []).append((key, status, code))
        blocks: dict[int, list[tuple[str, str]]] = {}
        for cid, key, code in self.core.conn.execute(
            f"""SELECT d.blocker_id, e.key, t.code FROM dependencies d
                JOIN cards e ON e.id = d.dependent_id JOIN teams t ON t.id = e.team_id
                WHERE d.blocker_id IN {ids} ORDER BY e.id""",
            params,
        ):
            blocks.setdefault(cid, []).append((key, code))
        feedback: dict[int, tuple[int, int]] = {}
        for cid, count, reports in self.core.conn.execute(
            f"""SELECT card_id, COUNT(*), SUM(reports) FROM feedback
                WHERE card_id IN {ids} GROUP BY card_id""",
            params,
        ):
            feedback[cid] = (count, reports)
        comments = dict(
            self.core.conn.execute(
                f"""SELECT card_id, COUNT(*) FROM comments WHERE card_id IN {ids}
                    GROUP BY card_id""",
                params,
            ).fetchall()
        )
        checklist: dict[int, tuple[int, int]] = {}
        for cid, done, total in self.core.conn.execute(
            f"""SELECT card_id, SUM(done), COUNT(*) FROM checklist_items
                WHERE card_id IN {ids} GROUP BY card_id""",
            params,
        ):
            checklist[cid] = (int(done), int(total))
        for row in rows:
            cid = row["id"]
            row["labels"] = _json_list(row["labels"])
            row["skus"] = _json_list(row["skus"])
            row["teams"] = [row["team"], *contributing.get(cid, [])]
            mine = blockers.get(cid, [])
            theirs = blocks.get(cid, [])
            row["blockers"] = [k for k, _, _ in mine]
            row["blocked_by"] = [k for k, status, _ in mine if status != "done"]
            row["blocks"] = [k for k, _ in theirs]
            row["cross_team"] = any(code != row["team"] for _, _, code in mine) or any(
                code != row["team"] for _, code in theirs
            )
            row["feedback"], row["reports"] = feedback.get(cid, (0, 0))
            row["comment_count"] = comments.get(cid, 0)
            row["checklist_done"], row["checklist_total"] = checklist.get(cid, (0, 0))

    def get(self, key: str) -> dict[str, Any]:
        key = self.current_key(key)
        found = self.query(keys=[key])
        if not found:
            raise NotFound(f"card: no card {key}")
        return found[0]

    def _raw(self, key: str) -> dict[str, Any]:
        key = self.current_key(key)
        row = self.core.row("SELECT * FROM cards WHERE key = ?", [key])
        if row is None:
            raise NotFound(f"card: no card {key}")
        return row

    def current_key(self, key: str) -> str:
        """The key a card has now: `key` itself, or the card's new key when `key` is an
        old one (sync renumbered a card that another laptop had numbered the same)."""
        key = normalise_key(key)
        if self.core.scalar("SELECT 1 FROM cards WHERE key = ?", [key]):
            return key
        found = self.core.scalar(
            """SELECT c.key FROM card_aliases a JOIN cards c ON c.uuid = a.card_uuid
               WHERE a.alias = ? ORDER BY c.id DESC LIMIT 1""",
            [key],
        )
        return key if found is None else str(found)

    def former_keys(self, uuid: str) -> list[str]:
        """Keys the card had before sync renumbered it (they still find it)."""
        return [
            str(r[0])
            for r in self.core.conn.execute(
                "SELECT alias FROM card_aliases WHERE card_uuid = ? ORDER BY alias", [uuid]
            )
        ]

    def column(self, sprint_id: int | None, status: str) -> Rows:
        return self.core.rows(
            "SELECT * FROM cards WHERE sprint_id IS ? AND status = ? ORDER BY position, id",
            [sprint_id, status],
        )

    # -- writing -------------------------------------------------------------------------

    def _allocate_key(self, team_code: str) -> str:
        # Counters only grow, so a deleted card's key is never handed out again.
        last = self.core.conn.execute(
            "SELECT last FROM key_counters WHERE team_code = ?", [team_code]
        ).fetchone()
        # A counter at the end (or past it, stored before the bound; SQLite would turn
        # 2**63 into a float) hands out nothing: never a key that is no key.
        if last is not None and not (isinstance(last[0], int) and last[0] < MAX_CARD_NUMBER):
            raise UserError(numbers_used_up(team_code, last[0]))
        n = self.core.conn.execute(
            """INSERT INTO key_counters(team_code, last) VALUES (?, 1)
               ON CONFLICT(team_code) DO UPDATE SET last = last + 1 RETURNING last""",
            [team_code],
        ).fetchone()[0]
        return f"{team_code}-{n}"

    def _end_position(self, sprint_id: int | None, status: str) -> float:
        return float(
            self.core.scalar(
                "SELECT COALESCE(MAX(position), 0) + 1 FROM cards WHERE sprint_id IS ? "
                "AND status = ?",
                [sprint_id, status],
            )
        )

    def _assignee(self, name: str) -> str:
        """A team member's own spelling when `name` names one ('sanne' -> 'Sanne de
        Vries'), else the text as given (someone outside the teams)."""
        return self.core.person(name) if name else ""

    def _team_ids(self, card: Card) -> tuple[int, list[int]]:
        owner = self.teams.get(card.team)
        if owner["archived"]:
            raise UserError(f"team: {owner['code']} is archived; pick an active team")
        others: list[int] = []
        for code in card.teams:
            team = self.teams.get(code)
            if team["id"] != owner["id"] and team["id"] not in others:
                others.append(team["id"])
        return owner["id"], others

    def add(
        self,
        card: Card,
        *,
        sprint_id: int | None = None,
        goal_id: int | None = None,
        external_id: str | None = None,
        action: str = "card.add",
    ) -> dict[str, Any]:
        with self.core.transaction(action) as tx:
            key = self.insert(
                tx, card, sprint_id=sprint_id, goal_id=goal_id, external_id=external_id
            )
        return self.get(key)

    def insert(
        self,
        tx: Tx,
        card: Card,
        *,
        sprint_id: int | None = None,
        goal_id: int | None = None,
        external_id: str | None = None,
    ) -> str:
        """Insert a card inside an open transaction; returns its new key."""
        team_id, others = self._team_ids(card)
        key = self._allocate_key(self.teams.get(card.team)["code"])
        status = card.status.value
        data = card.model_dump(mode="json", exclude={"team", "teams"})
        data["assignee"] = self._assignee(data["assignee"])
        row = {
            **data,
            "labels": json.dumps(data["labels"], ensure_ascii=False),
            "skus": json.dumps(data["skus"], ensure_ascii=False),
            "key": key,
            "team_id": team_id,
            "sprint_id": sprint_id,
            "goal_id": goal_id,
            "external_id": external_id,
            "position": self._end_position(sprint_id, status),
            "created_at": tx.now,
            "updated_at": tx.now,
            "done_at": tx.now if status == "done" else None,
        }
        card_id = tx.insert("card", row, key=key)
        for other in others:
            tx.insert("card_team", {"card_id": card_id, "team_id": other}, key=key)
        self.checklists.teams_joined(tx, {"id": card_id, "key": key}, others)
        return key

    def edit(
        self, key: str, changes: dict[str, Any], *, action: str = "card.edit"
    ) -> dict[str, Any]:
        """Change card fields (model names; plus sprint_id and goal_id, already resolved)."""
        unknown = set(changes) - set(EDITABLE) - {"sprint_id", "goal_id"}
        if unknown:
            raise UserError(f"{sorted(unknown)[0]}: not a card field ({', '.join(EDITABLE)})")
        with self.core.transaction(action) as tx:
            row = self._raw(key)
            current = self.get(key)
            merged = {f: current[f] for f in EDITABLE} | {
                f: v for f, v in changes.items() if f in EDITABLE
            }
            merged["teams"] = [t for t in merged["teams"] if t != current["team"]]
            from sprintboard.models import Card, validate  # pydantic: only when writing

            card = validate(Card, merged)
            team_id, others = self._team_ids(card)
            data = card.model_dump(mode="json", exclude={"team", "teams"})
            updates: dict[str, Any] = {f: data[f] for f in changes if f in data}
            if "assignee" in updates:
                updates["assignee"] = self._assignee(updates["assignee"])
            for f in ("labels", "skus"):
                if f in updates:
                    updates[f] = json.dumps(updates[f], ensure_ascii=False)
            if "team" in changes:
                updates["team_id"] = team_id
            for f in ("sprint_id", "goal_id"):
                if f in changes:
                    updates[f] = changes[f]
            moving = ("status" in updates and updates["status"] != row["status"]) or (
                "sprint_id" in updates and updates["sprint_id"] != row["sprint_id"]
            )
            if moving:
                target_status = updates.get("status", row["status"])
                updates["position"] = self._end_position(
                    updates.get("sprint_id", row["sprint_id"]), target_status
                )
                updates["done_at"] = tx.now if target_status == "done" else None
            if tx.update("card", row, updates, key=row["key"]):
                tx.update("card", row, {"updated_at": tx.now}, key=row["key"])
            if "teams" in changes or "team" in changes:
                self.set_contributing(tx, row, others)
        return self.get(key)

    def set_contributing(self, tx: Tx, card: dict[str, Any], team_ids: list[int]) -> None:
        """Make `team_ids` the contributing teams of `card` (its cards row) inside an open
        transaction: links to other teams are removed, missing ones added, each logged
        under the card's key. The owning team is the caller's to leave out."""
        existing = self.core.rows("SELECT * FROM card_teams WHERE card_id = ?", [card["id"]])
        for link in existing:
            if link["team_id"] not in team_ids:
                tx.delete("card_team", link, key=card["key"])
        have = {link["team_id"] for link in existing}
        for team_id in team_ids:
            if team_id not in have:
                tx.insert("card_team", {"card_id": card["id"], "team_id": team_id}, key=card["key"])
        self.checklists.teams_left(tx, card, [t for t in have if t not in team_ids])
        self.checklists.teams_joined(tx, card, [t for t in team_ids if t not in have])

    def move(
        self,
        key: str,
        *,
        status: str | None = None,
        sprint_id: Any = ALL,
        index: int | None = None,
    ) -> dict[str, Any]:
        """Move a card to another column and/or sprint; at `index` in it, else at the end."""
        changes: dict[str, Any] = {}
        if status is not None:
            changes["status"] = Status(status).value
        if sprint_id is not ALL:
            changes["sprint_id"] = sprint_id
        with self.core.transaction("card.move") as tx:
            self.edit(key, changes, action="card.move")
            if index is not None:
                self._place(tx, self._raw(key), index)
        return self.get(key)

    def reorder(self, key: str, delta: int) -> dict[str, Any]:
        """Move a card up (negative) or down (positive) within its column."""
        with self.core.transaction("card.reorder") as tx:
            row = self._raw(key)
            column = self.column(row["sprint_id"], row["status"])
            index = next(i for i, c in enumerate(column) if c["id"] == row["id"])
            self._place(tx, row, max(0, min(len(column) - 1, index + delta)))
        return self.get(key)

    def place_next_to(self, key: str, neighbour: str, *, after: bool) -> dict[str, Any]:
        """Put a card just above (or below) another card of the same column."""
        with self.core.transaction("card.reorder") as tx:
            row = self._raw(key)
            other = self._raw(neighbour)
            if other["id"] == row["id"]:
                return self.get(key)  # next to itself is where it is
            if (other["sprint_id"], other["status"]) != (row["sprint_id"], row["status"]):
                raise UserError(f"card: {other['key']} is not in the same column as {row['key']}")
            column = [
                c for c in self.column(row["sprint_id"], row["status"]) if c["id"] != row["id"]
            ]
            index = next(i for i, c in enumerate(column) if c["id"] == other["id"])
            self._place(tx, row, index + 1 if after else index)
        return self.get(key)

    def _place(self, tx: Tx, row: dict[str, Any], index: int) -> None:
        others = [c for c in self.column(row["sprint_id"], row["status"]) if c["id"] != row["id"]]
        index = max(0, min(len(others), index))
        before: float | None = others[index - 1]["position"] if index > 0 else None
        after: float | None = others[index]["position"] if index < len(others) else None
        if before is None:
            position = 1.0 if after is None else after - 1.0
        elif after is None:
            position = before + 1.0
        else:
            position = (before + after) / 2
        if position in (before, after):
            # Floating-point positions ran out of room between two neighbours: renumber.
            for i, other in enumerate(others):
                tx.update(
                    "card", other, {"position": float(i + 1 + (i >= index))}, key=other["key"]
                )
            position = float(index + 1)
        if tx.update("card", row, {"position": position}, key=row["key"]):
            tx.update("card", row, {"updated_at": tx.now}, key=row["key"])

    def delete(self, key: str) -> dict[str, Any]:
        """Delete a card with its links; the activity log keeps everything for undo."""
        with self.core.transaction("card.delete") as tx:
            card = self.get(key)
            self.remove(tx, self._raw(key))
        return card

    def remove(self, tx: Tx, row: dict[str, Any]) -> None:
        """Delete a card (its cards row) inside an open transaction, logging each record
        that goes with it (links, contributing teams, comments, checklist), so undo can
        put every one back and history shows them go."""
        for fb in self.core.rows("SELECT * FROM feedback WHERE card_id = ?", [row["id"]]):
            tx.update("feedback", fb, {"card_id": None}, key=f"FB-{fb['id']}")
        for dep in self.core.rows(
            "SELECT * FROM dependencies WHERE blocker_id = ? OR dependent_id = ?",
            [row["id"], row["id"]],
        ):
            # Keyed BLOCKER>DEPENDENT as when it was added: the other card's history
            # shows the link going (and coming back on undo) too.
            ends = dict(
                self.core.conn.execute(
                    "SELECT id, key FROM cards WHERE id IN (?, ?)",
                    [dep["blocker_id"], dep["dependent_id"]],
                ).fetchall()
            )
            named = f"{ends[dep['blocker_id']]}>{ends[dep['dependent_id']]}"
            tx.delete("dependency", dep, key=named)
        for table, entity in (
            ("card_teams", "card_team"),
            ("comments", "comment"),
            ("checklist_items", "checklist_item"),
        ):
            for child in self.core.rows(f"SELECT * FROM {table} WHERE card_id = ?", [row["id"]]):
                tx.delete(entity, child, key=row["key"])
        tx.delete("card", row, key=row["key"])


def normalise_key(key: str) -> str:
    key = key.strip().upper()
    if not CARD_KEY.match(key):
        raise UserError(f"card: {key!r} is not a card key (a team code and a number, like IT-42)")
    return key


def _status_order_sql() -> str:
    cases = " ".join(f"WHEN '{s}' THEN {i}" for i, s in enumerate(STATUS_ORDER))
    return f"CASE c.status {cases} END"
