"""What the dependency screen shows, worked out from the dependency graph (no Textual).

`fetch_dependencies()` reads the graph (on the database thread); `build_view()` turns a team
view of it into the rows of both drawings, the list grouped by team pair and the layered
graph, with the critical path (pure work, run off the UI thread). `DependencyView` draws the
rows; the screen decides which.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sprintboard.planning.graph import (
    INTERNAL_DEFAULT,
    LATE,
    LEGEND,
    SAME_SPRINT,
    CardNode,
    CriticalPath,
    DependencyGraph,
    Link,
    LinkStyle,
    MatrixCell,
    filter_links,
    gc_paused,
    group_by_teams,
)

CRITICAL = "★"

# What a row shows.
GROUP, LINK, LAYER, CARD, BRANCH, BLANK = "group", "link", "layer", "card", "branch", "blank"


@dataclass(frozen=True, slots=True)
class Row:
    """One line of a drawing: a heading, a link, a card of the graph, or a gap."""

    kind: str
    text: str = ""  # GROUP and LAYER headings
    link: Link | None = None  # LINK and BRANCH
    card: CardNode | None = None  # CARD
    critical: bool = False  # on the critical path (a card, or a step of it)
    last: bool = False  # BRANCH: the last link drawn under its blocker
    layer: int = 0  # BRANCH: the dependent's layer; CARD: its own (from 1)

    @property
    def keys(self) -> tuple[str, ...]:
        """The cards this row shows that can be selected, left to right."""
        if self.link is not None:
            if self.kind == LINK:
                return (self.link.dependent.key, self.link.blocker.key)
            return (self.link.dependent.key,)
        return (self.card.key,) if self.card is not None else ()


@dataclass(frozen=True, slots=True)
class TeamView:
    """A team view (a pair, or all teams) worked out for drawing."""

    teams: tuple[str, ...] | None  # None: every team
    internal: bool
    links: list[Link]
    counts: Counter[LinkStyle]
    path: CriticalPath
    cycle: list[str] | None
    list_rows: list[Row]
    graph_rows: list[Row]
    graph: DependencyGraph  # just the view's links and cards

    def describe(self) -> str:
        """'2 links: 0 ✗ late · 2 ≈ same sprint · 0 ✓ ok · 0 ✓ done'."""
        noun = "link" if len(self.links) == 1 else "links"
        return f"{len(self.links):,} {noun}: " + " · ".join(
            f"{self.counts[s]:,} {s.label}" for s in LEGEND
        )


def build_view(
    graph: DependencyGraph, teams: tuple[str, ...] | None, internal: bool = INTERNAL_DEFAULT
) -> TeamView:
    """The rows of both drawings of a team view, and its critical path (open cards, by
    points, among the links shown)."""
    with gc_paused():
        links = filter_links(graph.links(), teams, internal=internal)
        sub = graph.subgraph(links)
        path = sub.critical_path()  # what `view_critical_path` gives: the CLI's too
        on_path = frozenset(path.cards)
        steps = frozenset(zip(path.cards, path.cards[1:], strict=False))
        cycle = sub.find_cycle()
        return TeamView(
            teams=teams,
            internal=internal,
            links=links,
            counts=Counter(link.style for link in links),
            path=path,
            cycle=cycle,
            list_rows=list_rows(links, steps),
            graph_rows=graph_rows(sub, on_path, steps, cyclic=cycle is not None),
            graph=sub,
        )


_RANK = {style: i for i, style in enumerate(LEGEND)}


def list_rows(links: list[Link], steps: frozenset[tuple[str, str]]) -> list[Row]:
    """Links grouped by (blocker team, dependent team); late ones first in each group."""
    rows: list[Row] = []
    for (b_team, d_team), group in group_by_teams(links).items():
        if rows:
            rows.append(Row(BLANK))
        counts = Counter(link.style for link in group)
        noun = "link" if len(group) == 1 else "links"
        heading = f"{d_team} waits on {b_team}   ({b_team} → {d_team}, {len(group):,} {noun}: "
        heading += " · ".join(f"{counts[s]:,} {s.label}" for s in LEGEND) + ")"
        rows.append(Row(GROUP, heading))
        for link in sorted(group, key=lambda x: _RANK.get(x.style, len(_RANK))):
            critical = (link.blocker.key, link.dependent.key) in steps
            rows.append(Row(LINK, link=link, critical=critical))
    return rows


def graph_rows(
    sub: DependencyGraph,
    on_path: frozenset[str],
    steps: frozenset[tuple[str, str]],
    *,
    cyclic: bool = False,
) -> list[Row]:
    """Layers from blockers to dependents: each card once, in the layer below the deepest
    of its blockers, followed by its links to the cards that wait on it."""
    layers = sub.levels()
    layer_of = {key: i for i, layer in enumerate(layers, start=1) for key in layer}
    by_pair = {(x.blocker.key, x.dependent.key): x for x in sub.links()}
    rows: list[Row] = []
    for number, layer in enumerate(layers, start=1):
        if rows:
            rows.append(Row(BLANK))
        cards = f"{len(layer):,} card{'' if len(layer) == 1 else 's'}"
        if cyclic and number == len(layers):
            about = "on a cycle (changed outside sprintboard?)"
        elif number == 1:
            about = "waiting on nothing shown"
        else:
            about = f"each waits on a card of layer {number - 1}"
        rows.append(Row(LAYER, f"layer {number} · {cards} {about} "))
        for key in layer:
            rows.append(Row(CARD, card=sub.nodes[key], critical=key in on_path, layer=number))
            waiting = sub.dependents.get(key, [])
            for i, dependent in enumerate(waiting):
                rows.append(
                    Row(
                        BRANCH,
                        link=by_pair[(key, dependent)],
                        critical=(key, dependent) in steps,
                        last=i == len(waiting) - 1,
                        layer=layer_of.get(dependent, 0),
                    )
                )
    return rows


def fetch_dependencies(store: Any) -> dict[str, Any]:
    """Every card and link as a graph, with the teams (on the database thread)."""
    # The version first: a commit landing during the reads below then makes it look
    # older than what is shown (one extra reload), never newer (a change hidden).
    version = store.version()
    with gc_paused():
        graph = DependencyGraph.from_rows(
            store.deps.plan_cards(), store.deps.pairs(), store.sprints.list()
        )
        matrix = graph.matrix()  # colours every link too, while the collector rests
    return {
        "graph": graph,
        "matrix": matrix,
        "teams": store.teams.list(include_archived=True),
        "version": version,
    }


def pair_choices(
    teams: list[tuple[str, str]], cells: dict[tuple[str, str], MatrixCell]
) -> list[tuple[str, tuple[str, str] | None]]:
    """The picker's options: all teams, then every pair of teams (code, name) with links
    between them (both ways, with their red and amber counts), then the pairs without."""
    linked: list[tuple[str, tuple[str, str] | None]] = []
    quiet: list[tuple[str, tuple[str, str] | None]] = []
    for i, (a, a_name) in enumerate(teams):
        for b, b_name in teams[i + 1 :]:
            both = [c for c in (cells.get((a, b)), cells.get((b, a))) if c is not None]
            links = sum(c.links for c in both)
            pair = f"{a} ↔ {b}".ljust(13) + f" {a_name} and {b_name}: "
            if not links:
                quiet.append((pair + "no links", (a, b)))
                continue
            red, amber = sum(c.red for c in both), sum(c.amber for c in both)
            noun = "link" if links == 1 else "links"
            counts = f"{links} {noun}, {red} {LATE.label}, {amber} {SAME_SPRINT.label}"
            linked.append((pair + counts, (a, b)))
    return [("All teams", None), *linked, *quiet]
