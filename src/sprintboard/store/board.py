"""The board's read: one sprint's cards with only what the board draws, filters and moves.

`Cards.query()` gives every column of a card and its links as a dict (the CLI's and the
card page's shape): about 2.6 KB a card, 280 MB for a 100,000-card sprint. The board
needs a few fields, so it reads them here straight into records of its own (`make`), with
its link counts and lists from a few grouped queries, and shares the strings that repeat
(teams, statuses, assignees, empty lists) instead of holding one copy per card.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sprintboard.store.database import StoreCore
from sprintboard.vocabulary import Status

T = TypeVar("T")

BOARD_FIELDS = (
    "key",
    "title",
    "team",
    "teams",
    "status",
    "points",
    "goal",
    "assignee",
    "due",
    "sprint_id",
    "blockers",
    "blocked_by",
    "cross_team",
    "feedback",
    "reports",
    "comment_count",
    "checklist_done",
    "checklist_total",
)
"""What `board_cards` hands to `make`, in this order; each as `Cards.query()` gives it,
but lists as tuples (shared when equal: most cards have none)."""

# Column by column, each in the order of the board's index (sprint, status, position): no
# sort of the whole sprint in memory.
_COLUMN = """SELECT c.id, c.key, c.title, c.team_id, c.points, c.goal_id,
    c.assignee, c.due FROM cards c WHERE c.sprint_id IS ? AND c.status = ?
    ORDER BY c.position, c.id"""
_IDS = "(SELECT c.id FROM cards c WHERE c.sprint_id IS ?)"


def board_cards(core: StoreCore, sprint_id: int | None, make: Callable[..., T]) -> list[T]:
    """The cards of sprint `sprint_id` (None: the backlog) in board order, each built as
    `make(*fields)` with the fields of BOARD_FIELDS; one read snapshot."""
    with core._lock:
        own = not core.conn.in_transaction
        if own:
            core.conn.execute("BEGIN")
        try:
            return _read(core, sprint_id, make)
        finally:
            if own:
                core.conn.execute("COMMIT")


def _read(core: StoreCore, sprint_id: int | None, make: Callable[..., T]) -> list[T]:
    run = core.conn.execute
    teams: dict[int, str] = dict(run("SELECT id, code FROM teams").fetchall())
    shared: dict[Any, Any] = {}

    def share(value: Any) -> Any:
        return shared.setdefault(value, value)

    params = [sprint_id]
    contributing: dict[int, list[str]] = {}
    for cid, team_id in run(
        f"""SELECT ct.card_id, ct.team_id FROM card_teams ct JOIN teams t ON t.id = ct.team_id
            WHERE ct.card_id IN {_IDS} ORDER BY t.position""",
        params,
    ):
        contributing.setdefault(cid, []).append(teams[team_id])
    blockers: dict[int, list[tuple[str, bool, bool]]] = {}  # (key, open, other team)
    for cid, key, status, other in run(
        f"""SELECT d.dependent_id, b.key, b.status, b.team_id != e.team_id
            FROM dependencies d JOIN cards b ON b.id = d.blocker_id
            JOIN cards e ON e.id = d.dependent_id
            WHERE d.dependent_id IN {_IDS} ORDER BY b.id""",
        params,
    ):
        blockers.setdefault(cid, []).append((key, status != "done", bool(other)))
    # A card blocking another team's card is cross-team too.
    crossing = {
        cid
        for (cid,) in run(
            f"""SELECT DISTINCT d.blocker_id FROM dependencies d
                JOIN cards b ON b.id = d.blocker_id JOIN cards e ON e.id = d.dependent_id
                WHERE d.blocker_id IN {_IDS} AND b.team_id != e.team_id""",
            params,
        )
    }
    feedback = {
        cid: (count, reports)
        for cid, count, reports in run(
            f"""SELECT card_id, COUNT(*), SUM(reports) FROM feedback
                WHERE card_id IN {_IDS} GROUP BY card_id""",
            params,
        )
    }
    comments = dict(
        run(
            f"SELECT card_id, COUNT(*) FROM comments WHERE card_id IN {_IDS} GROUP BY card_id",
            params,
        ).fetchall()
    )
    checklist = {
        cid: (int(done), int(total))
        for cid, done, total in run(
            f"""SELECT card_id, SUM(done), COUNT(*) FROM checklist_items
                WHERE card_id IN {_IDS} GROUP BY card_id""",
            params,
        )
    }
    none: tuple[str, ...] = ()
    no_feedback = (0, 0)
    alone = {team_id: (code,) for team_id, code in teams.items()}
    cards: list[T] = []
    add = cards.append
    for column in Status:
        status = column.value  # one string for the whole column
        for cid, key, title, team_id, points, goal, assignee, due in run(
            _COLUMN, [sprint_id, status]
        ):
            team = teams.get(team_id)
            with_teams = contributing.get(cid)
            mine = blockers.get(cid)
            if mine:
                keys = share(tuple(k for k, _, _ in mine))
                still = share(tuple(k for k, is_open, _ in mine if is_open))
                cross = any(other for _, _, other in mine) or cid in crossing
            else:
                keys = still = none
                cross = cid in crossing
            count, reports = feedback.get(cid, no_feedback)
            done, total = checklist.get(cid, no_feedback)
            add(
                make(
                    key,
                    title,
                    team,
                    share((team, *with_teams)) if with_teams else alone.get(team_id, (team,)),
                    status,
                    points,
                    goal,
                    shared.setdefault(assignee, assignee),
                    due,
                    sprint_id,
                    keys,
                    still,
                    cross,
                    count,
                    reports,
                    comments.get(cid, 0),
                    done,
                    total,
                )
            )
    return cards
