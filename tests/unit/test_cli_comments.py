"""Comments, checklists and a card's history on the command line, checked in the database
and in what is printed."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cli_fixtures import all_rows, js, ok, refused

from sprintboard.models import Card
from sprintboard.store import Store, frozen_clock

pytest_plugins = ["cli_fixtures"]


@pytest.fixture
def demo(cli: Any, db_path: Path) -> Any:
    """The `cli` runner on the demo organisation without its own conversations: these tests
    number the comments they write from 1 and count the mentions they make. The demo's
    comments are deleted by someone else, so nobody's undo here takes that back."""
    ok(cli, "demo")
    with Store(db_path, actor="seed") as store, store.transaction("comment.delete") as tx:
        for row in store.rows("SELECT m.*, c.key FROM comments m JOIN cards c ON c.id = m.card_id"):
            tx.delete("comment", {k: v for k, v in row.items() if k != "key"}, key=row["key"])
        # Numbers are never handed out twice: start this plan's numbering afresh.
        store.conn.execute("DELETE FROM sqlite_sequence WHERE name = 'comments'")
    return cli


def rows(db: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


# -- comments --------------------------------------------------------------------------------


def test_comments_add_edit_and_delete_only_ones_own(demo: Any, db_path: Path) -> None:
    assert ok(demo, "--as", "sanne", "card", "comment", "IT-5", "Stock ok? @kees @nobody") == (
        "comment 1 added to IT-5 (mentions Kees van Dijk)\n"
    )
    assert ok(demo, "--as", "kees", "comment", "add", "it-5", "Checked.") == (
        "comment 2 added to IT-5\n"
    )
    assert rows(db_path, "SELECT id, author, body, edited_at FROM comments ORDER BY id") == [
        (1, "Sanne de Vries", "Stock ok? @kees @nobody", None),
        (2, "Kees van Dijk", "Checked.", None),
    ]
    assert ok(demo, "--as", "Sanne", "comment", "edit", "1", "Stock ok, @kees?") == (
        "comment 1 on IT-5 edited\n"
    )
    edited = js(demo, "comment", "list", "IT-5")[0]
    assert (edited["body"], edited["mentions"]) == ("Stock ok, @kees?", ["Kees van Dijk"])
    assert edited["edited_at"] is not None

    before = all_rows(db_path)
    for verb, args in (("edit", ("1", "Mine now")), ("delete", ("1",))):
        line = refused(demo, "--as", "kees", "comment", verb, *args)
        assert line == (
            f"error: comment 1: written by Sanne de Vries; you (Kees van Dijk) can {verb} "
            "only your own comments\n"
        )
    assert all_rows(db_path) == before

    assert ok(demo, "--as", "sanne", "comment", "delete", "1") == (
        "comment 1 on IT-5 deleted (undo with 'sprintboard undo')\n"
    )
    assert rows(db_path, "SELECT id FROM comments") == [(2,)]
    assert ok(demo, "--as", "sanne", "undo") == "undone: deletion of a comment on IT-5\n"
    assert rows(db_path, "SELECT id, body FROM comments ORDER BY id") == [
        (1, "Stock ok, @kees?"),
        (2, "Checked."),
    ]


def test_comment_refusals_are_one_line(demo: Any, db_path: Path) -> None:
    before = all_rows(db_path)
    assert "no card" in refused(demo, "comment", "add", "IT-999", "hello")
    assert "must not be empty" in refused(demo, "comment", "add", "IT-5", "   ")
    assert "no comment 77" in refused(demo, "comment", "delete", "77")
    assert "comment id: out of range (got '-1')" in refused(demo, "comment", "delete", "-1")
    assert "comment id: not a whole number" in refused(demo, "comment", "edit", "x", "t")
    assert "--person: a person's name" in refused(demo, "comment", "mentions", "--person", "")
    assert all_rows(db_path) == before


def test_comment_text_from_stdin_keeps_its_lines(demo: Any, db_path: Path, tmp_path: Path) -> None:
    args = ["--db", str(db_path), "--as", "kees", "comment", "add", "WH-1", "-"]
    done = subprocess.run(
        [sys.executable, "-m", "sprintboard", *args],
        input="\nFirst line\n  indented @sanne\n\nlast\n\n",
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, ""), done
    assert done.stdout == "comment 1 added to WH-1 (mentions Sanne de Vries)\n"
    assert rows(db_path, "SELECT body FROM comments") == [
        ("First line\n  indented @sanne\n\nlast",)
    ]
    thread = ok(demo, "comment", "list", "WH-1").splitlines()
    assert thread[0].startswith("#1  Kees van Dijk (WH), ")
    assert thread[1:] == ["    First line", "      indented @sanne", "", "    last"]


def test_comment_text_is_shown_literally(demo: Any, db_path: Path) -> None:
    ok(demo, "comment", "add", "IT-5", "[bold]not bold[/bold] <b>x</b>")
    # Text stored by another tool may hold what the records refuse: shown as escapes.
    conn = sqlite3.connect(db_path)
    with conn:
        conn.execute(
            "UPDATE comments SET body = ? WHERE id = 1", ["[bold]a\x1b]0;pwned\x07\u202eb"]
        )
    conn.close()
    for out in (
        ok(demo, "comment", "list", "IT-5"),
        ok(demo, "card", "show", "IT-5"),
        ok(demo, "comment", "mentions", "--person", "x"),
    ):
        assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    shown = ok(demo, "comment", "list", "IT-5")
    assert "    [bold]a\\x1b]0;pwned\\x07\\u202eb\n" in shown
    assert js(demo, "comment", "list", "IT-5")[0]["body"] == "[bold]a\x1b]0;pwned\x07\u202eb"


def test_mentions_of_me_newest_first(demo: Any) -> None:
    ok(demo, "--as", "sanne", "comment", "add", "IT-5", "@kees please check stock")
    ok(demo, "--as", "omar", "comment", "add", "MKT-2", "cc @Kees.van.Dijk and @sanne")
    ok(demo, "--as", "omar", "comment", "add", "MKT-2", "no mention of kees here")
    ok(demo, "--as", "omar", "comment", "add", "WH-1", "mail kees@example.com")
    mine = js(demo, "--as", "kees", "comment", "mentions")
    assert [(m["id"], m["card"]) for m in mine] == [(2, "MKT-2"), (1, "IT-5")]
    assert js(demo, "comment", "mentions", "--person", "Sanne de Vries")[0]["id"] == 2
    table = ok(demo, "--as", "kees", "comment", "mentions").splitlines()
    assert table[0].split() == ["ID", "CARD", "AT", "BY", "COMMENT"]
    assert table[1].startswith("2   MKT-2") and "Omar Haddad (MKT)" in table[1]
    assert max(len(line) for line in table) <= 80
    assert ok(demo, "--as", "mila", "comment", "mentions") == "no comments mention Mila Bos\n"


def test_mentions_say_when_the_limit_cut_the_list(demo: Any, db_path: Path) -> None:
    with Store(db_path, actor="Omar Haddad") as store:
        for n in range(205):
            store.comments.add("IT-5", f"note {n} for @sanne")
    result = demo("--as", "sanne", "comment", "mentions", "--json")
    assert result.code == 0, result.err
    found = json.loads(result.out)
    assert len(found) == 200 and found[0]["body"] == "note 204 for @sanne"
    assert result.err == "… 5 more; --limit 205 lists them\n"
    result = demo("--as", "sanne", "comment", "mentions", "--limit", "3")
    assert result.code == 0 and result.out.splitlines()[1].endswith("note 204 for @sanne")
    assert len(result.out.splitlines()) == 4  # the header and three comments
    assert result.err == "… 202 more; --limit 205 lists them\n"
    # All of them: no note.
    assert len(js(demo, "--as", "sanne", "comment", "mentions", "--limit", "205")) == 205
    for bad in ("0", "-1", "100001", "٣", "x"):
        assert "--limit" in refused(demo, "comment", "mentions", "--limit", bad)


# -- checklists ------------------------------------------------------------------------------


def test_checklist_verbs(demo: Any, db_path: Path) -> None:
    key = ok(demo, "card", "add", "Summer promotion", "--team", "MKT", "--with", "WH").strip()
    items = js(demo, "checklist", "list", key)
    assert [(i["text"], i["team"], i["done"]) for i in items] == [
        ("WH: confirm stock", "WH", False)
    ]
    stock = str(items[0]["id"])
    added = js(demo, "checklist", "add", key, "Brief the agency", "--team", "mkt")
    assert (added["text"], added["team"], added["card"]) == ("Brief the agency", "MKT", key)
    brief = str(added["id"])
    assert (
        ok(demo, "checklist", "done", stock)
        == f"{key}: ticked #{stock} WH: confirm stock (1/2 done)\n"
    )
    assert rows(db_path, "SELECT done FROM checklist_items WHERE id = ?", stock) == [(1,)]
    assert ok(demo, "checklist", "edit", brief, "Brief the influencers").endswith("(1/2 done)\n")
    listed = ok(demo, "checklist", "list", key).splitlines()
    assert listed == [
        f"{key}: 1/2 done",
        f"[x] #{stock}  WH: confirm stock",
        f"[ ] #{brief}  Brief the influencers",
    ]
    shown = js(demo, "card", "list", "--team", "MKT")
    mine = next(c for c in shown if c["key"] == key)
    assert (mine["checklist_done"], mine["checklist_total"], mine["comment_count"]) == (1, 2, 0)
    assert ok(demo, "checklist", "undone", stock).endswith("(0/2 done)\n")
    assert ok(demo, "checklist", "remove", brief).startswith(f"{key}: removed #{brief} ")
    left = (
        "SELECT text, done FROM checklist_items"
        " WHERE card_id = (SELECT id FROM cards WHERE key = ?)"
    )
    assert rows(db_path, left, key) == [("WH: confirm stock", 0)]
    assert ok(demo, "undo") == f"undone: checklist removal on {key}\n"
    assert len(js(demo, "checklist", "list", key)) == 2
    bare = ok(demo, "card", "add", "Nothing to tick", "--team", "IT").strip()
    assert ok(demo, "checklist", "list", bare) == f"{bare}: no checklist\n"

    before = all_rows(db_path)
    assert "no team NOPE" in refused(demo, "checklist", "add", key, "x", "--team", "NOPE")
    assert "no card" in refused(demo, "checklist", "add", "IT-999", "x")
    assert "must not be empty" in refused(demo, "checklist", "add", key, " ")
    assert "no checklist item 999" in refused(demo, "checklist", "done", "999")
    assert "checklist item id: out of range" in refused(demo, "checklist", "remove", "0")
    assert all_rows(db_path) == before


def test_ticking_a_ticked_item_changes_nothing(db_path: Path) -> None:
    with Store(db_path, clock=frozen_clock(datetime(2026, 3, 2, tzinfo=UTC))) as store:
        store.cards.add(Card(title="Label printer", team="WH"))
        item = store.checklists.add("WH-1", "Order toner")
        store.checklists.tick(item["id"])
        store.clock = frozen_clock(datetime(2026, 3, 9, tzinfo=UTC))
        logged = len(store.activity.recent(1000))
        again = store.checklists.tick(item["id"])
        assert (again["done"], again["done_at"]) == (True, "2026-03-02T00:00:00Z")
        store.checklists.tick(item["id"], False)
        store.checklists.tick(item["id"], False)
        assert len(store.activity.recent(1000)) == logged + 2  # one untick: done, done_at
        # So undo takes the untick, then the tick: no step of it is a change to nothing.
        store.activity.undo()
        assert store.checklists.get(item["id"])["done"] is True
        store.activity.undo()
        assert store.checklists.get(item["id"])["done"] is False


# -- card show -------------------------------------------------------------------------------


def test_card_show_has_the_checklist_and_the_thread(demo: Any) -> None:
    key = ok(demo, "card", "add", "Summer promotion", "--team", "MKT").strip()
    ok(demo, "card", "edit", key, "--with", "WH")
    ok(demo, "--as", "sanne", "card", "comment", key, "First, @kees")
    ok(demo, "--as", "kees", "card", "comment", key, "Second\nwith two lines")
    shown = js(demo, "card", "show", key)
    assert [c["body"] for c in shown["comments"]] == ["First, @kees", "Second\nwith two lines"]
    assert [c["author"] for c in shown["comments"]] == ["Sanne de Vries", "Kees van Dijk"]
    assert [(i["text"], i["done"]) for i in shown["checklist"]] == [("WH: confirm stock", False)]
    ok(demo, "checklist", "done", str(shown["checklist"][0]["id"]))
    assert (shown["comment_count"], js(demo, "card", "show", key)["checklist_done"]) == (2, 1)

    text = ok(demo, "card", "show", key)
    tail = text.split("\ndescription:", 1)[1].splitlines()[1:]
    item = shown["checklist"][0]["id"]
    first, second = (c["id"] for c in shown["comments"])
    assert tail[:3] == ["", "checklist 1/1 done:", f"  [x] #{item}  WH: confirm stock"]
    assert tail[3:5] == ["", "comments (2):"]
    assert tail[5].startswith(f"  #{first}  Sanne de Vries (MKT), 2")
    assert tail[6] == "      First, @kees"
    assert tail[7].startswith(f"  #{second}  Kees van Dijk (WH), ")
    assert tail[8:] == ["      Second", "      with two lines"]


# -- history ---------------------------------------------------------------------------------


def test_history_names_people_and_marks_undo_and_redo(demo: Any) -> None:
    ok(demo, "--as", "sanne", "card", "edit", "IT-5", "--points", "13")
    ok(demo, "--as", "Outside Agency", "card", "edit", "IT-5", "--title", "A much longer title")
    ok(demo, "--as", "sanne", "undo")
    ok(demo, "--as", "sanne", "redo")
    ok(demo, "--as", "kees", "undo", "--any")
    entries = js(demo, "history", "IT-5")
    points = [e for e in entries if e["field"] == "points"]
    assert [(e["action"], e["actor"], e["undone_by"]) for e in points] == [
        ("card.edit", "Sanne de Vries", "Sanne de Vries"),
        ("undo", "Sanne de Vries", "Sanne de Vries"),  # reverted by her redo
        ("redo", "Sanne de Vries", "Kees van Dijk"),
        ("undo", "Kees van Dijk", None),
    ]
    text = ok(demo, "history", "IT-5")
    lines = text.splitlines()
    assert lines[0].split() == ["ID", "AT", "WHO", "CHANGE"]
    assert max(len(line) for line in lines) <= 80
    assert "updated_at" not in text  # bookkeeping beside a change is left out
    flat = " ".join(text.split())
    ids = [e["id"] for e in points]
    assert f"{ids[0]} 20" in flat  # each line starts with its id, for undo --change
    for words in (
        "Sanne de Vries (MKT) points: 8 -> 13 (undone by Sanne de Vries)",
        "Sanne de Vries (MKT) undo: points: 13 -> 8 (redone by Sanne de Vries)",
        "Sanne de Vries (MKT) redo: points: 8 -> 13 (undone by Kees van Dijk)",
        "Kees van Dijk (WH) undo: points: 13 -> 8",
        "Outside Agency title: One-page checkout: front-end form and validation -> A much "
        "longer title",
    ):
        assert words in flat, words
