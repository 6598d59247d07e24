"""Exports carry the conversation: the JSON dump keeps comments and checklist items
losslessly and checks them on restore; the Markdown board shows them, escaped."""

from __future__ import annotations

import copy
import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_fixtures import all_rows, run_in_process

from conftest import NOW
from sprintboard.io.dump import export_dump
from sprintboard.io.github import parse_github
from sprintboard.io.import_apply import apply_plan
from sprintboard.io.import_plan import ImportOptions
from sprintboard.io.importing import plan_import
from sprintboard.io.items import Parsed
from sprintboard.io.jira import parse_jira
from sprintboard.io.markdown import board_markdown
from sprintboard.io.trello import parse_trello
from sprintboard.store import Store, frozen_clock

FIXTURES = Path(__file__).parent.parent / "fixtures"
TRELLO_CARD = "trello:6650c2a0a9e4b3d2c1f0ec01"


def _import(store: Store, parsed: Parsed, team: str | None = None) -> None:
    with store.transaction(f"import.{parsed.source}") as tx:
        apply_plan(store, tx, plan_import(store, parsed, ImportOptions(team=team)))


@pytest.fixture
def talked(tmp_path: Path) -> Iterator[Store]:
    """A plan whose cards have imported and local comments and checklist items."""
    with Store(tmp_path / "plan.db", clock=frozen_clock(NOW), actor="Sanne de Vries") as store:
        _import(store, parse_trello(FIXTURES / "trello_conversation.json"), team="MKT")
        _import(store, parse_jira(FIXTURES / "jira_comments.csv"))
        _import(store, parse_github(FIXTURES / "github_issues_comments.json"))
        key = store.scalar(f"SELECT key FROM cards WHERE external_id = '{TRELLO_CARD}'")
        store.comments.add(key, "Local note: [bold]not markup[/] <b>x</b>\n\n  indented")
        item = store.checklists.add(key, "WH: confirm stock", team="WH")
        store.checklists.tick(int(item["id"]))
        yield store


def _export(db: Path, out: Path) -> dict[str, Any]:
    code, _, err = run_in_process("--db", str(db), "export", "--format", "json", "-o", str(out))
    assert code == 0, err
    document: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return document


def test_export_restore_export_gives_the_same_tables(talked: Store, tmp_path: Path) -> None:
    first = _export(talked.path, tmp_path / "first.json")
    assert len(first["tables"]["comments"]) == 4 + 7 + 3 + 1
    assert len(first["tables"]["checklist_items"]) == 7 + 1
    copy_db = tmp_path / "copy.db"
    code, out, err = run_in_process(
        "--db", str(copy_db), "import", str(tmp_path / "first.json"), "--from", "json"
    )
    assert code == 0, err
    assert "15 comments" in out and "8 checklist_items" in out
    second = _export(copy_db, tmp_path / "second.json")
    assert second["tables"] == first["tables"]
    with Store(copy_db) as restored:
        key = restored.scalar(f"SELECT key FROM cards WHERE external_id = '{TRELLO_CARD}'")
        bodies = [c["body"] for c in restored.comments.for_card(key)]
        assert "Local note: [bold]not markup[/] <b>x</b>\n\n  indented" in bodies
        # The restore logs each comment under its card, so the card's history shows it.
        logged = restored.scalar(
            "SELECT COUNT(*) FROM activity WHERE entity = 'comment' AND entity_key = ?", [key]
        )
        assert logged == len(bodies)


def _document(talked: Store) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(json.dumps(export_dump(talked)))
    return document


@pytest.mark.parametrize(
    ("table", "column", "value", "needle"),
    [
        ("comments", "body", "", "$.tables.comments[0].body"),
        ("comments", "body", 5, "$.tables.comments[0].body: expected text"),
        ("comments", "author", "", "$.tables.comments[0].author"),
        ("comments", "author", "two\nlines", None),
        ("comments", "card_id", 999, "$.tables.comments[0].card_id: no such id in $.tables.cards"),
        ("comments", "created_at", "yesterday", "$.tables.comments[0].created_at"),
        ("comments", "edited_at", "2026-13-01", "$.tables.comments[0].edited_at"),
        ("checklist_items", "text", "", "$.tables.checklist_items[0].text"),
        ("checklist_items", "done", 2, "$.tables.checklist_items[0].done"),
        ("checklist_items", "team_id", 999, "$.tables.checklist_items[0].team_id: no such id"),
        ("checklist_items", "card_id", None, "$.tables.checklist_items[0].card_id"),
        ("checklist_items", "position", 1e300, "$.tables.checklist_items[0].position"),
        ("checklist_items", "done_at", "soon", "$.tables.checklist_items[0].done_at"),
    ],
)
def test_bad_conversation_rows_are_refused(
    talked: Store, tmp_path: Path, table: str, column: str, value: Any, needle: str | None
) -> None:
    document = copy.deepcopy(_document(talked))
    document["tables"][table][0][column] = value
    dump = tmp_path / "dump.json"
    dump.write_text(json.dumps(document), encoding="utf-8")
    db = tmp_path / "new.db"
    Store(db).close()
    before = all_rows(db)
    code, _, err = run_in_process("--db", str(db), "import", str(dump), "--from", "json")
    if needle is None:  # cleaned, not refused: an author is one line
        assert code == 0, err
        with Store(db) as restored:
            assert restored.scalar("SELECT author FROM comments ORDER BY rowid LIMIT 1") == (
                "two lines"
            )
        return
    assert code == 2, err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert needle in err
    assert all_rows(db) == before


def test_markdown_shows_checklists_and_comments_literally(talked: Store) -> None:
    text = board_markdown(talked, None)
    lines = text.splitlines()
    key = talked.scalar(f"SELECT key FROM cards WHERE external_id = '{TRELLO_CARD}'")
    heading = f"### {key} One-page checkout"
    assert heading in lines
    section = lines[lines.index(heading) :]
    assert "Checklist (3/6 done):" in section
    assert "- [x] Build: Address form" in section
    assert "- [ ] Build: Payment step \\| \\*Adyen\\* drop-in" in section
    assert "- [x] WH: confirm stock (WH)" in section
    assert "> **Ana Souza** · 2026-03-02T10:15:00Z" in section
    # Markdown in a comment is shown, not obeyed: emphasis, a list number, a heading.
    assert "> Merged; \\*\\*staging\\*\\* has it." in section
    # A line followed by another keeps its break (a hard break: a trailing backslash).
    assert "> 1\\. try \\`4111 1111\\` \\| \\[link\\](https://example.com)\\" in section
    assert "> \\# not a heading" in section
    assert "> Local note: \\[bold\\]not markup\\[/\\] \\<b\\>x\\</b\\>" in section
    assert "> **Sanne de Vries** · 2026-03-11T10:30:00Z" in section


def test_cards_csv_counts_the_conversation_and_reads_back_unchanged(
    talked: Store, tmp_path: Path
) -> None:
    out = tmp_path / "cards.csv"
    code, _, err = run_in_process(
        "--db", str(talked.path), "export", "--format", "csv", "-o", str(out)
    )
    assert code == 0, err
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    card = next(r for r in rows if r["external_id"] == TRELLO_CARD)
    assert (card["comment_count"], card["checklist_done"], card["checklist_total"]) == (
        "4",
        "3",
        "6",
    )
    before = all_rows(talked.path)
    tables = [name for name, _ in before]
    code, out_text, err = run_in_process(
        "--db", str(talked.path), "import", str(out), "--from", "csv"
    )
    assert code == 0, err
    assert "cards: 0 to create, 0 to update" in out_text
    assert "comment_count, checklist_done, checklist_total" in out_text  # named, not read
    after = dict(all_rows(talked.path))
    for table in ("cards", "comments", "checklist_items"):
        assert table in tables and after[table] == dict(before)[table], table


def test_hostile_authors_and_texts_still_restore(tmp_path: Path) -> None:
    board = {
        "name": "Hostile",
        "lists": [{"id": "l1", "name": "To Do", "pos": 1}],
        "cards": [{"id": "c1", "name": "Card", "idList": "l1", "labels": []}],
        "checklists": [
            {"id": "k1", "idCard": "c1", "checkItems": [{"id": "i1", "name": "a\x1b[2Jb\nc"}]}
        ],
        "actions": [
            {
                "id": "a1",
                "type": "commentCard",
                "date": "2026-03-01T09:00:00Z",
                "data": {"text": "body \x1b]0;title\x07 [red]x[/]", "card": {"id": "c1"}},
                "memberCreator": {"fullName": "\x1b[31mEvil\nName " + "x" * 600},
            }
        ],
    }
    path = tmp_path / "board.json"
    path.write_text(json.dumps(board), encoding="utf-8")
    with Store(tmp_path / "plan.db", clock=frozen_clock(NOW)) as store:
        _import(store, parse_trello(path), team="IT")
        comment = store.row("SELECT author, body FROM comments")
        item = store.row("SELECT text FROM checklist_items")
    assert comment is not None and item is not None
    assert "\x1b" not in comment["author"] + comment["body"] + item["text"]
    assert comment["author"].startswith("[31mEvil Name x") and len(comment["author"]) <= 500
    assert comment["body"].endswith("[red]x[/]")
    first = _export(tmp_path / "plan.db", tmp_path / "first.json")
    code, _, err = run_in_process(
        "--db", str(tmp_path / "copy.db"), "import", str(tmp_path / "first.json"), "--from", "json"
    )
    assert code == 0, err
    assert _export(tmp_path / "copy.db", tmp_path / "second.json")["tables"] == first["tables"]
