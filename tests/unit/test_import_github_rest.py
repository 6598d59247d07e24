"""Importing GitHub issues as the REST API lists them, across repositories: every issue is
a card of its own repository, pull requests are named when skipped, nothing is merged."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from conftest import Cli
from sprintboard.io.github import parse_github
from sprintboard.store import Store

FIXTURES = Path(__file__).parent.parent / "fixtures"
REST = FIXTURES / "github_rest_three_repos.json"
PULL_SKIPPED = "a pull request, not an issue (--include-pulls imports pull requests)"


def _cards(db_path: Path) -> dict[str, dict[str, Any]]:
    """Every card of the database by its source id (a card without one by its key)."""
    with Store(db_path) as store:
        ids = {
            str(r["key"]): r["external_id"]
            for r in store.rows("SELECT key, external_id FROM cards")
        }
        return {ids[c["key"]] or c["key"]: c for c in store.cards.query()}


def _checklist(db_path: Path, key: str) -> list[tuple[str, bool]]:
    with Store(db_path) as store:
        return [(i["text"], bool(i["done"])) for i in store.checklists.for_card(key)]


def _fields(card: dict[str, Any]) -> tuple[Any, ...]:
    """What a card got from its issue; `teams` lists every team of the card, owner first."""
    return (
        card["status"],
        card["assignee"],
        card["labels"],
        card["sprint"],
        card["team"],
        card["teams"],
    )


def _written(tmp_path: Path, issues: list[dict[str, Any]], name: str = "issues.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(issues, ensure_ascii=False), encoding="utf-8")
    return path


def _rest(tmp_path: Path, change: dict[str, dict[str, Any]], name: str = "issues.json") -> Path:
    """The fixture with some issues changed, by their html_url's end ('Shop/issues/12')."""
    issues = json.loads(REST.read_text(encoding="utf-8"))
    for issue in issues:
        for end, values in change.items():
            if issue["html_url"].endswith(end):
                issue.update(values)
    return _written(tmp_path, issues, name)


# -- the three repositories, card by card ---------------------------------------------------


def test_three_repositories_card_by_card(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.csv"
    # No --repo: each issue says its repository; no --team: each names one by a label.
    result = cli("import", str(REST), "--from", "github", "--report", str(report))
    assert result.code == 0, result.err
    cards = _cards(db_path)
    assert set(cards) == {
        "github:acme/shop#12",
        "github:acme/shop#15",
        "github:acme/shop#21",
        "github:acme/web#12",  # the same number in another repository: another card
        "github:acme/web#13",
        "github:acme/warehouse-tools#3",
        "github:acme/warehouse-tools#5",
    }
    assert _fields(cards["github:acme/shop#12"]) == (
        "todo",
        "jorisdv",  # in both assignee and assignees: once
        ["bug"],
        "Sprint 42",
        "IT",
        ["IT"],
    )
    assert _fields(cards["github:acme/shop#15"]) == (
        "done",
        "anasouza",  # only the older single assignee
        [],
        "Sprint 41",
        "CNT",
        ["CNT"],
    )
    # Closed as not planned: no work left, and labelled so it is not counted as done work.
    assert _fields(cards["github:acme/shop#21"]) == (
        "done",
        "",
        ["enhancement", "not planned"],
        None,
        "ECOM",
        ["ECOM"],
    )
    assert _fields(cards["github:acme/web#12"]) == (
        "todo",
        "sannedv",  # only the older single assignee
        [],  # the priority label gave the priority
        "Sprint 42",  # both repositories' milestone 'Sprint 42': one sprint
        "ECOM",
        ["ECOM"],
    )
    assert _fields(cards["github:acme/web#13"]) == (
        "todo",
        "sannedv, omarh",
        [],
        "Sprint 43",
        "MKT",
        ["MKT"],
    )
    assert _fields(cards["github:acme/warehouse-tools#3"]) == (
        "todo",
        "pieterb",  # only the older single assignee
        ["bug"],
        "Sprint 43",
        "WH",
        ["WH"],
    )
    assert _fields(cards["github:acme/warehouse-tools#5"]) == ("done", "", [], None, "WH", ["WH"])
    assert cards["github:acme/web#12"]["priority"] == "high"
    assert cards["github:acme/shop#21"]["description"] == ""  # "body": null
    assert cards["github:acme/shop#12"]["description"].startswith("Steps:\n1. Add two items")
    assert cards["github:acme/web#12"]["key"] != cards["github:acme/shop#12"]["key"]

    # The task lists; a task in a code block is code, not a task.
    assert _checklist(db_path, cards["github:acme/shop#12"]["key"]) == [
        ("Reproduce on staging", True),
        ("Fix the rounding", False),
        ("Add a test", False),
    ]
    assert _checklist(db_path, cards["github:acme/web#13"]["key"]) == [
        ("Copy from marketing", False),
        ("Double opt-in", False),
    ]

    lines = result.out.splitlines()
    assert lines[0] == (
        "import from GitHub issues of 3 repositories: Acme/Shop, acme/warehouse-tools, "
        "acme/web (github_rest_three_repos.json)"
    )
    assert "  cards: 7 to create, 0 to update, 0 unchanged, 2 skipped" in lines
    assert f"  skipped 2: {PULL_SKIPPED} (first: $[2])" in lines
    assert "  checklist items: 5 to add, 0 to update, 0 unchanged, 0 skipped" in lines
    assert "  note: 2 issue(s) have no milestone (no sprint)" in lines

    with report.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    skipped = [(r["outcome"], r["where"], r["source_id"], r["reason"]) for r in rows[-2:]]
    assert skipped == [
        ("skipped", "$[2]", "github:acme/shop#18", PULL_SKIPPED),
        ("skipped", "$[7]", "github:acme/warehouse-tools#4", PULL_SKIPPED),
    ]
    created = {r["source_id"]: r["key"] for r in rows if r["outcome"] == "created"}
    assert created == {ext: card["key"] for ext, card in cards.items()}

    # Importing the same file again changes nothing and adds nothing.
    again = cli("import", str(REST), "--from", "github")
    assert "  cards: 0 to create, 0 to update, 7 unchanged, 2 skipped" in again.out.splitlines()
    assert len(_cards(db_path)) == 7


def test_titles_are_kept_as_given(cli: Cli, db_path: Path) -> None:
    assert cli("import", str(REST), "--from", "github").code == 0
    titles = {ext: card["title"] for ext, card in _cards(db_path).items()}
    assert titles == {
        "github:acme/shop#12": "Cart total ignores the spring discount",
        "github:acme/shop#15": "\tSize guide for shoes",
        "github:acme/shop#21": "Gift wrap  option at checkout",
        "github:acme/web#12": "Hero banner overlaps the menu ",
        "github:acme/web#13": "Newsletter\u00a0sign-up form",
        "github:acme/warehouse-tools#3": "Barcode scanner drops leading zeros",
        "github:acme/warehouse-tools#5": "Label printer queue stalls",
    }


# -- pull requests ----------------------------------------------------------------------------


def test_pull_requests_are_imported_on_request(cli: Cli, db_path: Path) -> None:
    result = cli("import", str(REST), "--from", "github", "--include-pulls")
    assert result.code == 0, result.err
    cards = _cards(db_path)
    assert len(cards) == 9
    assert _fields(cards["github:acme/shop#18"]) == (
        "done",  # merged
        "jorisdv",
        ["pull request"],
        "Sprint 42",
        "IT",
        ["IT"],
    )
    assert _fields(cards["github:acme/warehouse-tools#4"]) == (
        "todo",
        "pieterb",
        ["pull request"],
        None,
        "WH",
        ["WH"],
    )
    assert cards["github:acme/shop#18"]["title"] == "Round the cart total after the discount"
    assert "  cards: 9 to create, 0 to update, 0 unchanged, 0 skipped" in result.out.splitlines()
    assert "pull request" not in result.out.replace("'pull request'", "")


def test_pull_requests_of_gh_and_its_search(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    pulls = [  # gh pr list --json number,title,state,url,labels
        {
            "number": 7,
            "title": "Merged fix",
            "state": "MERGED",
            "url": "https://github.com/acme/shop/pull/7",
            "labels": [{"name": "IT"}],
        },
        {
            "number": 8,
            "title": "Abandoned fix",
            "state": "CLOSED",
            "url": "https://github.com/acme/shop/pull/8",
            "labels": [{"name": "IT"}],
        },
        {  # gh search issues --include-prs --json ...,isPullRequest,repository
            "number": 9,
            "title": "Found by search",
            "state": "open",
            "isPullRequest": True,
            "repository": {"name": "shop", "nameWithOwner": "acme/shop"},
            "labels": [{"name": "IT"}],
        },
    ]
    path = _written(tmp_path, pulls)
    skipped = cli("import", str(path), "--from", "github")
    assert skipped.code == 0, skipped.err
    assert f"  skipped 3: {PULL_SKIPPED} (first: $[0])" in skipped.out.splitlines()
    assert _cards(db_path) == {}

    assert cli("import", str(path), "--from", "github", "--include-pulls").code == 0
    cards = _cards(db_path)
    assert {ext: (c["status"], c["labels"]) for ext, c in cards.items()} == {
        "github:acme/shop#7": ("done", ["pull request"]),
        "github:acme/shop#8": ("done", ["pull request", "not merged"]),
        "github:acme/shop#9": ("todo", ["pull request"]),
    }


# -- repositories: named by the issues, in any spelling ------------------------------------


def test_enterprise_addresses_name_the_repository(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    base: dict[str, Any] = {
        "title": "x",
        "state": "open",
        "labels": [{"name": "IT"}],
        "milestone": None,
    }
    issues = [
        {**base, "number": 1, "url": "https://ghe.example.com/api/v3/repos/ops/infra/issues/1"},
        {**base, "number": 2, "html_url": "https://ghe.example.com/ops/infra/issues/2"},
        {**base, "number": 3, "repository_url": "https://ghe.example.com/api/v3/repos/ops/dns"},
        {**base, "number": 4, "repository_url": "https://api.github.com/repos/Ops/Infra"},
        {**base, "number": 5, "repository": {"full_name": "ops/dns"}},  # REST /issues
    ]
    result = cli("import", str(_written(tmp_path, issues)), "--from", "github")
    assert result.code == 0, result.err
    assert set(_cards(db_path)) == {
        "github:ops/infra#1",
        "github:ops/infra#2",
        "github:ops/dns#3",
        "github:ops/infra#4",
        "github:ops/dns#5",
    }


def test_the_issue_names_its_repository_over_the_option(
    cli: Cli, db_path: Path, tmp_path: Path
) -> None:
    result = cli("import", str(REST), "--from", "github", "--repo", "acme/other")
    assert result.code == 0, result.err
    assert "github:acme/shop#12" in _cards(db_path)
    assert not any("acme/other" in ext for ext in _cards(db_path))
    assert (
        "  note: 9 issue(s) name their own repository, not --repo acme/other: each is filed "
        "under its own (first: $[0] Acme/Shop)"
    ) in result.out.splitlines()
    # The same repository spelled otherwise is no other repository: nothing to say.
    shop = _written(tmp_path, json.loads(REST.read_text(encoding="utf-8"))[:4])
    same = cli("import", str(shop), "--from", "github", "--repo", "ACME/SHOP")
    assert same.code == 0, same.err
    assert "their own repository" not in same.out


def test_a_repository_spelled_otherwise_updates_the_same_cards(
    cli: Cli, db_path: Path, tmp_path: Path
) -> None:
    assert cli("import", str(REST), "--from", "github").code == 0
    before = _cards(db_path)["github:acme/shop#12"]
    # gh issue list without url, the repository typed in another case.
    issues = [
        {
            "number": 12,
            "title": "Cart total ignores the spring discount",
            "state": "CLOSED",
            "labels": [{"name": "IT"}, {"name": "bug"}],
            "assignees": [{"login": "jorisdv"}],
            "milestone": {"title": "Sprint 42", "dueOn": "2026-03-17T07:00:00Z"},
        }
    ]
    path = _written(tmp_path, issues)
    result = cli("import", str(path), "--from", "github", "--repo", "ACME/shop")
    assert result.code == 0, result.err
    assert "  cards: 0 to create, 1 to update, 0 unchanged, 0 skipped" in result.out.splitlines()
    cards = _cards(db_path)
    assert len(cards) == 7
    after = cards["github:acme/shop#12"]
    assert (after["key"], after["status"]) == (before["key"], "done")


def test_without_any_address_the_repository_is_asked_for(cli: Cli, tmp_path: Path) -> None:
    issues = [{"number": 1, "title": "x", "state": "OPEN", "labels": [{"name": "IT"}]}]
    result = cli("import", str(_written(tmp_path, issues)), "--from", "github")
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert "$[0]: the issue does not say its repository (no url); give --repo" in result.err


def test_refs_of_two_repositories_never_meet(tmp_path: Path) -> None:
    parsed = parse_github(REST)
    refs = [ref for item in parsed.items for ref in item.refs]
    assert len(refs) == len(set(refs))  # '#12' of acme/shop is not '#12' of acme/web
    assert "#12" not in refs
    assert parsed.origin == "acme/shop,acme/warehouse-tools,acme/web"
    one = _written(tmp_path, json.loads(REST.read_text(encoding="utf-8"))[:2])
    single = parse_github(one)
    # One repository: its issues are also known as GitHub writes them there.
    assert single.items[0].refs == ["#12", "acme/shop#12"]
    assert single.origin == "acme/shop"


def test_mappings_are_remembered_for_the_repositories(
    cli: Cli, db_path: Path, tmp_path: Path
) -> None:
    first = cli("import", str(REST), "--from", "github", "--map-status", "open=doing")
    assert first.code == 0, first.err
    with Store(db_path) as store:
        keys = [r["key"] for r in store.rows("SELECT key FROM meta WHERE key LIKE 'import.%'")]
    assert "import.mapping github acme/shop,acme/warehouse-tools,acme/web" in keys
    # The same repositories in another order and spelling: the same source.
    issues = json.loads(REST.read_text(encoding="utf-8"))[::-1]
    for issue in issues:
        issue["html_url"] = issue["html_url"].replace("acme/web", "ACME/Web")
    again = cli("import", str(_written(tmp_path, issues, "later.json")), "--from", "github")
    assert again.code == 0, again.err
    assert "  mappings remembered for this source: status 'open' -> doing" in again.out
    assert _cards(db_path)["github:acme/web#12"]["status"] == "doing"


# -- people, states, task lists ----------------------------------------------------------------


def test_the_older_single_assignee(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    base: dict[str, Any] = {"title": "x", "state": "open", "labels": [{"name": "IT"}]}
    issues = [
        {**base, "number": 1, "assignee": "kees", "assignees": []},  # a login as text
        {**base, "number": 2, "assignee": {"login": "ana"}, "assignees": [{"login": "Ana"}]},
        {**base, "number": 3, "assignee": None, "assignees": None},
        {**base, "number": 4, "assignee": {"login": "omar"}, "assignees": [{"login": "kees"}]},
    ]
    result = cli("import", str(_written(tmp_path, issues)), "--from", "github", "--repo", "a/b")
    assert result.code == 0, result.err
    assert {ext: c["assignee"] for ext, c in _cards(db_path).items()} == {
        "github:a/b#1": "kees",
        "github:a/b#2": "Ana",  # logins are case-insensitive: one person
        "github:a/b#3": "",
        "github:a/b#4": "kees, omar",
    }


def test_closed_on_github_later_is_done_on_reimport(
    cli: Cli, db_path: Path, tmp_path: Path
) -> None:
    assert cli("import", str(REST), "--from", "github").code == 0
    cards = _cards(db_path)
    assert cards["github:acme/web#12"]["status"] == "todo"
    assert cards["github:acme/web#12"]["done_at"] is None
    later = _rest(
        tmp_path,
        {
            "web/issues/12": {
                "state": "closed",
                "state_reason": "completed",
                "closed_at": "2026-03-12T09:00:00Z",
            },
            # Reopened after being closed as not planned: no longer labelled so.
            "Shop/issues/21": {"state": "open", "state_reason": "reopened", "closed_at": None},
        },
    )
    result = cli("import", str(later), "--from", "github")
    assert result.code == 0, result.err
    assert "  cards: 0 to create, 2 to update, 5 unchanged, 2 skipped" in result.out.splitlines()
    cards = _cards(db_path)
    assert cards["github:acme/web#12"]["status"] == "done"
    assert cards["github:acme/web#12"]["done_at"] is not None
    assert _fields(cards["github:acme/shop#21"]) == (
        "todo",
        "",
        ["enhancement"],
        None,
        "ECOM",
        ["ECOM"],
    )


def test_task_lists_follow_github_on_reimport(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    assert cli("import", str(REST), "--from", "github").code == 0
    key = _cards(db_path)["github:acme/shop#12"]["key"]
    body = (
        "Steps:\n- [ ] Update the changelog\n- [x] Reproduce on staging\n"
        "- [X] Fix the rounding\n* [ ] Add a test\n"
    )
    later = _rest(tmp_path, {"Shop/issues/12": {"body": body}})
    result = cli("import", str(later), "--from", "github")
    assert result.code == 0, result.err
    assert (
        "  checklist items: 1 to add, 1 to update, 4 unchanged, 0 skipped"
        in result.out.splitlines()
    )
    assert _checklist(db_path, key) == [
        ("Reproduce on staging", True),
        ("Fix the rounding", True),  # ticked on GitHub
        ("Add a test", False),
        ("Update the changelog", False),  # new: at the end
    ]


def test_cards_imported_under_another_spelling_are_updated_not_duplicated(
    cli: Cli, db_path: Path, tmp_path: Path
) -> None:
    issues = [
        {
            "number": 12,
            "title": "Wrong VAT on gift cards",
            "state": "OPEN",
            "labels": [{"name": "IT"}],
            "url": "https://github.com/Acme/Shop/issues/12",
        }
    ]
    path = tmp_path / "issues.json"
    path.write_text(json.dumps(issues), encoding="utf-8")
    assert cli("import", str(path), "--from", "github").code == 0
    with Store(db_path) as store, store.conn:  # as an earlier sprintboard stored the id
        store.conn.execute("UPDATE cards SET external_id = 'github:Acme/Shop#12'")
    issues[0]["state"] = "CLOSED"
    path.write_text(json.dumps(issues), encoding="utf-8")
    result = cli("import", str(path), "--from", "github")
    assert "0 to create, 1 to update" in result.out, result.out
    with Store(db_path) as store:
        assert store.scalar("SELECT COUNT(*) FROM cards") == 1
        assert store.scalar("SELECT status FROM cards") == "done"


def test_an_unreadable_milestone_date_is_dropped_and_the_issue_kept(
    cli: Cli, tmp_path: Path, db_path: Path
) -> None:
    issue = {
        "number": 7,
        "title": "Returns form",
        "state": "open",
        "html_url": "https://github.com/acme/shop/issues/7",
        "milestone": {"title": "Sprint 43", "due_on": "next Friday"},
    }
    path = tmp_path / "issues.json"
    path.write_text(json.dumps([issue]), encoding="utf-8")
    result = cli("import", str(path), "--from", "github", "--team", "IT")
    assert result.code == 0, result.err
    assert "dropped 1 milestone due date value(s)" in result.out
    with Store(db_path) as store:
        (card,) = store.rows(
            "SELECT c.title, s.name FROM cards c JOIN sprints s ON s.id = c.sprint_id"
        )
    assert (card["title"], card["name"]) == ("Returns form", "Sprint 43")
