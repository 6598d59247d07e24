"""Burndown and cumulative flow of a sprint, replayed from the activity log (the replay and
its rules: planning/replay.py; velocity: planning/velocity.py).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sprintboard.errors import UserError
from sprintboard.planning.replay import (
    DONE,
    STATUSES,
    CardState,
    Replay,
    SprintHistory,
    _day_bounds,
    _require_started,
)
from sprintboard.vocabulary import sprint_span

if TYPE_CHECKING:
    from sprintboard.store import Store
    from sprintboard.store.sprints import LogEntry


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
