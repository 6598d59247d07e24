"""Sprints: planning, starting and closing, and the sprint references the CLI accepts."""

from __future__ import annotations

from typing import Any

from sprintboard.errors import NotFound, UserError
from sprintboard.models import Sprint, validate
from sprintboard.store.database import Rows, StoreCore

SPRINT_FIELDS = ("name", "goal", "start", "end", "state")
CARRY_OVER = ("backlog", "next")


class Sprints:
    def __init__(self, core: StoreCore) -> None:
        self.core = core

    def list(self, state: str | None = None) -> Rows:
        sql = """SELECT s.*,
                   (SELECT COUNT(*) FROM cards c WHERE c.sprint_id = s.id) AS cards,
                   (SELECT COALESCE(SUM(points), 0) FROM cards c WHERE c.sprint_id = s.id)
                       AS points,
                   (SELECT COALESCE(SUM(points), 0) FROM cards c
                       WHERE c.sprint_id = s.id AND c.status = 'done') AS done_points
                 FROM sprints s"""
        params: list[Any] = []
        if state:
            sql += " WHERE s.state = ?"
            params.append(state)
        return self.core.rows(sql + " ORDER BY s.start, s.id", params)

    def get(self, name: str) -> dict[str, Any]:
        row = self.core.row("SELECT * FROM sprints WHERE name = ?", [name])
        if row is None:
            known = [r["name"] for r in self.core.rows("SELECT name FROM sprints ORDER BY start")]
            hint = ", ".join(known[-6:]) if known else "none yet"
            raise NotFound(
                f"sprint: no sprint named {name!r} (use a name, 'current' or 'backlog'; "
                f"sprints: {hint})"
            )
        return row

    def get_by_id(self, sprint_id: int) -> dict[str, Any]:
        row = self.core.row("SELECT * FROM sprints WHERE id = ?", [sprint_id])
        if row is None:
            raise NotFound(f"sprint: no sprint with id {sprint_id}")
        return row

    def active(self) -> dict[str, Any] | None:
        return self.core.row("SELECT * FROM sprints WHERE state = 'active'")

    def resolve(self, ref: str) -> dict[str, Any] | None:
        """A sprint name, 'current' (the active sprint) or 'backlog' (None)."""
        ref = ref.strip()
        if ref.lower() == "backlog":
            return None
        if ref.lower() == "current":
            active = self.active()
            if active is None:
                raise UserError(
                    "sprint: there is no active sprint ('current'); start one with "
                    "'sprintboard sprint start NAME'"
                )
            return active
        return self.get(ref)

    def add(self, sprint: Sprint) -> dict[str, Any]:
        if sprint.state.value != "planned":
            raise UserError("state: a new sprint is 'planned'; start it with 'sprint start'")
        with self.core.transaction("sprint.add") as tx:
            if self.core.scalar("SELECT 1 FROM sprints WHERE name = ?", [sprint.name]):
                raise UserError(f"name: a sprint named {sprint.name!r} already exists")
            tx.insert("sprint", sprint.model_dump(mode="json"), key=sprint.name)
        return self.get(sprint.name)

    def edit(self, name: str, changes: dict[str, Any]) -> dict[str, Any]:
        with self.core.transaction("sprint.edit") as tx:
            row = self.get(name)
            if "state" in changes:
                raise UserError("state: use 'sprint start' or 'sprint close'")
            merged = validate(Sprint, {f: row[f] for f in SPRINT_FIELDS} | changes)
            new = merged.model_dump(mode="json")
            if new["name"] != row["name"] and self.core.scalar(
                "SELECT 1 FROM sprints WHERE name = ?", [new["name"]]
            ):
                raise UserError(f"name: a sprint named {new['name']!r} already exists")
            tx.update("sprint", row, {f: new[f] for f in changes}, key=new["name"])
            return self.get(new["name"])

    def set_capacity(self, name: str, team_code: str, capacity: int) -> None:
        """Override one team's capacity for this sprint."""
        if capacity < 0:
            raise UserError(f"capacity: must be 0 or more (got {capacity})")
        with self.core.transaction("sprint.capacity") as tx:
            sprint = self.get(name)
            team = self.core.row("SELECT * FROM teams WHERE code = ?", [team_code.upper()])
            if team is None:
                raise NotFound(f"team: unknown team {team_code!r}")
            row = self.core.row(
                "SELECT * FROM sprint_capacity WHERE sprint_id = ? AND team_id = ?",
                [sprint["id"], team["id"]],
            )
            key = f"{sprint['name']}/{team['code']}"
            if row is None:
                tx.insert(
                    "sprint_capacity",
                    {"sprint_id": sprint["id"], "team_id": team["id"], "capacity": capacity},
                    key=key,
                )
            else:
                tx.update("sprint_capacity", row, {"capacity": capacity}, key=key)

    def _points(self, sprint_id: int, done_only: bool = False) -> int:
        extra = " AND status = 'done'" if done_only else ""
        return int(
            self.core.scalar(
                f"SELECT COALESCE(SUM(points), 0) FROM cards WHERE sprint_id = ?{extra}",
                [sprint_id],
            )
        )

    def start(self, name: str) -> dict[str, Any]:
        with self.core.transaction("sprint.start") as tx:
            row = self.get(name)
            if row["state"] != "planned":
                raise UserError(f"sprint {name!r} is {row['state']}; only a planned sprint starts")
            active = self.active()
            if active is not None:
                raise UserError(
                    f"sprint {active['name']!r} is still active; close it first "
                    "(one active sprint at a time)"
                )
            tx.update(
                "sprint",
                row,
                {
                    "state": "active",
                    "started_at": tx.now,
                    "committed_points": self._points(row["id"]),
                },
                key=row["name"],
            )
        return self.get(name)

    def unfinished(self, name: str) -> Rows:
        sprint = self.get(name)
        return self.core.rows(
            "SELECT * FROM cards WHERE sprint_id = ? AND status != 'done' ORDER BY position",
            [sprint["id"]],
        )

    def next_after(self, sprint: dict[str, Any]) -> dict[str, Any] | None:
        return self.core.row(
            "SELECT * FROM sprints WHERE state = 'planned' AND id != ? ORDER BY start, id LIMIT 1",
            [sprint["id"]],
        )

    def close(self, name: str, carry_over: str | None) -> dict[str, Any]:
        """Close the active sprint; unfinished cards go to the backlog or the next sprint."""
        with self.core.transaction("sprint.close") as tx:
            row = self.get(name)
            if row["state"] != "active":
                raise UserError(f"sprint {name!r} is {row['state']}; only the active one closes")
            unfinished = self.unfinished(name)
            if unfinished and carry_over not in CARRY_OVER:
                raise UserError(
                    f"sprint {name!r} has {len(unfinished)} unfinished cards; say where they "
                    "go with --carry-over backlog|next"
                )
            target_id: int | None = None
            if unfinished and carry_over == "next":
                nxt = self.next_after(row)
                if nxt is None:
                    raise UserError(
                        "carry-over: there is no planned sprint to carry cards into; add one "
                        "or use --carry-over backlog"
                    )
                target_id = nxt["id"]
            base = int(
                self.core.scalar(
                    "SELECT COALESCE(MAX(position), 0) FROM cards WHERE sprint_id IS ?",
                    [target_id],
                )
            )
            card: dict[str, Any]
            for offset, card in enumerate(unfinished, start=1):
                changes: dict[str, Any] = {"sprint_id": target_id, "position": base + offset}
                if target_id is None:
                    changes["status"] = "backlog"
                changes["updated_at"] = tx.now
                tx.update("card", card, changes, key=card["key"])
            tx.update(
                "sprint",
                row,
                {
                    "state": "closed",
                    "closed_at": tx.now,
                    "completed_points": self._points(row["id"], done_only=True),
                },
                key=row["name"],
            )
        return self.get(name)
