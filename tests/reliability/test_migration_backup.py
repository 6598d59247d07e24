"""Opening a database made by an older sprintboard: a timestamped backup first, and a failed
upgrade leaves the file exactly as it was.

"This version" is simulated by registering one more migration than the file has applied
(as the next schema change will), the same way tests/unit/test_store.py does.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database, Migrations

from sprintboard.cli import main
from sprintboard.errors import UserError
from sprintboard.store import Store
from sprintboard.store import migrations as schema_module
from sprintboard.store import opening as database_module
from sprintboard.store.database import known_migrations
from sprintboard.store.migrations import migrations

from .conftest import copy_db
from .invariants import connect, integrity

Migration = Callable[[Database], None]
BACKUP = re.compile(r"^plan\.db\.before-v(\d+)-(\d{8}T\d{6}Z)\.bak$")


def next_version(monkeypatch: pytest.MonkeyPatch, fn: Migration) -> int:
    """Make this sprintboard one migration newer than the files it opens; its schema number."""
    newer = Migrations("sprintboard")
    for m in migrations._migrations:
        newer(name=m.name)(m.fn)
    newer(name="m999_next_change")(fn)
    names = [*known_migrations(), "m999_next_change"]
    monkeypatch.setattr(schema_module, "migrations", newer)
    monkeypatch.setattr(database_module, "known_migrations", lambda: names)
    return len(names)


def add_column(db: Database) -> None:
    db.execute("ALTER TABLE cards ADD COLUMN estimate_hours REAL")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def plan(path: Path) -> list[tuple[object, ...]]:
    with connect(path) as conn:
        return [tuple(r) for r in conn.execute("SELECT key, title, status FROM cards ORDER BY id")]


def backups(path: Path) -> list[Path]:
    return sorted(p for p in path.parent.iterdir() if p.name.endswith(".bak"))


def test_upgrade_makes_a_timestamped_backup_holding_every_commit(
    demo_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = demo_copy.rename(demo_copy.with_name("plan.db"))
    # The old version's last commit is still in the WAL (it never checkpointed): a backup
    # that copied the main file alone would lose it.
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA wal_autocheckpoint = 0")
    holder.execute("UPDATE cards SET title = 'Only in the WAL' WHERE key = 'IT-5'")
    assert Path(f"{path}-wal").stat().st_size > 0
    old_plan = plan(path)
    version = next_version(monkeypatch, add_column)
    try:
        with Store(path) as store:
            assert "estimate_hours" in {c.name for c in store.db["cards"].columns}
    finally:
        holder.close()
    found = backups(path)
    assert len(found) == 1, found
    match = BACKUP.match(found[0].name)
    assert match and int(match[1]) == version, found[0].name
    with connect(found[0]) as conn:
        assert integrity(conn) == []
        columns = {r[1] for r in conn.execute("PRAGMA table_info(cards)")}
        assert "estimate_hours" not in columns  # the old schema, as it was
    assert plan(found[0]) == old_plan
    assert ("IT-5", "Only in the WAL", "todo") in old_plan
    assert plan(path) == old_plan  # migrating kept every card


def failing_python(db: Database) -> None:
    db.execute("ALTER TABLE cards ADD COLUMN half_done TEXT")
    db.execute("UPDATE cards SET title = 'half-migrated'")
    raise RuntimeError("bug in migration m999")


def failing_sql(db: Database) -> None:
    db.execute("UPDATE cards SET title = 'half-migrated'")
    db.execute("ALTER TABLE no_such_table ADD COLUMN x TEXT")


@pytest.mark.parametrize("fn", [failing_python, failing_sql], ids=["python-error", "sql-error"])
def test_a_failed_upgrade_leaves_the_file_as_it_was(
    demo_copy: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fn: Migration,
) -> None:
    path = demo_copy.rename(demo_copy.with_name("plan.db"))
    before, old_plan = digest(path), plan(path)
    version = next_version(monkeypatch, fn)

    # The board's factory: one line, as a UserError, before anything starts.
    with pytest.raises(UserError) as caught:
        Store(path)
    message = str(caught.value)
    assert "\n" not in message
    assert f"upgrading to schema {version} failed" in message and "the file is unchanged" in message
    assert digest(path) == before
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0

    # The command line: the same, one `error:` line, exit 2, no traceback.
    with pytest.raises(SystemExit) as exited:
        main(["--db", str(path), "card", "list"])
    err = capsys.readouterr().err
    assert exited.value.code == 2
    assert err.startswith("error: ") and err.count("\n") == 1 and "Traceback" not in err
    assert digest(path) == before

    # A copy from before is there, named in the message; and the old version still opens it.
    # (Each attempt makes its own copy, named by the second it started in: the message names
    # the first attempt's, whichever second the second attempt fell in.)
    copy = Path(message.rsplit("a copy from before is at ", 1)[1])
    assert copy in backups(path)
    assert plan(copy) == old_plan
    monkeypatch.undo()
    with Store(path) as store:
        assert [c["key"] for c in store.cards.query(keys=["IT-5"])] == ["IT-5"]
        assert "half_done" not in {c.name for c in store.db["cards"].columns}
    assert plan(path) == old_plan


def test_a_read_only_older_file_is_not_touched(
    demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = copy_db(demo_template, tmp_path / "plan.db")
    path.chmod(0o444)
    before = digest(path)
    next_version(monkeypatch, add_column)
    try:
        with pytest.raises(UserError) as caught:
            Store(path)
    finally:
        path.chmod(0o644)
    assert "read-only and needs an upgrade" in str(caught.value)
    assert digest(path) == before
    assert backups(path) == []


def test_a_failed_backup_before_an_upgrade_leaves_no_file(
    demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = copy_db(demo_template, tmp_path / "plan.db")
    before = digest(path)
    real_connect = sqlite3.connect

    def failing(target: str, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        if ".bak" in str(target):
            real_connect(target).execute("CREATE TABLE half (x)")  # something written first
            raise sqlite3.OperationalError("disk I/O error")
        # Forwarded as given: the arguments pick one of `connect`'s overloads.
        connection: sqlite3.Connection = real_connect(target, *args, **kwargs)
        return connection

    next_version(monkeypatch, add_column)
    monkeypatch.setattr(sqlite3, "connect", failing)
    with pytest.raises(UserError):
        Store(path)
    monkeypatch.undo()
    assert [p.name for p in tmp_path.iterdir() if ".bak" in p.name] == []
    assert digest(path) == before
