"""A sprint's report: what it committed to, completed, gained and lost after the start,
and what it carried over, per team, in points and cards.

The arithmetic (`build_report`) works on one `CardFate` per card that was ever in the
sprint, so it is tested without a database; `load_report` reads those fates from the
activity log with the charts' replay (planning/replay.py): "at the start" includes the
transaction that started the sprint, "at the close" is just before the one that closed
it, and the close's own moves say where each unfinished card went.

Identities that hold per team: committed + added - removed = the scope at the close;
scope at the close = completed + carried to next + to the backlog + left unfinished.
Points count a card's points where it crosses: on entry (committed, added), on exit
(removed), at the close (completed, carried).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from sprintboard.planning.replay import DONE, Replay, SprintHistory

if TYPE_CHECKING:
    from sprintboard.store import Store

FATES = ("next", "backlog", "leave")
"""Where an unfinished card went at the close (leave: it stayed, unfinished)."""
_END = ("9999-12-31T23:59:59Z", 2**62)


@dataclass(frozen=True)
class CardFate:
    """One card that was ever in the sprint, as the report counts it."""

    key: str
    team: str
    committed: int | None = None  # points at the start, if it was in the sprint then
    added: int | None = None  # points on entry, if it came in after the start
    removed: int | None = None  # points on exit, if it left before the close
    at_close: int | None = None  # points at the close, if it was in the sprint then
    done: bool = False  # done at the close
    fate: str | None = None  # unfinished at the close: next | backlog | leave


@dataclass
class Tally:
    points: int = 0
    cards: int = 0

    def add(self, points: int) -> None:
        self.points += points
        self.cards += 1


@dataclass
class TeamReport:
    team: str
    committed: Tally = field(default_factory=Tally)
    completed: Tally = field(default_factory=Tally)
    added: Tally = field(default_factory=Tally)
    removed: Tally = field(default_factory=Tally)
    to_next: Tally = field(default_factory=Tally)
    to_backlog: Tally = field(default_factory=Tally)
    left: Tally = field(default_factory=Tally)

    @property
    def carried(self) -> Tally:
        """Carried over: to the next sprint or the backlog."""
        return Tally(
            self.to_next.points + self.to_backlog.points,
            self.to_next.cards + self.to_backlog.cards,
        )


ROWS = (
    ("committed", "committed"),
    ("completed", "completed"),
    ("added", "added after start"),
    ("removed", "removed"),
    ("to_next", "carried to next sprint"),
    ("to_backlog", "carried to backlog"),
    ("left", "left unfinished"),
)
"""The report's measures in order: attribute, words."""


@dataclass
class SprintReport:
    sprint: str
    state: str
    start: str
    end: str
    next_sprint: str | None
    teams: list[TeamReport]
    total: TeamReport

    def as_json(self) -> dict[str, Any]:
        def team(t: TeamReport) -> dict[str, Any]:
            found: dict[str, Any] = {"team": t.team}
            for attr, _ in ROWS:
                found[attr] = asdict(getattr(t, attr))
            found["carried"] = asdict(t.carried)
            return found

        return {
            "sprint": self.sprint,
            "state": self.state,
            "start": self.start,
            "end": self.end,
            "next_sprint": self.next_sprint,
            "total": team(self.total),
            "teams": [team(t) for t in self.teams],
        }

    def markdown(self) -> str:
        """The report as a Markdown table: one row per measure, a column per team."""
        status = "" if self.state == "closed" else f" ({self.state}: so far)"
        lines = [f"# {self.sprint}{status}", "", f"{self.start} → {self.end}", ""]
        teams = [self.total, *self.teams]
        lines.append("| | " + " | ".join(t.team for t in teams) + " |")
        lines.append("|---|" + "---:|" * len(teams))
        for attr, words in ROWS:
            if attr == "left" and self.state != "closed":
                words = "not done yet"
            cells = [_cell(getattr(t, attr)) for t in teams]
            lines.append(f"| {words} | " + " | ".join(cells) + " |")
        return "\n".join(lines) + "\n"

    def dumps(self) -> str:
        return json.dumps(self.as_json(), indent=2, ensure_ascii=False)


def _cell(tally: Tally) -> str:
    return f"{tally.points} pt / {tally.cards}"


def build_report(
    sprint: Mapping[str, Any],
    fates: Iterable[CardFate],
    *,
    team_order: Iterable[str] = (),
    next_sprint: str | None = None,
) -> SprintReport:
    """Add the cards' fates up per team and in total."""
    teams: dict[str, TeamReport] = {}
    total = TeamReport("total")
    for fate in fates:
        team = teams.setdefault(fate.team, TeamReport(fate.team))
        for report in (team, total):
            if fate.committed is not None:
                report.committed.add(fate.committed)
            if fate.added is not None:
                report.added.add(fate.added)
            if fate.removed is not None:
                report.removed.add(fate.removed)
            if fate.at_close is None:
                continue
            if fate.done:
                report.completed.add(fate.at_close)
            elif fate.fate == "next":
                report.to_next.add(fate.at_close)
            elif fate.fate == "backlog":
                report.to_backlog.add(fate.at_close)
            else:
                report.left.add(fate.at_close)
    rank = {code: i for i, code in enumerate(team_order)}
    ordered = sorted(teams.values(), key=lambda t: (rank.get(t.team, len(rank)), t.team))
    return SprintReport(
        sprint=str(sprint["name"]),
        state=str(sprint["state"]),
        start=str(sprint["start"]),
        end=str(sprint["end"]),
        next_sprint=next_sprint,
        teams=ordered,
        total=total,
    )


def card_fates(history: SprintHistory, moves: Mapping[str, int | None]) -> list[CardFate]:
    """Each card's fate, replayed from the log; `moves` is where the close moved cards
    (Sprints.close_moves: uuid -> sprint id, None for the backlog)."""
    replay = Replay(history)
    sid = replay.sprint_id
    codes = history.team_codes
    replay.skip_to(history.start_bound)
    committed = {u: s.points for u, s in replay.states.items() if _in(s, sid)}
    added: dict[str, int] = {}
    removed: dict[str, int] = {}
    for entry, old, new in replay.advance(history.close_bound or _END):
        was, now = _in(old, sid), _in(new, sid)
        if now and not was:
            removed.pop(entry.uuid, None)
            if entry.uuid not in committed:
                added.setdefault(entry.uuid, new.points)
        elif was and not now:
            removed[entry.uuid] = old.points
    fates = []
    for uuid, state in replay.states.items():
        inside = _in(state, sid)
        if uuid not in committed and uuid not in added and not inside:
            continue
        fate = None
        if inside and state.status != DONE:
            fate = "leave"
            if uuid in moves:
                fate = "backlog" if moves[uuid] is None else "next"
        fates.append(
            CardFate(
                key=replay.keys[uuid],
                team=codes.get(state.team_id or 0, "?"),
                committed=committed.get(uuid),
                added=added.get(uuid),
                removed=None if inside else removed.get(uuid),
                at_close=state.points if inside else None,
                done=inside and state.status == DONE,
                fate=fate if history.close_bound else None,
            )
        )
    return sorted(fates, key=lambda f: f.key)


def _in(state: Any, sprint_id: int) -> bool:
    return bool(state.exists and state.sprint_id == sprint_id)


def load_report(store: Store, name: str) -> SprintReport:
    """The report of sprint `name` (a name or 'current'); of an open sprint, so far."""
    from sprintboard.errors import UserError

    sprint = store.sprints.resolve(name)
    if sprint is None:
        raise UserError("sprint: a report is of a sprint (a name or 'current'), not the backlog")
    history = SprintHistory.load(store, sprint)
    if not history.started:
        raise UserError(f"sprint {sprint['name']!r} has not started: there is nothing to report")
    moves = store.sprints.close_moves(sprint)
    targets = {t for t in moves.values() if t is not None}
    next_name = store.sprints.get_by_id(targets.pop())["name"] if targets else None
    order = [t["code"] for t in store.teams.list(include_archived=True)]
    fates = card_fates(history, moves)
    return build_report(sprint, fates, team_order=order, next_sprint=next_name)


def carry_preview(
    loads: Mapping[str, int],
    capacities: Mapping[str, int],
    carried: Iterable[tuple[str, int]],
) -> list[tuple[str, int, int]]:
    """Each team's load in the next sprint after the carry-over: (team, points, capacity),
    for the teams that have points there or get some. `loads`: points per team planned in
    it now; `capacities`: its capacity per team (override, else usual); `carried`: (team,
    points) of each card going there."""
    after = dict(loads)
    for team, points in carried:
        after[team] = after.get(team, 0) + points
    order = list(capacities)
    teams = sorted(
        (t for t, p in after.items() if p or t in loads),
        key=lambda t: (order.index(t) if t in order else len(order), t),
    )
    return [(t, after[t], capacities.get(t, 0)) for t in teams]
