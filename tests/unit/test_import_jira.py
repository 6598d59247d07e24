"""Importing a Jira CSV export: repeated columns, points, sprints, components, links."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from conftest import Cli
from sprintboard.io.import_apply import apply_plan
from sprintboard.io.import_plan import ImportOptions
from sprintboard.io.importing import plan_import
from sprintboard.io.jira import parse_jira
from sprintboard.store import Store

FIXTURES = Path(__file__).parent.parent / "fixtures"
EXPORT = FIXTURES / "jira_export.csv"


def _by_source(store: Store) -> dict[str, dict[str, Any]]:
    keys = {
        row["key"]: row["external_id"]
        for row in store.rows("SELECT key, external_id FROM cards WHERE external_id IS NOT NULL")
    }
    return {keys[c["key"]].removeprefix("jira:"): c for c in store.cards.query()}


def test_repeated_columns_are_all_read() -> None:
    items = {i.external_id: i for i in parse_jira(EXPORT).items}
    first = items["jira:SHOP-101"]
    assert first.sprint == "Sprint 42"  # 'Sprint 41', 'Sprint 42': the last one wins
    assert items["jira:SHOP-103"].fields["labels"] == ["checkout", "bug"]
    assert items["jira:SHOP-102"].team_refs == ["Ecommerce", "Content"]
    assert items["jira:SHOP-102"].blocked_by == ["SHOP-101"]
    assert first.refs == ["SHOP-101", "10101"]
    assert first.fields["description"] == (
        "Move card payments to the new provider.\nKeep iDEAL working during the switch."
    )


def test_jira_export_end_to_end(cli: Cli, db_path: Path) -> None:
    result = cli("import", str(EXPORT), "--from", "jira", "--team", "CS")
    assert result.code == 0, result.err
    with Store(db_path) as store:
        cards = _by_source(store)
        sprints = {s["name"]: s for s in store.sprints.list()}
        deps = {(d["blocker"], d["dependent"]) for d in store.deps.list()}
    assert len(cards) == 7

    switch = cards["SHOP-101"]
    assert (switch["team"], switch["status"], switch["priority"]) == ("IT", "doing", "urgent")
    assert (switch["points"], switch["sprint"], switch["due"]) == (8, "Sprint 42", "2026-03-20")
    assert switch["labels"] == ["payments", "story"]  # the issue type is a label

    copy = cards["SHOP-102"]
    assert copy["teams"] == ["ECOM", "CNT"]  # components: the first team owns the card
    assert copy["blockers"] == [switch["key"]]

    bug = cards["SHOP-103"]
    assert bug["title"] == 'Fix "Pay now" button | mobile *Safari*'
    assert (bug["status"], bug["priority"], bug["points"]) == ("review", "high", 3)  # 2.5 up
    assert bug["description"] == "[bold]Repro[/bold]: tap twice, nothing happens."

    label = cards["SHOP-104"]
    assert label["title"] == "Retourlabel printen – Größe XL"
    assert (label["team"], label["status"], label["sprint"]) == ("WH", "todo", None)
    assert (label["priority"], label["due"]) == ("low", "2026-03-27")

    assert (cards["SHOP-105"]["status"], cards["SHOP-105"]["sprint"]) == ("done", "Sprint 41")
    spike = cards["SHOP-106"]
    assert spike["status"] == "backlog"  # 'Blocked by vendor' means nothing here
    assert spike["team"] == "CS"  # the component 'Loyalty' is no team: --team, and a label
    assert "Loyalty" in spike["labels"]
    # SHOP-107 names its blocker by issue id (10101), not by key.
    assert cards["SHOP-107"]["blockers"] == [switch["key"]]

    assert deps == {
        (switch["key"], copy["key"]),
        (label["key"], switch["key"]),
        (switch["key"], cards["SHOP-107"]["key"]),
    }
    assert {"Sprint 41", "Sprint 42", "Sprint 43"} <= set(sprints)
    assert all(sprints[n]["state"] == "planned" for n in ("Sprint 41", "Sprint 42", "Sprint 43"))
    assert sprints["Sprint 41"]["end"] < sprints["Sprint 42"]["start"]
    assert "1 issue(s) were in more than one sprint; each goes to the last" in result.out


def test_new_sprints_follow_each_other_from_today(store: Store) -> None:
    plan = plan_import(store, parse_jira(EXPORT), ImportOptions(team="CS"))
    spans = [(s.name, s.start, s.end) for s in plan.new_sprints]
    today = date(2026, 3, 11)  # the tests' frozen clock
    assert spans == [
        ("Sprint 41", today, today + timedelta(days=13)),
        ("Sprint 42", today + timedelta(days=14), today + timedelta(days=27)),
        ("Sprint 43", today + timedelta(days=28), today + timedelta(days=41)),
    ]


def test_truncated_csv_names_the_line(cli: Cli, db_path: Path) -> None:
    result = cli("import", str(FIXTURES / "jira_truncated.csv"), "--from", "jira", "--team", "IT")
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert "line 2: a quoted field is never closed" in result.err


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "jira.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_malformed_files_name_the_line(cli: Cli, tmp_path: Path) -> None:
    cases = [
        ("", "line 1: the file is empty"),
        ("Issue key,Status\nA-1,Done\n", "line 1: no 'Summary' column"),
        ("Summary,Issue key,Status\nOne,A-1,Done\nTwo,A-2\n", "line 3: 2 fields, but the header"),
    ]
    for text, message in cases:
        result = cli("import", str(_write(tmp_path, text)), "--from", "jira", "--team", "IT")
        assert result.code == 2, text
        assert message in result.err and result.err.count("\n") == 1


def test_bad_values_are_dropped_and_the_issue_kept(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    text = (
        "Summary,Issue key,Due date,Story Points\n"
        "Good,A-1,2026-04-01,3\n"
        "Bad date,A-2,32/Foo/26,1\n"
        "Bad points,A-3,,three\n"
        ",A-4,,\n"
    )
    result = cli("import", str(_write(tmp_path, text)), "--from", "jira", "--team", "IT")
    assert result.code == 0
    assert "3 to create" in result.out
    assert (
        "dropped 1 Due date value(s), the card imported without it: not a date "
        "(first: A-2 at line 3)" in result.out
    )
    assert "dropped 1 Story Points value(s), the card imported without it" in result.out
    assert "skipped line 5: title: must not be empty" in result.out
    with Store(db_path) as store:
        cards = {c["title"]: c for c in store.cards.query()}
    assert (cards["Bad date"]["due"], cards["Bad date"]["points"]) == (None, 1)
    assert (cards["Bad points"]["due"], cards["Bad points"]["points"]) == (None, None)


def test_a_link_closing_a_cycle_is_skipped(store: Store) -> None:
    text = (
        "Summary,Issue key,Outward issue link (Blocks),Outward issue link (Blocks)\n"
        "One,A-1,A-2,\n"
        "Two,A-2,A-3,A-1\n"
        "Three,A-3,A-9,\n"
    )
    path = store.path.with_name("cycle.csv")
    path.write_text(text, encoding="utf-8")
    plan = plan_import(store, parse_jira(path), ImportOptions(team="IT"))
    assert [named for _, _, named in plan.dependencies] == ["A-1>A-2", "A-2>A-3"]
    reasons = [s.reason for s in plan.skipped]
    assert "link A-2>A-1: would make a cycle" in reasons
    assert "link to A-9: is not in this file or the database" in reasons
    with store.transaction("import.jira") as tx:
        apply_plan(store, tx, plan)
    assert len(store.deps.list()) == 2
