"""Importing GitHub issues as `gh issue list --json ...` prints them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sprintboard.store import Store
from sprintboard.store.bulk import cards_by_external_id

FIXTURES = Path(__file__).parent.parent / "fixtures"
ISSUES = FIXTURES / "github_issues.json"


def _cards(db_path: Path) -> dict[str, dict[str, Any]]:
    with Store(db_path) as store:
        imported = cards_by_external_id(store, "github:")
        cards = {c["key"]: c for c in store.cards.query()}
    return {ext.split("#")[1]: cards[row["key"]] for ext, row in imported.items()}


def test_issues_milestones_labels_assignees(cli, db_path: Path) -> None:  # type: ignore[no-untyped-def]
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


def test_repository_from_the_issue_url(cli, db_path: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
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


def test_without_url_the_repository_is_required(cli, db_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("import", str(ISSUES), "--from", "github", "--team", "CS")
    assert result.code == 2
    assert "--repo OWNER/NAME" in result.err and result.err.count("\n") == 1


def test_malformed_issue_lists(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    truncated = cli("import", str(FIXTURES / "github_truncated.json"), "--from", "github")
    assert truncated.code == 2 and "ends too soon" in truncated.err
    cases = [
        ({"issues": []}, "$: expected a list of issues"),
        ([{"number": "12", "title": "x"}], "$[0].number: expected the issue number, got text"),
        ([{"number": 1, "title": "x", "state": "MERGED"}], "$[0].state: expected OPEN or CLOSED"),
        ([{"number": 1, "title": "x", "labels": [3]}], "$[0].labels[0]: expected a label object"),
    ]
    for document, message in cases:
        path = tmp_path / "issues.json"
        path.write_text(json.dumps(document), encoding="utf-8")
        result = cli("import", str(path), "--from", "github", "--repo", "a/b", "--team", "IT")
        assert result.code == 2, document
        assert message in result.err and result.err.count("\n") == 1
