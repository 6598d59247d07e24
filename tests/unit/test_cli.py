"""The command line, in-process on a temporary database: every verb, JSON shapes, bad input."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from sprintboard import __version__
from sprintboard.vocabulary import show_control

README = Path(__file__).resolve().parents[2] / "README.md"

# The documented JSON shapes (README, "JSON output"); test_readme_documents_these_keys
# keeps this list and the README in step, the other tests keep the code in step with it.
JSON_KEYS: dict[str, list[str]] = {
    "card": [
        "key",
        "uuid",
        "title",
        "description",
        "team",
        "teams",
        "status",
        "sprint",
        "points",
        "priority",
        "assignee",
        "due",
        "goal",
        "labels",
        "skus",
        "expected_orders",
        "blocked_by",
        "blockers",
        "blocks",
        "cross_team",
        "feedback",
        "reports",
        "position",
        "created_at",
        "updated_at",
        "done_at",
    ],
    "sprint": [
        "name",
        "goal",
        "start",
        "end",
        "state",
        "committed_points",
        "completed_points",
        "started_at",
        "closed_at",
        "cards",
        "points",
        "done_points",
    ],
    "goal": [
        "id",
        "title",
        "kpi",
        "unit",
        "baseline",
        "current",
        "target",
        "expected_roi",
        "sponsor",
        "status",
        "signed_off_by",
        "signed_off_at",
        "cards",
        "points",
        "done_points",
    ],
    "team": ["code", "name", "format", "colour", "capacity", "throughput_per_day", "archived"],
    "member": ["id", "team", "name", "role", "onboarding"],
    "dependency": [
        "blocker",
        "blocker_team",
        "blocker_status",
        "dependent",
        "dependent_team",
        "dependent_status",
        "cross_team",
        "open",
        "created_at",
    ],
    "feedback": [
        "id",
        "text",
        "source",
        "customer",
        "category",
        "reported_by",
        "received_at",
        "reports",
        "urgent",
        "state",
        "snoozed_until",
        "decline_reason",
        "card",
        "card_status",
        "shipped",
    ],
    "stock": ["sku", "name", "on_hand", "threshold", "restock_date", "low"],
}
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


@pytest.fixture
def demo(cli: Any) -> Any:
    """The `cli` runner on a database holding the demo organisation."""
    result = cli("demo")
    assert result.code == 0, result.err
    return cli


def ok(cli: Any, *args: str) -> str:
    result = cli(*args)
    assert result.code == 0, f"{args}: {result.err}"
    assert result.err == ""
    return str(result.out)


def js(cli: Any, *args: str) -> Any:
    return json.loads(ok(cli, *args, "--json"))


def refused(cli: Any, *args: str) -> str:
    """Run a command that must fail cleanly: exit 2, one 'error:' line, no traceback."""
    result = cli(*args)
    assert result.code == 2, f"{args}: exit {result.code}, {result.out!r} {result.err!r}"
    assert result.err.count("\n") == 1 and result.err.endswith("\n"), result.err
    assert result.err.startswith("error: "), result.err
    assert "Traceback" not in result.err
    return str(result.err)


def keys_of(kind: str, record: dict[str, Any]) -> None:
    assert list(record) == JSON_KEYS[kind], kind


# -- JSON shapes -----------------------------------------------------------------------------


def test_readme_documents_these_keys() -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split("### JSON output", 1)[1].split("\n## ", 1)[0]
    documented: dict[str, list[str]] = {}
    for bullet in re.split(r"\n- ", section)[1:]:
        name = re.match(r"\*\*(\w+)\*\*", bullet)
        assert name, bullet
        body = bullet.split(":", 1)[1]
        while re.search(r"\([^()]*\)", body):
            body = re.sub(r"\([^()]*\)", "", body)
        documented[name.group(1)] = re.findall(r"`([a-z_]+)`", body)
    assert documented == JSON_KEYS


def test_json_shapes_of_every_list_and_show(demo: Any) -> None:
    cards = js(demo, "card", "list")
    assert len(cards) == 59
    for card in cards:
        keys_of("card", card)
    shown = js(demo, "card", "show", "MKT-2")
    keys_of("card", shown)
    assert shown["teams"][0] == shown["team"] == "MKT"
    assert {shown["status"]} <= {"backlog", "todo", "doing", "review", "done"}
    assert shown["priority"] in ("low", "medium", "high", "urgent")
    assert TIMESTAMP.match(shown["created_at"]) and TIMESTAMP.match(shown["updated_at"])
    for kind, args in (
        ("sprint", ("sprint", "list")),
        ("goal", ("goal", "list")),
        ("team", ("team", "list", "--all")),
        ("member", ("member", "list")),
        ("dependency", ("dep", "list")),
        ("feedback", ("feedback", "list")),
        ("stock", ("stock", "list")),
    ):
        rows = js(demo, *args)
        assert rows, kind
        for row in rows:
            keys_of(kind, row)
    keys_of("sprint", js(demo, "sprint", "show"))
    keys_of("sprint", js(demo, "sprint", "show", "Sprint 41"))
    keys_of("goal", js(demo, "goal", "show", "1"))
    keys_of("feedback", js(demo, "feedback", "show", "1"))


def test_json_values_have_documented_types(demo: Any) -> None:
    dep = js(demo, "dep", "list", "--card", "IT-5")[0]
    assert isinstance(dep["cross_team"], bool) and isinstance(dep["open"], bool)
    team = js(demo, "team", "list")[0]
    assert isinstance(team["archived"], bool) and team["colour"].startswith("#")
    feedback = js(demo, "feedback", "list")[0]
    assert isinstance(feedback["urgent"], bool) and isinstance(feedback["shipped"], bool)
    member = js(demo, "member", "list")[0]
    assert all(isinstance(v, bool) for v in member["onboarding"].values())
    sprint = js(demo, "sprint", "show", "current")
    assert sprint["state"] == "active" and TIMESTAMP.match(sprint["started_at"])


# -- --sprint references ---------------------------------------------------------------------


def test_sprint_references(demo: Any) -> None:
    current = js(demo, "card", "list", "--sprint", "current")
    assert current and {c["sprint"] for c in current} == {"Sprint 42"}
    backlog = js(demo, "card", "list", "--sprint", "backlog")
    assert backlog and {c["sprint"] for c in backlog} == {None}
    named = js(demo, "card", "list", "--sprint", "Sprint 43")
    assert named and {c["sprint"] for c in named} == {"Sprint 43"}
    every = js(demo, "card", "list")
    assert len(every) == len(current) + len(backlog) + len(named) + len(
        js(demo, "card", "list", "--sprint", "Sprint 41")
    )
    sprints = {s["name"]: s for s in js(demo, "sprint", "list")}
    assert sprints["Sprint 42"]["cards"] == len(current)


def test_card_list_filters_and_board_order(demo: Any) -> None:
    todo = js(demo, "card", "list", "--status", "todo", "--team", "it")
    assert todo and all(c["status"] == "todo" and "IT" in c["teams"] for c in todo)
    goal = js(demo, "card", "list", "--goal", "2")
    assert goal and all(c["goal"] == 2 for c in goal)
    assert [c["key"] for c in js(demo, "card", "list", "--text", "Klarna")] == ["ECOM-4"]
    order = ["backlog", "todo", "doing", "review", "done"]
    statuses = [order.index(c["status"]) for c in js(demo, "card", "list", "--sprint", "current")]
    assert statuses == sorted(statuses)


def test_plain_text_output(demo: Any) -> None:
    out = ok(demo, "card", "list", "--sprint", "current")
    assert out.splitlines()[0].split() == [
        "KEY",
        "TEAM",
        "STATUS",
        "PTS",
        "SPRINT",
        "BLOCKED",
        "BY",
        "TITLE",
    ]
    assert "IT-5" in out and "IT-4,ECOM-2" in out
    shown = ok(demo, "card", "show", "IT-4")
    assert "key:" in shown and "blocks:" in shown and "IT-5,DATA-2" in shown


# -- every verb ------------------------------------------------------------------------------


def test_team_verbs(demo: Any) -> None:
    assert ok(demo, "team", "add", "sec", "Security", "--format", "remote").strip() == "SEC"
    edited = js(demo, "team", "edit", "SEC", "--capacity", "12", "--colour", "#AA0000")
    assert (edited["capacity"], edited["colour"], edited["format"]) == (12, "#aa0000", "remote")
    assert ok(demo, "card", "add", "Fraud rules", "--team", "SEC").strip() == "SEC-1"
    refused(demo, "team", "archive", "SEC")
    assert "SEC archived" in ok(demo, "team", "archive", "SEC", "--move-cards-to", "IT")
    assert js(demo, "card", "show", "SEC-1")["team"] == "IT"
    assert "SEC" not in [t["code"] for t in js(demo, "team", "list")]
    assert next(t for t in js(demo, "team", "list", "--all") if t["code"] == "SEC")["archived"]


def test_member_verbs(demo: Any) -> None:
    added = js(demo, "member", "add", "WH", "Jan Smit", "--role", "packer")
    assert (added["team"], added["name"], added["role"]) == ("WH", "Jan Smit", "packer")
    ticked = js(demo, "member", "onboard", str(added["id"]), "tools")
    assert ticked["onboarding"]["tools"] is True
    assert "Jan Smit: 0/4" in ok(demo, "member", "onboard", str(added["id"]), "tools", "--undo")
    names = [m["name"] for m in js(demo, "member", "list", "--team", "WH")]
    assert "Jan Smit" in names and "Kees van Dijk" in names


def test_goal_verbs(demo: Any) -> None:
    goal = js(demo, "goal", "add", "Grow loyalty", "--kpi", "repeat rate", "--target", "30")
    assert (goal["kpi"], goal["target"], goal["signed_off_by"]) == ("repeat rate", 30.0, None)
    gid = str(goal["id"])
    assert js(demo, "goal", "edit", gid, "--status", "at risk")["status"] == "at risk"
    assert "signed off by Ingrid Bakker" in ok(
        demo, "goal", "signoff", gid, "--by", "Ingrid Bakker"
    )
    shown = js(demo, "goal", "show", gid)
    assert shown["signed_off_by"] == "Ingrid Bakker" and TIMESTAMP.match(shown["signed_off_at"])
    assert len(js(demo, "goal", "list")) == 4
    ok(demo, "card", "add", "Loyalty app", "--team", "IT", "--goal", gid, "--points", "5")
    assert (js(demo, "goal", "show", gid)["cards"], js(demo, "goal", "show", gid)["points"]) == (
        1,
        5,
    )


def test_sprint_verbs(demo: Any) -> None:
    added = js(demo, "sprint", "add", "Sprint 44", "--start", "2030-01-01", "--end", "2030-01-14")
    assert (added["state"], added["cards"]) == ("planned", 0)
    assert "Sprint 44 updated" in ok(demo, "sprint", "edit", "Sprint 44", "--goal", "Launch")
    assert js(demo, "sprint", "show", "Sprint 44")["goal"] == "Launch"
    assert "IT capacity in Sprint 44: 10" in ok(demo, "sprint", "capacity", "Sprint 44", "it", "10")
    assert "still active" in refused(demo, "sprint", "start", "Sprint 43")
    assert "unfinished" in refused(demo, "sprint", "close")
    unfinished = [
        c["key"] for c in js(demo, "card", "list", "--sprint", "current") if c["status"] != "done"
    ]
    out = ok(demo, "sprint", "close", "--carry-over", "next")
    assert f"{len(unfinished)} cards carried to next" in out
    carried = {c["key"]: c for c in js(demo, "card", "list", "--sprint", "Sprint 43")}
    assert set(unfinished) <= set(carried)
    assert "started" in ok(demo, "sprint", "start", "Sprint 43")
    assert js(demo, "sprint", "show")["name"] == "Sprint 43"
    states = {s["name"]: s["state"] for s in js(demo, "sprint", "list")}
    assert states == {
        "Sprint 41": "closed",
        "Sprint 42": "closed",
        "Sprint 43": "active",
        "Sprint 44": "planned",
    }
    assert [s["name"] for s in js(demo, "sprint", "list", "--state", "closed")] == [
        "Sprint 41",
        "Sprint 42",
    ]


def test_sprint_close_to_backlog(demo: Any) -> None:
    before = len(js(demo, "card", "list", "--sprint", "backlog"))
    unfinished = [
        c for c in js(demo, "card", "list", "--sprint", "current") if c["status"] != "done"
    ]
    ok(demo, "sprint", "close", "Sprint 42", "--carry-over", "backlog")
    backlog = js(demo, "card", "list", "--sprint", "backlog")
    assert len(backlog) == before + len(unfinished)
    assert "no active sprint" in refused(demo, "card", "list", "--sprint", "current")


def test_card_verbs(demo: Any) -> None:
    owned = [c["key"] for c in js(demo, "card", "list", "--team", "ECOM") if c["team"] == "ECOM"]
    last = max(int(k.split("-")[1]) for k in owned)
    key = f"ECOM-{last + 1}"
    added = js(
        demo,
        "card",
        "add",
        "Bundle offer page",
        "--team",
        "ecom",
        "--with",
        "CNT",
        "--with",
        "MKT",
        "--sprint",
        "current",
        "--points",
        "3",
        "--goal",
        "1",
        "--status",
        "todo",
        "--priority",
        "high",
        "--sku",
        "GF-1001",
        "--label",
        "promotion",
        "--due",
        "2030-01-31",
        "--assignee",
        "Noah",
        "--description",
        "Two lines\nof text",
        "--orders",
        "250",
    )
    assert added["key"] == key
    assert added["teams"] == ["ECOM", "MKT", "CNT"]  # owner first, then team order
    assert (added["sprint"], added["points"], added["goal"]) == ("Sprint 42", 3, 1)
    assert (added["status"], added["priority"], added["due"]) == ("todo", "high", "2030-01-31")
    assert (added["skus"], added["labels"], added["expected_orders"]) == (
        ["GF-1001"],
        ["promotion"],
        250,
    )
    assert added["description"] == "Two lines\nof text"
    edited = js(demo, "card", "edit", key, "--title", "Bundles", "--with", "WH", "--due", "none")
    assert (edited["title"], edited["teams"], edited["due"]) == ("Bundles", ["ECOM", "WH"], None)
    edited = js(demo, "card", "edit", key, "--sprint", "backlog", "--goal", "none")
    assert (edited["sprint"], edited["goal"]) == (None, None)
    assert f"{key} -> doing" in ok(demo, "card", "move", key, "doing", "--sprint", "current")
    first = js(demo, "card", "list", "--sprint", "current", "--status", "doing")[0]["key"]
    moved = js(demo, "card", "move", key, "doing", "--position", "1")
    assert moved["status"] == "doing"
    column = js(demo, "card", "list", "--sprint", "current", "--status", "doing")
    assert [c["key"] for c in column][:2] == [key, first]
    assert "deleted" in ok(demo, "card", "delete", key)
    assert f"no card {key}" in refused(demo, "card", "show", key)
    assert ok(demo, "card", "add", "Next", "--team", "ECOM").strip() == f"ECOM-{last + 2}"


def test_dep_verbs(demo: Any) -> None:
    assert "IT-9 now waits on ECOM-3 (cross-team)" in ok(demo, "dep", "add", "ecom-3", "it-9")
    links = js(demo, "dep", "list", "--card", "IT-9")
    assert {(d["blocker"], d["dependent"]) for d in links} >= {("ECOM-3", "IT-9")}
    cross = js(demo, "dep", "list", "--cross-team")
    assert cross and all(d["cross_team"] for d in cross)
    assert all(
        "ECOM" in (d["blocker_team"], d["dependent_team"])
        for d in js(demo, "dep", "list", "--team", "ECOM")
    )
    message = refused(demo, "dep", "add", "IT-9", "ECOM-3")
    assert "cycle: ECOM-3 -> IT-9 -> ECOM-3" in message
    assert "cannot depend on itself" in refused(demo, "dep", "add", "IT-9", "IT-9")
    assert "no longer waits" in ok(demo, "dep", "remove", "ECOM-3", "IT-9")
    refused(demo, "dep", "remove", "ECOM-3", "IT-9")


def test_feedback_verbs(demo: Any) -> None:
    added = js(
        demo,
        "feedback",
        "add",
        "Payment page shows an error",
        "--category",
        "payment",
        "--source",
        "chat",
        "--customer",
        "J. Jansen",
        "--reports",
        "3",
        "--received",
        "2026-03-01",
    )
    assert (added["id"], added["urgent"], added["state"], added["reports"]) == (16, True, "new", 3)
    assert added["received_at"] == "2026-03-01T00:00:00Z"
    assert js(demo, "feedback", "show", "16")["customer"] == "J. Jansen"
    assert js(demo, "feedback", "show", "FB-16")["id"] == 16
    assert js(demo, "feedback", "add", "Late parcel", "--category", "shipping")["urgent"] is False
    new = js(demo, "feedback", "list", "--state", "new")
    assert new and all(f["state"] == "new" for f in new)
    urgent = [f["urgent"] for f in js(demo, "feedback", "list")]
    assert urgent == sorted(urgent, reverse=True)
    linked = js(demo, "feedback", "list", "--card", "IT-6")
    assert [f["id"] for f in linked] == [10]
    assert js(demo, "feedback", "list", "--category", "cart")


def test_stock_verbs(demo: Any, tmp_path: Path) -> None:
    csv = tmp_path / "stock.csv"
    csv.write_text("SKU,Name,On_Hand,Threshold\nGF-1001,Teak table,100,40\nNEW-1,New,1,5\n")
    out = ok(demo, "stock", "import", str(csv))
    assert out.strip() == "1 added, 1 updated, 0 rejected"
    stock = {s["sku"]: s for s in js(demo, "stock", "list")}
    assert (stock["GF-1001"]["on_hand"], stock["GF-1001"]["low"]) == (100, False)
    assert (stock["NEW-1"]["low"], stock["NEW-1"]["restock_date"]) == (True, None)


def test_stock_import_keeps_good_rows_and_reports_bad_ones(demo: Any, tmp_path: Path) -> None:
    csv = tmp_path / "stock.csv"
    csv.write_text(
        "sku,name,on_hand,threshold,restock_date\n"
        "OK-1,Fine,5,1,\n"
        "BAD-1,Negative,-4,1,\n"
        ",No sku,3,1,\n"
        "OK-2,Also fine,7,,2026-04-01\n"
        "BAD-2,Bad date,7,1,soon\n"
    )
    result = demo("stock", "import", str(csv))
    assert result.code == 2
    assert result.out.strip() == "2 added, 0 updated, 3 rejected"
    errors = result.err.splitlines()
    assert len(errors) == 3 and all(e.startswith(f"error: {csv}: line ") for e in errors)
    assert ": line 3: on_hand:" in errors[0]
    assert ": line 4: sku:" in errors[1]
    assert ": line 6: restock_date:" in errors[2]
    skus = {s["sku"] for s in js(demo, "stock", "list")}
    assert {"OK-1", "OK-2"} <= skus and not {"BAD-1", "BAD-2"} & skus


def test_stock_import_missing_column_and_missing_file(demo: Any, tmp_path: Path) -> None:
    csv = tmp_path / "stock.csv"
    csv.write_text("sku,name\nGF-1,x\n")
    assert "missing column(s) on_hand" in refused(demo, "stock", "import", str(csv))
    assert "no such file" in refused(demo, "stock", "import", str(tmp_path / "none.csv"))


def test_undo_and_history(demo: Any) -> None:
    ok(demo, "card", "edit", "IT-5", "--points", "13")
    ok(demo, "card", "move", "IT-5", "doing")
    ok(demo, "dep", "add", "IT-5", "IT-9")
    ok(demo, "undo")
    history = js(demo, "history", "IT-5")
    assert history[0]["op"] == "create" and history[0]["action"] == "demo"
    changes = [(h["field"], h["before"], h["after"]) for h in history if h["op"] == "update"]
    assert ("points", 8, 13) in changes and ("status", "todo", "doing") in changes
    links = [(h["entity"], h["entity_key"], h["op"]) for h in history[-2:]]
    assert links == [("dependency", "IT-5>IT-9", "create"), ("dependency", "IT-5>IT-9", "delete")]
    assert "undone: card.move IT-5" in ok(demo, "undo")
    assert js(demo, "card", "show", "IT-5")["status"] == "todo"
    assert "undone: card.edit IT-5" in ok(demo, "undo")
    assert js(demo, "card", "show", "IT-5")["points"] == 8
    assert "nothing to undo" in refused(demo, "undo")
    text = ok(demo, "history", "IT-5")
    assert "points: 8 -> 13" in text and "created card" in text


def test_undo_card_delete_via_cli(demo: Any) -> None:
    before = js(demo, "card", "show", "IT-6")
    ok(demo, "card", "delete", "IT-6")
    assert js(demo, "feedback", "show", "10")["card"] is None
    ok(demo, "undo")
    assert js(demo, "card", "show", "IT-6") == before
    assert js(demo, "feedback", "show", "10")["card"] == "IT-6"


def test_demo_force_replaces(demo: Any) -> None:
    ok(demo, "card", "add", "Extra", "--team", "IT")
    assert "already holds data" in refused(demo, "demo")
    assert len(js(demo, "card", "list")) == 60
    out = ok(demo, "demo", "--force")
    assert "59 cards" in out and "3 sprints" in out
    assert len(js(demo, "card", "list")) == 59


# -- bad input: exit 2 and one line naming the field -----------------------------------------


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (("card", "add", "X", "--team", "NOPE"), "team: unknown team 'NOPE'"),
        (("card", "add", "X", "--team", "IT", "--points", "-3"), "points:"),
        (
            ("card", "add", "X", "--team", "IT", "--points", "many"),
            "--points: not a whole number (got 'many')",
        ),
        (("card", "add", "", "--team", "IT"), "title: must not be empty"),
        (("card", "add", "  \x1b  ", "--team", "IT"), "title: must not be empty"),
        (("card", "add", "X", "--team", "IT", "--due", "2026-02-30"), "due:"),
        (("card", "add", "X", "--team", "IT", "--due", "next week"), "due:"),
        (("card", "add", "X", "--team", "IT", "--status", "wip"), "'--status'"),
        (("card", "add", "X", "--team", "IT", "--sprint", "Sprint 99"), "sprint: no sprint"),
        (("card", "add", "X", "--team", "IT", "--goal", "99"), "goal: no goal with id 99"),
        (("card", "add", "X", "--team", "IT", "--goal", "abc"), "goal: must be a goal id"),
        (("card", "add", "X"), "'--team'"),
        (("card", "show", "IT-999"), "card: no card IT-999"),
        (("card", "show", "nonsense"), "card: 'NONSENSE' is not a card key"),
        (("card", "edit", "IT-4", "--points", "-1"), "points:"),
        (("card", "edit", "IT-4", "--team", "NOPE"), "team: unknown team"),
        (("card", "edit", "IT-4"), "nothing to change"),
        (("card", "move", "IT-4", "wip"), "'STATUS'"),
        (("card", "move", "IT-999", "done"), "card: no card IT-999"),
        (("card", "delete", "IT-0"), "card: 'IT-0' is not a card key"),
        (("card", "list", "--sprint", "Sprint 99"), "sprint: no sprint named 'Sprint 99'"),
        (("card", "list", "--status", "wip"), "'--status'"),
        (("card", "list", "--team", "NOPE"), "team: unknown team"),
        (("sprint", "add", "S", "--start", "2026-05-10", "--end", "2026-05-01"), "end:"),
        (("sprint", "add", "S", "--start", "2026-13-01", "--end", "2026-05-01"), "start:"),
        (("sprint", "add", "S", "--start", "2026-05-01"), "'--end'"),
        (("sprint", "add", "Sprint 42", "--start", "2030-01-01", "--end", "2030-01-02"), "name:"),
        (("sprint", "edit", "Sprint 43", "--end", "2000-01-01"), "end:"),
        (("sprint", "show", "Sprint 99"), "sprint: no sprint named"),
        (("sprint", "start", "Sprint 99"), "sprint: no sprint named"),
        (("sprint", "close", "--carry-over", "sideways"), "'--carry-over'"),
        (("sprint", "capacity", "Sprint 43", "NOPE", "3"), "team: unknown team"),
        # A negative number is the POINTS argument (refused by value), not an unknown option.
        (
            ("sprint", "capacity", "Sprint 43", "IT", "-2"),
            "capacity: out of range (got '-2'); a whole number from 0 to 10000",
        ),
        (("sprint", "capacity", "Sprint 43", "IT", "-12"), "capacity: out of range"),
        (
            ("sprint", "capacity", "Sprint 43", "IT", "-2x"),
            "capacity: not a whole number (got '-2x')",
        ),
        (
            ("sprint", "capacity", "Sprint 43", "IT", "many"),
            "capacity: not a whole number (got 'many')",
        ),
        (("sprint", "capacity", "Sprint 43", "IT", "3", "--bogus"), "No such option '--bogus'"),
        (("sprint", "capacity", "--bogus", "Sprint 43", "IT", "3"), "No such option '--bogus'"),
        (("sprint", "capacity", "Sprint 43", "IT", "-2", "--bogus"), "capacity: out of range"),
        (("team", "add", "a b", "X"), "code: must be 1-8 letters"),
        (("team", "add", "IT", "Again"), "code: team IT already exists"),
        (("team", "add", "SEC", "Security", "--colour", "red;}"), "colour: must be a colour"),
        (("team", "add", "SEC", "Security", "--format", "hybrid"), "'--format'"),
        (("team", "edit", "NOPE", "--name", "x"), "team: unknown team"),
        (("team", "archive", "IT"), "--move-cards-to"),
        (("member", "add", "IT", ""), "name: must not be empty"),
        (("member", "onboard", "999", "tools"), "member: no member with id 999"),
        (("member", "onboard", "-1", "tools"), "member: no member with id -1"),
        (("member", "onboard", "-1", "tools", "--undo"), "member: no member with id -1"),
        (("member", "onboard", "1", "tools", "--jsno"), "No such option '--jsno'"),
        (("goal", "add", ""), "title: must not be empty"),
        (("goal", "show", "99"), "goal: no goal with id 99"),
        (("goal", "signoff", "1"), "'--by'"),
        (("goal", "edit", "1", "--status", "fine"), "'--status'"),
        (("dep", "add", "IT-4", "IT-999"), "card: no card IT-999"),
        (("feedback", "add", ""), "text: must not be empty"),
        (("feedback", "add", "x", "--category", "weather"), "'--category'"),
        (("feedback", "add", "x", "--reports", "0"), "reports:"),
        (("feedback", "add", "x", "--received", "yesterday"), "received_at:"),
        (("feedback", "show", "999"), "feedback: no feedback with id 999"),
        (("feedback", "list", "--state", "open"), "'--state'"),
        (("history", "IT-999"), "card: no card IT-999"),
        (("demo",), "already holds data"),
        (("demo", "--force", "--cards", "0"), "--cards: out of range (got '0')"),
        (("nosuchgroup",), "No such command 'nosuchgroup'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(demo: Any, args: tuple[str, ...], names: str) -> None:
    message = refused(demo, *args)
    assert names in message


def test_negative_number_arguments_keep_help_and_options_working(demo: Any) -> None:
    before = js(demo, "sprint", "show", "Sprint 43")
    refused(demo, "sprint", "capacity", "Sprint 43", "IT", "-2")
    assert js(demo, "sprint", "show", "Sprint 43") == before
    assert "IT capacity in Sprint 43: 0" in ok(demo, "sprint", "capacity", "Sprint 43", "IT", "0")
    for args in (("--help",), ("Sprint 43", "IT", "-2", "--help"), ("-h",)):
        shown = ok(demo, "sprint", "capacity", *args)
        assert "Usage: sprintboard sprint capacity [OPTIONS] NAME TEAM POINTS" in shown
    member = js(demo, "member", "list")[0]
    step = next(iter(member["onboarding"]))
    undone = js(demo, "member", "onboard", str(member["id"]), step, "--undo")
    assert undone["onboarding"][step] is False


def test_bad_input_changes_nothing(demo: Any) -> None:
    before = js(demo, "card", "list")
    refused(demo, "card", "edit", "IT-4", "--points", "-1", "--title", "Changed")
    refused(demo, "card", "add", "X", "--team", "IT", "--points", "-3")
    assert js(demo, "card", "list") == before


@pytest.mark.parametrize(
    ("make", "names"),
    [
        (lambda tmp: tmp / "missing" / "plan.db", "does not exist"),
        (lambda tmp: tmp, "is a directory"),
        (lambda tmp: _junk(tmp / "junk.db"), "not a usable SQLite database"),
    ],
    ids=["missing-parent", "directory", "not-sqlite"],
)
def test_database_problems_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: Any, names: str
) -> None:
    from sprintboard.cli import main

    db = make(tmp_path)
    before = db.read_bytes() if db.is_file() else None
    with pytest.raises(SystemExit) as caught:
        main(["--db", str(db), "card", "list"])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and names in err
    if before is not None:
        assert db.read_bytes() == before


def _junk(path: Path) -> Path:
    path.write_bytes(b"\x00\x01 not sqlite" * 100)
    return path


# -- hostile text ----------------------------------------------------------------------------


HOSTILE = [
    "[bold]x",
    "[/",
    "[link=file:///etc/passwd]a[/link]",
    "[red]not red[/red] and \\[escaped]",
    "🛒 cart 👍🏽 family 👨‍👩‍👧",
    "שלום עולם \u200fmixed RTL",
    "مرحبا بالعالم",
    "%s %d {0} {title} $(rm -rf /) `id`",
    "Ünïcödé ñ 中文 ｆｕｌｌ",
    "x" * 500,
]


@pytest.mark.parametrize("title", HOSTILE, ids=[f"t{i}" for i in range(len(HOSTILE))])
def test_hostile_titles_are_stored_and_printed_literally(cli: Any, title: str) -> None:
    key = ok(cli, "card", "add", title, "--team", "IT", "--label", title[:40]).strip()
    shown = js(cli, "card", "show", key)
    assert shown["title"] == title
    assert shown["labels"] == [title[:40]]
    assert [c["title"] for c in js(cli, "card", "list", "--text", title[:20])] == [title]
    # Human output shows bidirectional controls (the RLM above) as escapes: `\u200f`.
    assert show_control(title[:30]) in ok(cli, "card", "show", key)


def test_control_characters_are_stripped_on_the_way_in(cli: Any) -> None:
    key = ok(
        cli,
        "card",
        "add",
        "\x1b[2JClear\x1b[31m screen\x07\nnext",
        "--team",
        "IT",
        "--description",
        "one\x1b]0;title\x07\ntwo\r\nthree",
    ).strip()
    shown = js(cli, "card", "show", key)
    assert shown["title"] == "[2JClear[31m screen next"
    assert shown["description"] == "one]0;title\ntwo\nthree"
    out = ok(cli, "card", "show", key)
    assert "\x1b" not in out and "\x07" not in out


# -- the entry points ------------------------------------------------------------------------


def test_python_dash_m_version(tmp_path: Path) -> None:
    env = {**os.environ, "SPRINTBOARD_DB": str(tmp_path / "plan.db")}
    result = subprocess.run(
        [sys.executable, "-m", "sprintboard", "--version"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"sprintboard, version {__version__}"
    assert not (tmp_path / "plan.db").exists()


def test_help_lists_every_group(cli: Any) -> None:
    out = ok(cli, "--help")
    for group in ("team", "member", "goal", "sprint", "card", "dep", "feedback", "stock"):
        assert f"  {group} " in out
    for command in ("demo", "undo", "history"):
        assert f"  {command} " in out
