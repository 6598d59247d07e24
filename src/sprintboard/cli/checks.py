"""`check` (seam checks) and `dep graph` / `dep matrix` (the dependency graph, headless)."""

from __future__ import annotations

import json
from typing import Any

import click

from sprintboard.cli import Context, pass_ctx
from sprintboard.cli.cards import dep
from sprintboard.cli.output import emit_json, say, table
from sprintboard.cli.params import SPRINT
from sprintboard.errors import UserError
from sprintboard.planning.checks import RULES, Severity, run_checks, summary
from sprintboard.planning.graph import (
    INTERNAL_DEFAULT,
    LEGEND,
    DependencyGraph,
    Link,
    MatrixCell,
    filter_links,
    gc_paused,
    group_by_teams,
    parse_teams,
    path_scope,
    view_critical_path,
)
from sprintboard.store import Store

json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


@click.command("check", epilog="Rules: " + ", ".join(r.id for r in RULES) + ".")
@click.option(
    "--sprint",
    type=SPRINT,
    metavar="NAME|current",
    help="Check one sprint (default: every sprint not closed, plus feedback and goals).",
)
@click.option(
    "--severity",
    type=click.Choice([s.value for s in Severity]),
    default=Severity.INFO.value,
    show_default=True,
    help="List findings of this severity and worse (warning: errors and warnings).",
)
@json_option
@pass_ctx
def check(ctx: Context, sprint: str | None, severity: str, as_json: bool) -> None:
    """Warn before a seam between teams breaks.

    Prints one line per finding, 'SEVERITY RULE cards: why; fix: what resolves it' (the fix
    where the rule knows one), errors first, then the count of each severity. Exits 1 when
    there is an error (listed or not), else 0.
    """
    every = run_checks(ctx.store(), sprint=sprint)
    worst = Severity(severity).rank
    findings = [f for f in every if f.severity.rank <= worst]
    if as_json:
        # One finding per line: still one JSON list, but json's C encoder only runs without
        # `indent`, and thousands of findings indented cost more than the checks themselves.
        encode = json.JSONEncoder(ensure_ascii=False).encode
        items = [encode(f.as_json()) for f in findings]
        click.echo("[\n  " + ",\n  ".join(items) + "\n]" if items else "[]")
    else:
        lines = [f.line() for f in findings]
        lines.append(summary(every))
        hidden = len(every) - len(findings)
        if hidden:
            lines.append(f"({hidden} less severe than {severity} not listed)")
        say("\n".join(lines))
    if any(f.severity is Severity.ERROR for f in every):
        click.get_current_context().exit(1)


def _teams(store: Store, text: str) -> tuple[str, ...] | None:
    chosen = parse_teams(text)
    if chosen is not None:
        known = store.teams.codes()
        for code in chosen:
            if code not in known:
                raise UserError(
                    f"teams: unknown team {code!r} (known: {', '.join(known)}; or 'all')"
                )
    return chosen


def _graph(store: Store) -> DependencyGraph:
    with gc_paused():
        graph = DependencyGraph.from_rows(
            store.deps.plan_cards(), store.deps.pairs(), store.sprints.list()
        )
        graph.links()  # colour them while the collector rests
    return graph


def _link_json(link: Link) -> dict[str, Any]:
    b, d = link.blocker, link.dependent
    return {
        "blocker": b.key,
        "blocker_team": b.team,
        "blocker_sprint": b.sprint,
        "blocker_status": b.status,
        "dependent": d.key,
        "dependent_team": d.team,
        "dependent_sprint": d.sprint,
        "dependent_status": d.status,
        "colour": link.style.colour,
        "symbol": link.style.symbol,
        "word": link.style.word,
        "open": link.open,
    }


@dep.command("graph")
@click.option(
    "--teams",
    default="IT,ECOM",
    show_default=True,
    metavar="CODES|all",
    help="Team codes separated by commas (one team: every link touching it), or 'all'.",
)
@click.option(
    "--internal/--no-internal",
    default=INTERNAL_DEFAULT,
    show_default=True,
    help="Show (and count in the critical path) links inside one team, as the dependency "
    "screen's i does.",
)
@json_option
@pass_ctx
def dep_graph(ctx: Context, teams: str, internal: bool, as_json: bool) -> None:
    """Links between teams, coloured by sprint order, and their critical path.

    The critical path is counted over the links shown, as on the dependency screen: the
    same teams and the same choice of links inside a team give the same path.

    red ✗ late: the blocker is planned after its dependent, or still in the backlog;
    amber ≈ same sprint; green ✓ ok (planned earlier) or ✓ done.
    """
    store = ctx.store()
    chosen = _teams(store, teams)
    graph = _graph(store)
    links = filter_links(graph.links(), chosen, internal=internal)
    path = view_critical_path(graph, chosen, internal=internal)
    cycle = graph.find_cycle()
    if as_json:
        emit_json(
            {
                "teams": "all" if chosen is None else list(chosen),
                "links": [_link_json(link) for link in links],
                "critical_path": {
                    "cards": list(path.cards),
                    "points": path.points,
                    "internal": internal,
                },
                "cycle": cycle,
                "matrix": [_cell_json(c) for c in graph.subgraph(links).matrix()],
            }
        )
        return
    out = ["legend: " + " · ".join(f"{s.label} ({s.colour})" for s in LEGEND)]
    width = max(len(s.label) for s in LEGEND)
    for (b_team, d_team), group in group_by_teams(links).items():
        late = sum(1 for x in group if x.style.colour == "red")
        same = sum(1 for x in group if x.style.colour == "amber")
        noun = "link" if len(group) == 1 else "links"
        out.append(f"\n{b_team} -> {d_team}: {len(group)} {noun}, {late} late, {same} same sprint")
        for x in group:
            b, d = x.blocker, x.dependent
            out.append(
                f"  {x.style.label:<{width}}  {b.key} ({b.sprint or 'backlog'}, {b.status})"
                f" -> {d.key} ({d.sprint or 'backlog'}, {d.status})"
            )
    if not links:
        out.append("(no links between these teams)")
    out.append("")
    if path.cards:
        out.append(f"critical path (open cards, {path.points} points): " + " -> ".join(path.cards))
    else:
        out.append("critical path: none (no open card waits on another here)")
    flag = "--no-internal" if internal else "--internal"
    out.append(f"  {path_scope(internal)} ({flag} changes that)")
    out.append("cycle: " + " -> ".join(cycle) if cycle else "cycles: none")
    say("\n".join(out))


def _cell_json(cell: MatrixCell) -> dict[str, Any]:
    return {
        "blocker_team": cell.blocker_team,
        "dependent_team": cell.dependent_team,
        "links": cell.links,
        "open": cell.open,
        "red": cell.red,
        "amber": cell.amber,
    }


@dep.command("matrix")
@click.option("--internal", is_flag=True, help="Also count links inside one team.")
@json_option
@pass_ctx
def dep_matrix(ctx: Context, internal: bool, as_json: bool) -> None:
    """Team by team: links from one team's cards to another's, open, red (late), amber."""
    graph = _graph(ctx.store())
    cells = graph.subgraph(filter_links(graph.links(), None, internal=internal)).matrix()
    if as_json:
        emit_json([_cell_json(c) for c in cells])
        return
    table(
        [_cell_json(c) for c in cells],
        [
            ("BLOCKER TEAM", lambda r: r["blocker_team"]),
            ("DEPENDENT TEAM", lambda r: r["dependent_team"]),
            ("LINKS", lambda r: r["links"]),
            ("OPEN", lambda r: r["open"]),
            ("RED ✗", lambda r: r["red"]),
            ("AMBER ≈", lambda r: r["amber"]),
        ],
    )


COMMANDS = [check]
"""`dep graph` and `dep matrix` join the `dep` group from cli.cards when this module loads."""
