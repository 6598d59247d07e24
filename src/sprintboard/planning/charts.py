"""Burndown, velocity and cumulative flow, replayed from the activity log.

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
from dataclasses import asdict, dataclass, field
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


# -- burndown -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ScopeChange:
    """A step in the burndown that is not work done: scope moved, or a card reopened."""

    at: str
    day: date
    key: str
    kind: str  # added | removed | deleted | points | reopened
    scope: int  # change in the sprint's points
    remaining: int  # change in its remaining points


@dataclass(frozen=True)
class BurndownDay:
    day: date
    ideal: float
    remaining: int | None  # None: not reached yet (or after the close)
    scope: int | None
    done: int | None


@dataclass(frozen=True)
class Burndown:
    """Remaining points per day from the start, with the ideal line and scope steps."""

    sprint: str
    state: str
    start: date
    end: date
    committed: int  # points in the sprint as it started
    start_remaining: int  # of those, not done yet at the start
    days: list[BurndownDay]
    changes: list[ScopeChange]
    scope_added: int  # card by card, start -> close (or now): growth
    scope_removed: int  # ... and shrinkage (committed + added - removed = scope)
    completed: int  # done points at the close (or now)
    carried_over: int | None  # points unfinished at the close; None while open

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for day in data["days"]:
            day["day"] = day["day"].isoformat()
        for change in data["changes"]:
            change["day"] = change["day"].isoformat()
        data["start"], data["end"] = self.start.isoformat(), self.end.isoformat()
        return data


def burndown(history: SprintHistory, *, today: date) -> Burndown:
    """The sprint's burndown, replayed from the log (see the module docstring)."""
    _require_started(history, "burndown")
    sprint = history.sprint
    sid = sprint["id"]
    replay = Replay(history)
    replay.skip_to(history.start_bound)
    scope = remaining = 0
    at_start: dict[str, int] = {}
    for uuid, state in replay.states.items():
        share = replay.share(state)
        if share:
            at_start[uuid] = share
            scope += share
            remaining += share if state.status != DONE else 0
    committed, start_remaining = scope, remaining
    days = _day_bounds(history, today)
    close = history.close_bound
    out: list[BurndownDay] = []
    changes: list[ScopeChange] = []
    for i, (day, bound) in enumerate(days):
        ideal = round(start_remaining * (1 - (i + 1) / len(days)), 2)
        if bound is None:
            out.append(BurndownDay(day, ideal, None, None, None))
            continue
        for e, old, new in replay.advance(bound):
            was = old.points if old.exists and old.sprint_id == sid else 0
            now = new.points if new.exists and new.sprint_id == sid else 0
            was_left = was if old.status != DONE else 0
            now_left = now if new.status != DONE else 0
            if was == now and was_left == now_left:
                continue
            scope += now - was
            remaining += now_left - was_left
            kind = _kind(was, now, old, new)
            if kind is not None:
                _note(changes, e, day, replay.keys[e.uuid], kind, now - was, now_left - was_left)
        out.append(BurndownDay(day, ideal, remaining, scope, scope - remaining))
    added = removed = 0
    for uuid, state in replay.states.items():
        delta = replay.share(state) - at_start.get(uuid, 0)
        added += max(0, delta)
        removed += max(0, -delta)
    return Burndown(
        sprint=sprint["name"],
        state=sprint["state"],
        start=sprint_span(sprint)[0],
        end=sprint_span(sprint)[1],
        committed=committed,
        start_remaining=start_remaining,
        days=out,
        changes=changes,
        scope_added=added,
        scope_removed=removed,
        completed=scope - remaining,
        carried_over=remaining if close is not None else None,
    )


def _kind(was: int, now: int, old: CardState, new: CardState) -> str | None:
    if not was and now and (not old.exists or old.sprint_id != new.sprint_id):
        return "added"
    if was and not now and (not new.exists or old.sprint_id != new.sprint_id):
        return "removed" if new.exists else "deleted"
    if was != now:
        return "points"
    if old.status == DONE and new.status != DONE:
        return "reopened"
    return None  # work done: the burn itself


def _note(
    changes: list[ScopeChange],
    e: LogEntry,
    day: date,
    key: str,
    kind: str,
    scope: int,
    remaining: int,
) -> None:
    last = changes[-1] if changes else None
    if last is not None and (last.at, last.key, last.kind) == (e.at, key, kind):
        # One edit can log several fields of a card: show it as one step.
        changes[-1] = ScopeChange(
            last.at, day, key, kind, last.scope + scope, last.remaining + remaining
        )
    else:
        changes.append(ScopeChange(e.at, day, key, kind, scope, remaining))


# -- cumulative flow ----------------------------------------------------------------------


@dataclass(frozen=True)
class CumulativeFlow:
    """Cards (and their points) in each column of the sprint at the end of each day."""

    sprint: str
    days: list[date]
    cards: dict[str, list[int | None]]  # status -> per day; None: not reached yet
    points: dict[str, list[int | None]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "sprint": self.sprint,
            "days": [d.isoformat() for d in self.days],
            "cards": self.cards,
            "points": self.points,
        }


def cumulative_flow(history: SprintHistory, *, today: date) -> CumulativeFlow:
    """Column counts per day from the sprint's start, replayed from the log."""
    _require_started(history, "cumulative flow")
    sid = history.sprint["id"]
    replay = Replay(history)
    start_day = sprint_span(history.sprint)[0]
    replay.skip_to(min(history.start_bound, (f"{start_day}T00:00:00Z", -1)))
    cards = dict.fromkeys(STATUSES, 0)
    points = dict.fromkeys(STATUSES, 0)
    for state in replay.states.values():
        if state.exists and state.sprint_id == sid:
            cards[state.status] += 1
            points[state.status] += state.points
    days = _day_bounds(history, today)
    series_cards: dict[str, list[int | None]] = {s: [] for s in STATUSES}
    series_points: dict[str, list[int | None]] = {s: [] for s in STATUSES}
    for _day, bound in days:
        if bound is None:
            for s in STATUSES:
                series_cards[s].append(None)
                series_points[s].append(None)
            continue
        for _, old, new in replay.advance(bound):
            if old.exists and old.sprint_id == sid:
                cards[old.status] -= 1
                points[old.status] -= old.points
            if new.exists and new.sprint_id == sid:
                cards[new.status] += 1
                points[new.status] += new.points
        for s in STATUSES:
            series_cards[s].append(cards[s])
            series_points[s].append(points[s])
    return CumulativeFlow(
        history.sprint["name"], [day for day, _ in days], series_cards, series_points
    )


# -- velocity -----------------------------------------------------------------------------


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


# -- from a store -------------------------------------------------------------------------


def _sprint(store: Store, name: str | None) -> dict[str, Any]:
    found = store.sprints.resolve(name or "current")
    if found is None:
        raise UserError("sprint: 'backlog' is not a sprint; name a sprint or 'current'")
    return found


def sprint_burndown(store: Store, name: str | None = None) -> Burndown:
    """Burndown of the named sprint (default: the active one)."""
    history = SprintHistory.load(store, _sprint(store, name))
    return burndown(history, today=date.fromisoformat(store.today()))


def sprint_flow(store: Store, name: str | None = None) -> CumulativeFlow:
    """Cumulative flow of the named sprint (default: the active one)."""
    history = SprintHistory.load(store, _sprint(store, name))
    return cumulative_flow(history, today=date.fromisoformat(store.today()))


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
