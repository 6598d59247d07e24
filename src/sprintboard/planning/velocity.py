"""Velocity: what each team committed to and finished in closed sprints, replayed from
the activity log (planning/replay.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sprintboard.errors import UserError
from sprintboard.planning.replay import Replay, SprintHistory
from sprintboard.vocabulary import sprint_span

if TYPE_CHECKING:
    from sprintboard.store import Store


@dataclass(frozen=True)
class SprintResult:
    """What each owning team committed to (at the start) and finished (at the close)."""

    sprint: str
    start: date
    end: date
    committed: dict[str, int]
    done: dict[str, int]

    @property
    def total_committed(self) -> int:
        return sum(self.committed.values())

    @property
    def total_done(self) -> int:
        return sum(self.done.values())


def sprint_result(history: SprintHistory) -> SprintResult:
    """Commitment and completion per team of a closed sprint, replayed from the log."""
    if history.close_bound is None:
        raise UserError(f"sprint: {history.sprint['name']!r} is not closed yet")
    replay = Replay(history)
    replay.skip_to(history.start_bound)
    committed = replay.by_team()
    replay.skip_to(history.close_bound)
    return SprintResult(
        history.sprint["name"],
        *sprint_span(history.sprint),
        committed,
        replay.by_team(done_only=True),
    )


@dataclass(frozen=True)
class Velocity:
    """Commitment vs done per team over the last closed sprints (oldest first)."""

    sprints: list[SprintResult]

    @property
    def teams(self) -> list[str]:
        seen: dict[str, None] = {}
        for result in self.sprints:
            seen.update(dict.fromkeys(result.committed))
            seen.update(dict.fromkeys(result.done))
        return list(seen)

    def average_done(self, team: str) -> float | None:
        """Mean done points per sprint over these sprints (None with no closed sprint)."""
        if not self.sprints:
            return None
        return sum(r.done.get(team, 0) for r in self.sprints) / len(self.sprints)

    def to_dict(self, team: str | None = None) -> dict[str, Any]:
        def pick(values: dict[str, int]) -> dict[str, int]:
            return {team: values.get(team, 0)} if team else values

        return {
            "sprints": [
                {
                    "sprint": r.sprint,
                    "start": r.start.isoformat(),
                    "end": r.end.isoformat(),
                    "committed": pick(r.committed),
                    "done": pick(r.done),
                    "total_committed": r.total_committed,
                    "total_done": r.total_done,
                }
                for r in self.sprints
            ],
            "average_done": {t: self.average_done(t) for t in ([team] if team else self.teams)},
        }


def velocity(histories: Sequence[SprintHistory]) -> Velocity:
    """Velocity over the given closed sprints' histories (oldest first)."""
    return Velocity([sprint_result(h) for h in histories])


def closed_before(store: Store, last: int, before: Mapping[str, Any] | None = None) -> list[Any]:
    """The last `last` closed sprints (oldest first), only those starting before `before`."""
    closed = [
        s
        for s in store.sprints.in_state("closed")
        if (before is None or (s["start"], s["id"]) < (before["start"], before["id"]))
        and _readable(s)
    ]
    return closed[-last:] if last > 0 else []


def _readable(sprint: Mapping[str, Any]) -> bool:
    """Whether a stored sprint's dates can be charted; one stored out of range (before
    dates were checked) is left out of velocity (`check` names it: stored-range)."""
    try:
        sprint_span(sprint)
    except UserError:
        return False
    return True


def team_velocity(
    store: Store, *, last: int = 6, before: Mapping[str, Any] | None = None
) -> Velocity:
    """Velocity over the last `last` closed sprints (those before `before` if given)."""
    if last < 1:
        raise UserError(f"last: must be 1 or more (got {last})")
    return velocity([SprintHistory.load(store, s) for s in closed_before(store, last, before)])
