"""The dependency graph: links coloured by sprint order, critical path, cycles, layers, matrix.

Pure logic over plain records (no SQL, no Textual): the store's bulk reads
(`store.deps.plan_cards()`, `store.deps.pairs()`, `store.sprints.list()`) go in, and the
CLI and the dependency screen draw what comes out. A link runs blocker -> dependent: the
dependent waits until the blocker is done.
"""

from __future__ import annotations

import gc
from collections import deque
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NamedTuple

from sprintboard.store.links import find_cycle

DEFAULT_TEAMS = ("IT", "ECOM")
"""The pair the dependency view opens on: IT <-> Ecommerce, both directions."""
INTERNAL_DEFAULT = False
"""Whether a team view counts links between cards of one team, unless told otherwise: the
dependency screen (`i`) and `dep graph` (`--internal`) both start from this, so they show
the same links and the same critical path for the same plan."""


@dataclass(frozen=True, slots=True)
class LinkStyle:
    """How a link reads on screen: a colour, and a symbol and word so colour is never the
    only signal (high-contrast themes, colour-blind readers)."""

    colour: str  # red / amber / green
    symbol: str
    word: str

    @property
    def label(self) -> str:
        return f"{self.symbol} {self.word}"


LATE = LinkStyle("red", "✗", "late")
"""The blocker is planned in a later sprint than its dependent, or is still in the backlog."""
SAME_SPRINT = LinkStyle("amber", "≈", "same sprint")
"""Both in one sprint: the dependent can only start once the blocker is done."""
OK = LinkStyle("green", "✓", "ok")
"""The blocker is planned in an earlier sprint, or the dependent is not planned yet."""
DONE = LinkStyle("green", "✓", "done")
"""The blocker (or the dependent) is done: nothing waits any more."""
LEGEND = (LATE, SAME_SPRINT, OK, DONE)


class CardNode(NamedTuple):
    """What the graph knows of a card (a named tuple: 10,000 of them build in milliseconds)."""

    key: str
    team: str
    status: str = "todo"
    points: int | None = None
    sprint: str | None = None  # sprint name; None: the backlog
    title: str = ""

    @property
    def done(self) -> bool:
        return self.status == "done"

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> CardNode:
        """From a card row (store.deps.plan_cards(), store.cards.query())."""
        return cls(
            key=row["key"],
            team=row["team"],
            status=row["status"],
            points=row["points"],
            sprint=row["sprint"],
            title=row["title"],
        )


def sprint_order(sprints: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Sprint name -> its place in time (by start date, then creation), from sprint rows."""
    ordered = sorted(sprints, key=lambda s: (str(s["start"]), s.get("id") or 0))
    return {s["name"]: i for i, s in enumerate(ordered)}


def link_colour(blocker: CardNode, dependent: CardNode, sprints: Mapping[str, int]) -> LinkStyle:
    """Classify a link by sprint order (`sprints`: name -> order, see `sprint_order`).

    A sprint name missing from `sprints` counts as unplanned, like the backlog.
    """
    if blocker.status == "done" or dependent.status == "done":
        return DONE
    d = sprints.get(dependent.sprint) if dependent.sprint is not None else None
    if d is None:
        return OK
    b = sprints.get(blocker.sprint) if blocker.sprint is not None else None
    if b is None or b > d:
        return LATE
    return SAME_SPRINT if b == d else OK


class Link(NamedTuple):
    """One dependency: `dependent` waits until `blocker` is done."""

    blocker: CardNode
    dependent: CardNode
    style: LinkStyle

    @property
    def cross_team(self) -> bool:
        return self.blocker.team != self.dependent.team

    @property
    def open(self) -> bool:
        """The dependent still waits (same meaning as the store's `open`)."""
        return not self.blocker.done

    @property
    def teams(self) -> tuple[str, str]:
        return (self.blocker.team, self.dependent.team)


@dataclass(frozen=True, slots=True)
class CriticalPath:
    cards: tuple[str, ...]  # keys, blocker first
    points: int


@dataclass(slots=True)
class MatrixCell:
    """Links from one team's cards (blocker) to another's (dependent)."""

    blocker_team: str
    dependent_team: str
    links: int = 0
    open: int = 0
    red: int = 0
    amber: int = 0


class DependencyGraph:
    """Cards and the links between them, with lookups both ways.

    `pairs` are (blocker key, dependent key) links; both cards must be among `cards`.
    `sprints` maps sprint names to their order (see `sprint_order`), for the colours.
    """

    def __init__(
        self,
        cards: Iterable[CardNode],
        pairs: Iterable[tuple[str, str]],
        sprints: Mapping[str, int] | None = None,
    ) -> None:
        self.nodes: dict[str, CardNode] = {c.key: c for c in cards}
        self.sprints: Mapping[str, int] = sprints or {}
        self.blockers: dict[str, list[str]] = {}
        self.dependents: dict[str, list[str]] = {}
        nodes, blockers, dependents = self.nodes, self.blockers, self.dependents
        self.edges = list(pairs)
        for blocker, dependent in self.edges:
            if blocker not in nodes or dependent not in nodes:
                missing = blocker if blocker not in nodes else dependent
                raise ValueError(f"link {blocker} -> {dependent}: no card {missing} in the graph")
            if blocker in dependents:
                dependents[blocker].append(dependent)
            else:
                dependents[blocker] = [dependent]
            if dependent in blockers:
                blockers[dependent].append(blocker)
            else:
                blockers[dependent] = [blocker]
        self._links: list[Link] | None = None

    @classmethod
    def from_rows(
        cls,
        cards: Iterable[Mapping[str, Any]],
        pairs: Iterable[tuple[str, str]],
        sprints: Iterable[Mapping[str, Any]] = (),
    ) -> DependencyGraph:
        """From the store's rows: plan_cards(), pairs() and sprints.list()."""
        nodes = [
            CardNode(r["key"], r["team"], r["status"], r["points"], r["sprint"], r["title"])
            for r in cards
        ]
        return cls(nodes, pairs, sprint_order(sprints))

    def links(self) -> list[Link]:
        """Every link with its colour, in the order given."""
        if self._links is None:
            nodes, sprints = self.nodes, self.sprints
            self._links = [
                Link(nodes[b], nodes[d], link_colour(nodes[b], nodes[d], sprints))
                for b, d in self.edges
            ]
        return self._links

    def subgraph(self, links: Iterable[Link]) -> DependencyGraph:
        """The graph of just these links and their cards (e.g. one team pair's view)."""
        chosen = list(links)
        cards: dict[str, CardNode] = {}
        for link in chosen:
            cards.setdefault(link.blocker.key, link.blocker)
            cards.setdefault(link.dependent.key, link.dependent)
        return DependencyGraph(
            cards.values(), [(x.blocker.key, x.dependent.key) for x in chosen], self.sprints
        )

    # -- paths and cycles ---------------------------------------------------------------

    def find_cycle(self) -> list[str] | None:
        """A cycle as [a, b, ..., a] (blocker -> dependent), or None. The store refuses
        cycles on entry, so this names one only in a database changed behind its back."""
        return find_cycle(self.dependents)

    def path(self, start: str, goal: str) -> list[str] | None:
        """Keys along blocker -> dependent links from `start` to `goal` (breadth first)."""
        parent: dict[str, str | None] = {start: None}
        frontier = deque([start])
        while frontier and goal not in parent:
            node = frontier.popleft()
            for nxt in self.dependents.get(node, ()):
                if nxt not in parent:
                    parent[nxt] = node
                    frontier.append(nxt)
        if goal not in parent:
            return None
        chain: list[str] = []
        step: str | None = goal
        while step is not None:
            chain.append(step)
            step = parent[step]
        return chain[::-1]

    def would_cycle(self, blocker: str, dependent: str) -> list[str] | None:
        """The cycle adding blocker -> dependent would make, named like the store names it
        when refusing it (dependent -> ... -> blocker -> dependent); None when it is safe."""
        if blocker == dependent:
            return [blocker, blocker]
        found = self.path(dependent, blocker)
        return None if found is None else [*found, dependent]

    def _topological(self, keys: Collection[str], succ: Mapping[str, list[str]]) -> list[str]:
        """`keys` in blocker-first order (Kahn); keys on a cycle are left out."""
        indegree = dict.fromkeys(keys, 0)
        for key in keys:
            for nxt in succ.get(key, ()):
                if nxt in indegree:
                    indegree[nxt] += 1
        ready = deque(k for k, n in indegree.items() if n == 0)
        order: list[str] = []
        while ready:
            key = ready.popleft()
            order.append(key)
            for nxt in succ.get(key, ()):
                if nxt in indegree:
                    indegree[nxt] -= 1
                    if indegree[nxt] == 0:
                        ready.append(nxt)
        return order

    def critical_path(self) -> CriticalPath:
        """The longest chain of open cards by points (a card without points weighs 0).

        Only cards not done that wait on, or hold up, another card not done take part: a
        lone card is no chain. Ties go to the chain met first in card order.
        """
        open_succ: dict[str, list[str]] = {}
        linked: dict[str, None] = {}
        nodes = self.nodes
        for b, d in self.edges:
            if nodes[b].status != "done" and nodes[d].status != "done":
                open_succ.setdefault(b, []).append(d)
                linked[b] = linked[d] = None
        if not linked:
            return CriticalPath((), 0)
        keys = [k for k in self.nodes if k in linked]
        best: dict[str, int] = {}
        came_from: dict[str, str | None] = {}
        for key in self._topological(keys, open_succ):
            if key not in best:
                best[key] = self.nodes[key].points or 0
                came_from[key] = None
            for nxt in open_succ.get(key, ()):
                total = best[key] + (self.nodes[nxt].points or 0)
                if nxt not in best or total > best[nxt]:
                    best[nxt] = total
                    came_from[nxt] = key
        end = max(best, key=lambda k: best[k])  # max() keeps the first of equals
        chain: list[str] = []
        step: str | None = end
        while step is not None:
            chain.append(step)
            step = came_from[step]
        return CriticalPath(tuple(reversed(chain)), best[end])

    def levels(self) -> list[list[str]]:
        """Layers for a drawing, blocker first: a card sits one layer below the deepest of
        its blockers. Cards without links are left out; cards on a cycle (which the store
        refuses) come last, in one layer of their own, so none goes missing."""
        keys = [k for k in self.nodes if k in self.blockers or k in self.dependents]
        order = self._topological(keys, self.dependents)
        depth: dict[str, int] = {}
        for key in order:
            depth[key] = max((depth[b] + 1 for b in self.blockers.get(key, ())), default=0)
        layers: list[list[str]] = [[] for _ in range(max(depth.values(), default=-1) + 1)]
        for key in order:
            layers[depth[key]].append(key)
        stuck = [k for k in keys if k not in depth]
        if stuck:
            layers.append(stuck)
        return layers

    # -- the team-by-team view ----------------------------------------------------------

    def matrix(self) -> list[MatrixCell]:
        """For each ordered pair of teams (blocker team, dependent team) with links between
        them: how many links, how many open, how many red and amber; in team-pair order."""
        cells: dict[tuple[str, str], MatrixCell] = {}
        for link in self.links():
            cell = cells.get(link.teams)
            if cell is None:
                cell = cells[link.teams] = MatrixCell(*link.teams)
            cell.links += 1
            cell.open += link.open
            cell.red += link.style is LATE
            cell.amber += link.style is SAME_SPRINT
        return [cells[k] for k in sorted(cells)]


def filter_links(
    links: Iterable[Link],
    teams: Collection[str] | None = DEFAULT_TEAMS,
    *,
    internal: bool = INTERNAL_DEFAULT,
) -> list[Link]:
    """The links of a team view, both directions.

    `teams`: the codes to show (default IT and ECOM), or None for every team. With two or
    more teams a link is kept when both its cards' teams are among them; with one team,
    when either is. Links inside one team only with `internal`: the view is about seams.
    """
    chosen = None if teams is None else frozenset(teams)

    def shown(link: Link) -> bool:
        if not (internal or link.cross_team):
            return False
        if chosen is None:
            return True
        if len(chosen) == 1:
            return link.blocker.team in chosen or link.dependent.team in chosen
        return link.blocker.team in chosen and link.dependent.team in chosen

    return [link for link in links if shown(link)]


def view_critical_path(
    graph: DependencyGraph,
    teams: Collection[str] | None = DEFAULT_TEAMS,
    *,
    internal: bool = INTERNAL_DEFAULT,
) -> CriticalPath:
    """A team view's critical path: the longest chain of open cards among the links the view
    shows (see `filter_links`). The screen and `dep graph` both use it."""
    return graph.subgraph(filter_links(graph.links(), teams, internal=internal)).critical_path()


def path_scope(internal: bool) -> str:
    """How a team view's critical path is counted, in the words the screen and the CLI share."""
    inside = "counted" if internal else "not counted"
    return f"counted over the links shown; links inside a team {inside}"


def parse_teams(text: str | None) -> tuple[str, ...] | None:
    """'IT,ECOM' -> ('IT', 'ECOM'); 'all' -> None (every team); empty -> the default pair."""
    if text is None or not text.strip():
        return DEFAULT_TEAMS
    if text.strip().lower() == "all":
        return None
    codes = tuple(dict.fromkeys(c.strip().upper() for c in text.split(",") if c.strip()))
    return codes or DEFAULT_TEAMS


def group_by_teams(links: Sequence[Link]) -> dict[tuple[str, str], list[Link]]:
    """Links grouped by (blocker team, dependent team), groups in team order, links in
    the order given."""
    groups: dict[tuple[str, str], list[Link]] = {}
    for link in links:
        groups.setdefault(link.teams, []).append(link)
    return {k: groups[k] for k in sorted(groups)}


@contextmanager
def gc_paused() -> Iterator[None]:
    """Hold the cyclic garbage collector while building a large graph or plan.

    Loading 10,000 cards and 20,000 links makes ~100,000 acyclic objects; left running,
    the collector walks them (and every imported module's objects) again and again, which
    measured as half the time of `sprintboard check`. Nothing here makes cycles, and
    collection resumes afterwards (unless something else had paused it).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
