"""Budget checks: money before it is spent (rules registered in `planning/checks.py`).

What each rule reads from the `Plan`:
- `goal-budget`: the goals (budget_cents) and each goal's cards (team, sprint, points,
  status, cost_cents), the teams' rates (rate_cents, rate_unit, capacity) and the sprints'
  dates (a day rate is spread over a sprint's working days).
- `sprint-budget`: the sprints in scope (budget_cents, dates), their cards, the teams' rates.
- `provider-cost`: the closed sprints (dates, order), the cards left in them (team, points,
  status, cost_cents) and the external-provider teams' rates.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from sprintboard.money import format_amount
from sprintboard.planning.costs import cost_sheet, goal_money, sprint_days
from sprintboard.planning.findings import Finding, Severity
from sprintboard.vocabulary import TeamFormat

if TYPE_CHECKING:
    from sprintboard.store import Store


class Plan(Protocol):
    """What these rules read of `planning.checks.Plan` (named here, not imported: checks.py
    imports this module to register the rules)."""

    cards: list[dict[str, Any]]
    sprints: list[dict[str, Any]]
    teams: dict[str, dict[str, Any]]
    goals: list[dict[str, Any]]
    sprint: str | None

    @property
    def sprint_rows(self) -> dict[str, dict[str, Any]]: ...

    @property
    def in_scope(self) -> frozenset[str]: ...

    def touches(self, *sprints: str | None) -> bool: ...


PROVIDER_SPRINTS = 3
"""How many of a provider's last closed sprints its cost trend is read over."""
PROVIDER_SLACK = 10
"""Cost per delivered point may rise this many percent before it is worth a warning."""
_SHOWN_CARDS = 8


def _over(planned: int, budget: int) -> str:
    share = (planned - budget) * 1000 // budget if budget else 0
    return (
        f"planned cost {format_amount(planned)} is over its budget {format_amount(budget)} "
        f"by {format_amount(planned - budget)} ({share // 10}.{share % 10}%)"
    )


def check_goal_budget(plan: Plan) -> Iterator[Finding]:
    """A goal whose cards' planned cost (team rates and the cards' own costs) exceeds its
    budget: warning."""
    for goal in plan.goals:
        budget = goal.get("budget_cents")
        if budget is None:
            continue
        cards = [c for c in plan.cards if c.get("goal") == goal["id"]]
        if not cards or not plan.touches(*{c["sprint"] for c in cards}):
            continue
        money = goal_money(goal, cards, plan.teams, plan.sprint_rows)
        if money.cost.planned <= budget:
            continue
        open_keys = [c["key"] for c in cards if c["status"] != "done"]
        yield Finding(
            Severity.WARNING,
            "goal-budget",
            tuple(open_keys[:_SHOWN_CARDS]),
            f"goal {goal['id']} {_over(money.cost.planned, budget)}",
            subject=f"goal {goal['id']}",
            fix="raise the budget (goal budget), cut or re-price open cards",
        )


def check_sprint_budget(plan: Plan) -> Iterator[Finding]:
    """A sprint whose cards' planned cost exceeds the sprint's budget: warning."""
    for sprint in plan.sprints:
        budget = sprint.get("budget_cents")
        if budget is None or sprint["name"] not in plan.in_scope:
            continue
        cards = [c for c in plan.cards if c["sprint"] == sprint["name"]]
        planned = cost_sheet(cards, plan.teams, plan.sprint_rows).total.planned
        if planned > budget:
            yield Finding(
                Severity.WARNING,
                "sprint-budget",
                (),
                f"sprint {sprint['name']} {_over(planned, budget)}",
                subject=sprint["name"],
                fix="move cards to a later sprint or raise the sprint's budget",
            )


def provider_trend(plan: Plan, code: str) -> list[tuple[str, int, int]]:
    """(sprint, cost in cents, delivered points) of an external provider's last closed
    sprints holding any of its cards, oldest first. A day-rate provider is booked for the
    whole sprint; a point-rate one costs its delivered points; cards' own costs add."""
    team = plan.teams[code]
    rate = team.get("rate_cents")
    trend = []
    for sprint in plan.sprints:
        if sprint["state"] != "closed":
            continue
        cards = [c for c in plan.cards if c["sprint"] == sprint["name"] and c["team"] == code]
        if not cards:
            continue
        done = sum(int(c["points"] or 0) for c in cards if c["status"] == "done")
        own = sum(int(c.get("cost_cents") or 0) for c in cards)
        if team.get("rate_unit") == "day":
            time = int(rate or 0) * sprint_days(sprint)
        else:
            time = int(rate or 0) * done
        trend.append((sprint["name"], time + own, done))
    return trend[-PROVIDER_SPRINTS:]


def check_provider_cost(plan: Plan) -> Iterator[Finding]:
    """An external provider whose cost grew faster than the points it delivered over its
    last closed sprints (cost per delivered point up by more than PROVIDER_SLACK%): warning."""
    for code, team in plan.teams.items():
        if team.get("format") != TeamFormat.EXTERNAL.value or team.get("archived"):
            continue
        if team.get("rate_cents") is None:
            continue
        if plan.sprint is not None and not any(
            c["team"] == code and c["sprint"] == plan.sprint for c in plan.cards
        ):
            continue
        trend = provider_trend(plan, code)
        if len(trend) < 2:
            continue
        (first, cost0, points0), (last, cost1, points1) = trend[0], trend[-1]
        if cost1 <= 0 or points0 <= 0:
            continue
        # cost1/points1 > cost0/points0 * (1 + slack), in whole numbers
        if points1 > 0 and cost1 * points0 * 100 <= cost0 * points1 * (100 + PROVIDER_SLACK):
            continue
        delivered = f"{points0} -> {points1} points"
        yield Finding(
            Severity.WARNING,
            "provider-cost",
            (),
            f"{code} (external provider) cost {format_amount(cost0)} -> "
            f"{format_amount(cost1)} from {first} to {last} while it delivered {delivered}",
            subject=code,
            fix="review the provider's contract or scope before booking more days",
        )


BUDGET_RULES = (
    ("goal-budget", check_goal_budget),
    ("sprint-budget", check_sprint_budget),
    ("provider-cost", check_provider_cost),
)
"""These rules' ids and functions, in the order their findings of one severity are listed
(after the seam rules of planning/checks.py; not yet in its incremental findings)."""


@dataclass
class BudgetPlan:
    """What the budget rules read, loaded from a store (see the module docstring)."""

    cards: list[dict[str, Any]]
    sprints: list[dict[str, Any]]
    teams: dict[str, dict[str, Any]]
    goals: list[dict[str, Any]]
    sprint: str | None = None

    @classmethod
    def load(cls, store: Store, sprint: str | None = None) -> BudgetPlan:
        return cls(
            cards=store.deps.plan_cards(),
            sprints=store.sprints.list(),
            teams={t["code"]: t for t in store.teams.list(include_archived=True)},
            goals=store.goals.list(),
            sprint=sprint,
        )

    @property
    def sprint_rows(self) -> dict[str, dict[str, Any]]:
        return {s["name"]: s for s in self.sprints}

    @property
    def in_scope(self) -> frozenset[str]:
        if self.sprint is not None:
            return frozenset({self.sprint})
        return frozenset(s["name"] for s in self.sprints if s["state"] != "closed")

    def touches(self, *sprints: str | None) -> bool:
        return self.sprint is None or self.sprint in sprints


def budget_findings(store: Store, sprint: str | None = None) -> list[Finding]:
    plan = BudgetPlan.load(store, sprint)
    return [f for _, rule in BUDGET_RULES for f in rule(plan)]
