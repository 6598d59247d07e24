"""When a goal is likely done, and what it will have cost by then: a range, not a promise.

Each owning team's open points on the goal are divided by what the team delivered per
sprint in its last closed sprints (planning/velocity.py): its best sprint gives the
optimistic date, its mean the likely one, its worst delivering sprint the pessimistic
one. A team that delivered nothing in those sprints (a new team, or one whose work was
all planned later) is read at its capacity per sprint in every scenario, and the forecast
says so ("from capacity, no history"); without a capacity either there is no end in
sight. With fewer than three closed sprints of history, the optimistic pace is the
team's capacity when that is higher than its best sprint (and the forecast says so). The
goal is done when its slowest team is. Whole sprints are counted from the end of the
active sprint (from today without one), each as long as the last sprint. This assumes a
team spends its velocity on this goal alone, so read the optimistic date as "not before".

Cost at that date: what is spent, plus the open cards' cost; a day-rate team is paid for
the working days it needs at that pace (`rate x sprint working days x sprints needed`,
exact, rounded half up once), a point-rate team for its open points.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from sprintboard.money import cents_text, round_cents
from sprintboard.planning.costs import card_cost, sprint_days

SCENARIOS = ("optimistic", "likely", "pessimistic")
SHORT_HISTORY = 3
"""With fewer closed sprints of history than this, a team's best sprint says little of what it can
do: the optimistic pace is its capacity instead (when that is higher)."""
Row = Mapping[str, Any]


@dataclass(frozen=True)
class Scenario:
    name: str
    sprints: int | None  # whole sprints still needed; None: no end in sight
    done_by: date | None
    cost: int | None  # cents at that date


@dataclass
class Forecast:
    goal: int
    title: str
    open_points: int
    spent: int
    scenarios: list[Scenario]
    unknown: list[str] = field(default_factory=list)  # what the range leaves out

    def to_dict(self) -> dict[str, Any]:
        return {
            "goal": self.goal,
            "title": self.title,
            "open_points": self.open_points,
            "spent_cents": self.spent,
            "spent": cents_text(self.spent),
            **{
                s.name: {
                    "sprints": s.sprints,
                    "done_by": s.done_by.isoformat() if s.done_by else None,
                    "cost_cents": s.cost,
                    "cost": cents_text(s.cost),
                }
                for s in self.scenarios
            },
            "uncertain": self.unknown,
        }


def paces(samples: Sequence[int]) -> dict[str, Fraction | None]:
    """Points per sprint in each scenario from a team's recent sprints' done points."""
    if not samples:
        return dict.fromkeys(SCENARIOS)
    worst = min((s for s in samples if s > 0), default=0)
    return {
        "optimistic": Fraction(max(samples)) or None,
        "likely": Fraction(sum(samples), len(samples)) or None,
        "pessimistic": Fraction(worst) if worst > 0 else None,
    }


def forecast_goal(
    goal: Row,
    cards: Sequence[Row],
    teams: Mapping[str, Row],
    sprints: Mapping[str, Row],
    velocity: Mapping[str, Sequence[int]],
    *,
    start: date,
    sprint_length: int,
) -> Forecast:
    """`velocity`: team -> done points of its recent closed sprints; `start`: the day whole
    sprints are counted from; `sprint_length`: calendar days per sprint."""
    mine = [c for c in cards if c.get("goal") == goal["id"]]
    spent = 0
    open_by_team: dict[str, int] = {}
    own_open: dict[str, int] = {}
    unknown: list[str] = []
    for card in mine:
        team = teams.get(card["team"])
        priced = card_cost(card, team, sprints.get(card.get("sprint") or ""))
        if card["status"] == "done":
            spent += priced.cents
            continue
        open_by_team.setdefault(card["team"], 0)
        own_open[card["team"]] = own_open.get(card["team"], 0) + int(card.get("cost_cents") or 0)
        if card.get("points") is None:
            unknown.append(f"{card['key']} has no points")
        else:
            open_by_team[card["team"]] += int(card["points"])
    days_per_sprint = sprint_days({"start": start, "end": start + timedelta(sprint_length - 1)})
    team_paces = {}
    short: list[str] = []  # teams whose optimistic pace is their capacity
    for code, points in open_by_team.items():
        found = paces(velocity.get(code, ()))
        capacity = int((teams.get(code) or {}).get("capacity") or 0)
        if points and all(p is None for p in found.values()):
            if capacity > 0:
                found = dict.fromkeys(SCENARIOS, Fraction(capacity))
                unknown.append(
                    f"{code}: from capacity, no history ({capacity} points a sprint, "
                    "none delivered in recent closed sprints)"
                )
            else:
                unknown.append(f"{code} delivered nothing recently and has no capacity")
        else:
            samples = velocity.get(code, ())
            best = found["optimistic"]
            if points and len(samples) < SHORT_HISTORY and best is not None and capacity > best:
                # Too few sprints to know the team's best: it may well work at capacity.
                found = {**found, "optimistic": Fraction(capacity)}
                short.append(code)
        team_paces[code] = found
    if short:
        unknown.append(
            f"optimistic at capacity for {', '.join(short)} (fewer than {SHORT_HISTORY} "
            "closed sprints of history)"
        )
    scenarios = []
    for name in SCENARIOS:
        needed: int | None = 0
        cost: int | None = spent
        for code, points in open_by_team.items():
            team = teams.get(code) or {}
            pace = team_paces[code][name]
            sprints_needed = (
                0 if points == 0 else None if pace is None else math.ceil(points / pace)
            )
            if sprints_needed is None:
                needed = None
            elif needed is not None:
                needed = max(needed, sprints_needed)
            cost = _add(cost, own_open.get(code, 0))
            rate = team.get("rate_cents")
            if rate is None or points == 0:
                continue
            if team.get("rate_unit") == "day":
                time = None if pace is None else int(rate) * days_per_sprint * points / pace
                cost = None if time is None else _add(cost, round_cents(Fraction(time)))
            else:
                cost = _add(cost, int(rate) * points)
        done_by = None if needed is None else start + timedelta(days=needed * sprint_length)
        scenarios.append(Scenario(name, needed, done_by, cost))
    for code in open_by_team:
        if (teams.get(code) or {}).get("rate_cents") is None:
            unknown.append(f"{code} has no rate")
    return Forecast(
        int(goal["id"]), str(goal["title"]), sum(open_by_team.values()), spent, scenarios, unknown
    )


def _add(total: int | None, cents: int) -> int | None:
    return None if total is None else total + cents
