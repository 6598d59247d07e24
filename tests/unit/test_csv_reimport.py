"""A CSV export imported back: into the database it came from, into another one and back.
Rows are matched by the card's UUID first, so keys that differ between databases never
move content from one card to another."""

from __future__ import annotations

import csv
import re
import sqlite3
from pathlib import Path

import pytest

from sprintboard.cli import main


def run(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str, str]:
    try:
        main(["--db", str(db), *args])
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def export(capsys: pytest.CaptureFixture[str], db: Path, target: Path) -> Path:
    code, _, err = run(capsys, db, "export", "--format", "csv", "-o", str(target))
    assert code == 0, err
    return target


def imported(capsys: pytest.CaptureFixture[str], db: Path, file: Path) -> dict[str, int]:
    """Import `file` as CSV; what the last line says was done."""
    code, out, err = run(capsys, db, "import", str(file), "--from", "csv")
    assert code == 0, err
    done = re.search(
        r"(\d+) cards created, (\d+) updated, (\d+) sprints and (\d+) dependencies", out
    )
    assert done is not None, out
    names = ("created", "updated", "sprints", "dependencies")
    return dict(zip(names, map(int, done.groups()), strict=True))


NOTHING = {"created": 0, "updated": 0, "sprints": 0, "dependencies": 0}


def titles(db: Path) -> dict[str, str]:
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("SELECT key, title FROM cards"))


def links(db: Path) -> set[tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            """SELECT b.key, d.key FROM dependencies
               JOIN cards b ON b.id = blocker_id JOIN cards d ON d.id = dependent_id"""
        )
        return set(rows)


@pytest.fixture
def source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    db = tmp_path / "src.db"
    assert run(capsys, db, "demo")[0] == 0
    return db


def test_a_copy_s_own_export_reimported_changes_nothing(
    source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = export(capsys, source, tmp_path / "a.csv")
    copy = tmp_path / "b.db"
    assert imported(capsys, copy, first)["created"] == len(titles(source))
    before, linked = titles(copy), links(copy)
    # The copy gave the cards keys of its own: the file's keys are not the first file's.
    assert before != titles(source)
    again = export(capsys, copy, tmp_path / "b.csv")
    assert imported(capsys, copy, again) == NOTHING
    assert titles(copy) == before and links(copy) == linked


def test_an_export_imported_into_its_own_database_changes_nothing(
    source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before, linked = titles(source), links(source)
    assert imported(capsys, source, export(capsys, source, tmp_path / "a.csv")) == NOTHING
    assert titles(source) == before and links(source) == linked


def test_to_a_new_database_and_back(
    source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before, linked = titles(source), links(source)
    fresh = tmp_path / "fresh.db"
    imported(capsys, fresh, export(capsys, source, tmp_path / "a.csv"))
    assert imported(capsys, source, export(capsys, fresh, tmp_path / "c.csv")) == NOTHING
    assert titles(source) == before and links(source) == linked


def test_an_edited_row_changes_its_own_card_only(
    source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    copy = tmp_path / "b.db"
    imported(capsys, copy, export(capsys, source, tmp_path / "a.csv"))
    file = export(capsys, copy, tmp_path / "b.csv")
    rows = list(csv.reader(file.read_text(encoding="utf-8-sig").splitlines()))
    header, body = rows[0], rows[1:]
    edited_key = body[0][header.index("key")]
    body[0][header.index("title")] = "Edited in the spreadsheet"
    with file.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([header, *body])
    expected = {**titles(copy), edited_key: "Edited in the spreadsheet"}
    assert imported(capsys, copy, file) == {**NOTHING, "updated": 1}
    assert titles(copy) == expected


def test_a_file_without_uuids_is_matched_by_its_keys_as_before(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "plan.db"
    file = tmp_path / "hand.csv"
    file.write_text("key,title,team,blockers\nA-1,First,IT,\nA-2,Second,IT,A-1\n")
    assert imported(capsys, db, file) == {**NOTHING, "created": 2, "dependencies": 1}
    file.write_text("key,title,team,blockers\nA-1,First again,IT,\nA-2,Second,IT,A-1\n")
    assert imported(capsys, db, file) == {**NOTHING, "updated": 1}
    assert sorted(titles(db).values()) == ["First again", "Second"]


def test_unknown_uuids_make_new_cards_that_keep_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "plan.db"
    file = tmp_path / "other.csv"
    given = "01a23583-b5c4-7001-b45b-641f9cda981b"
    file.write_text(f"key,title,team,uuid\nIT-1,From elsewhere,IT,{given.upper()}\n")
    assert imported(capsys, db, file)["created"] == 1
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT uuid FROM cards").fetchall() == [(given,)]
    file.write_text(f"key,title,team,uuid\nIT-9,Renamed,IT,{given}\n")
    assert imported(capsys, db, file) == {**NOTHING, "updated": 1}
    assert list(titles(db).values()) == ["Renamed"]


def test_a_bad_uuid_skips_its_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "bad.csv"
    file.write_text("key,title,team,uuid\nIT-1,Good,IT,\nIT-2,Bad,IT,not-a-uuid\n")
    code, out, err = run(capsys, tmp_path / "plan.db", "import", str(file), "--from", "csv")
    assert code == 0, err
    assert "uuid: not a UUID (got 'not-a-uuid')" in out
    assert list(titles(tmp_path / "plan.db").values()) == ["Good"]
