"""A sprint's history replayed from the activity log: the shared base of the charts
(planning/charts.py: burndown and cumulative flow; planning/velocity.py).

The charts never read a card's current row as the truth about the past: they replay the
log card by card, so they stay right after later edits, carry-overs and deletions.

How a card's past is read from its log entries (status, sprint, points, owning team):
- a field's value at a moment is the `after` of its last change before that moment, else
  the `before` of its first change after it, else the value in the card's record (its
  current row, or the record a create or delete entry carries). The middle rule matters
  for bulk loads, whose create entry holds the card as it is *now* (already done) while a
  later `status` change says when it became done;
- a card exists after its last create entry and not after its last delete entry; before
  its first such entry it exists if that entry is a delete (made before the log began).

Moments compare as (timestamp, activity id), so changes made in the same second keep their
order. "At the start" includes the transaction that started the sprint; "at the close"
excludes the one that closed it (its carry-over moves are not part of the sprint's work).
Day boundaries are UTC midnights; every calendar day of the sprint is one step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any, NamedTuple

from sprintboard.errors import UserError
from sprintboard.vocabulary import Status, sprint_span

if TYPE_CHECKING:
    from sprintboard.store import Store
    from sprintboard.store.sprints import LogEntry

DONE = Status.DONE.value
STATUSES = [s.value for s in Status]
Bound = tuple[str, int]
"""A moment in the log: entries whose (at, id) sort before it have happened."""
_LATEST_ID = 2**62


class CardState(NamedTuple):
    exists: bool
    status: str
    sprint_id: int | None
    points: int
    team_id: int | None


@dataclass(frozen=True)
class SprintHistory:
    """A sprint and the log of every card that was ever in it (Sprints.card_history)."""

    sprint: Mapping[str, Any]
    cards: Sequence[Mapping[str, Any]]
    events: Sequence[LogEntry]
    start_mark: int | None = None
    close_mark: int | None = None
    team_codes: Mapping[int, str] = field(default_factory=dict)

    @classmethod
    def load(cls, store: Store, sprint: Mapping[str, Any]) -> SprintHistory:
        cards, events = store.sprints.card_history(sprint["id"])
        start_mark, close_mark = store.sprints.state_marks(dict(sprint))
        teams = store.teams.list(include_archived=True)
        return cls(
            sprint, cards, events, start_mark, close_mark, {t["id"]: t["code"] for t in teams}
        )

    @property
    def started(self) -> bool:
        return bool(self.sprint["state"] != "planned")

    @property
    def start_bound(self) -> Bound:
        """Just after the sprint started (its start day's midnight if never logged)."""
        at = self.sprint.get("started_at") or f"{self.sprint['start']}T00:00:00Z"
        return (at, _LATEST_ID if self.start_mark is None else self.start_mark + 1)

    @property
    def close_bound(self) -> Bound | None:
        """Just before the sprint closed; None while it is open."""
        at = self.sprint.get("closed_at")
        if self.sprint["state"] != "closed" or not at:
            return None
        return (at, -1 if self.close_mark is None else self.close_mark)


_state: Callable[[Iterable[Any]], CardState] = partial(tuple.__new__, CardState)
"""CardState from an iterable, skipping NamedTuple's Python-level constructor: a replay
makes thousands."""


_FIELD = {"status": 1, "sprint_id": 2, "points": 3, "team_id": 4}
"""A replayed field's place in CardState."""


def initial_states(history: SprintHistory) -> tuple[dict[str, CardState], dict[str, str]]:
    """Each card's state before its first log entry, and its key (both by uuid)."""
    firsts: dict[str, dict[str | None, Any]] = {}
    existed: dict[str, bool] = {}
    for e in history.events:
        if e.op == "update":
            seen = firsts.get(e.uuid)
            if seen is None:
                firsts[e.uuid] = {e.field: e.before}
            elif e.field not in seen:
                seen[e.field] = e.before
        elif e.uuid not in existed:
            existed[e.uuid] = e.op == "delete"
    states: dict[str, CardState] = {}
    keys: dict[str, str] = {}
    for card in history.cards:
        uuid = card["uuid"]
        keys[uuid] = card["key"]
        values: Mapping[Any, Any] = card
        first = firsts.get(uuid)
        if first is not None:
            values = {**card, **first}
        states[uuid] = _state(
            (
                existed.get(uuid, True),
                values["status"] or "backlog",
                values["sprint_id"],
                values["points"] or 0,
                values["team_id"],
            )
        )
    return states, keys


def _apply(state: CardState, e: LogEntry) -> CardState:
    """The card's state after the entry (the same object when nothing changes)."""
    if e.op == "update":
        place = _FIELD[e.field or ""]
        value = (e.after or 0) if place == 3 else e.after
        if state[place] == value:
            return state
        values = list(state)
        values[place] = value
        return _state(values)
    exists = e.op == "create"
    return state if state.exists == exists else _state((exists, *state[1:]))


class Replay:
    """Walks a sprint's log forward, keeping every card's state."""

    def __init__(self, history: SprintHistory) -> None:
        self.history = history
        self.sprint_id = history.sprint["id"]
        self.states, self.keys = initial_states(history)
        self._events = history.events
        self._next = 0

    def advance(self, bound: Bound) -> Iterator[tuple[LogEntry, CardState, CardState]]:
        """Apply every entry before `bound`, yielding (entry, state before, state after)
        for each entry that changed something."""
        events, states = self._events, self.states
        bound_at, bound_id = bound
        count = len(events)
        while self._next < count:
            e = events[self._next]
            if e.at > bound_at or (e.at == bound_at and e.id >= bound_id):
                return
            self._next += 1
            old = states.get(e.uuid)
            if old is None:
                continue
            new = _apply(old, e)
            if new is not old:
                states[e.uuid] = new
                yield e, old, new

    def skip_to(self, bound: Bound) -> None:
        """Apply every entry before `bound` (advance() without reporting each step)."""
        events, states = self._events, self.states
        bound_at, bound_id = bound
        i, count = self._next, len(events)
        while i < count:
            e = events[i]
            if e.at > bound_at or (e.at == bound_at and e.id >= bound_id):
                break
            i += 1
            old = states.get(e.uuid)
            if old is not None:
                states[e.uuid] = _apply(old, e)
        self._next = i

    def share(self, state: CardState) -> int:
        """The card's points in this sprint's scope (0 when elsewhere or deleted)."""
        return state.points if state.exists and state.sprint_id == self.sprint_id else 0

    def by_team(self, *, done_only: bool = False) -> dict[str, int]:
        """Points in the sprint now, per owning team (only done cards if asked)."""
        sid = self.sprint_id
        by_id: dict[int | None, int] = {}
        for exists, status, sprint_id, points, team_id in self.states.values():
            if exists and sprint_id == sid and points and (not done_only or status == DONE):
                by_id[team_id] = by_id.get(team_id, 0) + points
        codes = self.history.team_codes
        totals: dict[str, int] = {}
        for team_id, points in by_id.items():
            team = codes.get(team_id or 0, "?")
            totals[team] = totals.get(team, 0) + points
        return totals


def _day_bounds(history: SprintHistory, today: date) -> list[tuple[date, Bound | None]]:
    """Each calendar day of the sprint with the moment its figures are read at (None: not
    reached yet). A day ends at midnight UTC; a closed sprint's figures stop at its close,
    and work done after the last day but before the close counts on the last day."""
    start, end = sprint_span(history.sprint)
    close = history.close_bound
    out: list[tuple[date, Bound | None]] = []
    for i in range((end - start).days + 1):
        day = start + timedelta(days=i)
        bound: Bound = (f"{day + timedelta(days=1)}T00:00:00Z", -1)
        if close is not None and (close < bound or day == end):
            bound = close
        reached = day <= today if close is None else day <= date.fromisoformat(close[0][:10])
        out.append((day, bound if reached else None))
    return out


def _require_started(history: SprintHistory, chart: str) -> None:
    if not history.started:
        raise UserError(
            f"sprint: {history.sprint['name']!r} has not started; its {chart} begins when it starts"
        )
