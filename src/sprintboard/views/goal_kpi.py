"""What a goal's KPI page shows, as plain Python: its measured values against the
baseline -> target line, when its cards shipped, its money and its forecast."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sprintboard.money import format_amount
from sprintboard.planning.costs import GoalMoney
from sprintboard.planning.finance import Books, forecasts
from sprintboard.planning.forecast import Forecast
from sprintboard.vocabulary import stored_day


@dataclass
class GoalKpi:
    goal: dict[str, Any]
    measures: list[tuple[date, float]]
    shipped: list[tuple[date, str]]  # (done day, card key) of the goal's done cards
    money: GoalMoney
    forecast: Forecast
    currency: str
    today: str

    def money_lines(self) -> list[str]:
        m, c = self.money, self.currency
        roi = m.to_dict()["roi_percent"]
        budget = format_amount(m.budget, c, whole=True)
        over = f" (over by {format_amount(m.over_budget, whole=True)})" if m.over_budget else ""
        lines = [
            f"return {format_amount(m.expected_return, c, whole=True)} · cost planned "
            f"{format_amount(m.cost.planned, whole=True)}, spent "
            f"{format_amount(m.cost.spent, whole=True)} · ROI {roi + '%' if roi else '-'}",
            f"budget {budget}{over}",
        ]
        teams = [
            f"{code} {format_amount(line.planned, whole=True)}"
            + (f" ({format_amount(line.spent, whole=True)} spent)" if line.spent else "")
            for code, line in self.money.sheet.teams.items()
            if line.planned
        ]
        if teams:
            lines.insert(1, "cost by team: " + " · ".join(teams))
        uncertain = m.uncertain()
        lines.append("uncertain: " + ("; ".join(uncertain) if uncertain else "nothing"))
        parts = []
        for s in self.forecast.scenarios:
            when = s.done_by.isoformat() if s.done_by else "no end in sight"
            parts.append(f"{s.name} {when}")
        lines.append("forecast: " + " · ".join(parts))
        if self.forecast.unknown:
            lines.append("forecast reads: " + "; ".join(self.forecast.unknown))
        return lines


def fetch_goal_kpi(store: Any, goal_id: int) -> dict[str, Any]:
    """Everything the page shows, read in one go on the database thread."""
    version = store.version()
    goal = store.goals.get(goal_id)
    books = Books.load(store)
    measures = [
        (day, float(m["value"]))
        for m in store.finance.measures(goal["id"])
        if (day := stored_day(m["day"])) is not None
    ]
    shipped = sorted(
        (day, str(c["key"]))
        for c in books.cards
        if c["goal"] == goal["id"] and (day := stored_day(c["done_at"])) is not None
    )
    currency, found = forecasts(store, goal["id"])
    return {
        "kpi": GoalKpi(
            goal, measures, shipped, books.goal(goal), found[0], currency, store.today()
        ),
        "version": version,
    }
