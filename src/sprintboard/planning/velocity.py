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


_RESULTS = "_closed_sprint_results"
"""The attribute of a store that keeps its closed sprints' results (see `closed_velocity`)."""


def closed_velocity(store: Store, closed: Sequence[Mapping[str, Any]]) -> Velocity:
    """`velocity` of these closed sprints, each replayed from the log once per store.

    A closed sprint's result changes only when the log gains an entry dated before its
    close (another laptop's change arriving by sync), when the log goes back (a restore),
    when a write bypasses the log, or when the sprint's own dates, state or the team codes
    change: each of those replays it again. An entry logged after the close cannot change
    it (the replay stops at the close, and a card's state before its first entry is that
    entry's `before`), so the planning screen and an assistant asking again after a move
    pay a few small queries instead of a replay.
    """
    cache: dict[tuple[Any, ...], tuple[int, int, SprintResult]] = store.__dict__.setdefault(
        _RESULTS, {}
    )
    newest = int(store.scalar("SELECT COALESCE(MAX(id), 0) FROM activity"))
    written = store.data_version()
    teams = tuple((t["id"], t["code"]) for t in store.teams.list(include_archived=True))
    results = []
    for sprint in closed:
        key = tuple(sprint.get(f) for f in _SPRINT_FIELDS) + teams
        hit = cache.get(key)
        if hit is not None and _still(store, hit, newest, written, sprint):
            result = hit[2]
        else:
            result = sprint_result(SprintHistory.load(store, sprint))
        cache[key] = (newest, written, result)
        results.append(result)
    return Velocity(results)


_SPRINT_FIELDS = ("id", "uuid", "name", "state", "start", "end", "started_at", "closed_at")


def _still(
    store: Store,
    hit: tuple[int, int, SprintResult],
    newest: int,
    written: int,
    sprint: Mapping[str, Any],
) -> bool:
    """Whether a cached result still holds (see `closed_velocity`)."""
    seen, version, _ = hit
    if newest < seen or (newest == seen and written != version):
        return False
    if newest == seen:
        return True
    # Only the entries since: a range of row ids, however long the log.
    earlier = store.scalar(
        "SELECT 1 FROM activity WHERE id > ? AND at <= ? LIMIT 1",
        [seen, sprint.get("closed_at") or ""],
    )
    return earlier is None


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
    return closed_velocity(store, closed_before(store, last, before))
