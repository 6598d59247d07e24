"""`sprintboard restore BACKUP`: the plan becomes the backup exactly, even with newer data
waiting in a `-wal` file; a file that is no usable backup changes nothing."""

from __future__ import annotations

import hashlib
import io
import sqlite3
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlite_utils import Database, Migrations

from sprintboard.cli import main
from sprintboard.store import migrations as schema_module
from sprintboard.store import opening
from sprintboard.store import restore as restore_module
from sprintboard.store.migrations import migrations

from .conftest import Ran, copy_db


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> Ran:
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return Ran(code, captured.out, captured.err)


def dump(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def state(path: Path) -> tuple[str, str]:
    """The database file and its WAL, as bytes (hashed): 'unchanged' means both."""
    wal = Path(f"{path}-wal")
    return (
        hashlib.sha256(path.read_bytes()).hexdigest(),
        hashlib.sha256(wal.read_bytes()).hexdigest() if wal.exists() else "",
    )


@pytest.fixture
def plan(demo_template: Path, tmp_path: Path) -> Path:
    return copy_db(demo_template, tmp_path / "plan.db")


@pytest.fixture
def saved(plan: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    target = tmp_path / "saved.db"
    assert cli(capsys, "--db", str(plan), "backup", str(target)).code == 0
    return target


def test_restore_wins_over_newer_data_in_the_wal(
    plan: Path, saved: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = dump(saved)
    # Another sprintboard changed the plan after the backup and has not checkpointed: the
    # newer data sits in plan.db-wal (copying saved.db over plan.db would keep it).
    holder = sqlite3.connect(plan, isolation_level=None)
    holder.execute("PRAGMA wal_autocheckpoint = 0")
    holder.execute("UPDATE cards SET title = 'Newer, only in the WAL' WHERE key = 'IT-5'")
    holder.execute("DELETE FROM feedback")
    assert Path(f"{plan}-wal").stat().st_size > 0
    try:
        result = cli(capsys, "--db", str(plan), "restore", str(saved), "--yes")
        assert result.code == 0, result.err
        # The open connection sees the restored plan on its next read.
        title = holder.execute("SELECT title FROM cards WHERE key = 'IT-5'").fetchone()[0]
        assert title != "Newer, only in the WAL"
    finally:
        holder.close()
    assert dump(plan) == expected
    assert sqlite3.connect(plan).execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # The replaced plan was kept, named in the output, and holds the newer data.
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("plan.db.before-restore-")]
    assert len(kept) == 1 and str(kept[0]) in result.out
    with sqlite3.connect(kept[0]) as conn:
        row = conn.execute("SELECT title FROM cards WHERE key = 'IT-5'").fetchone()
    assert row == ("Newer, only in the WAL",)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".sprintboard-restore")]


def test_keys_handed_out_after_the_backup_are_not_handed_out_again(
    plan: Path, saved: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    added = cli(capsys, "--db", str(plan), "card", "add", "After the backup", "--team", "IT")
    assert cli(capsys, "--db", str(plan), "restore", str(saved), "--yes").code == 0
    again = cli(capsys, "--db", str(plan), "card", "add", "Another", "--team", "IT")
    assert added.code == again.code == 0
    assert again.out.strip() != added.out.strip()
    # Apart from the key counters, the restored plan is the backup.
    restored = [line for line in dump(plan) if "Another" not in line and "key_counters" not in line]
    assert not any("After the backup" in line for line in restored)


def _truncated(saved: Path, target: Path) -> Path:
    data = saved.read_bytes()
    target.write_bytes(data[: len(data) // 2])
    return target


def _foreign(target: Path) -> Path:
    with sqlite3.connect(target) as conn:
        conn.execute("CREATE TABLE notes (text TEXT)")
    return target


def _newer(saved: Path, target: Path) -> Path:
    target.write_bytes(saved.read_bytes())
    with sqlite3.connect(target) as conn:
        conn.execute(
            "INSERT INTO _sqlite_migrations(migration_set, name, applied_at) "
            "VALUES ('sprintboard', 'm999_future', '2030-01-01')"
        )
    return target


def _directory(saved: Path, target: Path) -> Path:
    target.mkdir()
    return target


def _altered(*statements: str) -> Callable[[Path, Path], Path]:
    """A copy of the backup with `statements` run on it (foreign keys off, as a tool would)."""

    def make(saved: Path, target: Path) -> Path:
        target.write_bytes(saved.read_bytes())
        conn = sqlite3.connect(target, isolation_level=None)
        try:
            conn.execute("PRAGMA foreign_keys = OFF")
            for sql in statements:
                conn.execute(sql)
        finally:
            conn.close()
        return target

    return make


BAD: dict[str, Callable[[Path, Path], Path]] = {
    "text": lambda saved, p: (p.write_text("not a database\n"), p)[1],
    "empty": lambda saved, p: (p.write_bytes(b""), p)[1],
    "header-only": lambda saved, p: (p.write_bytes(b"SQLite format 3\x00" + b"\x00" * 84), p)[1],
    "truncated": _truncated,
    "not-sprintboard": lambda saved, p: _foreign(p),
    "newer": _newer,
    "directory": _directory,
    "missing": lambda saved, p: p,
    "dropped-table": _altered("DROP TABLE stock"),
    "dropped-view": _altered("DROP VIEW v_cards"),
    "dropped-column": _altered("ALTER TABLE goals DROP COLUMN kpi"),
    "broken-view": _altered(
        "DROP VIEW v_dependencies", "CREATE VIEW v_dependencies AS SELECT nope FROM cards"
    ),
    "dangling-row": _altered("DELETE FROM teams WHERE code = 'IT'"),
    # Rules another tool added or removed: a trigger could refuse or rewrite later writes.
    "foreign-trigger": _altered(
        "CREATE TRIGGER t1 BEFORE INSERT ON cards BEGIN SELECT RAISE(ABORT, 'boom'); END"
    ),
    "dropped-index": _altered("DROP INDEX one_active_sprint"),
    # Values the way in refuses, written by another tool: checked as a JSON restore is.
    "labels-not-json": _altered("UPDATE cards SET labels = 'not json' WHERE id = 1"),
    "points-as-text": _altered("UPDATE cards SET points = 'abc' WHERE id = 1"),
    "date-out-of-range": _altered("UPDATE cards SET due = '0999-12-31' WHERE id = 1"),
    "lowercase-team": _altered("UPDATE teams SET code = 'it' WHERE code = 'IT'"),
}


@pytest.mark.parametrize("kind", list(BAD))
def test_a_bad_backup_changes_nothing(
    plan: Path, saved: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    bad = BAD[kind](saved, tmp_path / f"bad-{kind}.db")
    before = state(plan)
    result = cli(capsys, "--db", str(plan), "restore", str(bad), "--yes")
    assert result.code == 2, (kind, result)
    assert result.err.startswith("error: ") and result.err.count("\n") == 1, result.err
    assert "unchanged" in result.err or kind == "missing"
    assert result.err.startswith(f"error: {bad}")  # the line names the backup, not the plan
    assert "Traceback" not in result.err
    assert state(plan) == before
    leftovers = [p.name for p in tmp_path.iterdir() if "restore" in p.name]
    assert leftovers == []


def test_asks_first_and_refuses_without_a_terminal(
    plan: Path,
    saved: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with sqlite3.connect(plan) as conn:
        conn.execute("UPDATE cards SET title = 'Changed' WHERE key = 'IT-5'")
    before = state(plan)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # not a terminal
    refused = cli(capsys, "--db", str(plan), "restore", str(saved))
    assert refused.code == 2 and "--yes" in refused.err and refused.err.count("\n") == 1
    assert state(plan) == before

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Terminal("n\n"))
    declined = cli(capsys, "--db", str(plan), "restore", str(saved))
    assert declined.code == 1 and state(plan) == before
    monkeypatch.setattr(sys, "stdin", Terminal("y\n"))
    assert cli(capsys, "--db", str(plan), "restore", str(saved)).code == 0
    with sqlite3.connect(plan) as conn:
        assert conn.execute("SELECT title FROM cards WHERE key = 'IT-5'").fetchone()[0] != "Changed"


def test_a_read_only_database_is_not_restored_over(
    plan: Path, saved: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = state(plan)
    plan.chmod(0o444)
    try:
        result = cli(capsys, "--db", str(plan), "restore", str(saved), "--yes")
    finally:
        plan.chmod(0o644)
    assert result.code == 2 and "read-only" in result.err and result.err.count("\n") == 1
    assert state(plan) == before


def test_restore_into_a_new_file(
    saved: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fresh = tmp_path / "fresh.db"
    bad = tmp_path / "notes.txt"
    bad.write_text("not a database\n")
    assert cli(capsys, "--db", str(fresh), "restore", str(bad), "--yes").code == 2
    assert not fresh.exists()  # a refused restore creates nothing
    result = cli(capsys, "--db", str(fresh), "restore", str(saved), "--yes")
    assert result.code == 0, result.err
    assert "kept in" not in result.out  # there was no plan to keep
    assert dump(fresh) == dump(saved)


def test_a_damaged_backup_keeps_changes_made_since(
    plan: Path, saved: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The whole backup is checked before the live plan is touched: nothing is lost."""
    _altered("DROP TABLE stock")(saved, saved)
    added = cli(capsys, "--db", str(plan), "card", "add", "MARK", "--team", "IT")
    assert added.code == 0, added.err
    result = cli(capsys, "--db", str(plan), "restore", str(saved), "--yes")
    assert result.code == 2 and "table stock" in result.err and str(saved) in result.err
    assert "kept in" not in result.out
    with sqlite3.connect(plan) as conn:
        assert conn.execute("SELECT COUNT(*) FROM cards WHERE title = 'MARK'").fetchone()[0] == 1
    assert cli(capsys, "--db", str(plan), "card", "list").code == 0


def _one_migration_newer(monkeypatch: pytest.MonkeyPatch, fn: Callable[[Database], None]) -> None:
    """Make this sprintboard one schema newer than the backups it restores."""
    newer = Migrations("sprintboard")
    for m in migrations._migrations:
        newer(name=m.name)(m.fn)
    newer(name="m999_next_change")(fn)
    names = [*opening.known_migrations(), "m999_next_change"]
    monkeypatch.setattr(schema_module, "migrations", newer)
    monkeypatch.setattr(opening, "known_migrations", lambda: names)
    monkeypatch.setattr(restore_module, "known_migrations", lambda: names)
    restore_module._current_columns.cache_clear()


@pytest.fixture
def newer_schema(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    yield monkeypatch
    monkeypatch.undo()
    restore_module._current_columns.cache_clear()


def test_an_older_backup_is_upgraded_on_the_copy(
    plan: Path, saved: Path, newer_schema: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def add_hours(db: Database) -> None:
        db.execute("ALTER TABLE cards ADD COLUMN hours REAL")

    _one_migration_newer(newer_schema, add_hours)
    result = cli(capsys, "--db", str(plan), "restore", str(saved), "--yes")
    assert result.code == 0, result.err
    with sqlite3.connect(plan) as conn:
        assert "hours" in {row[1] for row in conn.execute("PRAGMA table_info(cards)")}


def test_an_older_backup_that_cannot_be_upgraded_changes_nothing(
    plan: Path, saved: Path, newer_schema: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _altered("DROP TABLE stock")(saved, saved)

    def add_hours(db: Database) -> None:
        db.execute("ALTER TABLE stock ADD COLUMN hours REAL")

    _one_migration_newer(newer_schema, add_hours)
    before = state(plan)
    result = cli(capsys, "--db", str(plan), "restore", str(saved), "--yes")
    assert result.code == 2 and result.err.startswith(f"error: {saved}"), result.err
    assert "cannot be upgraded" in result.err and result.err.count("\n") == 1
    assert state(plan) == before
