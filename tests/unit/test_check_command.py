"""The check command: findings as lines and JSON, filters, exit status."""

from __future__ import annotations

import json
import re
from datetime import date

from checks_fixtures import LINE

from conftest import Cli
from sprintboard.models import Card, Sprint
from sprintboard.store import Store

# -- the command line ------------------------------------------------------------------------


def test_cli_check_clean_database_exits_0(cli: Cli) -> None:
    result = cli("check")
    assert (result.code, result.out) == (0, "no findings: every seam holds\n")
    as_json = cli("check", "--json")
    assert (as_json.code, json.loads(as_json.out)) == (0, [])


def test_cli_check_warnings_only_exit_0(cli: Cli, store: Store) -> None:
    store.sprints.add(Sprint(name="Now", start=date(2026, 3, 4), end=date(2026, 3, 17)))
    store.sprints.start("Now")
    store.cards.add(Card(title="unpointed", team="IT"), sprint_id=store.sprints.get("Now")["id"])
    result = cli("check")
    assert result.code == 0
    assert result.out.splitlines() == [
        "warning card-incomplete IT-1: IT-1 in Now has no points; fix: estimate its points",
        "0 errors, 1 warning, 0 info",
    ]


def test_cli_check_on_the_demo_exits_1(cli: Cli) -> None:
    assert cli("demo").code == 0
    result = cli("check")
    assert result.code == 1
    *lines, last = result.out.splitlines()
    assert lines and all(LINE.match(line) for line in lines)
    assert re.fullmatch(r"\d+ errors?, \d+ warnings?, \d+ info", last)
    assert (
        "error promo-stock MKT-2: SKU GF-1001 has 14 on hand, under its threshold of 40; "
        "fix: wait for a restock of GF-1001, pick another SKU, or ask WH"
    ) in lines
    assert lines[0].startswith("error ")

    as_json = cli("check", "--json")
    assert as_json.code == 1
    data = json.loads(as_json.out)
    assert len(data) == len(lines)
    assert all(set(f) == {"severity", "rule", "cards", "why", "subject", "fix"} for f in data)
    restock = next(f for f in data if f["rule"] == "promo-restock")
    assert restock["fix"].startswith("move the promotion after the restock on 2026-")
    assert {"severity": "error", "rule": "dep-order", "cards": ["IT-10", "WH-3"]}.items() <= (
        next(f for f in data if f["rule"] == "dep-order" and f["severity"] == "error").items()
    )

    current = cli("check", "--sprint", "current")
    assert current.code == 1
    assert "feedback-untriaged" not in current.out


def test_cli_check_bad_sprint_is_one_line(cli: Cli) -> None:
    result = cli("check", "--sprint", "Nope")
    assert result.code == 2
    assert result.err.startswith("error: sprint:") and result.err.count("\n") == 1


def test_cli_dep_graph(cli: Cli) -> None:
    assert cli("demo").code == 0
    default = cli("dep", "graph")
    assert default.code == 0
    assert "ECOM -> IT: 1 link, 0 late, 1 same sprint" in default.out
    assert "IT -> WH" not in default.out
    assert re.search(r"critical path \(open cards, \d+ points\): \S+ -> ", default.out)

    pair = cli("dep", "graph", "--teams", "it,wh")
    assert "IT -> WH: 2 links, 1 late, 1 same sprint" in pair.out
    assert re.search(r"✗ late +IT-10 \(Sprint 43, todo\) -> WH-3 \(Sprint 42, todo\)", pair.out)

    data = json.loads(cli("dep", "graph", "--teams", "all", "--json").out)
    assert data["teams"] == "all" and data["cycle"] is None
    late = [x for x in data["links"] if x["colour"] == "red"]
    assert [(x["blocker"], x["dependent"], x["word"]) for x in late] == [("IT-10", "WH-3", "late")]
    assert data["critical_path"]["points"] > 0
    assert {
        "blocker_team": "IT",
        "dependent_team": "WH",
        "links": 2,
        "open": 2,
        "red": 1,
        "amber": 1,
    } in data["matrix"]

    bad = cli("dep", "graph", "--teams", "IT,NOPE")
    assert bad.code == 2 and "unknown team 'NOPE'" in bad.err


def test_cli_dep_matrix(cli: Cli) -> None:
    assert cli("demo").code == 0
    table = cli("dep", "matrix")
    assert table.code == 0 and table.out.startswith("BLOCKER TEAM")
    cells = json.loads(cli("dep", "matrix", "--json").out)
    assert all(c["blocker_team"] != c["dependent_team"] for c in cells)
    internal = json.loads(cli("dep", "matrix", "--internal", "--json").out)
    assert len(internal) > len(cells)


def test_cli_check_severity_lists_that_severity_and_worse(cli: Cli) -> None:
    assert cli("demo").code == 0
    every = cli("check").out.splitlines()
    counts = every[-1]
    assert re.fullmatch(r"5 errors, 5 warnings, 7 info", counts)
    # Errors and warnings are not outnumbered by information.
    assert sum(line.startswith(("error ", "warning ")) for line in every) == 10
    assert sum(line.startswith("info ") for line in every) == 7

    warnings = cli("check", "--severity", "warning")
    assert warnings.code == 1  # an error is still an error
    lines = warnings.out.splitlines()
    assert not any(line.startswith("info ") for line in lines)
    assert lines[-2:] == [counts, "(7 less severe than warning not listed)"]
    errors = json.loads(cli("check", "--severity", "error", "--json").out)
    assert len(errors) == 5 and {f["severity"] for f in errors} == {"error"}

    bad = cli("check", "--severity", "loud")
    assert bad.code == 2 and "loud" in bad.err


def test_cli_and_screen_show_one_critical_path(cli: Cli, store: Store) -> None:
    """`dep graph` and the dependency screen's view model count the same links."""
    from sprintboard.planning.graph import DEFAULT_TEAMS, INTERNAL_DEFAULT, DependencyGraph
    from sprintboard.views.dependencies import build_view

    assert cli("demo").code == 0
    graph = DependencyGraph.from_rows(
        store.deps.plan_cards(), store.deps.pairs(), store.sprints.list()
    )
    whole = graph.critical_path()
    for args, teams, internal in (
        ((), DEFAULT_TEAMS, INTERNAL_DEFAULT),
        (("--teams", "all"), None, False),
        (("--teams", "all", "--internal"), None, True),
        (("--teams", "IT", "--internal"), ("IT",), True),
    ):
        data = json.loads(cli("dep", "graph", *args, "--json").out)["critical_path"]
        screen = build_view(graph, teams, internal).path
        assert (data["cards"], data["points"], data["internal"]) == (
            list(screen.cards),
            screen.points,
            internal,
        )
    # On the demo the choice matters: counting links inside a team finds a longer path.
    default = build_view(graph, DEFAULT_TEAMS).path
    assert default.cards == ("ECOM-2", "IT-5")
    assert whole.cards == ("IT-4", "IT-5") and whole.points > default.points
    out = cli("dep", "graph").out
    assert "critical path (open cards, 13 points): ECOM-2 -> IT-5" in out
    assert (
        "  counted over the links shown; links inside a team not counted (--internal changes that)"
    ) in out
