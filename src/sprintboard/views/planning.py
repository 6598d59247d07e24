"""What the planning screen shows: the backlog beside one sprint, and the capacity per team.

Pure Python (no Textual): a key changes this state at once and the screen draws from it;
the database write follows on the store's thread. Capacity is recomputed here from the
cards on screen with the planning layer's own `plan_capacity`, so the bars follow a move
before the write lands, and agree with `sprint_capacity()` once it has.
"""

from __future__ import annotations

from bisect import insort
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sprintboard.errors import UserError
from sprintboard.planning.capacity import VELOCITY_SPRINTS, SprintCapacity, plan_capacity
from sprintboard.planning.charts import burndown, cumulative_flow
from sprintboard.planning.costs import CostLine, cost_sheet
from sprintboard.planning.replay import SprintHistory
from sprintboard.planning.velocity import (
    Velocity,
    closed_before,
    closed_velocity,
    team_velocity,
)
from sprintboard.views.board import Filters
from sprintboard.vocabulary import PRIORITY_RANK, Priority

Card = dict[str, Any]
"""A card row as `Cards.query()` gives it."""

PRIORITIES: list[str] = [p.value for p in sorted(Priority, key=lambda p: PRIORITY_RANK[p])]
"""Lowest first: `+` steps right, `-` steps left."""

BACKLOG, SPRINT = "backlog", "sprint"
VIEWS = ("capacity", "burndown", "velocity", "flow")
"""What the right-hand panel shows; `v` steps through them."""
VELOCITY_CHART_SPRINTS = 6


def order(card: Card) -> tuple[int, float, int]:
    """Highest priority first, then the board's position."""
    return (-PRIORITIES.index(card["priority"]), card["position"], card["id"])


def fetch_planning(store: Any, sprint_id: int | None, chosen: bool) -> dict[str, Any]:
    """Everything the screen shows, read in one go on the database thread.

    Until a sprint is chosen the screen follows the active sprint, else the next planned.
    """
    # The version first: a commit landing during the reads below then makes it look
    # older than what is shown (one extra reload), never newer (a change hidden).
    version = store.version()
    active = store.sprints.active()
    # Rows only (list() also totals every sprint's cards, ~80 ms at 80 sprints).
    sprints = [
        *store.sprints.in_state("closed"),
        *([active] if active else []),
        *store.sprints.in_state("planned"),
    ]
    sprint = None
    if chosen:
        sprint = next((s for s in sprints if s["id"] == sprint_id), None)
    if sprint is None:
        sprint = active or next((s for s in sprints if s["state"] == "planned"), None)
    return {
        "sprints": sprints,
        "sprint": sprint,
        "backlog": store.cards.query(sprint=None),
        "cards": store.cards.query(sprint=sprint["id"]) if sprint else [],
        "teams": store.teams.list(include_archived=True),
        "currency": store.finance.currency(),
        "overrides": store.sprints.capacity_overrides(sprint["id"]) if sprint else {},
        "version": version,
    }


def fetch_velocity(store: Any, sprint: dict[str, Any]) -> Velocity:
    """Done points over the last closed sprints before `sprint` (the capacity's velocity)."""
    window = closed_before(store, VELOCITY_SPRINTS, sprint)
    return closed_velocity(store, window)


def fetch_chart(store: Any, view: str, sprint: dict[str, Any] | None) -> Any:
    """A chart's data, replayed from the activity log (db thread). Burndown and flow are
    of the selected sprint once it has started, else of the active one."""
    if view == "velocity":
        return team_velocity(store, last=VELOCITY_CHART_SPRINTS)
    target = sprint if sprint is not None and sprint["state"] != "planned" else None
    target = target or store.sprints.active()
    if target is None:
        name = f"{sprint['name']} has not started and " if sprint else ""
        raise UserError(f"{name}no sprint is active: the {view} begins when one starts")
    history = SprintHistory.load(store, target)
    today = date.fromisoformat(store.today())
    if view == "burndown":
        return burndown(history, today=today)
    return cumulative_flow(history, today=today)


def sprint_label(s: dict[str, Any]) -> str:
    return f"{s['name']}  ({s['state']}, {s['start']} → {s['end']}, {s['cards']} cards)"


def move_card(store: Any, key: str, status: str, sprint_id: int | None) -> Any:
    return store.cards.move(key, status=status, sprint_id=sprint_id)


def velocity_key(sprint: dict[str, Any] | None, sprints: list[dict[str, Any]]) -> Any:
    """What the recent velocity depends on: the sprint, and which sprints are closed."""
    closed = tuple((s["id"], s["closed_at"]) for s in sprints if s["state"] == "closed")
    return (sprint["id"] if sprint else None, closed)


@dataclass
class CardList:
    """One side of the screen: its cards in order, those the filters keep, the cursor."""

    cards: list[Card] = field(default_factory=list)
    shown: list[Card] = field(default_factory=list)
    cursor: int = 0
    shown_points: int = 0  # kept up to date move by move: 10,000 cards are not re-summed
    last_position: dict[str, float] = field(default_factory=dict)  # per status, likewise

    def selected(self) -> Card | None:
        return self.shown[self.cursor] if self.shown else None

    def move_cursor(self, delta: int) -> None:
        self.cursor = max(0, min(len(self.shown) - 1, self.cursor + delta))

    def select(self, key: str) -> bool:
        for i, card in enumerate(self.shown):
            if card["key"] == key:
                self.cursor = i
                return True
        return False

    def fill(self, cards: list[Card], keep: Filters | None) -> None:
        """Replace the cards, keeping the cursor on the same card (else the same row)."""
        old = self.selected()
        self.cards = sorted(cards, key=order)
        if keep is not None and keep.active():
            self.shown = [c for c in self.cards if keep.keep(c)]
        else:
            self.shown = list(self.cards)
        self.shown_points = sum(c["points"] or 0 for c in self.shown)
        self.last_position = {}
        for card in self.cards:
            self._note_position(card)
        if old is None or not self.select(old["key"]):
            self.move_cursor(0)

    def take(self, card: Card) -> None:
        self.cards.remove(card)
        if card in self.shown:
            self.shown.remove(card)
            self.shown_points -= card["points"] or 0
        self.move_cursor(0)

    def end(self, status: str) -> float:
        """Where the store puts a card it appends to this list's column (last + 1)."""
        return self.last_position.get(status, 0.0) + 1

    def _note_position(self, card: Card) -> None:
        if card["position"] > self.last_position.get(card["status"], 0.0):
            self.last_position[card["status"]] = card["position"]

    def put(self, card: Card, keep: Filters | None) -> None:
        self._note_position(card)
        insort(self.cards, card, key=order)
        if keep is None or keep.keep(card):
            insort(self.shown, card, key=order)
            self.shown_points += card["points"] or 0


@dataclass
class PlanningModel:
    backlog: CardList = field(default_factory=CardList)
    sprint: CardList = field(default_factory=CardList)
    filters: Filters = field(default_factory=Filters)
    side: str = BACKLOG
    sprint_row: dict[str, Any] | None = None

    def load(self, backlog: list[Card], cards: list[Card], sprint: dict[str, Any] | None) -> None:
        if (self.sprint_row or {}).get("id") != (sprint or {}).get("id"):
            self.sprint.cursor = 0
        self.sprint_row = sprint
        self.backlog.fill(backlog, self.filters)
        self.sprint.fill(cards, None)

    def set_filters(self, filters: Filters) -> None:
        """The filters narrow the backlog only: the sprint is always shown whole."""
        self.filters = filters
        self.backlog.fill(self.backlog.cards, filters)

    def current(self) -> CardList:
        return self.backlog if self.side == BACKLOG else self.sprint

    def backlog_title(self) -> str:
        shown = self.backlog.shown
        title = f"Backlog · {len(shown):,} cards · {self.backlog.shown_points:,} pt"
        if self.filters.active():
            title += f" (of {len(self.backlog.cards):,}) · {self.filters.describe()}"
        return title

    def sprint_title(self) -> str:
        row, cards = self.sprint_row, self.sprint.cards
        name = f"{row['name']} · {row['state']}" if row else "No sprint"
        return f"{name} · {len(cards)} cards · {self.sprint.shown_points} pt"

    # -- changes: each returns what the store must now do too (None: nothing) -------------

    def refusal_in(self, card: Card | None) -> str | None:
        if card is None:
            return None
        if self.sprint_row is None:
            return "no sprint to plan into: add one (sprintboard sprint add NAME ...)"
        if self.sprint_row["state"] == "closed":
            return f"{self.sprint_row['name']} is closed; pick a planned or the active sprint (s)"
        return None

    def move_in(self) -> Card | None:
        """The selected backlog card into the sprint, as To do (at that column's end)."""
        card = self.backlog.selected()
        if card is None or self.sprint_row is None or self.refusal_in(card):
            return None
        self.backlog.take(card)
        card["position"] = self.sprint.end("todo")
        card.update(status="todo", sprint_id=self.sprint_row["id"], sprint=self.sprint_row["name"])
        self.sprint.put(card, None)
        self.sprint.select(card["key"])
        return card

    def move_out(self) -> Card | None:
        """The selected sprint card back to the backlog (status backlog, at its end)."""
        card = self.sprint.selected()
        if card is None or card["status"] == "done":
            return None
        self.sprint.take(card)
        card["position"] = self.backlog.end("backlog")
        card.update(status="backlog", sprint_id=None, sprint=None)
        self.backlog.put(card, self.filters)
        self.backlog.select(card["key"])
        return card

    def bump_priority(self, delta: int) -> Card | None:
        """Raise (+1) or lower (-1) the selected card's priority; it moves to its new place."""
        side = self.current()
        card = side.selected()
        if card is None:
            return None
        rank = PRIORITIES.index(card["priority"]) + delta
        if not 0 <= rank < len(PRIORITIES):
            return None
        side.take(card)
        card["priority"] = PRIORITIES[rank]
        side.put(card, self.filters if side is self.backlog else None)
        side.select(card["key"])
        return card


@dataclass
class CapacityBase:
    """What the capacity needs besides the sprint's cards: read once per load."""

    sprint: dict[str, Any]
    teams: list[dict[str, Any]]
    overrides: dict[str, int]
    feedback_target: int
    velocity: Velocity | None = None  # None while it is still being replayed
    currency: str = ""


@dataclass
class CapacityState:
    """What the bars need besides the sprint's cards, kept across loads: the recent
    velocity is replayed once per sprint (and again only when a sprint closes)."""

    base: CapacityBase | None = None
    key: Any = None  # what the velocity depends on (velocity_key)
    known: dict[Any, Velocity] = field(default_factory=dict)

    def reset(self, data: dict[str, Any], feedback_target: int) -> bool:
        """New data from fetch_planning; True if the velocity must be replayed."""
        sprint = data["sprint"]
        self.key = velocity_key(sprint, data["sprints"])
        self.base = None
        if sprint is not None:
            known = self.known.get(self.key)
            self.base = CapacityBase(
                sprint,
                data["teams"],
                data["overrides"],
                feedback_target,
                known,
                data.get("currency", ""),
            )
        return self.base is not None and self.base.velocity is None

    def velocity_found(self, key: Any, found: Velocity) -> bool:
        """Keep a replayed velocity; True if it is the one the bars wait for."""
        self.known = {key: found}
        if self.base is None or key != self.key:
            return False
        self.base.velocity = found
        return True

    @property
    def loading(self) -> bool:
        return self.base is not None and self.base.velocity is None

    def plan(self, cards: list[Card]) -> SprintCapacity | None:
        return capacity(self.base, cards) if self.base is not None else None

    def costs(self, cards: list[Card]) -> dict[str, CostLine]:
        """Planned and spent cost per owning team of the sprint's cards (team rates plus
        the cards' own costs); empty before a sprint is read."""
        base = self.base
        if base is None:
            return {}
        teams = {t["code"]: t for t in base.teams}
        sprint = base.sprint
        return cost_sheet(cards, teams, {str(sprint["name"]): sprint}).teams


def capacity(base: CapacityBase, cards: list[Card]) -> SprintCapacity:
    """`sprint_capacity()` for the cards on screen: the store's rows, rebuilt from them."""
    load: dict[str, dict[str, Any]] = {}
    cross: list[Card] = []
    for card in cards:
        row = load.get(card["team"])
        if row is None:
            row = load[card["team"]] = dict.fromkeys(_LOAD_FIELDS, 0) | {"team": card["team"]}
        points = card["points"] or 0
        row["cards"] += 1
        row["points"] += points
        row["unpointed"] += card["points"] is None
        if card["status"] == "done":
            row["done_points"] += points
        if card["feedback"]:
            row["feedback_points"] += points
        if len(card["teams"]) > 1:
            cross.append(card)
    cross.sort(key=lambda c: c["id"])  # the store lists contributions by card id
    contributions = [
        {k: card[k] for k in ("key", "title", "status", "points", "team")} | {"contributor": t}
        for card in cross
        for t in card["teams"][1:]
    ]
    return plan_capacity(
        base.sprint,
        base.teams,
        list(load.values()),
        base.overrides,
        contributions,
        base.velocity or Velocity([]),
        feedback_target=base.feedback_target,
    )


_LOAD_FIELDS = ("cards", "points", "done_points", "unpointed", "feedback_points")


@dataclass(frozen=True)
class PersonLoad:
    """The points of a team's sprint cards one person has (`person` "" for nobody yet)."""

    person: str
    points: int
    cards: int


def person_load(cards: list[Card]) -> dict[str, list[PersonLoad]]:
    """Per owning team, the points of its cards by assignee: most loaded first, the
    unassigned last. A team's loads add up to the points its capacity bar shows."""
    found: dict[str, dict[str, list[Any]]] = {}
    for card in cards:
        name = " ".join((card.get("assignee") or "").split())
        entry = found.setdefault(card["team"], {}).setdefault(name.casefold(), [name, 0, 0])
        entry[1] += card["points"] or 0
        entry[2] += 1
    result: dict[str, list[PersonLoad]] = {}
    for team, people in found.items():
        loads = [PersonLoad(name, points, count) for name, points, count in people.values()]
        loads.sort(key=lambda p: (not p.person, -p.points, p.person.casefold()))
        result[team] = loads
    return result


def person_words(loads: list[PersonLoad]) -> str:
    """ "Sanne 8 · Omar 5 · unassigned 3": first names, unless two people share one."""
    firsts = [p.person.split()[0].casefold() for p in loads if p.person]
    parts = []
    for p in loads:
        if not p.person:
            parts.append(f"unassigned {p.points}")
            continue
        first = p.person.split()[0]
        shown = first if firsts.count(first.casefold()) == 1 else p.person
        parts.append(f"{shown} {p.points}")
    return " · ".join(parts)
