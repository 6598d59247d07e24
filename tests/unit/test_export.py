"""Exports: the JSON dump restores exactly; CSV, Markdown and iCalendar read back."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import icalendar
import pytest

from sprintboard.cli import main
from sprintboard.io.cards_csv import EXPORT_COLUMNS, unprotect
from sprintboard.io.markdown import escape
from sprintboard.store import Store
from sprintboard.store.bulk import NOT_DATA_TABLES


def run(db: Path, *args: str) -> int:
    try:
        main(["--db", str(db), *args])
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def _tables(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every table but the activity log (and the migrations' own timestamps)."""
    conn = sqlite3.connect(db)
    try:
        names = [
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if r[0] not in ("activity", "_sqlite_migrations")
        ]
        # sqlite_sequence (the last number each table handed out) lists its tables in the
        # order they first took one, which a restore need not repeat.
        return {
            n: sorted(conn.execute(f"SELECT * FROM [{n}]").fetchall())
            if n == "sqlite_sequence"
            else conn.execute(f"SELECT * FROM [{n}] ORDER BY rowid").fetchall()
            for n in names
        }
    finally:
        conn.close()


def _awkward(store: Store) -> None:
    """Data a restore must not lose: overrides, a deleted card's key, odd text."""
    store.sprints.set_capacity("Sprint 42", "IT", 33)
    card = store.cards.query(team="IT")[0]
    store.cards.edit(card["key"], {"title": "Fix [bold] | *cart* & <b>$5</b>\x1b[2J ✓"})
    store.cards.delete(store.cards.query(team="DATA")[-1]["key"])


def test_json_round_trip_is_exact(
    demo_store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _awkward(demo_store)
    dump = tmp_path / "plan.json"
    assert run(demo_store.path, "export", "--format", "json", "-o", str(dump)) == 0
    document = json.loads(dump.read_text(encoding="utf-8"))
    assert (document["format"], document["version"]) == ("sprintboard", 1)
    assert "activity" not in document["tables"]

    copy = tmp_path / "copy.db"
    assert run(copy, "import", str(dump), "--from", "json") == 0
    assert "restored from" in capsys.readouterr().out
    source, restored = _tables(demo_store.path), _tables(copy)
    assert set(source) == set(restored)
    for table, rows in source.items():
        assert restored[table] == rows, table
    # Key counters came along: the next card gets the same key in both databases.
    assert run(demo_store.path, "card", "add", "Next", "--team", "DATA") == 0
    assert run(copy, "card", "add", "Next", "--team", "DATA") == 0
    keys = [
        sqlite3.connect(db).execute("SELECT key FROM cards ORDER BY id DESC").fetchone()[0]
        for db in (demo_store.path, copy)
    ]
    assert keys[0] == keys[1]
    with Store(copy) as restored_store:
        assert restored_store.scalar(
            "SELECT COUNT(*) FROM activity WHERE action = 'import.json' AND op = 'create'"
        ) >= len(source["cards"])


def test_json_restore_never_hands_out_a_key_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sprintboard.models import Card

    source, target, dump = tmp_path / "source.db", tmp_path / "target.db", tmp_path / "p.json"
    with Store(source) as store:
        store.cards.add(Card(title="Only Marketing", team="MKT"))
    with Store(target) as store:
        gone = store.cards.add(Card(title="Deleted before the restore", team="IT"))["key"]
        store.cards.delete(gone)
    assert run(source, "export", "--format", "json", "-o", str(dump)) == 0
    assert run(target, "import", str(dump), "--from", "json") == 0
    capsys.readouterr()
    assert run(target, "card", "add", "New", "--team", "IT") == 0
    assert capsys.readouterr().out.strip() not in ("", gone)


def test_json_restore_refuses_what_it_cannot_restore(
    demo_store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dump = tmp_path / "plan.json"
    assert run(demo_store.path, "export", "--format", "json", "-o", str(dump)) == 0
    capsys.readouterr()
    assert run(demo_store.path, "import", str(dump), "--from", "json") == 2
    assert "already holds a plan" in capsys.readouterr().err

    document = json.loads(dump.read_text(encoding="utf-8"))
    cases = [
        ({**document, "version": 2}, "$.version: this sprintboard reads version 1"),
        ({**document, "format": "trello"}, "$.format: not a sprintboard export"),
        ({**document, "schema": 999}, "$.schema: exported by a newer sprintboard"),
        (
            {**document, "tables": {**document["tables"], "wormholes": []}},
            "$.tables.wormholes: no such table",
        ),
        (
            {**document, "tables": {**document["tables"], "cards": [{"id": 1, "colour": "x"}]}},
            "$.tables.cards[0].colour: no such column in cards",
        ),
    ]
    for n, (broken, message) in enumerate(cases):
        path = tmp_path / f"broken{n}.json"
        path.write_text(json.dumps(broken), encoding="utf-8")
        assert run(tmp_path / f"new{n}.db", "import", str(path), "--from", "json") == 2
        err = capsys.readouterr().err
        assert message in err and err.count("\n") == 1, err

    # Rows the database refuses roll the whole restore back.
    cards = document["tables"]["cards"]
    duplicate = {**document, "tables": {**document["tables"], "cards": [*cards, cards[0]]}}
    path = tmp_path / "duplicate.json"
    path.write_text(json.dumps(duplicate), encoding="utf-8")
    empty = tmp_path / "empty.db"
    assert run(empty, "import", str(path), "--from", "json") == 2
    assert "UNIQUE constraint failed" in capsys.readouterr().err
    assert not empty.exists()  # a refused restore into a new database leaves no file

    path.write_text(dump.read_text(encoding="utf-8")[:5000], encoding="utf-8")
    assert run(empty, "import", str(path), "--from", "json") == 2
    assert "ends too soon" in capsys.readouterr().err


def test_data_tables_skip_only_the_log_and_bookkeeping(store: Store) -> None:
    from sprintboard.store.bulk import data_tables

    tables = data_tables(store)
    assert "activity" not in tables and "cards" in tables and "key_counters" in tables
    assert tables.index("teams") < tables.index("cards") < tables.index("dependencies")
    assert not set(tables) & NOT_DATA_TABLES


def test_csv_reads_back(
    demo_store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _awkward(demo_store)
    demo_store.cards.edit(demo_store.cards.query(team="MKT")[0]["key"], {"title": "=1+1"})
    out = tmp_path / "cards.csv"
    assert run(demo_store.path, "export", "--format", "csv", "-o", str(out)) == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a BOM, so spreadsheets read UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert tuple(rows[0]) == EXPORT_COLUMNS
    cards = demo_store.cards.query()
    assert len(rows) == len(cards) + 1
    by_key = {row[0]: dict(zip(EXPORT_COLUMNS, row, strict=True)) for row in rows[1:]}
    for card in cards:
        row = by_key[card["key"]]
        assert unprotect(row["title"]) == card["title"]
        assert row["teams"] == ";".join(card["teams"])
        assert row["blockers"] == ";".join(card["blockers"])
        assert row["blocks"] == ";".join(card["blocks"])
        assert row["points"] == ("" if card["points"] is None else str(card["points"]))
        assert row["sprint"] == (card["sprint"] or "")
    assert "'=1+1" in {r["title"] for r in by_key.values()}  # never runs as a formula

    # The export is also a generic CSV import: a new database gets the same cards.
    copy = tmp_path / "copy.db"
    capsys.readouterr()
    assert run(copy, "import", str(out), "--from", "csv") == 0, capsys.readouterr().err
    with Store(copy) as store:
        again = {c["title"]: c for c in store.cards.query()}
    assert set(again) == {c["title"] for c in cards}
    for card in cards:
        twin = again[card["title"]]
        assert (twin["teams"], twin["status"], twin["points"], twin["sprint"]) == (
            card["teams"],
            card["status"],
            card["points"],
            card["sprint"],
        )
        assert len(twin["blockers"]) == len(card["blockers"])


def test_csv_to_stdout_for_one_sprint(
    demo_store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(demo_store.path, "export", "--format", "csv", "--sprint", "backlog") == 0
    text = capsys.readouterr().out
    rows = list(csv.DictReader(io.StringIO(text)))
    assert not text.startswith("\ufeff")
    assert rows and all(r["sprint"] == "" for r in rows)


def _pipes(line: str) -> int:
    return len(re.findall(r"(?<!\\)\|", line))


def test_markdown_board(demo_store: Store, capsys: pytest.CaptureFixture[str]) -> None:
    _awkward(demo_store)
    capsys.readouterr()
    assert run(demo_store.path, "export", "--format", "md") == 0
    text = capsys.readouterr().out
    sprint = demo_store.sprints.active()
    assert sprint is not None
    cards = demo_store.cards.query(sprint=sprint["id"])
    assert text.startswith(f"# {sprint['name']}\n")
    for card in cards:
        assert f"| {card['key']} | {escape(card['title'])} |" in text
    for code in {c["team"] for c in cards}:
        assert f"({code})\n" in text
    tables = [line for line in text.splitlines() if line.startswith("| ")]
    assert tables and all(_pipes(line) in (5, 7) for line in tables)
    assert "Fix \\[bold\\] \\| \\*cart\\* \\& \\<b\\>\\$5\\</b\\>" in escape(
        "Fix [bold] | *cart* & <b>$5</b>"
    )

    assert run(demo_store.path, "export", "--format", "md", "--sprint", "backlog") == 0
    assert capsys.readouterr().out.startswith("# Backlog\n")


def test_markdown_keeps_a_comments_line_breaks(demo_store: Store) -> None:
    from markdown_it import MarkdownIt

    from sprintboard.io.markdown import board_markdown

    sprint = demo_store.sprints.active()
    assert sprint is not None
    key = demo_store.cards.query(sprint=sprint["id"])[0]["key"]
    demo_store.comments.add(key, "First line *here*\n- a list line\n> a quote line\n\nAfter a gap")
    text = board_markdown(demo_store, sprint)
    assert (
        "> First line \\*here\\*\\\n> \\- a list line\\\n> \\> a quote line\n>\n> After a gap\n"
        in text
    )
    html = MarkdownIt("commonmark").render(text)
    # Three lines of one paragraph, each kept, nothing read as a list or a nested quote.
    assert "<p>First line *here*<br />\n- a list line<br />\n&gt; a quote line</p>" in html
    assert "<p>After a gap</p>" in html


def test_markdown_needs_a_sprint_when_none_is_active(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(store.path, "export", "--format", "md") == 2
    assert "give --sprint NAME" in capsys.readouterr().err


def test_icalendar_parses_back_with_stable_uids(demo_store: Store, tmp_path: Path) -> None:
    out = tmp_path / "plan.ics"
    assert run(demo_store.path, "export", "--format", "ics", "-o", str(out)) == 0
    calendar = icalendar.Calendar.from_ical(out.read_bytes())
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    todos = {str(t["uid"]): t for t in calendar.walk("VTODO")}
    sprints = demo_store.sprints.list()
    assert set(events) == {f"{s['uuid']}@sprintboard" for s in sprints}
    for sprint in sprints:
        event = events[f"{sprint['uuid']}@sprintboard"]
        assert str(event["summary"]) == sprint["name"]
        assert event.decoded("dtstart") == date.fromisoformat(sprint["start"])
        # all-day: the end is exclusive, the day after the sprint's last day
        assert event.decoded("dtend") == date.fromisoformat(sprint["end"]) + timedelta(days=1)
    due = [c for c in demo_store.cards.query() if c["due"]]
    assert due and set(todos) == {f"{c['uuid']}@sprintboard" for c in due}
    for card in due:
        todo = todos[f"{card['uuid']}@sprintboard"]
        assert todo.decoded("due") == date.fromisoformat(card["due"])
        assert str(todo["summary"]) == f"{card['key']} {card['title']}"

    again = tmp_path / "again.ics"
    assert run(demo_store.path, "export", "--format", "ics", "-o", str(again)) == 0
    uids = {
        str(c["uid"]) for c in icalendar.Calendar.from_ical(again.read_bytes()).walk() if "uid" in c
    }
    assert uids == set(events) | set(todos)  # a calendar re-import updates, never doubles

    one = tmp_path / "one.ics"
    assert (
        run(demo_store.path, "export", "--format", "ics", "--sprint", "Sprint 42", "-o", str(one))
        == 0
    )
    only = icalendar.Calendar.from_ical(one.read_bytes())
    assert [str(e["summary"]) for e in only.walk("VEVENT")] == ["Sprint 42"]


def test_export_options(store: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(store.path, "export", "--format", "json", "--sprint", "current") == 2
    assert "--sprint does not apply" in capsys.readouterr().err
    assert run(store.path, "export", "--format", "csv", "-o", str(tmp_path)) == 2
    assert "is a directory" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["json", "csv", "md", "ics"])
def test_dash_means_standard_output(
    fmt: str,
    demo_store: Store,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    assert run(demo_store.path, "export", "--format", fmt, "-o", "-") == 0
    out = capsys.readouterr().out
    assert not (tmp_path / "-").exists()  # not a file named '-'
    assert out and f"exported {fmt} to" not in out  # the document itself, no message
    assert run(demo_store.path, "export", "--format", fmt) == 0
    plain = capsys.readouterr().out
    # The same document, written a moment apart: the time of writing may differ.
    if fmt == "json":
        out, plain = (re.sub(r'"exported_at": "[^"]*"', "", t) for t in (out, plain))
    if fmt == "ics":
        out, plain = (re.sub(r"DTSTAMP:[0-9TZ]+", "", t) for t in (out, plain))
    assert out == plain
