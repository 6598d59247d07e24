"""When the database's folder, disk or companion files stop a command, the one line names
the real cause and what to do; and reading a file read-only leaves nothing behind.

The tests run as root, whom SQLite lets write anything: a file or folder another user may
not write is simulated with os.access (as test_bad_files does), ownership is set for real
with chown, and modes are set for real with chmod.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from sprintboard.cli import main
from sprintboard.errors import FileProblem, UserError
from sprintboard.store import Store, opening
from sprintboard.store.file_problems import explain
from sprintboard.store.opening import SCHEMA_OBJECTS, backup

from .conftest import run_cli
from .test_bad_files import one_error_line


def sidecars(db: Path) -> list[str]:
    return sorted(p.name for p in db.parent.iterdir() if p.name.startswith(f"{db.name}-"))


def deny_writing(monkeypatch: pytest.MonkeyPatch, *denied: Path) -> None:
    """As a non-root user would find these paths: os.access says they are not writable."""
    real_access = os.access

    def access(path: object, mode: int, **kwargs: object) -> bool:
        if mode & os.W_OK and Path(str(path)) in denied:
            return False
        return real_access(path, mode, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "access", access)


def run_main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exited:
        main(list(args))
    return int(exited.value.code or 0), capsys.readouterr().err


# -- reading read-only ----------------------------------------------------------------------


@pytest.fixture
def read_only_db(demo_copy: Path) -> Iterator[Path]:
    demo_copy.chmod(0o444)
    yield demo_copy
    demo_copy.chmod(0o644)


def test_reading_a_read_only_file_leaves_no_companion_files(
    read_only_db: Path, tmp_path: Path
) -> None:
    listed = run_cli(tmp_path, "--db", str(read_only_db), "card", "list")
    assert listed.code == 0 and "IT-5" in listed.out, listed
    with Store(read_only_db) as store:  # the board's way in, kept open a while
        assert store.read_only and store.cards.get("IT-5")["key"] == "IT-5"
        assert sidecars(read_only_db) == []
    assert sidecars(read_only_db) == []
    # Made writable again, the owner writes as before.
    read_only_db.chmod(0o644)
    moved = run_cli(tmp_path, "--db", str(read_only_db), "card", "move", "IT-5", "done")
    assert moved.code == 0, moved


def test_a_read_only_store_follows_a_file_written_after_it_opened(read_only_db: Path) -> None:
    with Store(read_only_db) as reader:
        before = reader.data_version()
        read_only_db.chmod(0o644)
        with Store(read_only_db) as writer:
            writer.cards.move("IT-5", status="done")
        assert reader.data_version() != before
        assert reader.cards.get("IT-5")["status"] == "done"


@pytest.fixture
def stale_sidecars(demo_copy: Path) -> Path:
    """The -wal and -shm an older read-only open left beside a chmod a-w file (mode 0444)."""
    demo_copy.chmod(0o444)
    conn = sqlite3.connect(f"{demo_copy.resolve().as_uri()}?mode=ro", uri=True)
    conn.execute("SELECT COUNT(*) FROM cards").fetchone()
    conn.close()
    demo_copy.chmod(0o644)
    assert sidecars(demo_copy) == ["plan.db-shm", "plan.db-wal"]
    assert all(os.stat(f"{demo_copy}{s}").st_mode & 0o777 == 0o444 for s in ("-wal", "-shm"))
    return demo_copy


def test_a_stale_read_only_companion_file_is_named_with_what_to_do(
    stale_sidecars: Path, tmp_path: Path
) -> None:
    listed = run_cli(tmp_path, "--db", str(stale_sidecars), "card", "list")
    assert listed.code == 0 and "IT-5" in listed.out, listed
    moved = run_cli(tmp_path, "--db", str(stale_sidecars), "card", "move", "IT-5", "done")
    line = one_error_line(moved)
    assert moved.code == 2
    assert line in {
        f"{stale_sidecars}{suffix} is read-only (mode 0444) and blocks writing; "
        "remove it when no sprintboard is running"
        for suffix in ("-wal", "-shm")
    }, line
    for suffix in ("-wal", "-shm"):
        Path(f"{stale_sidecars}{suffix}").unlink()
    moved = run_cli(tmp_path, "--db", str(stale_sidecars), "card", "move", "IT-5", "done")
    assert moved.code == 0, moved


def test_another_users_companion_file_is_named_with_its_owner(
    stale_sidecars: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shm = Path(f"{stale_sidecars}-shm")
    Path(f"{stale_sidecars}-wal").unlink()
    shm.chmod(0o644)
    os.chown(shm, 1001, 1001)
    deny_writing(monkeypatch, shm)
    with Store(stale_sidecars) as store:
        assert store.cards.get("IT-5")["key"] == "IT-5"
        with pytest.raises(UserError) as refused:
            store.cards.move("IT-5", status="done")
    assert str(refused.value) == (
        f"{shm} is owned by another user (uid 1001) and blocks writing; "
        "remove it when no sprintboard is running"
    )


# -- folder, disk, companion files, schema -------------------------------------------------


def test_a_read_only_folder_is_named(demo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    deny_writing(monkeypatch, demo_copy.parent)
    with Store(demo_copy) as store:
        assert store.cards.get("IT-5")["key"] == "IT-5"
        with pytest.raises(UserError) as refused:
            store.cards.move("IT-5", status="done")
    assert str(refused.value) == (
        f"cannot write in {demo_copy.parent} (read-only): SQLite needs to create plan.db-wal there"
    )
    assert sidecars(demo_copy) == []


def _error(code: int, message: str) -> sqlite3.OperationalError:
    exc = sqlite3.OperationalError(message)
    exc.sqlite_errorcode = code
    return exc


def test_sqlite_error_codes_name_their_cause(tmp_path: Path) -> None:
    db = tmp_path / "plan.db"
    readonly_directory = _error(1544, "attempt to write a readonly database")
    assert explain(db, readonly_directory) == (
        f"cannot write in {tmp_path} (read-only): SQLite needs to create plan.db-wal there"
    )
    full = _error(sqlite3.SQLITE_FULL, "database or disk is full")
    assert explain(db, full) == (
        f"disk full while writing {db} (database or disk is full); nothing was changed: "
        "free some space"
    )
    assert explain(db, _error(sqlite3.SQLITE_BUSY, "database is locked")) is None


def test_a_wal_that_is_a_directory_is_named(demo_copy: Path, tmp_path: Path) -> None:
    Path(f"{demo_copy}-wal").mkdir()
    line = one_error_line(run_cli(tmp_path, "--db", str(demo_copy), "card", "list"))
    assert (
        line == f"{demo_copy}-wal is a directory; remove it (SQLite keeps a companion file there)"
    )


def test_a_full_disk_is_named_and_nothing_is_written(
    demo_copy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real_configure = opening.configure

    def no_room_left(conn: sqlite3.Connection, busy_timeout: float) -> None:
        real_configure(conn, busy_timeout)
        # A database that may not grow: SQLite then reports SQLITE_FULL, as on a full disk.
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")

    monkeypatch.setattr(opening, "configure", no_room_left)
    with Store(demo_copy) as store:
        cards = store.scalar("SELECT COUNT(*) FROM cards")
        with pytest.raises(FileProblem) as refused, store.transaction("fill") as tx:
            tx.conn.execute("INSERT INTO meta(key, value) VALUES ('filler', zeroblob(400000))")
        assert store.scalar("SELECT COUNT(*) FROM cards") == cards
    assert str(refused.value).startswith(f"disk full while writing {demo_copy} ("), refused
    code, err = run_main(
        capsys, "--db", str(demo_copy), "card", "add", "Big", "--team", "IT",
        "--description", "y" * 90_000,
    )  # fmt: skip
    assert code == 1 and err.startswith(f"error: database: disk full while writing {demo_copy}")
    assert err.count("\n") == 1, err


@pytest.mark.parametrize("table", ["stock", "cards"])
def test_a_dropped_table_is_named_with_what_to_do(
    demo_copy: Path, tmp_path: Path, table: str
) -> None:
    with sqlite3.connect(demo_copy) as conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.execute(f"DROP TABLE {table}")
    conn.close()
    ran = run_cli(tmp_path, "--db", str(demo_copy), "card", "list")
    assert ran.code == 2
    assert one_error_line(ran) == (
        f"{demo_copy} is missing table {table}: the database's schema is damaged; restore it "
        "from a backup (see README: Data safety)"
    )


def test_the_schema_objects_are_those_of_a_new_database(tmp_path: Path) -> None:
    with Store(tmp_path / "new.db") as store:
        found = {
            r["name"]
            for r in store.rows(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
                " AND name NOT LIKE 'sqlite_%' AND name != '_sqlite_migrations'"
            )
        }
    assert found == set(SCHEMA_OBJECTS)


# -- backups --------------------------------------------------------------------------------


class FailingCopy(sqlite3.Connection):
    """A source whose backup stops half-way, as on a full disk."""

    def backup(self, target: sqlite3.Connection, *args: object, **kwargs: object) -> None:
        super().backup(target, pages=1)
        target.execute("CREATE TABLE half_written(x)")
        raise sqlite3.OperationalError("database or disk is full")


def test_a_failed_backup_leaves_no_file_behind(demo_copy: Path, tmp_path: Path) -> None:
    target = tmp_path / "copy.bak"
    before = sorted(p.name for p in tmp_path.iterdir())
    conn: sqlite3.Connection = sqlite3.connect(demo_copy, factory=FailingCopy)
    with pytest.raises(sqlite3.OperationalError):
        backup(conn, target)
    conn.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    # A backup that works is whole and in place.
    conn = sqlite3.connect(demo_copy)
    backup(conn, target)
    conn.close()
    with sqlite3.connect(target) as copied:
        assert copied.execute("SELECT COUNT(*) FROM cards").fetchone()[0] > 0
    copied.close()


def test_a_table_missing_while_working_is_named_too(
    demo_copy: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Damage the check on opening does not see (here: not told to look) still gets the
    cause, from the query that met it: exit status 1, as for problems met while working."""
    monkeypatch.setattr(opening, "SCHEMA_OBJECTS", ())
    with sqlite3.connect(demo_copy) as conn:
        conn.execute("DROP TABLE stock")
    conn.close()
    code, err = run_main(capsys, "--db", str(demo_copy), "stock", "list")
    assert (code, err) == (
        1,
        f"error: database: {demo_copy} is missing table stock: the database's schema is "
        "damaged; restore it from a backup (see README: Data safety)\n",
    )


def test_an_upgrade_whose_backup_fails_names_the_cause_and_leaves_the_file(
    demo_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from .test_migration_backup import add_column, digest, next_version

    version = next_version(monkeypatch, add_column)
    before = digest(demo_copy)

    def full_disk(conn: sqlite3.Connection, target: Path) -> None:
        exc = _error(sqlite3.SQLITE_FULL, "database or disk is full")
        raise exc

    monkeypatch.setattr(opening, "backup", full_disk)
    with pytest.raises(UserError) as refused:
        Store(demo_copy)
    line = str(refused.value)
    assert line.startswith(
        f"{demo_copy} needs an upgrade to schema {version}, but the copy kept before "
        f"upgrading could not be written: disk full while writing {demo_copy}.before-v"
    ), line
    assert line.endswith("; the file is unchanged"), line
    assert digest(demo_copy) == before
    assert not any(p.name.endswith(".bak") for p in demo_copy.parent.iterdir())
