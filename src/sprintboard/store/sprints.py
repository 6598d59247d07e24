"""Sprints: planning, starting and closing, and the sprint references the CLI accepts."""

from __future__ import annotations

import builtins
import json
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

from sprintboard.errors import NotFound, UserError
from sprintboard.store.database import Rows, StoreCore

if TYPE_CHECKING:
    from sprintboard.models import Sprint

SPRINT_FIELDS = ("name", "goal", "start", "end", "state")
CARD_STATE = ("uuid", "key", "team_id", "status", "sprint_id", "points", "deleted")
"""What the charts replay of a card (Sprints.card_history)."""


class LogEntry(NamedTuple):
    """One activity entry of a card, as the charts replay it (Sprints.card_history)."""

    uuid: str
    at: str
    id: int
    op: str  # create | update | delete
    field: str | None  # for an update: status, sprint_id, points or team_id
    before: Any  # for an update: the old value, decoded
    after: Any  # ... and the new one


CARRY_OVER = ("backlog", "next")
CARD_PLAN = ("next", "backlog", "leave")
"""Where one unfinished card goes when its sprint closes (leave: it stays, unfinished)."""
RESERVED_NAMES = ("current", "backlog")
"""Words every sprint argument reads as the active sprint and the backlog: a sprint so
named could never be addressed."""


def is_reserved_name(name: str) -> bool:
    return " ".join(name.split()).casefold() in RESERVED_NAMES


def _check_name(name: str) -> None:
    if is_reserved_name(name):
        raise UserError(
            f"name: 'current' and 'backlog' cannot name a sprint (got {name!r}); they mean "
            "the active sprint and the backlog: choose another name"
        )


def _check_open(row: dict[str, Any]) -> None:
    if row["state"] == "closed":
        raise UserError(
            f"sprint {row['name']!r} is closed; closed sprints are history and cannot be "
            "edited (their cards can still move)"
        )


def shifted_dates(start: str, end: str, today: str) -> tuple[str, str]:
    """The sprint's dates moved to start `today`, keeping its length (ISO days)."""
    first, last, new = (date.fromisoformat(d) for d in (start, end, today))
    return new.isoformat(), (new + (last - first)).isoformat()


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
        given, ref = ref, ref.strip()
        if not ref:
            raise UserError(
                f"sprint: the sprint is empty (got {given!r}); give a sprint name, 'current' "
                "or 'backlog'"
            )
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
        _check_name(sprint.name)
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
            _check_open(row)
            if "name" in changes:
                _check_name(str(changes["name"]))
            from sprintboard.models import Sprint, validate  # pydantic: only when writing

            merged = validate(Sprint, {f: row[f] for f in SPRINT_FIELDS} | changes)
            new = merged.model_dump(mode="json")
            if new["name"] != row["name"] and self.core.scalar(
                "SELECT 1 FROM sprints WHERE name = ?", [new["name"]]
            ):
                raise UserError(f"name: a sprint named {new['name']!r} already exists")
            tx.update("sprint", row, {f: new[f] for f in changes}, key=new["name"])
            return self.get(new["name"])

    def delete(self, name: str) -> None:
        """Delete a sprint that holds no cards (its capacity overrides go with it)."""
        with self.core.transaction("sprint.delete") as tx:
            row = self.get(name)
            _check_open(row)
            held = int(
                self.core.scalar("SELECT COUNT(*) FROM cards WHERE sprint_id = ?", [row["id"]])
            )
            if held:
                raise UserError(
                    f"sprint {name!r} holds {held} card{'s' if held != 1 else ''}; only an "
                    "empty sprint is deleted: move its cards out first"
                )
            for cap in self.core.rows(
                "SELECT * FROM sprint_capacity WHERE sprint_id = ?", [row["id"]]
            ):
                tx.delete("sprint_capacity", cap, key=f"{row['name']}/{cap['team_id']}")
            tx.delete("sprint", row, key=row["name"])

    def set_capacity(self, name: str, team_code: str, capacity: int) -> None:
        """Override one team's capacity for this sprint."""
        from sprintboard.models import SprintCapacity, validate  # pydantic: only when writing

        capacity = validate(SprintCapacity, {"capacity": capacity}).capacity
        with self.core.transaction("sprint.capacity") as tx:
            sprint = self.get(name)
            _check_open(sprint)
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

    def start(self, name: str, *, shift: bool = False) -> dict[str, Any]:
        """Start a planned sprint. With `shift`, its dates move to start today, keeping its
        length, so the burndown starts on the day it really started."""
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
            changes: dict[str, Any] = {}
            if shift:
                from sprintboard.models import Sprint, validate  # pydantic: only when writing

                start, end = shifted_dates(row["start"], row["end"], self.core.today())
                checked = validate(Sprint, {"name": row["name"], "start": start, "end": end})
                changes = {"start": checked.start.isoformat(), "end": checked.end.isoformat()}
            changes |= {
                "state": "active",
                "started_at": tx.now,
                "committed_points": self._points(row["id"]),
            }
            tx.update("sprint", row, changes, key=row["name"])
        return self.get(name)

    def starts_off_plan(self, name: str) -> bool:
        """Whether starting the sprint today is another day than its planned start."""
        return bool(self.get(name)["start"] != self.core.today())

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

    def close(
        self, name: str, carry_over: str | None, plan: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """Close the active sprint; unfinished cards go to the backlog or the next sprint.

        `plan` says it card by card (key -> next, backlog or leave: it stays in the closed
        sprint, unfinished); a card it does not name goes where `carry_over` says.
        """
        plan = {k.upper(): v for k, v in (plan or {}).items()}
        with self.core.transaction("sprint.close") as tx:
            row = self.get(name)
            if row["state"] != "active":
                raise UserError(f"sprint {name!r} is {row['state']}; only the active one closes")
            unfinished = self.unfinished(name)
            keys = {c["key"] for c in unfinished}
            for key, where in plan.items():
                if where not in CARD_PLAN:
                    raise UserError(
                        f"carry-over: {key} goes to next, backlog or leave (got {where!r})"
                    )
                if key not in keys:
                    raise UserError(f"carry-over: {key} is not an unfinished card of {name!r}")
            unplanned = [c for c in unfinished if c["key"] not in plan]
            if unplanned and carry_over not in CARRY_OVER and plan:
                # A choice for some cards only: on the command line, or cards that joined the
                # sprint (another process) after the app's dialog listed them.
                shown = ", ".join(c["key"] for c in unplanned[:3])
                more = f" and {len(unplanned) - 3} more" if len(unplanned) > 3 else ""
                raise UserError(
                    f"sprint {name!r}: no place chosen for {shown}{more} (added since?); "
                    "choose for every unfinished card (in the app: close again; on the "
                    "command line: --card KEY=next|backlog|leave or --carry-over)"
                )
            if unplanned and carry_over not in CARRY_OVER:
                raise UserError(
                    f"sprint {name!r} has {len(unplanned)} unfinished cards; say where they "
                    "go with --carry-over backlog|next"
                )
            where_to = {c["key"]: plan.get(c["key"], carry_over or "") for c in unfinished}
            # Before the carry-over moves anything: the scope as it stands at the close.
            added, removed = self._scope_change(row)
            next_id: int | None = None
            if "next" in where_to.values():
                nxt = self.next_after(row)
                if nxt is None:
                    raise UserError(
                        "carry-over: there is no planned sprint to carry cards into; add one "
                        "or use --carry-over backlog"
                    )
                next_id = nxt["id"]
            bases: dict[int | None, int] = {}
            card: dict[str, Any]
            for card in unfinished:
                where = where_to[card["key"]]
                if where == "leave":
                    continue
                target_id = next_id if where == "next" else None
                if target_id not in bases:
                    bases[target_id] = int(
                        self.core.scalar(
                            "SELECT COALESCE(MAX(position), 0) FROM cards WHERE sprint_id IS ?",
                            [target_id],
                        )
                    )
                bases[target_id] += 1
                changes: dict[str, Any] = {"sprint_id": target_id, "position": bases[target_id]}
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
                    "scope_added": added,
                    "scope_removed": removed,
                },
                key=row["name"],
            )
        return self.get(name)

    # -- history: what the charts and the close read from the activity log ---------------

    def in_state(self, state: str) -> Rows:
        """The sprints in one state, oldest first: rows only, without list()'s card totals."""
        return self.core.rows("SELECT * FROM sprints WHERE state = ? ORDER BY start, id", [state])

    def state_marks(self, sprint: dict[str, Any]) -> tuple[int | None, int | None]:
        """Where the sprint's start and close sit in the log (None when not logged, e.g. a
        demo load): the last activity id of the transaction that started it, and the first
        of the one that closed it (its carry-over moves come before the state change).

        Entries sharing a timestamp are ordered by id, so "as the sprint started" and "as it
        closed" are exact even when several changes land in the same second.
        """
        marks: list[int | None] = []
        for state, pick in (("active", "MAX"), ("closed", "MIN")):
            marks.append(
                self.core.scalar(
                    f"""SELECT {pick}(id) FROM activity WHERE txn = (
                          SELECT txn FROM activity WHERE entity = 'sprint' AND entity_uuid = ?
                            AND op = 'update' AND field = 'state' AND after = ?
                          ORDER BY id DESC LIMIT 1)""",
                    [sprint["uuid"], f'"{state}"'],
                )
            )
        return marks[0], marks[1]

    def card_history(self, sprint_id: int) -> tuple[Rows, builtins.list[LogEntry]]:
        """Every card that was ever in the sprint, and its log: (cards, entries).

        The cards are those in it now, those moved in or out of it, and deleted ones that
        were in it when deleted. `cards` has one row per card: uuid, key, team_id, status,
        sprint_id, points as they are now, or as a deleted card last was (`deleted` true).
        `entries` are their creates, deletes and changes of status, sprint_id, points and
        team_id, in (at, id) order, update values decoded from JSON.
        """
        ref = str(sprint_id)  # activity stores values as JSON text: sprint 7 is '7'
        with self.core._lock:
            run = self.core.conn.execute
            moved = [
                u
                for (u,) in run(
                    """SELECT entity_uuid FROM activity
                         WHERE field = 'sprint_id' AND after = ? AND entity = 'card'
                       UNION SELECT entity_uuid FROM activity
                         WHERE field = 'sprint_id' AND before = ? AND entity = 'card'""",
                    [ref, ref],
                )
            ]
            deleted: dict[str, tuple[str, dict[str, Any]]] = {}
            for uuid, key, before in run(
                """SELECT entity_uuid, entity_key, before FROM activity
                   WHERE op = 'delete' AND entity = 'card'
                     AND (json_extract(before, '$.sprint_id') = ?
                          OR entity_uuid IN (SELECT value FROM json_each(?)))
                   ORDER BY id""",
                [sprint_id, json.dumps(moved)],
            ):
                deleted[uuid] = (key, json.loads(before))
            extra = json.dumps(sorted({*moved, *deleted}))
            columns = ", ".join(CARD_STATE[:-1])
            cards = [
                dict(zip(CARD_STATE, row, strict=True))
                for row in run(
                    f"""SELECT {columns}, 0 FROM cards WHERE sprint_id = ?
                        UNION ALL SELECT {columns}, 0 FROM cards WHERE sprint_id IS NOT ?
                          AND uuid IN (SELECT value FROM json_each(?))""",
                    [sprint_id, sprint_id, extra],
                )
            ]
            present = {c["uuid"] for c in cards}
            for uuid, (key, record) in deleted.items():
                if uuid not in present:
                    cards.append(
                        {**{f: record.get(f) for f in CARD_STATE}, "key": key, "deleted": True}
                    )
            elsewhere = json.dumps(
                [c["uuid"] for c in cards if c["deleted"] or c["sprint_id"] != sprint_id]
            )
            # tuple.__new__: NamedTuple's own constructor costs a Python call per row.
            entries = [
                tuple.__new__(LogEntry, row)
                for row in run(
                    """WITH ever(uuid) AS (
                         SELECT uuid FROM cards WHERE sprint_id = ?
                         UNION ALL SELECT value FROM json_each(?))
                       SELECT a.entity_uuid, a.at, a.id, a.op, a.field,
                         CASE WHEN a.op = 'update' THEN json_extract(a.before, '$') END,
                         CASE WHEN a.op = 'update' THEN json_extract(a.after, '$') END
                       FROM ever JOIN activity a ON a.entity_uuid = ever.uuid
                       WHERE a.entity = 'card' AND (a.op != 'update'
                         OR a.field IN ('status', 'sprint_id', 'points', 'team_id'))
                       ORDER BY a.at, a.id""",
                    [sprint_id, elsewhere],
                )
            ]
        for card in cards:
            card["deleted"] = bool(card["deleted"])
        return cards, entries

    def _scope_change(self, sprint: dict[str, Any]) -> tuple[int, int]:
        """Points added to and removed from the sprint since it started, card by card.

        A card's share at the start is replayed from the log the way the charts do it
        (planning/charts.py): a field's value at a moment is the `after` of its last change
        before it, else the `before` of its first change after it, else the current value.
        Added: the growth of every card now in the sprint (new cards, raised points);
        removed follows from commitment + added - removed = the scope now.
        """
        start_id, _ = self.state_marks(sprint)
        started_at = sprint["started_at"] or f"{sprint['start']}T00:00:00Z"
        mark = [started_at, start_id if start_id is not None else 2**62]
        earlier = "(a.at, a.id) <= (?, ?)"
        later = "(a.at, a.id) > (?, ?)"

        def last(expr: str, where: str) -> str:
            return (
                f"(SELECT {expr} FROM activity a WHERE a.entity_uuid = c.uuid AND {where} "
                f"AND {earlier} ORDER BY a.at DESC, a.id DESC LIMIT 1)"
            )

        def first(expr: str, where: str) -> str:
            return (
                f"(SELECT {expr} FROM activity a WHERE a.entity_uuid = c.uuid AND {where} "
                f"AND {later} ORDER BY a.at, a.id LIMIT 1)"
            )

        ref = str(sprint["id"])
        moved = "a.op = 'update' AND a.field = 'sprint_id'"
        pointed = "a.op = 'update' AND a.field = 'points'"
        lived = "a.op != 'update'"
        rows = self.core.rows(
            f"""SELECT COALESCE(c.points, 0) AS points_now,
                  COALESCE({last("a.after IS ?", moved)}, {first("a.before IS ?", moved)}, 1)
                    AND COALESCE({last("a.op = 'create'", lived)},
                                 {first("a.op = 'delete'", lived)}, 1) AS was_in,
                  COALESCE({last("COALESCE(json_extract(a.after, '$'), 0)", pointed)},
                           {first("COALESCE(json_extract(a.before, '$'), 0)", pointed)},
                           COALESCE(c.points, 0)) AS points_then
                FROM cards c WHERE c.sprint_id = ?""",
            [ref, *mark, ref, *mark, *mark, *mark, *mark, *mark, sprint["id"]],
        )
        added = sum(
            max(0, r["points_now"] - (r["points_then"] if r["was_in"] else 0)) for r in rows
        )
        now = sum(r["points_now"] for r in rows)
        committed = sprint["committed_points"]
        if committed is None:  # started before commitments were recorded
            committed = sum(r["points_then"] for r in rows if r["was_in"])
        return added, max(0, int(committed) + added - now)

    def close_moves(self, sprint: dict[str, Any]) -> dict[str, int | None]:
        """Where the transaction that closed the sprint moved each card: card uuid ->
        sprint id (None: the backlog). Empty while the sprint is open."""
        rows = self.core.rows(
            """SELECT entity_uuid AS uuid, json_extract(after, '$') AS target FROM activity
               WHERE entity = 'card' AND op = 'update' AND field = 'sprint_id' AND txn = (
                 SELECT txn FROM activity WHERE entity = 'sprint' AND entity_uuid = ?
                   AND op = 'update' AND field = 'state' AND after = '"closed"'
                 ORDER BY id DESC LIMIT 1)""",
            [sprint["uuid"]],
        )
        return {r["uuid"]: r["target"] for r in rows}

    def capacity_overrides(self, sprint_id: int) -> dict[str, int]:
        """The sprint's capacity overrides: team code -> points."""
        with self.core._lock:
            found = self.core.conn.execute(
                """SELECT t.code, sc.capacity FROM sprint_capacity sc
                   JOIN teams t ON t.id = sc.team_id WHERE sc.sprint_id = ?""",
                [sprint_id],
            ).fetchall()
        return {code: int(capacity) for code, capacity in found}

    def team_load(self, sprint_id: int) -> Rows:
        """Per owning team, what the sprint holds: team, cards, points, done_points,
        unpointed (cards without points), feedback_points (points of cards linked to
        customer feedback)."""
        return self.core.rows(
            """SELECT t.code AS team, COUNT(*) AS cards,
                 COALESCE(SUM(c.points), 0) AS points,
                 COALESCE(SUM(CASE WHEN c.status = 'done' THEN c.points END), 0)
                     AS done_points,
                 SUM(c.points IS NULL) AS unpointed,
                 COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM feedback f WHERE f.card_id = c.id)
                     THEN c.points END), 0) AS feedback_points
               FROM cards c JOIN teams t ON t.id = c.team_id
               WHERE c.sprint_id = ? GROUP BY t.code ORDER BY t.position""",
            [sprint_id],
        )

    def contributions(self, sprint_id: int) -> Rows:
        """Cross-team cards of the sprint, one row per contributing team: key, title,
        status, points, team (the owner, whose plan the points count in), contributor."""
        return self.core.rows(
            """SELECT c.key, c.title, c.status, c.points, t.code AS team,
                 o.code AS contributor
               FROM cards c JOIN card_teams ct ON ct.card_id = c.id
               JOIN teams t ON t.id = c.team_id JOIN teams o ON o.id = ct.team_id
               WHERE c.sprint_id = ? ORDER BY c.id, o.position""",
            [sprint_id],
        )
