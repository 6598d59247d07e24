"""Importing GitHub issues as `gh issue list --json ...` prints them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from conftest import Cli
from sprintboard.store import Store
from sprintboard.store.bulk import cards_by_external_id

FIXTURES = Path(__file__).parent.parent / "fixtures"
ISSUES = FIXTURES / "github_issues.json"


def _cards(db_path: Path) -> dict[str, dict[str, Any]]:
    with Store(db_path) as store:
        imported = cards_by_external_id(store, "github:")
        cards = {c["key"]: c for c in store.cards.query()}
    return {ext.split("#")[1]: cards[row["key"]] for ext, row in imported.items()}


def test_issues_milestones_labels_assignees(cli: Cli, db_path: Path) -> None:
    result = cli("import", str(ISSUES), "--from", "github", "--repo", "acme/shop", "--team", "CS")
    assert result.code == 0, result.err
    cards = _cards(db_path)
    assert set(cards) == {"12", "15", "18", "21"}

    cart = cards["12"]
    assert (cart["team"], cart["status"], cart["sprint"]) == ("IT", "todo", "Sprint 42")
    assert cart["labels"] == ["bug"]
    assert cart["assignee"] == "jorisdv"
    assert cart["description"].startswith("Steps:\n1. Add two items")

    guide = cards["15"]
    assert guide["title"] == "[bold]Size guide[/] for shoes – Größentabelle 👟"
    assert (guide["team"], guide["sprint"], guide["description"]) == ("CNT", None, "")

    tracking = cards["18"]
    assert tracking["status"] == "done" and tracking["done_at"] is not None
    assert tracking["teams"] == ["CS", "IT"]  # 'customer service' names the team CS
    assert tracking["assignee"] == "anasouza, jorisdv"
    assert tracking["sprint"] == "Sprint 44 – shipping"

    markup = cards["21"]
    assert markup["title"] == "Unclosed markup [/ and a pipe | in a title"
    assert (markup["team"], markup["sprint"]) == ("CS", None)  # no label, no milestone

    with Store(db_path) as store:
        sprint = store.sprints.get("Sprint 42")
        shipping = store.sprints.get("Sprint 44 – shipping")
    # A new sprint ends on the milestone's due date and lasts two weeks.
    assert (sprint["start"], sprint["end"], sprint["state"]) == (
        "2026-03-04",
        "2026-03-17",
        "planned",
    )
    assert (shipping["start"], shipping["end"]) == ("2026-04-01", "2026-04-14")
    assert "2 issue(s) have no milestone" in result.out


def test_repository_from_the_issue_url(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    issues = [
        {
            "number": 7,
            "title": "Wishlist button",
            "state": "OPEN",
            "labels": [{"name": "ECOM"}],
            "milestone": None,
            "assignees": [],
            "url": "https://github.com/acme/storefront/issues/7",
        }
    ]
    path = tmp_path / "issues.json"
    path.write_text(json.dumps(issues), encoding="utf-8")
    assert cli("import", str(path), "--from", "github").code == 0
    with Store(db_path) as store:
        assert set(cards_by_external_id(store, "github:")) == {"github:acme/storefront#7"}


def test_without_url_the_repository_is_required(cli: Cli, db_path: Path) -> None:
    result = cli("import", str(ISSUES), "--from", "github", "--team", "CS")
    assert result.code == 2
    assert "--repo OWNER/NAME" in result.err and result.err.count("\n") == 1


def test_malformed_issue_lists(cli: Cli, tmp_path: Path) -> None:
    truncated = cli("import", str(FIXTURES / "github_truncated.json"), "--from", "github")
    assert truncated.code == 2 and "ends too soon" in truncated.err
    cases = [
        ({"issues": []}, "$: expected a list of issues"),
        ([{"number": "12", "title": "x"}], "$[0].number: expected the issue number, got text"),
        # MERGED is a pull request's state (skipped unless --include-pulls); this is neither.
        ([{"number": 1, "title": "x", "state": "RESOLVED"}], "$[0].state: expected OPEN or CLOSED"),
        ([{"number": 1, "title": "x", "labels": [3]}], "$[0].labels[0]: expected a label object"),
    ]
    for document, message in cases:
        path = tmp_path / "issues.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        result = cli("import", str(path), "--from", "github", "--repo", "a/b", "--team", "IT")
        assert result.code == 2, document
        assert message in result.err and result.err.count("\n") == 1


def _issue(number: int, *labels: str) -> dict[str, Any]:
    return {
        "number": number,
        "title": f"Issue {number}",
        "state": "OPEN",
        "labels": [{"name": name} for name in ("IT", *labels)],
        "milestone": None,
        "assignees": [],
        "url": f"https://github.com/acme/shop/issues/{number}",
    }


def test_priority_labels(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    issues = [
        _issue(1, "priority: high", "bug"),
        _issue(2, "P0"),
        _issue(3, "Priority/Critical"),
        _issue(4, "low priority"),
        _issue(5, "🔥 Prio-Urgent"),
        _issue(6, "priority: P3"),
        _issue(7, "p1", "priority: low"),  # the first priority label counts
        _issue(8, "priority: whenever", "frontend"),  # unknown: a warning, not a crash
        _issue(9, "bug"),
    ]
    path = tmp_path / "issues.json"
    path.write_text(json.dumps(issues), encoding="utf-8")
    dry = cli("import", str(path), "--from", "github", "--dry-run")
    assert dry.code == 0, dry.err
    assert "'priority: high' -> high (1)" in dry.out
    assert "'P0' -> urgent (1)" in dry.out
    assert "'priority: whenever' unknown, left as it was (1)" in dry.out
    assert "1 issue(s) have more than one priority label; the first counts" in dry.out

    result = cli("import", str(path), "--from", "github")
    assert result.code == 0, result.err
    cards = _cards(db_path)
    assert {n: c["priority"] for n, c in cards.items()} == {
        "1": "high",
        "2": "urgent",
        "3": "urgent",
        "4": "low",
        "5": "urgent",
        "6": "low",
        "7": "high",
        "8": "medium",  # the default: the unknown value is left out
        "9": "medium",
    }
    # A label that gave the priority is not kept; an unknown one stays a label.
    assert cards["1"]["labels"] == ["bug"]
    assert cards["2"]["labels"] == []
    assert cards["7"]["labels"] == ["priority: low"]
    assert cards["8"]["labels"] == ["priority: whenever", "frontend"]


def test_a_changed_priority_label_updates_the_card(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "issues.json"
    path.write_text(json.dumps([_issue(1, "priority: low")]), encoding="utf-8")
    assert cli("import", str(path), "--from", "github").code == 0
    assert _cards(db_path)["1"]["priority"] == "low"
    path.write_text(json.dumps([_issue(1, "priority: critical")]), encoding="utf-8")
    again = cli("import", str(path), "--from", "github")
    assert again.code == 0, again.err
    assert "0 to create, 1 to update" in again.out
    assert _cards(db_path)["1"]["priority"] == "urgent"
    # An issue without a priority label leaves the priority planned here alone.
    path.write_text(json.dumps([_issue(1)]), encoding="utf-8")
    assert cli("import", str(path), "--from", "github").code == 0
    assert _cards(db_path)["1"]["priority"] == "urgent"
