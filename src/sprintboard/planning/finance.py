"""Costs, ROI and forecasts read from a store: what the CLI, the goals screen and the
report show (the arithmetic is in planning/costs.py and planning/forecast.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sprintboard.planning.costs import CostSheet, GoalMoney, cost_sheet, goal_money
from sprintboard.planning.forecast import Forecast, forecast_goal
from sprintboard.planning.velocity import team_velocity
from sprintboard.vocabulary import stored_day

if TYPE_CHECKING:
    from sprintboard.store import Store

FORECAST_SPRINTS = 4
"""How many closed sprints a team's pace is read from."""
DEFAULT_SPRINT_DAYS = 14


@dataclass
class Books:
    """What the money figures read, loaded once: cards, teams by code, sprints by name."""

    currency: str
    cards: list[dict[str, Any]]
    teams: dict[str, dict[str, Any]]
    sprints: dict[str, dict[str, Any]]

    @classmethod
    def load(cls, store: Store) -> Books:
        return cls(
            store.finance.currency(),
            store.finance.cost_cards(),
            {t["code"]: t for t in store.teams.list(include_archived=True)},
            {s["name"]: s for s in store.sprints.list()},
        )

    def goal(self, goal: dict[str, Any]) -> GoalMoney:
        return goal_money(goal, self.cards, self.teams, self.sprints)

    def sprint(self, name: str) -> CostSheet:
        return cost_sheet([c for c in self.cards if c["sprint"] == name], self.teams, self.sprints)


def goals_money(store: Store) -> tuple[str, list[GoalMoney]]:
    books = Books.load(store)
    return books.currency, [books.goal(g) for g in store.goals.list()]


def forecast_start(store: Store) -> tuple[date, int]:
    """The day whole sprints are counted from, and a sprint's length in days."""
    today = date.fromisoformat(store.today())
    active = store.sprints.active()
    rows = store.sprints.list()
    length = DEFAULT_SPRINT_DAYS
    if rows:
        start, end = stored_day(rows[-1]["start"]), stored_day(rows[-1]["end"])
        if start and end:
            length = (end - start).days + 1
    if active is not None:
        end = stored_day(active["end"])
        if end is not None and end >= today:
            return end + timedelta(days=1), length
    return today, length


def forecasts(store: Store, goal_id: int | None = None) -> tuple[str, list[Forecast]]:
    books = Books.load(store)
    recent = team_velocity(store, last=FORECAST_SPRINTS)
    pace = {team: [r.done.get(team, 0) for r in recent.sprints] for team in books.teams}
    if not recent.sprints:
        pace = {}
    start, length = forecast_start(store)
    goals = [store.goals.get(goal_id)] if goal_id is not None else store.goals.list()
    return books.currency, [
        forecast_goal(
            g, books.cards, books.teams, books.sprints, pace, start=start, sprint_length=length
        )
        for g in goals
    ]
