"""Budget rules: money before it is spent (ids and docs in `planning/checks.py`).

planning/findings_index.py keeps their findings by scope like the seam rules', filled by
narrow reads (store/seam_reads.py); the prices come from `planning.costs` (exact cents).
What each rule reads:
- `goal-budget`: the goals with a budget and all their cards (team, sprint, points, status,
  cost_cents), the teams' rates (rate_cents, rate_unit, capacity) and the sprints' dates (a
  day rate is spread over a sprint's working days);
- `sprint-budget`: the sprints in scope with a budget, their cards, the teams' rates;
- `provider-cost`: the closed sprints (dates, order), the points done and own costs of the
  cards left in them per external-provider team with a rate.

Goals' and sprints' planned costs are kept card by card (`Tally`), so a change re-prices
only the cards it touched.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import Any

from sprintboard.money import format_amount
from sprintboard.planning.costs import Pricer, sprint_days
from sprintboard.planning.findings import Finding, Severity

PROVIDER_SPRINTS = 3
"""How many of a provider's last closed sprints its cost trend is read over."""
PROVIDER_SLACK = 10
"""Cost per delivered point may rise this many percent before it is worth a warning."""
SHOWN_CARDS = 8
"""How many of a goal's open cards a goal-budget finding names."""


def _over(planned: int, budget: int) -> str:
    share = (planned - budget) * 1000 // budget if budget else 0
    return (
        f"planned cost {format_amount(planned)} is over its budget {format_amount(budget)} "
        f"by {format_amount(planned - budget)} ({share // 10}.{share % 10}%)"
    )


def goal_budget(
    goal_id: int, budget: int, planned: int, open_keys: Callable[[], list[str]]
) -> Finding | None:
    """A goal whose cards' planned cost (team rates and the cards' own costs) exceeds its
    budget: warning, naming its first open cards (`open_keys`, read only then)."""
    if planned <= budget:
        return None
    return Finding(
        Severity.WARNING,
        "goal-budget",
        tuple(open_keys()),
        f"goal {goal_id} {_over(planned, budget)}",
        subject=f"goal {goal_id}",
        fix="raise the budget (goal budget), cut or re-price open cards",
    )


def sprint_budget(name: str, budget: int, planned: int) -> Finding | None:
    """A sprint whose cards' planned cost exceeds the sprint's budget: warning."""
    if planned <= budget:
        return None
    return Finding(
        Severity.WARNING,
        "sprint-budget",
        (),
        f"sprint {name} {_over(planned, budget)}",
        subject=name,
        fix="move cards to a later sprint or raise the sprint's budget",
    )


def provider_trend(
    rate_cents: int | None,
    rate_unit: str,
    delivered: Iterable[tuple[dict[str, Any], int, int]],
) -> list[tuple[str, int, int]]:
    """(sprint, cost in cents, delivered points) of an external provider's last closed
    sprints holding any of its cards, oldest first, from `delivered`: (sprint row, points
    done, the cards' own costs) of those sprints in time order. A day-rate provider is
    booked for the whole sprint; a point-rate one costs its delivered points; cards' own
    costs add."""
    rate = int(rate_cents or 0)
    trend = []
    for sprint, done, own in delivered:
        time = rate * sprint_days(sprint) if rate_unit == "day" else rate * done
        trend.append((str(sprint["name"]), time + own, done))
    return trend[-PROVIDER_SPRINTS:]


def provider_cost(code: str, trend: list[tuple[str, int, int]]) -> Finding | None:
    """An external provider whose cost grew faster than the points it delivered over its
    last closed sprints (cost per delivered point up by more than PROVIDER_SLACK%): warning."""
    if len(trend) < 2:
        return None
    (first, cost0, points0), (last, cost1, points1) = trend[0], trend[-1]
    if cost1 <= 0 or points0 <= 0:
        return None
    # cost1/points1 > cost0/points0 * (1 + slack), in whole numbers
    if points1 > 0 and cost1 * points0 * 100 <= cost0 * points1 * (100 + PROVIDER_SLACK):
        return None
    return Finding(
        Severity.WARNING,
        "provider-cost",
        (),
        f"{code} (external provider) cost {format_amount(cost0)} -> "
        f"{format_amount(cost1)} from {first} to {last} while it delivered "
        f"{points0} -> {points1} points",
        subject=code,
        fix="review the provider's contract or scope before booking more days",
    )


class Tally:
    """Planned cost of some cards, card by card (key -> cents), and its total."""

    __slots__ = ("cents", "total")

    def __init__(self) -> None:
        self.cents: dict[str, int] = {}
        self.total = 0

    def put(self, key: str, cents: int) -> None:
        self.total += cents - self.cents.get(key, 0)
        self.cents[key] = cents

    def pop(self, key: str) -> bool:
        cents = self.cents.pop(key, None)
        if cents is None:
            return False
        self.total -= cents
        return True


class Tallies:
    """The planned cost of each budgeted goal and sprint, kept card by card.

    Cards come as seam_reads.cost_rows() rows; a card's part follows its current goal and
    sprint, so a change drops the touched cards' parts and adds them again as they are now.
    """

    def __init__(self, pricer: Pricer) -> None:
        self.pricer = pricer
        self.goals: dict[int, Tally] = {}
        self.sprints: dict[int, Tally] = {}

    def add(
        self, rows: Iterable[tuple[Any, ...]], *, goals: Collection[int] | None = None
    ) -> tuple[set[int], set[int]]:
        """Add these cards' parts (with `goals`: only to those goals' tallies); returns the
        goals and sprints whose tallies they joined."""
        goal_tallies, sprint_tallies = self.goals, self.sprints
        cents = self.pricer.cents
        to_goals: set[int] = set()
        to_sprints: set[int] = set()
        for key, team, _status, sprint, points, own, goal in rows:
            in_goal = goal_tallies.get(goal) if goals is None or goal in goals else None
            in_sprint = sprint_tallies.get(sprint) if goals is None else None
            if in_goal is None and in_sprint is None:
                continue
            price = cents(team, sprint, points, own)
            if in_goal is not None:
                in_goal.put(key, price)
                to_goals.add(goal)
            if in_sprint is not None:
                in_sprint.put(key, price)
                to_sprints.add(sprint)
        return to_goals, to_sprints

    def drop(self, keys: Iterable[str]) -> tuple[set[int], set[int]]:
        """Take these cards' parts out; returns the goals and sprints they were in."""
        goals: set[int] = set()
        sprints: set[int] = set()
        for key in keys:
            goals.update(g for g, tally in self.goals.items() if tally.pop(key))
            sprints.update(s for s, tally in self.sprints.items() if tally.pop(key))
        return goals, sprints
