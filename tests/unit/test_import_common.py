"""What every import does: dry runs write nothing, one transaction, re-imports update."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from conftest import Cli
from sprintboard.io import import_apply as importing
from sprintboard.io.import_apply import apply_plan
from sprintboard.io.import_plan import ImportOptions
from sprintboard.io.importing import plan_import
from sprintboard.io.items import parse_date
from sprintboard.io.trello import parse_trello
from sprintboard.store import Store, bulk
from sprintboard.store.database import Tx

FIXTURES = Path(__file__).parent.parent / "fixtures"
RUNS = [
    ("trello_board.json", "trello", ["--team", "MKT"]),
    ("jira_export.csv", "jira", ["--team", "CS"]),
    ("github_issues.json", "github", ["--repo", "acme/shop", "--team", "CS"]),
    ("cards.csv", "csv", []),
]


def _snapshot(db_path: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(db_path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {t: conn.execute(f"SELECT * FROM [{t}] ORDER BY rowid").fetchall() for t in tables}
    finally:
        conn.close()


@pytest.mark.parametrize(("name", "source", "options"), RUNS)
def test_dry_run_writes_nothing(
    cli: Cli, db_path: Path, name: str, source: str, options: list[str]
) -> None:
    assert cli("team", "list").code == 0  # create the database first
    before = _snapshot(db_path)
    result = cli("import", str(FIXTURES / name), "--from", source, *options, "--dry-run")
    assert result.code == 0, result.err
    assert "to create" in result.out and "dry run: nothing was written" in result.out
    assert _snapshot(db_path) == before


@pytest.mark.parametrize(("name", "source", "options"), RUNS)
def test_reimport_does_not_duplicate(
    cli: Cli, db_path: Path, name: str, source: str, options: list[str]
) -> None:
    first = cli("import", str(FIXTURES / name), "--from", source, *options)
    assert first.code == 0, first.err
    before = _snapshot(db_path)
    again = cli("import", str(FIXTURES / name), "--from", source, *options)
    assert again.code == 0, again.err
    assert "0 to create, 0 to update" in again.out
    assert _snapshot(db_path) == before  # not one row, not one activity entry more


def test_reimport_updates_the_cards_it_made(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    board = json.loads((FIXTURES / "trello_board.json").read_text(encoding="utf-8"))
    assert (
        cli("import", str(FIXTURES / "trello_board.json"), "--from", "trello", "--team", "MKT").code
        == 0
    )
    with Store(db_path) as store:
        before = {c["title"]: c for c in store.cards.query()}
    key = before["Load test the campaign traffic"]["key"]
    # Someone planned the card into a sprint here; the Trello board has no sprints.
    assert (
        cli("sprint", "add", "Sprint 9", "--start", "2026-03-02", "--end", "2026-03-15").code == 0
    )
    assert cli("card", "edit", key, "--sprint", "Sprint 9").code == 0

    card = next(c for c in board["cards"] if c["id"] == "card-0007")
    card["name"] = "Load test the campaign traffic (x3)"
    card["idList"] = "list-done"
    changed = tmp_path / "board.json"
    changed.write_text(json.dumps(board), encoding="utf-8")
    result = cli("import", str(changed), "--from", "trello", "--team", "MKT")
    assert result.code == 0, result.err
    assert "0 to create, 1 to update, 6 unchanged" in result.out

    with Store(db_path) as store:
        after = store.cards.get(key)
        entries = store.activity.for_card(key)
        history = [e for e in entries if e["action"].startswith("import.trello:")]
    assert after["title"] == "Load test the campaign traffic (x3)"
    assert after["status"] == "done" and after["done_at"] is not None
    assert after["sprint"] == "Sprint 9"  # the source names no sprint: the card stays put
    assert {e["field"] for e in history if e["op"] == "update"} >= {"title", "status"}

    # The import is one change: one undo takes all of it back.
    assert cli("undo").code == 0
    with Store(db_path) as store:
        assert store.cards.get(key)["title"] == "Load test the campaign traffic"


def test_every_created_record_is_in_the_activity_log(cli: Cli, db_path: Path) -> None:
    assert (
        cli("import", str(FIXTURES / "jira_export.csv"), "--from", "jira", "--team", "CS").code == 0
    )
    with Store(db_path) as store:
        logged = store.rows(
            "SELECT entity, COUNT(*) AS n FROM activity "
            "WHERE action = 'import.jira:jira_export.csv' AND op = 'create' GROUP BY entity"
        )
        counts = {r["entity"]: r["n"] for r in logged}
        assert counts["card"] == store.scalar("SELECT COUNT(*) FROM cards")
        assert counts["sprint"] == 3 and counts["dependency"] == 3
        assert counts["card_team"] == store.scalar("SELECT COUNT(*) FROM card_teams")
        assert (
            len(
                {
                    r["txn"]
                    for r in store.rows("SELECT txn FROM activity WHERE action LIKE 'import.jira%'")
                }
            )
            == 1
        )


def test_all_or_nothing(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    real = bulk.insert_cards  # the function `importing` calls under that name

    def insert_then_fail(
        tx: Tx, rows: list[dict[str, Any]], contributing: list[list[int]]
    ) -> list[dict[str, Any]]:
        real(tx, rows, contributing)
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(importing, "insert_cards", insert_then_fail)
    parsed = parse_trello(FIXTURES / "trello_board.json")
    with pytest.raises(sqlite3.OperationalError), store.transaction("import.trello") as tx:
        apply_plan(store, tx, plan_import(store, parsed, ImportOptions(team="MKT")))
    assert store.scalar("SELECT COUNT(*) FROM cards") == 0
    assert store.scalar("SELECT COUNT(*) FROM activity WHERE action = 'import.trello'") == 0


def test_sprint_option(cli: Cli, db_path: Path) -> None:
    board = str(FIXTURES / "trello_board.json")
    result = cli("import", board, "--from", "trello", "--team", "MKT", "--sprint", "current")
    assert result.code == 2 and "no active sprint" in result.err
    assert (
        cli("sprint", "add", "Sprint 1", "--start", "2026-03-02", "--end", "2026-03-15").code == 0
    )
    assert cli("sprint", "start", "Sprint 1").code == 0
    result = cli("import", board, "--from", "trello", "--team", "MKT", "--sprint", "current")
    assert result.code == 0
    assert "'Sprint 1' (--sprint) (7)" in result.out
    with Store(db_path) as store:
        assert {c["sprint"] for c in store.cards.query()} == {"Sprint 1"}


def test_options_that_do_not_apply(cli: Cli) -> None:
    board = str(FIXTURES / "trello_board.json")
    result = cli("import", board, "--from", "trello", "--repo", "a/b")
    assert result.code == 2 and "--repo applies to --from github only" in result.err
    result = cli("import", board, "--from", "json", "--team", "IT")
    assert result.code == 2 and "--team does not apply" in result.err
    result = cli("import", board, "--from", "trello", "--team", "NOPE")
    assert result.code == 2 and "unknown team 'NOPE'" in result.err


def test_dates() -> None:
    assert str(parse_date("2026-03-20")) == "2026-03-20"
    assert str(parse_date("2026-03-20T23:30:00.000Z")) == "2026-03-20"
    assert str(parse_date("2026-03-20T23:30:00-05:00")) == "2026-03-21"  # the UTC day
    assert str(parse_date("20/Mar/26 12:00 AM")) == "2026-03-20"
    assert str(parse_date("20/Mar/26")) == "2026-03-20"
    with pytest.raises(ValueError, match="not a date"):
        parse_date("soon")


def test_one_undo_takes_a_whole_import_back(cli: Cli, db_path: Path) -> None:
    assert (
        cli("import", str(FIXTURES / "jira_export.csv"), "--from", "jira", "--team", "CS").code == 0
    )
    result = cli("undo")
    assert result.code == 0, result.err
    assert result.out.startswith("undone: the Jira import of jira_export.csv: 7 cards created ("), (
        result.out
    )
    assert "records reverted" in result.out
    with Store(db_path) as store:
        for table in ("cards", "card_teams", "dependencies", "sprints", "comments"):
            assert store.scalar(f"SELECT COUNT(*) FROM [{table}]") == 0, table


def test_imported_cards_are_stored_like_added_ones() -> None:
    from sprintboard.io.import_apply import _card_columns
    from sprintboard.models import Card

    card = Card.model_validate(
        {
            "title": "Größen [bold] | *x*",
            "team": "IT",
            "teams": ["ECOM"],
            "status": "review",
            "points": 5,
            "priority": "urgent",
            "assignee": "Ana",
            "due": "2026-03-20",
            "labels": ["promotion", "ü"],
            "skus": ["SKU-1"],
            "expected_orders": 40,
        }
    )
    # What Cards.insert stores for the same card.
    expected = card.model_dump(mode="json", exclude={"team", "teams"})
    for name in ("labels", "skus"):
        expected[name] = json.dumps(expected[name], ensure_ascii=False)
    assert _card_columns(card) == expected


def test_dry_run_does_not_even_create_the_database(cli: Cli, db_path: Path) -> None:
    result = cli("import", str(FIXTURES / "cards.csv"), "--from", "csv", "--dry-run")
    assert result.code == 0 and "4 to create" in result.out
    assert not db_path.exists()


def test_reimport_changes_the_contributing_teams(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    board = json.loads((FIXTURES / "trello_board.json").read_text(encoding="utf-8"))
    assert (
        cli("import", str(FIXTURES / "trello_board.json"), "--from", "trello", "--team", "MKT").code
        == 0
    )
    title = "Checkout: show delivery date before payment"
    with Store(db_path) as store:
        card = next(c for c in store.cards.query() if c["title"] == title)
    assert card["teams"] == ["IT", "ECOM"]

    changed = next(c for c in board["cards"] if c["id"] == "card-0002")
    changed["labels"] = [{"id": "lbl-it", "name": "IT"}, {"id": "lbl-mkt", "name": "marketing"}]
    path = tmp_path / "board.json"
    path.write_text(json.dumps(board), encoding="utf-8")
    result = cli("import", str(path), "--from", "trello", "--team", "MKT")
    assert result.code == 0, result.err
    assert "0 to create, 1 to update" in result.out

    with Store(db_path) as store:
        assert store.cards.get(card["key"])["teams"] == ["IT", "MKT"]
        links = [
            (e["op"], e["entity_key"])
            for e in store.activity.for_card(card["key"])
            if e["entity"] == "card_team"
        ]
    # Created with the card, then one team swapped for another, all under the card's key.
    assert links == [
        ("create", card["key"]),
        ("delete", card["key"]),
        ("create", card["key"]),
    ]
    assert cli("undo").code == 0
    with Store(db_path) as store:
        assert store.cards.get(card["key"])["teams"] == ["IT", "ECOM"]


def test_importers_use_the_stores_public_methods() -> None:
    """io/ calls the store's public methods, never its private helpers."""
    private = re.compile(r"\bstore(?:\.\w+)*\._\w+\(")
    io_dir = Path(importing.__file__).parent
    found = {
        f"{path.name}: {match.group(0)}"
        for path in io_dir.glob("*.py")
        for match in private.finditer(path.read_text(encoding="utf-8"))
    }
    assert found == set()
