"""Imports keep the conversation: comments with their author and time, checklists item by
item; a re-import updates them instead of adding them again; the summary counts them."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from conftest import Cli
from sprintboard.io.github import parse_github
from sprintboard.io.import_apply import apply_plan
from sprintboard.io.import_plan import ImportOptions, Plan
from sprintboard.io.import_summary import summary_lines
from sprintboard.io.importing import plan_import
from sprintboard.io.items import Parsed
from sprintboard.io.jira import comment_time, parse_jira
from sprintboard.io.trello import parse_trello
from sprintboard.store import Store

FIXTURES = Path(__file__).parent.parent / "fixtures"
TRELLO = FIXTURES / "trello_conversation.json"
JIRA = FIXTURES / "jira_comments.csv"
GH = FIXTURES / "github_issues_comments.json"
GH_REST = FIXTURES / "github_rest_issues.json"
IMPORT_TIME = "2026-03-11T10:30:00Z"  # the tests' frozen clock (conftest.NOW)


def imported(store: Store, parsed: Parsed, team: str | None = None) -> tuple[Plan, list[str]]:
    with store.transaction(f"import.{parsed.source}") as tx:
        plan = plan_import(store, parsed, ImportOptions(team=team))
        apply_plan(store, tx, plan)
    return plan, summary_lines(plan)


def thread(store: Store, external_id: str) -> list[tuple[str, str, str]]:
    """(author, time, text) of the comments on the card imported as `external_id`."""
    key = store.scalar("SELECT key FROM cards WHERE external_id = ?", [external_id])
    return [(c["author"], c["created_at"], c["body"]) for c in store.comments.for_card(key)]


def checklist(store: Store, external_id: str) -> list[tuple[str, bool]]:
    key = store.scalar("SELECT key FROM cards WHERE external_id = ?", [external_id])
    return [(i["text"], i["done"]) for i in store.checklists.for_card(key)]


def count(store: Store, table: str) -> int:
    return int(store.scalar(f"SELECT COUNT(*) FROM [{table}]"))


# -- Trello ---------------------------------------------------------------------------------


def test_trello_comments_keep_author_time_and_text(store: Store) -> None:
    _, lines = imported(store, parse_trello(TRELLO), team="MKT")
    assert thread(store, "trello:6650c2a0a9e4b3d2c1f0ec01") == [
        ("Joris de Vries", "2026-03-01T09:30:00Z", "Started on the address form."),
        ("Ana Souza", "2026-03-02T10:15:00Z", "@jorisdv can we keep iDEAL as the first option?"),
        (
            "Joris de Vries",
            "2026-03-02T16:45:03Z",
            "Merged; **staging** has it.\n\n1. try `4111 1111` | [link](https://example.com)\n"
            "# not a heading",
        ),
    ]
    # No full name: the username.
    assert thread(store, "trello:6650c2a0a9e4b3d2c1f0ec02") == [
        ("pieter_wh", "2026-03-04T15:20:11Z", "Printer arrives Thursday.")
    ]
    # The archived card's comment is skipped with its card.
    assert "  comments: 4 to add, 0 to update, 0 unchanged, 1 skipped" in lines
    assert "  checklist items: 7 to add, 0 to update, 0 unchanged, 0 skipped" in lines
    assert "  skipped 1 comments: their cards are skipped" in lines


def test_trello_checklists_become_checklist_items(store: Store) -> None:
    imported(store, parse_trello(TRELLO), team="MKT")
    # Two checklists (Build at pos 16384, Launch at 32768): items named by their
    # checklist, checklists and items in Trello's pos order, ticks kept.
    assert checklist(store, "trello:6650c2a0a9e4b3d2c1f0ec01") == [
        ("Build: Address form", True),
        ("Build: Shipping options", True),
        ("Build: Payment step | *Adyen* drop-in", False),
        ("Launch: Feature flag on for 10%", False),
        ("Launch: Customer Service briefed", False),
    ]
    # One checklist: the items as they are.
    assert checklist(store, "trello:6650c2a0a9e4b3d2c1f0ec02") == [
        ("Quote from two suppliers", True),
        ("Test 500 labels an hour", False),
    ]
    description = store.scalar(
        "SELECT description FROM cards WHERE external_id = 'trello:6650c2a0a9e4b3d2c1f0ec01'"
    )
    assert description == (
        "Address, shipping and payment on one page.\n\n- [ ] this line is part of the description"
    )


def test_trello_reimport_updates_instead_of_adding(store: Store, tmp_path: Path) -> None:
    imported(store, parse_trello(TRELLO), team="MKT")
    before = (count(store, "comments"), count(store, "checklist_items"))
    _, lines = imported(store, parse_trello(TRELLO), team="MKT")
    assert (count(store, "comments"), count(store, "checklist_items")) == before == (4, 7)
    assert "  comments: 0 to add, 0 to update, 4 unchanged, 1 skipped" in lines
    assert "  checklist items: 0 to add, 0 to update, 7 unchanged, 0 skipped" in lines

    board: dict[str, Any] = json.loads(TRELLO.read_text(encoding="utf-8"))
    board["actions"][0]["data"]["text"] = "Printer arrives Friday."  # edited on Trello
    board["checklists"][2]["checkItems"][1]["state"] = "complete"  # ticked on Trello
    board["actions"].insert(
        0,
        {
            "id": "6650c9f0a9e4b3d2c1f0ff06",
            "type": "commentCard",
            "date": "2026-03-05T08:00:00.000Z",
            "data": {"text": "Installed.", "card": {"id": "6650c2a0a9e4b3d2c1f0ec02"}},
            "memberCreator": {"fullName": "Pieter Jansen", "username": "pieter_wh"},
        },
    )
    changed = tmp_path / "board.json"
    changed.write_text(json.dumps(board), encoding="utf-8")
    _, lines = imported(store, parse_trello(changed), team="MKT")
    assert "  comments: 1 to add, 1 to update, 3 unchanged, 1 skipped" in lines
    assert "  checklist items: 0 to add, 1 to update, 6 unchanged, 0 skipped" in lines
    assert thread(store, "trello:6650c2a0a9e4b3d2c1f0ec02") == [
        ("pieter_wh", "2026-03-04T15:20:11Z", "Printer arrives Friday."),
        ("Pieter Jansen", "2026-03-05T08:00:00Z", "Installed."),
    ]
    assert checklist(store, "trello:6650c2a0a9e4b3d2c1f0ec02")[1] == (
        "Test 500 labels an hour",
        True,
    )
    edited = store.row("SELECT edited_at FROM comments WHERE body = 'Printer arrives Friday.'")
    assert edited is not None and edited["edited_at"] == IMPORT_TIME


def test_one_undo_takes_the_conversation_back(cli: Cli, db_path: Path) -> None:
    assert cli("import", str(TRELLO), "--from", "trello", "--team", "MKT").code == 0
    assert cli("undo").code == 0
    with Store(db_path) as store:
        assert count(store, "comments") == count(store, "checklist_items") == 0


# -- Jira -------------------------------------------------------------------------------------


def test_jira_comment_columns_keep_author_and_time(store: Store) -> None:
    with JIRA.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert header.count("Comment") == 3  # a real export repeats the column
    _, lines = imported(store, parse_jira(JIRA))
    # Cloud: account ids, named where the file pairs them with a name; a ';' in the text
    # stays in the text; an account the file does not name stays as its id.
    assert thread(store, "jira:SHOP-201") == [
        ("Mei Lin", "2025-12-01T09:30:00Z", "Kick-off done; contract signed; go ahead."),
        (
            "Joris de Vries",
            "2025-12-02T10:15:00Z",
            "Sandbox keys are in the vault.\nNext: *webhooks* | refunds",
        ),
        (
            "557058:ffffffff-0000-4000-8000-000000000099",
            "2025-12-02T16:40:00Z",
            "Who owns the iDEAL fallback?",
        ),
    ]
    # Server: user names; an ISO-like time and a French month name.
    assert thread(store, "jira:SHOP-202") == [
        ("asouza", "2025-12-03T11:05:00Z", "NL draft attached"),
        ("mlin", "2025-12-03T14:20:00Z", "Traduction FR : à relire"),
    ]
    # No time to read: kept whole, by an unknown author, at the import's time.
    assert thread(store, "jira:SHOP-203") == [
        ("Pieter Jansen", "2025-11-28T15:00:00Z", "Closed; no more jams."),
        ("(unknown)", IMPORT_TIME, "Pieter: printer is fine after the update"),
    ]
    assert "  comments: 7 to add, 0 to update, 0 unchanged, 0 skipped" in lines
    assert any(
        "1 comment(s) without a readable time and author: kept whole" in line for line in lines
    )


def test_jira_reimport_updates_an_edited_comment(store: Store, tmp_path: Path) -> None:
    imported(store, parse_jira(JIRA))
    _, lines = imported(store, parse_jira(JIRA))
    assert count(store, "comments") == 7
    assert "  comments: 0 to add, 0 to update, 7 unchanged, 0 skipped" in lines
    text = JIRA.read_text(encoding="utf-8").replace("go ahead.", "go ahead on Monday.")
    edited = tmp_path / "jira.csv"
    edited.write_text(text, encoding="utf-8")
    _, lines = imported(store, parse_jira(edited))
    assert count(store, "comments") == 7
    assert "  comments: 0 to add, 1 to update, 6 unchanged, 0 skipped" in lines
    assert (
        thread(store, "jira:SHOP-201")[0][2]
        == "Kick-off done; contract signed; go ahead on Monday."
    )


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("02/Dec/25 10:15 AM", "2025-12-02T10:15:00Z"),
        ("02/Dec/25 12:05 AM", "2025-12-02T00:05:00Z"),
        ("2/Dec/25 4:40 PM", "2025-12-02T16:40:00Z"),
        ("02/Dec/2025 16:40", "2025-12-02T16:40:00Z"),
        ("2025-12-02 10:15", "2025-12-02T10:15:00Z"),
        ("02/Dez/25 10:15", "2025-12-02T10:15:00Z"),
        ("02/déc./25 10:15", "2025-12-02T10:15:00Z"),
        ("02/mrt/26 10:15", "2026-03-02T10:15:00Z"),
        ("02/dic/25 10:15", "2025-12-02T10:15:00Z"),
        ("31/Feb/25 10:15 AM", None),
        ("02/Dec/25 13:15 PM", None),
        ("02/Xyz/25 10:15", None),
        ("Pieter: printer is fine", None),
        ("01/Jan/99 10:00", "2099-01-01T10:00:00Z"),
    ],
)
def test_jira_comment_times(text: str, moment: str | None) -> None:
    assert comment_time(text) == moment


def test_a_jira_comment_that_cannot_be_stored_is_named(store: Store, tmp_path: Path) -> None:
    rows = [
        ["Summary", "Issue key", "Status", "Component/s", "Comment", "Comment"],
        ["Search", "SHOP-9", "To Do", "IT", "02/Dec/25 10:15 AM;mlin;   ", "just words"],
        ["Filters", "SHOP-10", "To Do", "IT", "03/Dec/25 9:00 AM;;Who wrote this?", ""],
    ]
    path = tmp_path / "jira.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    _, lines = imported(store, parse_jira(path))
    assert thread(store, "jira:SHOP-9") == [("(unknown)", IMPORT_TIME, "just words")]
    # A time but no author: its time, by an unknown author.
    assert thread(store, "jira:SHOP-10") == [
        ("(unknown)", "2025-12-03T09:00:00Z", "Who wrote this?")
    ]
    assert "  comments: 2 to add, 0 to update, 0 unchanged, 1 skipped" in lines
    assert any(line.startswith("  skipped line 2, comment 1: comment body") for line in lines)


# -- GitHub -----------------------------------------------------------------------------------


def test_github_comments_keep_login_and_time(store: Store) -> None:
    _, lines = imported(store, parse_github(GH))
    assert thread(store, "github:acme/shop#12") == [
        (
            "anasouza",
            "2026-03-02T09:14:27Z",
            "Reproduced on staging with two *sale* items | and one full-price item.",
        ),
        (
            "jorisdv",
            "2026-03-03T16:02:11Z",
            "Fixed in #31; the discount was applied after the total.\n\n```\n"
            "total = subtotal - discount\n```",
        ),
    ]
    # A deleted account is GitHub's 'ghost'.
    assert thread(store, "github:acme/shop#15") == [
        ("ghost", "2026-03-04T07:40:00Z", "Same here on the iPhone size guide.")
    ]
    assert thread(store, "github:acme/shop#16") == []
    assert "  comments: 3 to add, 0 to update, 0 unchanged, 0 skipped" in lines
    ids = {r["external_id"] for r in store.rows("SELECT external_id FROM comments")}
    assert "github:comment:https://github.com/acme/shop/issues/12#issuecomment-1712345601" in ids


def test_github_reimport_does_not_duplicate(store: Store, tmp_path: Path) -> None:
    imported(store, parse_github(GH))
    issues = json.loads(GH.read_text(encoding="utf-8"))
    issues[0]["comments"][0]["body"] = "Reproduced on staging and production."
    changed = tmp_path / "issues.json"
    changed.write_text(json.dumps(issues), encoding="utf-8")
    _, lines = imported(store, parse_github(changed))
    assert count(store, "comments") == 3
    assert "  comments: 0 to add, 1 to update, 2 unchanged, 0 skipped" in lines
    assert thread(store, "github:acme/shop#12")[0][2] == "Reproduced on staging and production."


def test_a_rest_dump_says_how_many_comments_it_does_not_hold(store: Store) -> None:
    _, lines = imported(store, parse_github(GH_REST))
    assert count(store, "comments") == 0
    assert any(
        line.startswith("  comments not in the file: 4 (it holds only their count;")
        for line in lines
    )
    imported(store, parse_github(GH))
    _, lines = imported(store, parse_github(GH_REST))
    assert count(store, "comments") == 3  # the comments brought before stay
    assert any(
        "4 (it holds only their count; 2 imported before are kept;" in line for line in lines
    )


def test_trello_odd_boards_lose_nothing_quietly(store: Store, tmp_path: Path) -> None:
    card = {"id": "c1", "name": "Copied card", "idList": "l1", "idLabels": [], "labels": []}
    card["idChecklists"] = ["k1"]
    actions: list[dict[str, Any]] = [
        {
            "id": "a1",
            "type": "copyCommentCard",
            "date": "2026-03-01T09:00:00.000Z",
            "data": {"text": "Copied along with its card", "card": {"id": "c1"}},
            "memberCreator": {"fullName": "Ana Souza", "username": "anasouza"},
        },
        {
            "id": "a2",
            "type": "commentCard",
            "date": "last Tuesday",
            "data": {"text": "When was this?", "card": {"id": "c1"}},
        },
    ]
    actions += [{"id": f"u{n}", "type": "updateCard", "data": {}} for n in range(998)]
    board = {
        "name": "Odd",
        "lists": [{"id": "l1", "name": "To Do", "pos": 1}],
        "cards": [card],
        # No idCard: the card that lists it in idChecklists owns it; an item without id.
        "checklists": [{"id": "k1", "name": "Only", "checkItems": [{"name": "Do it"}]}],
        "actions": actions,
    }
    path = tmp_path / "board.json"
    path.write_text(json.dumps(board), encoding="utf-8")
    _, lines = imported(store, parse_trello(path), team="IT")
    assert thread(store, "trello:c1") == [
        ("Ana Souza", "2026-03-01T09:00:00Z", "Copied along with its card"),
        ("(unknown)", IMPORT_TIME, "When was this?"),
    ]
    assert checklist(store, "trello:c1") == [("Do it", False)]
    assert any(
        "1 comment time(s) unreadable" in line and "$.actions[1].date" in line for line in lines
    )
    assert any("the file holds 1,000 actions" in line for line in lines)
    _, lines = imported(store, parse_trello(path), team="IT")
    assert count(store, "comments") == 2 and count(store, "checklist_items") == 1
