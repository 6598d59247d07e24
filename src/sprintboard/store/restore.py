"""Putting a backup back: `sprintboard restore BACKUP`.

Copying a backup over the database file does not restore it while a `-wal` file sits
beside it: SQLite replays the newer changes onto the copy. Here the backup is checked on a
private copy, opened as sprintboard opens a database: a SQLite file, `integrity_check` ok,
a sprintboard schema this version can read (an older one is upgraded on the copy), every
table, column and view of the current schema there and readable, no row pointing at a
missing one. Only then is the current database copied to
`<name>.before-restore-<time>.bak`, and the backup goes in through SQLite's backup API on a
connection to the live database: one write transaction, so other connections see the old
plan or the new one, never a mix, and no stale `-wal` is left to replay.

Card keys are never handed out twice: each team's key counter ends at the higher of the
backup's and the replaced plan's.
"""

from __future__ import annotations

import shutil
import sqlite3
import stat
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sprintboard.errors import UserError
from sprintboard.store.backups import SQLITE_HEADER, backup_before
from sprintboard.store.file_problems import may_write
from sprintboard.store.opening import (
    BUSY_TIMEOUT_S,
    SCHEMA_OBJECTS,
    _applied_migrations,
    known_migrations,
    missing_object,
    upgrade,
)


@dataclass
class Restored:
    before: Path | None
    """The copy of the replaced database (None: there was no database)."""
    cards: int


def _refuse(source: Path, why: str) -> UserError:
    return UserError(f"{source}: {why}; the current database is unchanged")


def check_backup_file(source: Path, database: Path) -> None:
    """Refuse, in one line, a file that cannot be a sprintboard backup (before any work)."""
    try:
        found = source.stat()
    except OSError as exc:
        raise _refuse(source, f"cannot be read ({exc.strerror or exc})") from None
    if not stat.S_ISREG(found.st_mode):
        raise _refuse(source, "is not a regular file")
    for end in ("", "-wal", "-shm"):
        try:
            live = Path(f"{database}{end}").stat()
        except OSError:
            continue
        if (live.st_dev, live.st_ino) == (found.st_dev, found.st_ino):
            raise _refuse(source, "is the database itself (or its companion file)")
    if found.st_size == 0:
        raise _refuse(source, "is empty (0 bytes), not a backup")
    with source.open("rb") as file:
        header = file.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise _refuse(source, "is not a SQLite database (a backup is made by sprintboard backup)")


def _check_copy(conn: sqlite3.Connection, source: Path) -> None:
    """Open the private copy as sprintboard would (upgrading an older one) and check all of
    it: whatever is refused here never reaches the live database."""
    try:
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        if problems != ["ok"]:
            raise _refuse(source, f"is damaged (integrity check: {problems[0]})")
        tables, applied = _applied_migrations(conn)
    except sqlite3.DatabaseError as exc:
        raise _refuse(source, f"is damaged or cut off ({exc})") from None
    known = known_migrations()
    if not applied or "cards" not in tables:
        raise _refuse(source, "is a SQLite database, but not a sprintboard one")
    if any(name not in known for name in applied):
        raise _refuse(
            source,
            f"was written by a newer sprintboard (schema {len(applied)}, this version knows "
            f"{len(known)}); upgrade sprintboard to restore it",
        )
    if len(applied) < len(known):
        try:
            upgrade(conn)
        except Exception as exc:
            raise _refuse(
                source, f"is from schema {len(applied)} and cannot be upgraded ({exc})"
            ) from None
    try:
        _check_schema(conn, source)
    except sqlite3.DatabaseError as exc:
        raise _refuse(source, f"is damaged ({exc})") from None


def _check_schema(conn: sqlite3.Connection, source: Path) -> None:
    """Every table, column and view of the current schema is there and readable, and no row
    points at a missing one."""
    missing = missing_object(conn)
    if missing:
        raise _refuse(source, f"is missing {missing}: the backup's schema is damaged")
    for table, wanted in _current_columns().items():
        have = {row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')}
        lost = [column for column in wanted if column not in have]
        if lost:
            raise _refuse(
                source, f"is missing column {table}.{lost[0]}: the backup's schema is damaged"
            )
    for (view,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'view'"):
        try:
            conn.execute(f'SELECT * FROM "{view}" LIMIT 0').fetchall()
        except sqlite3.DatabaseError as exc:
            raise _refuse(source, f"has a view {view} that cannot be read ({exc})") from None
    _check_rules(conn, source)
    broken = conn.execute("PRAGMA foreign_key_check").fetchone()
    if broken is not None:
        table, rowid, parent, _ = broken
        raise _refuse(
            source, f"has a row in {table} (rowid {rowid}) pointing at a missing row of {parent}"
        )


@cache
def _current_columns() -> dict[str, tuple[str, ...]]:
    """The columns of each table of the current schema, from a new database in memory."""
    reference = sqlite3.connect(":memory:", isolation_level=None)
    try:
        upgrade(reference)
        return {
            table: tuple(row[1] for row in reference.execute(f'PRAGMA table_info("{table}")'))
            for table in SCHEMA_OBJECTS
            if not table.startswith("v_")
        }
    finally:
        reference.close()


@cache
def _current_rules() -> dict[str, frozenset[str]]:
    """The triggers and indexes (by name) a new database of the current schema has."""
    reference = sqlite3.connect(":memory:", isolation_level=None)
    try:
        upgrade(reference)
        return {
            kind: frozenset(
                name
                for (name,) in reference.execute(
                    "SELECT name FROM sqlite_master WHERE type = ? AND sql IS NOT NULL", [kind]
                )
            )
            for kind in ("trigger", "index")
        }
    finally:
        reference.close()


def _check_rules(conn: sqlite3.Connection, source: Path) -> None:
    """No trigger this sprintboard does not make (one could refuse or rewrite every later
    write), and no index it relies on (one enforces a single active sprint) missing."""
    wanted = _current_rules()
    for kind in ("trigger", "index"):
        have = {
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = ? AND sql IS NOT NULL", [kind]
            )
        }
        extra = sorted(have - wanted[kind])
        if kind == "trigger" and extra:
            raise _refuse(source, f"has a trigger sprintboard does not make ({extra[0]})")
        lost = sorted(wanted[kind] - have)
        if lost:
            raise _refuse(source, f"is missing {kind} {lost[0]}: the backup's schema is damaged")


def _keep_key_counters(copy: sqlite3.Connection, live: sqlite3.Connection) -> None:
    """Raise the copy's key counters to the live database's: no key is handed out twice."""
    try:
        counters = live.execute("SELECT team_code, last FROM key_counters").fetchall()
    except sqlite3.DatabaseError:
        return  # no usable plan there: nothing was handed out
    with copy:
        copy.executemany(
            """INSERT INTO key_counters(team_code, last) VALUES (?, ?)
               ON CONFLICT(team_code) DO UPDATE SET last = MAX(last, excluded.last)""",
            counters,
        )


def _match_page_size(copy: sqlite3.Connection, live: sqlite3.Connection) -> None:
    """The backup API cannot write into a WAL database with another page size."""
    wanted = live.execute("PRAGMA page_size").fetchone()[0]
    if copy.execute("PRAGMA page_size").fetchone()[0] != wanted:
        copy.execute("PRAGMA journal_mode = DELETE")
        copy.execute(f"PRAGMA page_size = {int(wanted)}")
        copy.execute("VACUUM")


ValuesCheck = Callable[[sqlite3.Connection], None]
"""Checks every value of a database as the way in checks them; raises UserError."""


def restore_database(
    source: Path, database: Path, *, check_values: ValuesCheck | None = None
) -> Restored:
    """Replace the database at `database` with the backup at `source`, all or nothing.

    `check_values` (io/dump.py's, from the CLI: the store sits below the importers) checks
    the backup's values as a JSON restore checks its rows, before anything is replaced.

    Raises UserError (one line) and leaves the database unchanged when the backup cannot
    be used. No other connection of this process may be open on `database`.
    """
    check_backup_file(source, database)
    if not database.parent.is_dir():
        raise UserError(f"{database}: no such directory: {database.parent}")
    exists = database.exists()
    if exists and not may_write(database):
        raise UserError(f"{database} is read-only: nothing was restored (make it writable first)")
    try:
        with tempfile.TemporaryDirectory(
            prefix=".sprintboard-restore-", dir=database.parent
        ) as folder:
            return _restore_through(Path(folder), source, database, exists, check_values)
    except OSError as exc:
        _forget_new(database, exists)
        raise UserError(
            f"{database}: cannot restore ({exc.strerror or exc}); nothing was restored"
        ) from None
    except UserError:
        _forget_new(database, exists)
        raise


def _forget_new(database: Path, existed: bool) -> None:
    """A refused restore into a database that did not exist leaves no file behind."""
    if existed:
        return
    for end in ("", "-wal", "-shm", "-journal"):
        Path(f"{database}{end}").unlink(missing_ok=True)


def _restore_through(
    folder: Path, source: Path, database: Path, exists: bool, check_values: ValuesCheck | None
) -> Restored:
    """The restore, with `folder` (beside the database) for the private copy."""
    staged = folder / "backup.db"
    shutil.copyfile(source, staged)
    wal = Path(f"{source}-wal")
    if wal.is_file() and wal.stat().st_size:
        shutil.copyfile(wal, f"{staged}-wal")  # part of that database: read it too
    copy = sqlite3.connect(str(staged), isolation_level=None)
    try:
        _check_copy(copy, source)
        if check_values is not None:
            try:
                check_values(copy)
            except UserError as exc:
                raise _refuse(source, f"holds a value sprintboard refuses ({exc})") from None
        live = sqlite3.connect(str(database), isolation_level=None, timeout=BUSY_TIMEOUT_S)
        try:
            return _replace(copy, live, source, database, exists)
        finally:
            live.close()
    finally:
        copy.close()


def _replace(
    copy: sqlite3.Connection, live: sqlite3.Connection, source: Path, database: Path, exists: bool
) -> Restored:
    try:
        _keep_key_counters(copy, live)
        _match_page_size(copy, live)
    except sqlite3.DatabaseError as exc:
        raise _refuse(source, f"cannot be restored ({exc})") from None
    try:
        before = backup_before(database, "restore") if exists else None
    except sqlite3.DatabaseError as exc:
        raise UserError(
            f"{database}: the current database could not be copied first ({exc}); "
            "nothing was restored (copy the file aside by hand, then restore)"
        ) from None
    kept = f"; the plan from before is at {before}" if before else ""
    try:
        copy.backup(live)
        result = live.execute("PRAGMA integrity_check").fetchone()[0]
        cards = int(live.execute("SELECT COUNT(*) FROM cards").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        raise UserError(f"{database}: restoring failed ({exc}){kept}") from None
    if result != "ok":
        raise UserError(f"{database}: integrity check after restoring: {result}{kept}")
    return Restored(before=before, cards=cards)
