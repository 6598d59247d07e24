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
        "warning card-incomplete IT-1: IT-1 in Now has no points",
        "0 errors, 1 warning, 0 info",
    ]


def test_cli_check_on_the_demo_exits_1(cli: Cli) -> None:
    assert cli("demo").code == 0
    result = cli("check")
    assert result.code == 1
    *lines, last = result.out.splitlines()
    assert lines and all(LINE.match(line) for line in lines)
    assert re.fullmatch(r"\d+ errors?, \d+ warnings?, \d+ info", last)
    assert "error promo-stock MKT-2: SKU GF-1001 has 14 on hand, under its threshold of 40" in lines
    assert lines[0].startswith("error ")

    as_json = cli("check", "--json")
    assert as_json.code == 1
    data = json.loads(as_json.out)
    assert len(data) == len(lines)
    assert all(set(f) == {"severity", "rule", "cards", "why", "subject"} for f in data)
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
