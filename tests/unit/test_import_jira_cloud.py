"""Importing Jira Cloud CSV exports as they come: epics as goals, sub-tasks as checklist
items or blocking cards, bad values dropped with a note, French exports, re-imports."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import Cli
from sprintboard.io.jira import parse_jira
from sprintboard.store import Store

FIXTURES = Path(__file__).parent.parent / "fixtures"
CLOUD = FIXTURES / "jira_cloud.csv"
FRENCH = FIXTURES / "jira_cloud_fr.csv"
JORIS = "557058:0b2f1c9e-7a44-4c3e-9d51-8f0c2a6b1e01"


def _state(db_path: Path) -> dict[str, Any]:
    """Cards by Jira key, with their goal's title, checklist, comments and blockers."""
    with Store(db_path) as store:
        ids = {
            int(r["id"]): str(r["external_id"]).removeprefix("jira:")
            for r in store.rows("SELECT id, external_id FROM cards WHERE external_id IS NOT NULL")
        }
        goals = {int(r["id"]): str(r["title"]) for r in store.rows("SELECT id, title FROM goals")}
        goal_of = {
            int(r["id"]): goals.get(r["goal_id"])
            for r in store.rows("SELECT id, goal_id FROM cards")
        }
        checklist = store.rows(
            "SELECT card_id, text, done, external_id FROM checklist_items "
            "WHERE external_id IS NOT NULL ORDER BY position, id"
        )
        comments = store.rows("SELECT card_id, author, created_at, body FROM comments ORDER BY id")
        cards: dict[str, dict[str, Any]] = {}
        by_key = {}
        for card in store.cards.query():
            by_key[card["key"]] = card
        rows = store.rows("SELECT id, key FROM cards")
        for row in rows:
            if int(row["id"]) in ids:
                card = dict(by_key[row["key"]])
                card["goal"] = goal_of[int(row["id"])]
                card["checklist"] = [
                    (c["text"], bool(c["done"]), c["external_id"])
                    for c in checklist
                    if c["card_id"] == row["id"]
                ]
                card["comments"] = [
                    (c["author"], c["created_at"], c["body"])
                    for c in comments
                    if c["card_id"] == row["id"]
                ]
                cards[ids[int(row["id"])]] = card
        counts = {
            table: store.scalar(f"SELECT COUNT(*) FROM {table}")
            for table in ("cards", "goals", "checklist_items", "comments", "dependencies")
        }
    return {"cards": cards, "counts": counts, "goals": sorted(goals.values())}


def _import(cli: Cli, path: Path, *more: str) -> str:
    result = cli("import", str(path), "--from", "jira", "--team", "ECOM", *more)
    assert result.code == 0, result.err
    return result.out


def test_cloud_export_field_by_field(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    report = tmp_path / "x.json"
    out = _import(cli, CLOUD, "--report", str(report))
    state = _state(db_path)
    cards = state["cards"]
    # The epic is a goal, not a card; the two sub-tasks: one a checklist item, one a card.
    assert set(cards) == {f"SHOP-{n}" for n in (2, 4, 5, 6, 7, 9, 10, 11, 12)}
    assert state["goals"] == ["Checkout relaunch"]

    pay = cards["SHOP-2"]
    assert pay["title"] == "Card payments via the new provider"
    assert (pay["status"], pay["priority"], pay["points"]) == ("doing", "high", 8)
    assert (pay["sprint"], pay["assignee"], pay["team"]) == (
        "SHOP Sprint 8",
        "Joris de Vries",
        "ECOM",
    )
    assert pay["labels"] == ["payments", "story"]
    assert pay["goal"] == "Checkout relaunch"  # Parent names the epic by its issue id
    assert pay["description"] == "Move card payments to the new provider."
    assert pay["checklist"] == [("Webhook handler", True, "jira:checkitem:SHOP-3")]
    assert pay["comments"] == [
        ("Mei Lin", "2026-03-03T10:15:00Z", "Contract signed; go ahead."),
        ("Joris de Vries", "2026-03-04T14:40:00Z", "Sandbox keys are in the vault."),
    ]
    assert pay["blockers"] == [cards["SHOP-4"]["key"]]

    refund = cards["SHOP-4"]  # a sub-task with its own points and assignee: a card
    assert (refund["points"], refund["assignee"], refund["status"]) == (3, "Ana Souza", "doing")
    assert refund["labels"] == ["sub-task"]
    assert refund["goal"] == "Checkout relaunch"  # its parent's goal

    bug = cards["SHOP-5"]  # names its epic by key; its points 'three' dropped
    assert (bug["goal"], bug["points"], bug["priority"]) == ("Checkout relaunch", None, "urgent")
    assert bug["labels"] == ["checkout", "mobile", "bug"]
    assert (cards["SHOP-6"]["due"], cards["SHOP-6"]["points"]) == (None, 2)  # 31/Feb dropped
    assert cards["SHOP-6"]["status"] == "done"
    guest = cards["SHOP-7"]
    assert (guest["status"], guest["sprint"]) == ("backlog", "SHOP Sprint 9")
    assert guest["checklist"] == [("Legal review call", False, "jira:checkitem:SHOP-8")]
    mail = cards["SHOP-9"]
    assert (mail["due"], mail["goal"], mail["sprint"]) == ("2026-03-20", None, None)
    assert (cards["SHOP-10"]["goal"], cards["SHOP-10"]["status"]) == (None, "backlog")
    vat = cards["SHOP-11"]
    assert (vat["priority"], vat["status"], vat["labels"]) == ("medium", "review", ["bug"])
    saved = cards["SHOP-12"]
    assert saved["comments"] == [("Ana Souza", "2026-03-05T16:10:00Z", "Needs the vault first.")]
    assert (saved["status"], saved["goal"]) == ("todo", "Checkout relaunch")
    assert state["counts"]["dependencies"] == 1

    assert "goals: 1 to create, 0 already here ('Checkout relaunch')" in out
    assert "checklist items: 2 to add" in out
    assert "dependencies: 1 to add (SHOP-4>SHOP-2)" in out
    assert (
        "note: columns not imported: Project name, Resolution, Created, Updated, Watchers, "
        "Original estimate, Σ Time Spent, Custom field (Rank), Status Category (10 columns)"
    ) in out
    assert (
        "dropped 1 Custom field (Story point estimate) value(s), the card imported without "
        "it: not a number; 0 to 1000 in digits 0-9 (first: SHOP-5 at line 6)" in out
    )
    assert "dropped 1 Due date value(s), the card imported without it: not a date" in out
    assert "dropped 1 Priority value(s), the card imported without it: not a priority here" in out
    assert "dropped 1 Parent value(s), the card imported without it: the parent is not in" in out
    assert "'Waiting for legal=STATUS'" in out

    rows = json.loads(report.read_text(encoding="utf-8"))["items"]
    dropped = {
        (r["source_id"], r["field"], r["value"]) for r in rows if r["outcome"] == "dropped value"
    }
    assert dropped == {
        ("jira:SHOP-5", "Custom field (Story point estimate)", "three"),
        ("jira:SHOP-6", "Due date", "31/Feb/26"),
        ("jira:SHOP-11", "Priority", "Cosmetic"),
        ("jira:SHOP-10", "Parent", "99999 (Platform cleanup)"),
    }
    refund_row = next(r for r in rows if r["source_id"] == "jira:SHOP-4")
    assert refund_row["reason"].startswith("a sub-task with its own assignee, points: a card")
    assert "blocks SHOP-2" in refund_row["reason"]


def test_dry_run_counts_the_same_and_a_re_import_changes_nothing(cli: Cli, db_path: Path) -> None:
    dry = _import(cli, CLOUD, "--dry-run")
    real = _import(cli, CLOUD)
    assert dry.splitlines()[:-1] == real.splitlines()[:-1]
    before = _state(db_path)
    again = _import(cli, CLOUD)
    assert "cards: 0 to create, 0 to update, 9 unchanged" in again
    assert "goals: 0 to create, 1 already here" in again
    assert "checklist items: 0 to add, 0 to update, 2 unchanged" in again
    assert "dependencies: 0 to add, 1 already there" in again
    assert _state(db_path) == before


def test_checklist_ticks_follow_map_status(cli: Cli, db_path: Path) -> None:
    out = _import(cli, CLOUD, "--map-status", "Waiting for legal=done")
    guest = _state(db_path)["cards"]["SHOP-7"]
    assert guest["status"] == "done"
    assert guest["checklist"] == [("Legal review call", True, "jira:checkitem:SHOP-8")]
    assert "checklist item(s) left unticked" not in out


def test_mappings_are_remembered_per_project(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    assert parse_jira(CLOUD).origin == "SHOP"
    _import(cli, CLOUD, "--map-status", "Waiting for legal=review")
    renamed = tmp_path / "another name.csv"
    renamed.write_bytes(CLOUD.read_bytes())
    out = _import(cli, renamed)
    assert "mappings remembered for this source: status 'Waiting for legal' -> review" in out
    assert _state(db_path)["cards"]["SHOP-7"]["status"] == "review"


def test_a_sub_task_that_gains_points_replaces_its_checklist_item(
    cli: Cli, db_path: Path, tmp_path: Path
) -> None:
    _import(cli, CLOUD)
    assert _state(db_path)["cards"]["SHOP-2"]["checklist"][0][2] == "jira:checkitem:SHOP-3"
    text = CLOUD.read_text(encoding="utf-8").replace(
        "SHOP Sprint 8,,,,,10002,Card payments", "SHOP Sprint 8,,2,,,10002,Card payments", 1
    )
    later = tmp_path / "later.csv"
    later.write_text(text, encoding="utf-8")
    out = _import(cli, later)
    state = _state(db_path)
    assert state["cards"]["SHOP-2"]["checklist"] == []
    hook = state["cards"]["SHOP-3"]
    assert (hook["title"], hook["points"], hook["status"]) == ("Webhook handler", 2, "done")
    assert set(state["cards"]["SHOP-2"]["blockers"]) == {
        state["cards"]["SHOP-3"]["key"],
        state["cards"]["SHOP-4"]["key"],
    }
    assert "checklist items: 1 to remove, each replaced by a card of its own" in out
    # The export going back to the checklist item does not add it beside the card.
    out = _import(cli, CLOUD)
    assert "skipped line 4: checklist item SHOP-3: a card of its own (skipped)" in out
    assert _state(db_path)["cards"]["SHOP-2"]["checklist"] == []


def test_french_export(cli: Cli, db_path: Path) -> None:
    out = _import(cli, FRENCH)
    state = _state(db_path)
    cards = state["cards"]
    assert set(cards) == {"BOUT-2", "BOUT-4", "BOUT-5", "BOUT-6"}
    assert state["goals"] == ["Refonte du tunnel"]
    pay = cards["BOUT-2"]
    assert (pay["status"], pay["priority"], pay["points"]) == ("doing", "high", 5)
    assert (pay["due"], pay["sprint"], pay["goal"]) == (
        "2026-02-12",
        "BOUT Sprint 3",
        "Refonte du tunnel",
    )
    assert pay["labels"] == ["paiement", "story"]
    assert pay["checklist"] == [("Tests de bout en bout", True, "jira:checkitem:BOUT-3")]
    assert pay["comments"] == [
        ("Mei Lin", "2026-02-12T10:15:00Z", "Contrat signé ; on y va."),
        ("Joris de Vries", "2026-03-03T09:00:00Z", "Clés de test reçues."),
    ]
    legal = cards["BOUT-4"]
    assert (legal["status"], legal["priority"], legal["due"]) == ("todo", "low", "2026-03-27")
    assert legal["labels"] == ["task"]  # 'Tâche'
    double = cards["BOUT-5"]
    assert (double["status"], double["priority"], double["points"]) == ("done", "medium", None)
    gift = cards["BOUT-6"]
    assert (gift["status"], gift["priority"], gift["due"]) == ("review", "urgent", None)
    assert "dropped 1 Champ personnalisé (Story point estimate) value(s)" in out
    assert "dropped 1 Échéance value(s), the card imported without it: not a date" in out
    assert "columns not imported: Nom du projet, Résolution, Créé, Mis à jour" in out
    assert parse_jira(FRENCH).origin == "BOUT"


def test_a_comment_author_named_by_the_assignee_id(cli: Cli, db_path: Path) -> None:
    items = {i.external_id: i for i in parse_jira(CLOUD).items}
    assert [c.author for c in items["jira:SHOP-2"].comments] == ["Mei Lin", "Joris de Vries"]
    assert JORIS not in {c.author for i in items.values() for c in i.comments}
