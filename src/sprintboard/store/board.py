"""The board's read: one sprint's cards with only what the board draws, filters and moves.

`Cards.query()` gives every column of a card and its links as a dict (the CLI's and the
card page's shape): about 2.6 KB a card, 280 MB for a 100,000-card sprint. The board
needs a few fields, so it reads them here straight into records of its own (`make`), with
its link counts and lists from a few grouped queries, and shares the strings that repeat
(teams, statuses, assignees, empty lists) instead of holding one copy per card.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
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
# A chosen few cards' ids, as one JSON array: the link reads then touch only those.
_SOME = "(SELECT value FROM json_each(?))"
# `+c.sprint_id`: the key index, not the whole sprint's.
_BY_KEY = """SELECT c.id, c.key, c.title, c.team_id, c.points, c.goal_id,
    c.assignee, c.due, c.status, c.position FROM cards c
    WHERE c.key IN (SELECT value FROM json_each(?)) AND +c.sprint_id IS ?"""
# The card just above one in its column (None: it is the first), by the board's index.
_ABOVE = """SELECT c.key FROM cards c WHERE c.sprint_id IS ? AND c.status = ?
    AND (c.position, c.id) < (?, ?)
    ORDER BY c.position DESC, c.id DESC LIMIT 1"""

Row = tuple[Any, ...]


def board_cards(
    core: StoreCore, sprint_id: int | None, make: Callable[..., T], *, first: int | None = None
) -> list[T]:
    """The cards of sprint `sprint_id` (None: the backlog) in board order, each built as
    `make(*fields)` with the fields of BOARD_FIELDS; one read snapshot. `first`: only the
    first that many of each column (what a first frame can show)."""
    with _snapshot(core):
        if first is None:
            return _read(core, sprint_id, make, None)
        run = core.conn.execute
        columns = {
            s.value: run(_COLUMN + " LIMIT ?", [sprint_id, s.value, first]).fetchall()
            for s in Status
        }
        return _read(core, sprint_id, make, columns)


def board_cards_by_key(
    core: StoreCore, sprint_id: int | None, keys: Collection[str], make: Callable[..., T]
) -> list[tuple[T, str | None]]:
    """Those of the cards `keys` that are in sprint `sprint_id`, in board order, each with
    the key of the card just above it in its column (None: at the top); one snapshot."""
    with _snapshot(core):
        run = core.conn.execute
        found = run(_BY_KEY, [json.dumps(sorted(keys)), sprint_id]).fetchall()
        order = {s.value: i for i, s in enumerate(Status)}
        found.sort(key=lambda r: (order.get(r[8], len(order)), r[9], r[0]))
        above = {
            r[1]: (run(_ABOVE, [sprint_id, r[8], r[9], r[0]]).fetchone() or (None,))[0]
            for r in found
        }
        columns: dict[str, list[Row]] = {s.value: [] for s in Status}
        for r in found:
            if r[8] in columns:
                columns[r[8]].append(r[:8])
        cards = _read(core, sprint_id, make, columns)
        keys_in_order = [r[1] for s in Status for r in columns[s.value]]
        return [(card, above[key]) for card, key in zip(cards, keys_in_order, strict=True)]


def column_totals(core: StoreCore, sprint_id: int | None) -> dict[str, tuple[int, int]]:
    """(cards, points) per column of sprint `sprint_id`, all of them, from the index."""
    totals = {s.value: (0, 0) for s in Status}
    with core._lock:
        rows = core.conn.execute(
            "SELECT status, COUNT(*), COALESCE(SUM(points), 0) FROM cards WHERE sprint_id IS ?"
            " GROUP BY status",
            [sprint_id],
        ).fetchall()
    for status, count, points in rows:
        if status in totals:
            totals[status] = (int(count), int(points))
    return totals


def linked_keys(core: StoreCore, keys: Collection[str]) -> set[str]:
    """The keys of the cards a dependency links to any of `keys` (either way)."""
    with core._lock:
        return {
            key
            for (key,) in core.conn.execute(
                """WITH mine AS (SELECT id FROM cards WHERE key IN (SELECT value FROM json_each(?)))
                SELECT c.key FROM dependencies d JOIN cards c ON c.id = d.dependent_id
                WHERE d.blocker_id IN mine
                UNION SELECT c.key FROM dependencies d JOIN cards c ON c.id = d.blocker_id
                WHERE d.dependent_id IN mine""",
                [json.dumps(sorted(keys))],
            )
        }


@contextmanager
def _snapshot(core: StoreCore) -> Iterator[None]:
    """One read transaction (unless one is open already), holding the store's lock."""
    with core._lock:
        own = not core.conn.in_transaction
        if own:
            core.conn.execute("BEGIN")
        try:
            yield
        finally:
            if own:
                core.conn.execute("COMMIT")


def _read(
    core: StoreCore,
    sprint_id: int | None,
    make: Callable[..., T],
    columns: dict[str, list[Row]] | None,
) -> list[T]:
    """Build the cards of `columns` (status -> rows of `_COLUMN`), or of the whole sprint
    (None: each column streamed from the index, never held as rows)."""
    run = core.conn.execute
    teams: dict[int, str] = dict(run("SELECT id, code FROM teams").fetchall())
    shared: dict[Any, Any] = {}

    def share(value: Any) -> Any:
        return shared.setdefault(value, value)

    # The cards read: a whole sprint is joined by its index (its ids never gathered in
    # a temporary table first); a chosen few are the ids of one JSON array.
    params: list[Any]
    if columns is None:
        params = [sprint_id]

        def read_only(card_id: str, card: str = "") -> str:
            if card:  # the query joins that card's row already
                return f" WHERE {card}.sprint_id IS ?"
            return f" JOIN cards s ON s.id = {card_id} WHERE s.sprint_id IS ?"
    else:
        params = [json.dumps([r[0] for rows in columns.values() for r in rows])]

        def read_only(card_id: str, card: str = "") -> str:
            return f" WHERE {card_id} IN {_SOME}"

    contributing: dict[int, list[str]] = {}
    for cid, team_id in run(
        "SELECT ct.card_id, ct.team_id FROM card_teams ct JOIN teams t ON t.id = ct.team_id"
        + read_only("ct.card_id")
        + " ORDER BY t.position",
        params,
    ):
        contributing.setdefault(cid, []).append(teams[team_id])
    blockers: dict[int, list[tuple[str, bool, bool]]] = {}  # (key, open, other team)
    for cid, key, status, other in run(
        """SELECT d.dependent_id, b.key, b.status, b.team_id != e.team_id
            FROM dependencies d JOIN cards b ON b.id = d.blocker_id
            JOIN cards e ON e.id = d.dependent_id"""
        + read_only("d.dependent_id", "e")
        + " ORDER BY b.id",
        params,
    ):
        blockers.setdefault(cid, []).append((key, status != "done", bool(other)))
    # A card blocking another team's card is cross-team too.
    crossing = {
        cid
        for (cid,) in run(
            """SELECT DISTINCT d.blocker_id FROM dependencies d
                JOIN cards b ON b.id = d.blocker_id JOIN cards e ON e.id = d.dependent_id"""
            + read_only("d.blocker_id", "b")
            + " AND b.team_id != e.team_id",
            params,
        )
    }
    feedback = {
        cid: (count, reports)
        for cid, count, reports in run(
            "SELECT f.card_id, COUNT(*), SUM(f.reports) FROM feedback f"
            + read_only("f.card_id")
            + " GROUP BY f.card_id",
            params,
        )
    }
    comments = dict(
        run(
            "SELECT m.card_id, COUNT(*) FROM comments m"
            + read_only("m.card_id")
            + " GROUP BY m.card_id",
            params,
        ).fetchall()
    )
    checklist = {
        cid: (int(done), int(total))
        for cid, done, total in run(
            "SELECT i.card_id, SUM(i.done), COUNT(*) FROM checklist_items i"
            + read_only("i.card_id")
            + " GROUP BY i.card_id",
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
        rows = run(_COLUMN, [sprint_id, status]) if columns is None else columns[status]
        for cid, key, title, team_id, points, goal, assignee, due in rows:
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
