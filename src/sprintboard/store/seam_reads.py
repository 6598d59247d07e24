"""Lean reads for the seam checks: only the columns each rule needs, as plain tuples.

The checks (planning/findings_index.py) read the whole plan for `sprintboard check` and
only the touched records after a change; both go through these functions, with `keys`
(card keys) or `ids` narrowing a read to the records a change touched. Sums and the
filters that drop most cards run in SQL: at 100,000 cards a dict per row costs more than
the rules themselves.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from sprintboard.vocabulary import FIRST_DAY, LAST_DAY

if TYPE_CHECKING:
    from sprintboard.store.database import StoreCore

CHUNK = 500
"""Bound variables per statement (SQLite builds may allow as few as 32,766)."""

CARD_COLUMNS = (
    "c.id, c.key, c.team_id, c.status, c.sprint_id, c.points, c.due, c.labels, c.skus,"
    " c.expected_orders"
)
"""A card as the card rules read it (see `card_rows`)."""

# A due date that is certainly a stored day in range (any day 01-28 of any month exists):
# only the others are read and checked one by one.
_CERTAIN_DUE = (
    "c.due GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]*'"
    f" AND substr(c.due, 1, 10) BETWEEN '{FIRST_DAY.isoformat()}' AND '{LAST_DAY.isoformat()}'"
    " AND substr(c.due, 6, 2) BETWEEN '01' AND '12' AND substr(c.due, 9, 2) BETWEEN '01' AND '28'"
)
# A promotion is labelled `promotion` (any case) or a Marketing card with SKUs; LIKE ignores
# ASCII case only, which is all a label lowered to 'promotion' can differ in.
_MAYBE_PROMOTION = (
    "c.status != 'done' AND (c.labels LIKE '%promotion%' OR (c.team_id = :mkt AND c.skus != '[]'))"
)


def _chunks(values: Collection[Any]) -> Iterator[list[Any]]:
    items = list(values)
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _marks(chunk: Sequence[Any]) -> str:
    return ", ".join("?" for _ in chunk)


def _all(core: StoreCore, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[Any]:
    with core._lock:
        return core.conn.execute(sql, params).fetchall()


def sprints(core: StoreCore) -> list[dict[str, Any]]:
    """Every sprint (id, name, start, end, state, budget_cents), in time order (start, then
    id)."""
    rows = _all(
        core, "SELECT id, name, start, end, state, budget_cents FROM sprints ORDER BY start, id"
    )
    return [
        {"id": i, "name": name, "start": start, "end": end, "state": state, "budget_cents": b}
        for i, name, start, end, state, b in rows
    ]


def teams(core: StoreCore) -> list[tuple[Any, ...]]:
    """Every team, archived too: (id, code, name, format, capacity, throughput_per_day,
    archived, rate_cents, rate_unit, position)."""
    return _all(
        core,
        "SELECT id, code, name, format, capacity, throughput_per_day, archived, rate_cents,"
        " rate_unit, position FROM teams",
    )


def capacity_overrides(core: StoreCore) -> dict[tuple[int, int], int]:
    """(sprint id, team id) -> the sprint's capacity override for the team."""
    found = _all(core, "SELECT sprint_id, team_id, capacity FROM sprint_capacity")
    return {(s, t): int(c) for s, t, c in found}


def stock(core: StoreCore) -> dict[str, tuple[Any, Any, Any]]:
    """SKU -> (on hand, threshold, restock date)."""
    found = _all(core, "SELECT sku, on_hand, threshold, restock_date FROM stock")
    return {sku: (on_hand, threshold, restock) for sku, on_hand, threshold, restock in found}


def team_loads(
    core: StoreCore,
    sprint_ids: Collection[int],
    groups: Collection[tuple[int, int]] | None = None,
) -> dict[tuple[int, int], int]:
    """(sprint id, team id) -> points planned (cards without points count 0), for these
    sprints; with `groups`, only those (sprint, team) pairs."""
    loads: dict[tuple[int, int], int] = {}
    if groups is not None:
        for sprint_id, team_id in groups:
            total = _all(
                core,
                "SELECT COALESCE(SUM(points), 0), COUNT(*) FROM cards"
                " WHERE sprint_id = ? AND team_id = ?",
                [sprint_id, team_id],
            )[0]
            if total[1]:
                loads[(sprint_id, team_id)] = int(total[0])
        return loads
    for chunk in _chunks(sprint_ids):
        for sprint_id, team_id, points in _all(
            core,
            f"SELECT sprint_id, team_id, COALESCE(SUM(points), 0) FROM cards"
            f" WHERE sprint_id IN ({_marks(chunk)}) GROUP BY sprint_id, team_id",
            chunk,
        ):
            loads[(sprint_id, team_id)] = int(points)
    return loads


def group_keys(
    core: StoreCore, groups: Collection[tuple[int, int]]
) -> dict[tuple[int, int], list[str]]:
    """(sprint id, team id) -> the keys of its cards, in card order."""
    found: dict[tuple[int, int], list[str]] = {g: [] for g in groups}
    if not groups:
        return found
    if len(groups) <= 2:  # a change's groups: the index on the sprint narrows the read
        for sprint_id, team_id in groups:
            found[(sprint_id, team_id)] = [
                r[0]
                for r in _all(
                    core,
                    "SELECT key FROM cards WHERE sprint_id = ? AND team_id = ? ORDER BY id",
                    [sprint_id, team_id],
                )
            ]
        return found
    sprint_ids = sorted({s for s, _ in groups})
    for chunk in _chunks(sprint_ids):
        for sprint_id, team_id, key in _all(
            core,
            f"SELECT sprint_id, team_id, key FROM cards WHERE sprint_id IN ({_marks(chunk)})"
            " ORDER BY id",
            chunk,
        ):
            keys = found.get((sprint_id, team_id))
            if keys is not None:
                keys.append(key)
    # one statement reads a sprint's cards in card order: each group's keys are in order
    return found


def _card(row: tuple[Any, ...]) -> tuple[Any, ...]:
    labels, skus = row[7], row[8]
    return (
        *row[:7],
        json.loads(labels) if labels != "[]" else [],
        json.loads(skus) if skus != "[]" else [],
        row[9],
    )


def card_rows(
    core: StoreCore,
    *,
    keys: Collection[str] | None = None,
    focus: int | None = None,
    archived: Collection[int] = (),
    mkt: int | None = None,
) -> list[tuple[Any, ...]]:
    """Cards as (id, key, team id, status, sprint id, points, due, labels, skus,
    expected_orders), labels and skus as lists, in card order.

    With `keys`: those cards. Without: only the cards a card rule can find something in
    (possible promotions, cards of the `focus` sprint without points or of an `archived`
    team, due dates that may be out of range), so a plan of 100,000 cards reads a few.
    """
    if keys is not None:
        rows: list[tuple[Any, ...]] = []
        for chunk in _chunks(keys):
            rows += _all(
                core, f"SELECT {CARD_COLUMNS} FROM cards c WHERE c.key IN ({_marks(chunk)})", chunk
            )
        rows.sort(key=lambda r: r[0])
        return [_card(r) for r in rows]
    where = [
        f"({_MAYBE_PROMOTION})",
        f"(c.due IS NOT NULL AND c.due != '' AND NOT ({_CERTAIN_DUE}))",
    ]
    params: dict[str, Any] = {"mkt": mkt if mkt is not None else -1, "focus": focus}
    if focus is not None:
        gone = ", ".join(str(int(t)) for t in archived)
        also = f" OR c.team_id IN ({gone})" if gone else ""
        where.append(f"(c.sprint_id = :focus AND (c.points IS NULL{also}))")
    sql = f"SELECT {CARD_COLUMNS} FROM cards c WHERE {' OR '.join(where)} ORDER BY c.id"
    return [_card(r) for r in _all(core, sql, params)]


def promotion_keys(core: StoreCore, mkt: int | None) -> list[str]:
    """Keys of the cards that may be promotions not yet done (a superset)."""
    params = {"mkt": mkt if mkt is not None else -1}
    return [r[0] for r in _all(core, f"SELECT c.key FROM cards c WHERE {_MAYBE_PROMOTION}", params)]


def open_checklists(
    core: StoreCore, keys: Collection[str] | None = None
) -> dict[str, list[int | None]]:
    """Done cards whose checklist has open items: key -> the team id of each open item
    (None for an item of no team), in checklist order; with `keys`, of those cards."""
    sql = (
        "SELECT c.key, i.team_id FROM checklist_items i JOIN cards c ON c.id = i.card_id"
        " WHERE i.done = 0 AND c.status = 'done'{} ORDER BY c.id, i.position, i.id"
    )
    rows: list[Any] = []
    if keys is None:
        rows = _all(core, sql.format(""))
    else:
        for chunk in _chunks(keys):
            rows += _all(core, sql.format(f" AND c.key IN ({_marks(chunk)})"), chunk)
    found: dict[str, list[int | None]] = {}
    for key, team in rows:
        found.setdefault(key, []).append(team)
    return found


def card_ids(core: StoreCore, keys: Collection[str]) -> dict[str, int]:
    """Key -> id of the cards that exist among `keys`."""
    found: dict[str, int] = {}
    for chunk in _chunks(keys):
        found.update(_all(core, f"SELECT key, id FROM cards WHERE key IN ({_marks(chunk)})", chunk))
    return found


def card_teams(core: StoreCore, keys: Collection[str]) -> dict[str, str]:
    """Key -> owning team's code, of the cards that exist among `keys`."""
    found: dict[str, str] = {}
    for chunk in _chunks(keys):
        found.update(
            _all(
                core,
                f"SELECT c.key, t.code FROM cards c JOIN teams t ON t.id = c.team_id"
                f" WHERE c.key IN ({_marks(chunk)})",
                chunk,
            )
        )
    return found


def dependents_of(core: StoreCore, ids: Collection[int]) -> set[int]:
    """Ids of the cards waiting on any of these cards."""
    found: set[int] = set()
    for chunk in _chunks(ids):
        found.update(
            r[0]
            for r in _all(
                core,
                f"SELECT dependent_id FROM dependencies WHERE blocker_id IN ({_marks(chunk)})",
                chunk,
            )
        )
    return found


def links(core: StoreCore, dependents: Collection[int] | None = None) -> list[tuple[int, int, int]]:
    """Links as (link id, blocker id, dependent id) in link order; with `dependents`, only
    the links into those cards."""
    if dependents is None:
        return _all(core, "SELECT id, blocker_id, dependent_id FROM dependencies ORDER BY id")
    rows: list[tuple[int, int, int]] = []
    for chunk in _chunks(dependents):
        rows += _all(
            core,
            f"SELECT id, blocker_id, dependent_id FROM dependencies"
            f" WHERE dependent_id IN ({_marks(chunk)})",
            chunk,
        )
    rows.sort()
    return rows


def link_nodes(
    core: StoreCore, ids: Collection[int] | None = None
) -> dict[int, tuple[str, int, str, int | None]]:
    """Card id -> (key, team id, status, sprint id): of every card in a link, or of `ids`."""
    if ids is None:
        rows = _all(
            core,
            "SELECT id, key, team_id, status, sprint_id FROM cards WHERE id IN"
            " (SELECT blocker_id FROM dependencies UNION SELECT dependent_id FROM dependencies)",
        )
    else:
        rows = []
        for chunk in _chunks(ids):
            rows += _all(
                core,
                f"SELECT id, key, team_id, status, sprint_id FROM cards"
                f" WHERE id IN ({_marks(chunk)})",
                chunk,
            )
    return {r[0]: r[1:] for r in rows}


FEEDBACK_COLUMNS = """f.id, f.urgent, f.reports, f.received_at, f.category, c.key
  FROM feedback f
  LEFT JOIN feedback o ON o.id = f.duplicate_of
  LEFT JOIN feedback o2 ON o2.id = o.duplicate_of
  LEFT JOIN cards c ON c.id = COALESCE(f.card_id, o.card_id, o2.card_id)"""


def untriaged(core: StoreCore, day: str, ids: Iterable[int] | None = None) -> list[tuple[Any, ...]]:
    """The inbox's `new` view (new, and snoozed until `day` or before) as (id, urgent,
    reports, received_at, category, card key); with `ids`, those of these items."""
    view = "(f.state = 'new' OR (f.state = 'snoozed' AND f.snoozed_until <= :day))"
    if ids is None:
        return _all(core, f"SELECT {FEEDBACK_COLUMNS} WHERE {view}", {"day": day})
    rows: list[tuple[Any, ...]] = []
    for chunk in _chunks(list(ids)):
        named = {f"i{n}": v for n, v in enumerate(chunk)}
        marks = ", ".join(f":{name}" for name in named)
        rows += _all(
            core,
            f"SELECT {FEEDBACK_COLUMNS} WHERE {view} AND f.id IN ({marks})",
            {"day": day, **named},
        )
    return rows


def empty_goals(core: StoreCore) -> list[tuple[int, str]]:
    """Goals no card rolls up to: (id, title), in id order."""
    return _all(
        core,
        "SELECT g.id, g.title FROM goals g"
        " WHERE NOT EXISTS (SELECT 1 FROM cards c WHERE c.goal_id = g.id) ORDER BY g.id",
    )


def goal_budgets(core: StoreCore) -> dict[int, int]:
    """Goal id -> budget in cents, of the goals that have one."""
    return dict(_all(core, "SELECT id, budget_cents FROM goals WHERE budget_cents IS NOT NULL"))


COST_COLUMNS = "key, team_id, status, sprint_id, points, cost_cents, goal_id"
"""A card as the budget rules price it (see `cost_rows`)."""


def cost_rows(
    core: StoreCore,
    *,
    keys: Collection[str] | None = None,
    goals: Collection[int] = (),
    sprints: Collection[int] = (),
) -> list[tuple[Any, ...]]:
    """Cards as (key, team id, status, sprint id, points, cost_cents, goal id): with `keys`,
    those; else the cards of these goals and of these sprints (each card once)."""
    rows: list[tuple[Any, ...]] = []
    if keys is not None:
        for chunk in _chunks(keys):
            rows += _all(
                core, f"SELECT {COST_COLUMNS} FROM cards WHERE key IN ({_marks(chunk)})", chunk
            )
        return rows
    where = []
    if goals:
        where.append(f"goal_id IN ({', '.join(str(int(g)) for g in goals)})")
    if sprints:
        where.append(f"sprint_id IN ({', '.join(str(int(s)) for s in sprints)})")
    if not where:
        return rows
    return _all(core, f"SELECT {COST_COLUMNS} FROM cards WHERE {' OR '.join(where)}")


def open_goal_keys(core: StoreCore, goal_id: int, limit: int) -> list[str]:
    """Keys of the first `limit` cards of the goal not done, in card order."""
    return [
        r[0]
        for r in _all(
            core,
            "SELECT key FROM cards WHERE goal_id = ? AND status != 'done' ORDER BY id LIMIT ?",
            [goal_id, limit],
        )
    ]


def has_cards(
    core: StoreCore, sprint_id: int | None, *, goal: int | None = None, team: int | None = None
) -> bool:
    """Whether the sprint holds a card of this goal (or of this team)."""
    column, value = ("goal_id", goal) if goal is not None else ("team_id", team)
    found = _all(
        core,
        f"SELECT 1 FROM cards WHERE sprint_id = ? AND {column} = ? LIMIT 1",
        [sprint_id, value],
    )
    return bool(found)


def delivered(
    core: StoreCore, team_id: int, sprint_ids: Collection[int]
) -> dict[int, tuple[int, int]]:
    """Sprint id -> (points done, the cards' own costs in cents) of the team's cards in these
    sprints, for each sprint holding any of them."""
    found: dict[int, tuple[int, int]] = {}
    for chunk in _chunks(sprint_ids):
        for sprint_id, done, own in _all(
            core,
            "SELECT sprint_id, COALESCE(SUM(CASE WHEN status = 'done' THEN points END), 0),"
            f" COALESCE(SUM(cost_cents), 0) FROM cards WHERE team_id = ? AND sprint_id IN"
            f" ({_marks(chunk)}) GROUP BY sprint_id",
            [team_id, *chunk],
        ):
            found[sprint_id] = (int(done), int(own))
    return found


def activity_since(core: StoreCore, after: int, limit: int) -> list[tuple[Any, ...]]:
    """Up to `limit` activity entries after id `after`: (id, entity, entity_key, op, field,
    before, after)."""
    return _all(
        core,
        "SELECT id, entity, entity_key, op, field, before, after FROM activity"
        " WHERE id > ? ORDER BY id LIMIT ?",
        [after, limit],
    )


def newest_activity(core: StoreCore) -> int:
    return int(_all(core, "SELECT COALESCE(MAX(id), 0) FROM activity")[0][0])
