"""Every verb of the command line run once against the demo, its effect checked in the store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cli_fixtures import (
    TIMESTAMP,
    js,
    ok,
    refused,
)

pytest_plugins = ["cli_fixtures"]  # its fixtures: demo

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
    assert ok(demo, "undo") == "undone: move of IT-5\n"
    assert js(demo, "card", "show", "IT-5")["status"] == "todo"
    assert ok(demo, "undo") == "undone: edit of IT-5\n"
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
