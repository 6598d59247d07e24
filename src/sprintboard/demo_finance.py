"""The demo organisation's money and KPI history: team rates, budgets, expected returns,
an agency invoice, and weekly conversion values that rise after the checkout work ships.

The story: the conversion goal (the spring promotion's) is planned slightly over its
budget, so `check` warns (`goal-budget`); conversion sat at its baseline until the first
checkout card shipped, then climbed to where it is today.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sprintboard.planning.costs import card_cost

if TYPE_CHECKING:
    from sprintboard.store import Store
    from sprintboard.store.database import Tx

RATES = {  # cents per point, or per working day for Content's agency
    "IT": (11_000, "point"),
    "ECOM": (9_500, "point"),
    "MKT": (8_000, "point"),
    "WH": (6_000, "point"),
    "CS": (5_500, "point"),
    "DATA": (10_000, "point"),
    "CNT": (72_000, "day"),
    "FIN": (9_000, "point"),
    "EXEC": (15_000, "point"),
}
RETURNS = {  # goal title -> (expected return, budget as a share of the planned cost in %)
    "Lift conversion rate": (9_000_000, 96),
    "Cut cart abandonment": (4_500_000, 120),
    "Ship on time, every time": (2_000_000, 110),
}
AD_SPEND = 450_000
"""An influencer campaign's invoice, on the conversion goal's first Marketing card."""
WEEKS = 10


def load_finance(store: Store, tx: Tx) -> None:
    """Add the money and the KPI history to a freshly loaded demo (inside its transaction).

    Sums are read grouped in SQL (a card's cost depends only on its team, sprint, points and
    own cost): 100,000 cards are never read into memory one dict each.
    """
    for code, (cents, unit) in RATES.items():
        team = store.teams.get(code)
        tx.update("team", team, {"rate_cents": cents, "rate_unit": unit}, key=code)
    # Plain rows: the lists' per-sprint and per-goal sums would read every card again.
    goals = {g["title"]: g for g in store.rows("SELECT * FROM goals ORDER BY id")}
    marketing = store.scalar(
        """SELECT c.key FROM cards c JOIN teams t ON t.id = c.team_id
           WHERE t.code = 'MKT' AND c.goal_id IS NOT NULL ORDER BY c.id LIMIT 1"""
    )
    if marketing is not None:
        raw = store.cards._raw(marketing)
        tx.update("card", raw, {"cost_cents": AD_SPEND}, key=raw["key"])
    teams = {t["code"]: t for t in store.teams.list()}
    sprints = {s["name"]: s for s in store.rows("SELECT * FROM sprints")}
    priced: dict[tuple[Any, ...], int] = {}  # the goals' cards share their few prices

    def cost(group: dict[str, Any]) -> int:
        key = (group["team"], group["sprint"], group["points"], group["cost_cents"])
        if key not in priced:
            team, sprint = teams.get(group["team"]), sprints.get(group["sprint"] or "")
            priced[key] = card_cost(group, team, sprint).cents
        return priced[key]

    for title, (expected, share) in RETURNS.items():
        goal = goals.get(title)
        if goal is None:
            continue
        planned = sum(
            cost(group) * group["n"] for group in store.rows(GOAL_COST_GROUPS, [goal["id"]])
        )
        budget = planned * share // 100 // 10_000 * 10_000  # whole hundreds
        tx.update("goal", goal, {"budget_cents": budget, "return_cents": expected}, key=title)
        first = store.scalar("SELECT MIN(done_at) FROM cards WHERE goal_id = ?", [goal["id"]])
        _history(store, tx, goal, first)


GOAL_COST_GROUPS = """SELECT t.code AS team, s.name AS sprint, c.points, c.cost_cents,
        COUNT(*) AS n
    FROM cards c JOIN teams t ON t.id = c.team_id LEFT JOIN sprints s ON s.id = c.sprint_id
    WHERE c.goal_id = ? GROUP BY c.team_id, c.sprint_id, c.points, c.cost_cents"""


def _history(store: Store, tx: Tx, goal: dict, first_shipped: str | None) -> None:  # type: ignore[type-arg]
    """Weekly values: flat at the baseline until the goal's first card shipped, then a
    steady climb to today's value (the goal's current one, unchanged)."""
    today = date.fromisoformat(store.today())
    start = today - timedelta(weeks=WEEKS)
    if first_shipped:
        turn = date.fromisoformat(first_shipped[:10])
    else:
        turn = today - timedelta(weeks=WEEKS // 2)
    turn = min(max(turn, start), today)
    base, now = float(goal["baseline"]), float(goal["current"])
    for week in range(WEEKS + 1):
        day = start + timedelta(weeks=week)
        if day <= turn:
            wobble = (-1, 1, 0, 1, -1, 0)[week % 6] * abs(now - base) * 0.04
            value = base + wobble
        else:
            gone = (day - turn).days / max(1, (today - turn).days)
            value = base + (now - base) * gone
        row = {
            "goal_id": goal["id"],
            "day": day.isoformat(),
            "value": round(value, 2),
            "recorded_at": f"{day.isoformat()}T09:00:00Z",
        }
        tx.insert("measure", row, key=goal["title"])
