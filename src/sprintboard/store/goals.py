"""Goals: the KPIs and ROI that cards roll up to, and C-level sign-off."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sprintboard.errors import NotFound, UserError
from sprintboard.numbers import whole_number
from sprintboard.store.database import Rows, StoreCore
from sprintboard.vocabulary import INT64_MAX, strip_control

if TYPE_CHECKING:
    from sprintboard.models import Goal

GOAL_FIELDS = (
    "title",
    "kpi",
    "unit",
    "baseline",
    "target",
    "current",
    "expected_roi",
    "sponsor",
    "status",
)


class Goals:
    def __init__(self, core: StoreCore) -> None:
        self.core = core

    def list(self) -> Rows:
        return self.core.rows(
            """SELECT g.*,
                 (SELECT COUNT(*) FROM cards c WHERE c.goal_id = g.id) AS cards,
                 (SELECT COALESCE(SUM(points), 0) FROM cards c WHERE c.goal_id = g.id) AS points,
                 (SELECT COALESCE(SUM(points), 0) FROM cards c
                    WHERE c.goal_id = g.id AND c.status = 'done') AS done_points
               FROM goals g ORDER BY g.id"""
        )

    def get(self, goal_id: int | str) -> dict[str, Any]:
        try:
            ident = whole_number(str(goal_id).strip().removeprefix("G").removeprefix("g"))
        except ValueError:
            raise UserError(f"goal: must be a goal id number (got {goal_id!r})") from None
        if not 1 <= ident <= INT64_MAX:
            raise UserError(f"goal: must be a goal id number (got {goal_id!r})")
        row = self.core.row(
            """SELECT g.*,
                 (SELECT COUNT(*) FROM cards c WHERE c.goal_id = g.id) AS cards,
                 (SELECT COALESCE(SUM(points), 0) FROM cards c WHERE c.goal_id = g.id) AS points,
                 (SELECT COALESCE(SUM(points), 0) FROM cards c
                    WHERE c.goal_id = g.id AND c.status = 'done') AS done_points
               FROM goals g WHERE g.id = ?""",
            [ident],
        )
        if row is None:
            known = [str(r["id"]) for r in self.core.rows("SELECT id FROM goals ORDER BY id")]
            raise NotFound(
                f"goal: no goal with id {ident} (goals: {', '.join(known) or 'none yet'})"
            )
        return row

    def add(self, goal: Goal) -> dict[str, Any]:
        with self.core.transaction("goal.add") as tx:
            rowid = tx.insert(
                "goal",
                {**goal.model_dump(mode="json"), "created_at": tx.now, "updated_at": tx.now},
                key=goal.title,
            )
        return self.get(rowid)

    def edit(self, goal_id: int | str, changes: dict[str, Any]) -> dict[str, Any]:
        with self.core.transaction("goal.edit") as tx:
            row = self.get(goal_id)
            from sprintboard.models import Goal, validate  # pydantic: only when writing

            new = validate(Goal, {f: row[f] for f in GOAL_FIELDS} | changes).model_dump(mode="json")
            updates = {f: new[f] for f in changes}
            if tx.update("goal", row, updates, key=row["title"]):
                tx.update("goal", row, {"updated_at": tx.now}, key=row["title"])
        return self.get(row["id"])

    def signoff(self, goal_id: int | str, who: str) -> dict[str, Any]:
        """Record C-level buy-in: who signed the goal off, and when."""
        who = strip_control(who, one_line=True)
        if not who:
            raise UserError("by: name who signs off (must not be empty)")
        with self.core.transaction("goal.signoff") as tx:
            row = self.get(goal_id)
            tx.update(
                "goal",
                row,
                {"signed_off_by": who, "signed_off_at": tx.now, "updated_at": tx.now},
                key=row["title"],
            )
        return self.get(row["id"])

    def progress_by_team(self, goal_id: int | None = None) -> Rows:
        """Each goal's cards per owning team: goal, team, cards, done_cards, points,
        done_points (one goal's when `goal_id` is given), in goal then team order."""
        where = "WHERE c.goal_id IS NOT NULL" + (" AND c.goal_id = ?" if goal_id else "")
        return self.core.rows(
            f"""SELECT c.goal_id AS goal, t.code AS team, COUNT(*) AS cards,
                  SUM(c.status = 'done') AS done_cards,
                  COALESCE(SUM(c.points), 0) AS points,
                  COALESCE(SUM(CASE WHEN c.status = 'done' THEN c.points END), 0)
                      AS done_points
                FROM cards c JOIN teams t ON t.id = c.team_id {where}
                GROUP BY c.goal_id, t.code ORDER BY c.goal_id, t.position""",
            [goal_id] if goal_id else [],
        )

    def last_sprint_ends(self) -> dict[int, str]:
        """Goal id -> the end date of the last sprint holding any of its cards."""
        with self.core._lock:
            found = self.core.conn.execute(
                """SELECT c.goal_id, MAX(s.end) FROM cards c JOIN sprints s ON s.id = c.sprint_id
                   WHERE c.goal_id IS NOT NULL GROUP BY c.goal_id"""
            ).fetchall()
        return {int(goal): end for goal, end in found}
