"""Capacity per team in a sprint: planned points against capacity and recent velocity.

A card's points count for its owning team only; a cross-team card is listed with the
contributing teams it also loads, so a planning session can see the hidden load without
counting it twice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from sprintboard.errors import UserError
from sprintboard.planning.velocity import Velocity, closed_before, closed_velocity

if TYPE_CHECKING:
    from sprintboard.store import Store

VELOCITY_SPRINTS = 3
"""Recent velocity: the average done points over this many last closed sprints."""


@dataclass(frozen=True)
class CrossTeamCard:
    key: str
    title: str
    status: str
    points: int | None
    team: str  # the owner, whose plan the points count in
    contributors: list[str]  # the other teams it loads


@dataclass(frozen=True)
class TeamCapacity:
    team: str
    name: str
    colour: str
    capacity: int
    capacity_source: str  # "sprint" (this sprint's override) or "team" (its default)
    planned: int  # points of the team's own cards in the sprint
    cards: int
    unpointed: int  # cards without points (their effort is unknown)
    done: int
    velocity: float | None  # average done points over its last closed sprints
    feedback_points: int  # points of its cards linked to customer feedback
    feedback_target: int  # the share (percent) the organisation aims for
    cross_team: list[CrossTeamCard]  # its cards other teams contribute to
    helps_with: list[CrossTeamCard]  # other teams' cards it contributes to
    usual: int | None = None  # the team's own capacity, when this sprint overrides it

    @property
    def over(self) -> int:
        """Points planned beyond capacity (0 when within)."""
        return max(0, self.planned - self.capacity)

    @property
    def over_capacity(self) -> bool:
        return self.planned > self.capacity

    @property
    def over_velocity(self) -> float | None:
        """Points planned beyond recent velocity (0 when within; None: no history)."""
        return None if self.velocity is None else max(0.0, self.planned - self.velocity)

    @property
    def load(self) -> float | None:
        """Planned / capacity (1.0 is full); None for a team with no capacity and no plan."""
        if self.capacity:
            return self.planned / self.capacity
        return None if not self.planned else float("inf")

    @property
    def feedback_share(self) -> float | None:
        """Percent of planned points serving customer feedback; None with nothing planned."""
        return 100 * self.feedback_points / self.planned if self.planned else None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(
            over=self.over,
            over_capacity=self.over_capacity,
            over_velocity=self.over_velocity,
            load=None if self.load in (None, float("inf")) else self.load,
            feedback_share=self.feedback_share,
        )
        return data


@dataclass(frozen=True)
class SprintCapacity:
    sprint: str
    state: str
    teams: list[TeamCapacity]
    velocity_sprints: list[str]  # the closed sprints the velocity averages

    @property
    def planned(self) -> int:
        return sum(t.planned for t in self.teams)

    @property
    def capacity(self) -> int:
        return sum(t.capacity for t in self.teams)

    @property
    def over_capacity(self) -> list[TeamCapacity]:
        return [t for t in self.teams if t.over_capacity]

    def team(self, code: str) -> TeamCapacity:
        return next(t for t in self.teams if t.team == code)

    def to_dict(self) -> dict[str, Any]:
        return {
            "sprint": self.sprint,
            "state": self.state,
            "planned": self.planned,
            "capacity": self.capacity,
            "velocity_sprints": self.velocity_sprints,
            "teams": [t.to_dict() for t in self.teams],
        }


def plan_capacity(
    sprint: Mapping[str, Any],
    teams: Sequence[Mapping[str, Any]],
    load: Sequence[Mapping[str, Any]],
    overrides: Mapping[str, int],
    contributions: Sequence[Mapping[str, Any]],
    velocity: Velocity,
    *,
    feedback_target: int = 20,
) -> SprintCapacity:
    """Capacity vs plan per team from the store's rows (Teams.list, Sprints.team_load,
    Sprints.capacity_overrides, Sprints.contributions) and the teams' velocity.

    Every active team is listed, and an archived team only while it still holds points.
    """
    by_team = {row["team"]: row for row in load}
    cross: dict[str, CrossTeamCard] = {}
    for row in contributions:
        card = cross.get(row["key"])
        if card is None:
            card = cross[row["key"]] = CrossTeamCard(
                row["key"], row["title"], row["status"], row["points"], row["team"], []
            )
        card.contributors.append(row["contributor"])
    out: list[TeamCapacity] = []
    for team in teams:
        code = team["code"]
        planned = by_team.get(code, {})
        if team["archived"] and not planned:
            continue
        override = overrides.get(code)
        out.append(
            TeamCapacity(
                team=code,
                name=team["name"],
                colour=team["colour"],
                capacity=int(team["capacity"] if override is None else override),
                capacity_source="team" if override is None else "sprint",
                planned=int(planned.get("points", 0)),
                cards=int(planned.get("cards", 0)),
                unpointed=int(planned.get("unpointed", 0)),
                done=int(planned.get("done_points", 0)),
                velocity=velocity.average_done(code),
                feedback_points=int(planned.get("feedback_points", 0)),
                feedback_target=feedback_target,
                cross_team=[c for c in cross.values() if c.team == code],
                helps_with=[c for c in cross.values() if code in c.contributors],
                usual=None if override is None else int(team["capacity"]),
            )
        )
    return SprintCapacity(
        sprint["name"], sprint["state"], out, [r.sprint for r in velocity.sprints]
    )


def sprint_capacity(
    store: Store,
    name: str | None = None,
    *,
    feedback_target: int | None = None,
    velocity_sprints: int = VELOCITY_SPRINTS,
    recent: Velocity | None = None,
) -> SprintCapacity:
    """Capacity vs plan for the named sprint (default: the active one).

    Velocity averages the last `velocity_sprints` closed sprints that started before this
    one (pass `recent` when already computed); `feedback_target` defaults to the config's
    `feedback_share_target`.
    """
    found = store.sprints.resolve(name or "current")
    if found is None:
        raise UserError("sprint: 'backlog' is not a sprint; name a sprint or 'current'")
    if feedback_target is None:
        from sprintboard.config import Settings

        feedback_target = Settings.load().feedback_share_target
    if recent is None:
        window = closed_before(store, velocity_sprints, found)
        recent = closed_velocity(store, window)
    return plan_capacity(
        found,
        store.teams.list(include_archived=True),
        store.sprints.team_load(found["id"]),
        store.sprints.capacity_overrides(found["id"]),
        store.sprints.contributions(found["id"]),
        recent,
        feedback_target=feedback_target,
    )
