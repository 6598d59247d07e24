"""Costs, budgets, returns and KPI history: team rates, card costs, goal and sprint budgets,
a goal's expected return, the plan's currency and each goal's measured KPI values.

Amounts are whole cents (`sprintboard.money`). Every write is one transaction in the
activity log, so `undo` takes it back.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sprintboard.errors import UserError
from sprintboard.money import MAX_CENTS, parse_currency
from sprintboard.store.cards import Cards
from sprintboard.store.database import Rows, StoreCore
from sprintboard.store.goals import Goals
from sprintboard.store.sprints import Sprints
from sprintboard.store.teams import Teams

DEFAULT_CURRENCY = "EUR"
RATE_UNITS = ("point", "day")
UNSET: Any = object()
"""An argument not given (None means: clear the amount)."""

COST_CARDS = """SELECT c.key, c.title, t.code AS team, c.status, s.name AS sprint,
    c.points, c.cost_cents, c.goal_id AS goal, c.done_at
  FROM cards c JOIN teams t ON t.id = c.team_id LEFT JOIN sprints s ON s.id = c.sprint_id"""


def _cents(value: int | None, field: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_CENTS:
        raise UserError(f"{field}: an amount of 0 to {MAX_CENTS // 100:,} (got {value!r})")
    return value


class Finance:
    def __init__(
        self, core: StoreCore, teams: Teams, goals: Goals, cards: Cards, sprints: Sprints
    ) -> None:
        self.core = core
        self.teams, self.goals, self.cards, self.sprints = teams, goals, cards, sprints

    # -- the plan's currency -------------------------------------------------------------

    def currency(self) -> str:
        found = self.core.scalar("SELECT value FROM plan_settings WHERE name = 'currency'")
        return str(found) if found else DEFAULT_CURRENCY

    def set_currency(self, code: str) -> str:
        try:
            code = parse_currency(code)
        except ValueError as exc:
            raise UserError(str(exc)) from None
        with self.core.transaction("plan.currency") as tx:
            row = self.core.row("SELECT * FROM plan_settings WHERE name = 'currency'")
            if row is None:
                tx.insert("plan_setting", {"name": "currency", "value": code}, key="currency")
            else:
                tx.update("plan_setting", row, {"value": code}, key="currency")
        return code

    # -- rates, costs, budgets, returns -------------------------------------------------

    def set_rate(self, team: str, cents: int | None, unit: str = "point") -> dict[str, Any]:
        """A team's cost per point (or per working day); None clears it."""
        if unit not in RATE_UNITS:
            raise UserError(f"per: 'point' or 'day' (got {unit!r})")
        cents = _cents(cents, "rate")
        with self.core.transaction("team.rate") as tx:
            row = self.teams.get(team)
            tx.update("team", row, {"rate_cents": cents, "rate_unit": unit}, key=row["code"])
        return self.teams.get(team)

    def set_card_cost(self, key: str, cents: int | None) -> dict[str, Any]:
        """A card's own cost on top of its team's time (an invoice, ad spend); None clears."""
        cents = _cents(cents, "cost")
        with self.core.transaction("card.cost") as tx:
            row = self.cards._raw(key)
            if tx.update("card", row, {"cost_cents": cents}, key=row["key"]):
                tx.update("card", row, {"updated_at": tx.now}, key=row["key"])
        return self.cards._raw(row["key"])

    def set_goal_money(
        self, goal_id: int | str, *, budget: int | None = UNSET, ret: int | None = UNSET
    ) -> dict[str, Any]:
        """A goal's budget and expected return (either or both; None clears one)."""
        changes: dict[str, Any] = {}
        if budget is not UNSET:
            changes["budget_cents"] = _cents(budget, "budget")
        if ret is not UNSET:
            changes["return_cents"] = _cents(ret, "return")
        with self.core.transaction("goal.money") as tx:
            row = self.goals.get(goal_id)
            if tx.update("goal", row, changes, key=row["title"]):
                tx.update("goal", row, {"updated_at": tx.now}, key=row["title"])
        return self.goals.get(row["id"])

    def set_sprint_budget(self, name: str, cents: int | None) -> dict[str, Any]:
        cents = _cents(cents, "budget")
        with self.core.transaction("sprint.budget") as tx:
            found = self.sprints.resolve(name)
            if found is None:
                raise UserError("sprint: a budget belongs to a sprint (not the backlog)")
            tx.update("sprint", found, {"budget_cents": cents}, key=found["name"])
        return self.sprints.get(found["name"])

    def cost_cards(self, goal_id: int | None = None) -> Rows:
        """Cards with what costs read: key, title, team, status, sprint, points,
        cost_cents, goal, done_at (one goal's when `goal_id` is given)."""
        if goal_id is None:
            return self.core.rows(COST_CARDS + " ORDER BY c.id")
        return self.core.rows(COST_CARDS + " WHERE c.goal_id = ? ORDER BY c.id", [goal_id])

    # -- KPI history -----------------------------------------------------------------------

    def measure(self, goal_id: int | str, value: float, day: str | None = None) -> dict[str, Any]:
        """Record the goal's KPI as `value` on `day` (today by default); the latest measured
        value becomes the goal's current value."""
        return self.record_measures([(goal_id, day, value)])[0]

    def record_measures(
        self, values: Iterable[tuple[int | str, str | None, float | str]], *, action: str = ""
    ) -> Rows:
        """Record many values in one transaction (a CSV import): (goal, day, value) each."""
        from sprintboard.models import Measure, validate  # pydantic: only when writing

        rows: Rows = []
        with self.core.transaction(action or "goal.measure") as tx:
            touched: dict[int, dict[str, Any]] = {}
            for goal_id, day, value in values:
                goal = self.goals.get(goal_id)
                checked = validate(Measure, {"day": day or tx.now[:10], "value": value})
                row = {
                    "goal_id": goal["id"],
                    "day": checked.day.isoformat(),
                    "value": checked.value,
                    "recorded_at": tx.now,
                }
                row["id"] = tx.insert("measure", row, key=goal["title"])
                rows.append(row)
                touched[goal["id"]] = goal
            for ident, goal in touched.items():
                latest = self.core.scalar(
                    "SELECT value FROM measures WHERE goal_id = ? ORDER BY day DESC, id DESC",
                    [ident],
                )
                if tx.update("goal", goal, {"current": latest}, key=goal["title"]):
                    tx.update("goal", goal, {"updated_at": tx.now}, key=goal["title"])
        return rows

    def measures(self, goal_id: int | None = None) -> Rows:
        """Measured values, oldest day first: id, goal_id, day, value, recorded_at."""
        if goal_id is None:
            return self.core.rows("SELECT * FROM measures ORDER BY goal_id, day, id")
        return self.core.rows(
            "SELECT * FROM measures WHERE goal_id = ? ORDER BY day, id", [goal_id]
        )
