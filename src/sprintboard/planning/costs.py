"""What work costs: each card's planned cost from its team's rate and its own cost, rolled
up per team, per sprint and per goal, and a goal's expected ROI.

The arithmetic is exact (whole cents, fractions; see `sprintboard.money`):
- a team paid per point costs `rate x points`;
- a team paid per working day (an external provider) is booked for its capacity: one
  point costs `rate x working days of the card's sprint / capacity` (10 days for a card
  in the backlog), rounded half up to the cent once per card;
- a card's own cost (an invoice, ad spend) is added whole;
- done cards count as spent; every card counts as planned;
- expected ROI = (return - planned cost) / planned cost, shown as a percentage rounded
  half up to one decimal.
What cannot be priced (a card without points, a team without a rate or with no capacity)
is left out of the sums and named as uncertain, never guessed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from sprintboard.money import cents_text, percent_text, round_cents
from sprintboard.vocabulary import stored_day

BACKLOG_DAYS = 10
"""Working days assumed for a card of a day-rate team that is in no sprint (two weeks)."""

Row = Mapping[str, Any]


def working_days(start: date, end: date) -> int:
    """Monday to Friday from start to end, both included."""
    if end < start:
        return 0
    days = (end - start).days + 1
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for offset in range(rest):
        if (start + timedelta(days=weeks * 7 + offset)).weekday() < 5:
            count += 1
    return count


def sprint_days(sprint: Row | None) -> int:
    """Working days of a sprint row (BACKLOG_DAYS for none, or dates that cannot be read)."""
    if sprint is None:
        return BACKLOG_DAYS
    start, end = stored_day(sprint.get("start")), stored_day(sprint.get("end"))
    if start is None or end is None:
        return BACKLOG_DAYS
    return working_days(start, end) or BACKLOG_DAYS


def point_price(team: Row | None, days: int) -> Fraction | None:
    """What one point of this team costs, in cents (exact); None without a rate."""
    if team is None or team.get("rate_cents") is None:
        return None
    rate = int(team["rate_cents"])
    if team.get("rate_unit") == "day":
        capacity = int(team.get("capacity") or 0)
        return None if capacity <= 0 else Fraction(rate * days, capacity)
    return Fraction(rate)


@dataclass(frozen=True)
class CardCost:
    cents: int
    """Priced part: team time (when known) plus the card's own cost."""
    unpriced: str = ""
    """Why the team time is left out ('' when it is not): 'no points' / 'no rate'."""


def card_cost(card: Row, team: Row | None, sprint: Row | None) -> CardCost:
    own = int(card.get("cost_cents") or 0)
    price = point_price(team, sprint_days(sprint))
    if price is None:
        capacity_zero = team is not None and team.get("rate_cents") is not None
        return CardCost(own, "no capacity" if capacity_zero else "no rate")
    if card.get("points") is None:
        return CardCost(own, "no points")
    return CardCost(own + round_cents(price * int(card["points"])))


class Pricer:
    """Planned cost of cards known by their team's and sprint's ids, as `card_cost` works it
    out, each (team, sprint, points) once: 100,000 cards share a few hundred of them.

    `teams`: team id -> row (rate_cents, rate_unit, capacity); `sprints`: sprint id -> row
    (start, end).
    """

    def __init__(self, teams: Mapping[Any, Row], sprints: Mapping[Any, Row]) -> None:
        self.teams, self.sprints = teams, sprints
        self._time: dict[tuple[Any, Any, Any], int] = {}

    def cents(self, team: Any, sprint: Any, points: int | None, own: int | None) -> int:
        """The card's planned cost: its team's time (when priced) plus its own cost."""
        key = (team, sprint, points)
        time = self._time.get(key)
        if time is None:
            card = {"points": points}
            time = card_cost(card, self.teams.get(team), self.sprints.get(sprint)).cents
            self._time[key] = time
        return time + int(own or 0)


@dataclass
class CostLine:
    """Planned and spent cost of some cards (one team's, or all of them)."""

    planned: int = 0
    spent: int = 0
    cards: int = 0
    open_points: int = 0
    without_points: list[str] = field(default_factory=list)
    without_rate: list[str] = field(default_factory=list)  # team codes

    def add(self, card: Row, cost: CardCost) -> None:
        self.cards += 1
        self.planned += cost.cents
        if card.get("status") == "done":
            self.spent += cost.cents
        elif card.get("points"):
            self.open_points += int(card["points"])
        if cost.unpriced == "no points":
            self.without_points.append(str(card["key"]))
        elif cost.unpriced and card["team"] not in self.without_rate:
            self.without_rate.append(str(card["team"]))

    def to_dict(self) -> dict[str, Any]:
        return {
            "planned_cents": self.planned,
            "spent_cents": self.spent,
            "planned": cents_text(self.planned),
            "spent": cents_text(self.spent),
            "cards": self.cards,
            "open_points": self.open_points,
            "cards_without_points": self.without_points,
            "teams_without_rate": self.without_rate,
        }


@dataclass
class CostSheet:
    """Costs per owning team and in total."""

    teams: dict[str, CostLine]
    total: CostLine

    def to_dict(self) -> dict[str, Any]:
        return {
            "teams": {code: line.to_dict() for code, line in self.teams.items()},
            "total": self.total.to_dict(),
        }


def cost_sheet(
    cards: Iterable[Row], teams: Mapping[str, Row], sprints: Mapping[str, Row]
) -> CostSheet:
    """Cost of `cards` per team (in the order first met) and in total.

    `teams`: code -> team row (rate_cents, rate_unit, capacity); `sprints`: name -> row.
    """
    sheet = CostSheet({}, CostLine())
    for card in cards:
        cost = card_cost(card, teams.get(card["team"]), sprints.get(card.get("sprint") or ""))
        sheet.teams.setdefault(card["team"], CostLine()).add(card, cost)
        sheet.total.add(card, cost)
    return sheet


def roi(return_cents: int | None, cost_cents: int) -> Fraction | None:
    """(return - cost) / cost, exactly; None without a return or without any cost."""
    if return_cents is None or cost_cents <= 0:
        return None
    return Fraction(return_cents - cost_cents, cost_cents)


@dataclass
class GoalMoney:
    """A goal's budget, cost, return and expected ROI, and what is still uncertain."""

    goal: int
    title: str
    budget: int | None
    expected_return: int | None
    cost: CostLine
    sheet: CostSheet

    @property
    def roi(self) -> Fraction | None:
        return roi(self.expected_return, self.cost.planned)

    @property
    def over_budget(self) -> int:
        """Cents the planned cost exceeds the budget by (0 within it or without one)."""
        if self.budget is None:
            return 0
        return max(0, self.cost.planned - self.budget)

    def uncertain(self) -> list[str]:
        """What the figures do not include yet, in words (empty: nothing)."""
        notes = []
        if self.cost.without_points:
            n = len(self.cost.without_points)
            notes.append(f"{n} card{'s' if n != 1 else ''} without points")
        if self.cost.without_rate:
            notes.append(f"no rate for {', '.join(self.cost.without_rate)}")
        if self.cost.open_points:
            notes.append(f"{self.cost.open_points} points still open")
        if self.expected_return is None:
            notes.append("no expected return")
        return notes

    def to_dict(self) -> dict[str, Any]:
        ratio = self.roi
        return {
            "goal": self.goal,
            "title": self.title,
            "budget_cents": self.budget,
            "budget": cents_text(self.budget),
            "return_cents": self.expected_return,
            "return": cents_text(self.expected_return),
            **self.cost.to_dict(),
            "over_budget_cents": self.over_budget,
            "roi_percent": percent_text(ratio),
            "uncertain": self.uncertain(),
            "teams": {code: line.to_dict() for code, line in self.sheet.teams.items()},
        }


def goal_money(
    goal: Row, cards: Iterable[Row], teams: Mapping[str, Row], sprints: Mapping[str, Row]
) -> GoalMoney:
    """The money of one goal from its cards (`cards` may hold others: they are skipped)."""
    mine = [c for c in cards if c.get("goal") == goal["id"]]
    sheet = cost_sheet(mine, teams, sprints)
    return GoalMoney(
        int(goal["id"]),
        str(goal["title"]),
        goal.get("budget_cents"),
        goal.get("return_cents"),
        sheet.total,
        sheet,
    )
