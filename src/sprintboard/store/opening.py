"""Opening a sprintboard database file: read-only or not, pragmas, schema checks, migrations.

`open_database` refuses every way a file can be unusable with one line (DatabaseError);
`store/file_problems.py` finds the real cause when the folder, disk or a companion file is
to blame.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from sprintboard.errors import FileProblem, UserError
from sprintboard.store import file_problems
from sprintboard.store.backups import backup_name, copy_database
from sprintboard.store.file_problems import may_write, sidecar
from sprintboard.store.schema import MIGRATION_SET, SCHEMA_MIGRATIONS
from sprintboard.vocabulary import title_key

BUSY_TIMEOUT_S = 15.0

# What a current schema holds: opening a file that lacks one says so (a test checks the
# list against a new database).
SCHEMA_OBJECTS = (
    "activity", "card_teams", "cards", "checklist_items", "comments", "dependencies",
    "feedback", "goals", "key_counters", "members", "meta", "sprint_capacity", "sprints",
    "stock", "teams", "card_aliases", "sync_conflicts", "sync_uuid_alias", "sync_clock",
    "sync_peers", "measures", "plan_settings",
    "v_cards", "v_dependencies",
)  # fmt: skip


def known_migrations() -> list[str]:
    """Names of the migrations this sprintboard knows, in order."""
    return list(SCHEMA_MIGRATIONS)


class DatabaseError(UserError):
    """The database file cannot be used: missing, corrupt, foreign or from a newer version."""


def connect(path: Path, read_only: bool, timeout: float) -> sqlite3.Connection:
    # isolation_level=None: we issue BEGIN/COMMIT ourselves (see StoreCore.transaction).
    # check_same_thread=False: the TUI uses the store from one worker thread at a time,
    # guarded by StoreCore's lock.
    if read_only:
        uri = f"{path.resolve().as_uri()}?mode=ro"
        if unopened(path):
            # Nobody has the file open (SQLite removes both companions when the last
            # connection closes). A read-only open would create them with our owner and
            # the file's mode, and leave them behind: they would then block the owner's
            # writes. immutable=1 reads without creating or locking anything.
            uri += "&immutable=1"
        conn = sqlite3.connect(
            uri, uri=True, isolation_level=None, check_same_thread=False, timeout=timeout
        )
    else:
        conn = sqlite3.connect(
            str(path), isolation_level=None, check_same_thread=False, timeout=timeout
        )
    conn.create_function("casefold", 1, _casefold, deterministic=True)
    conn.create_function("title_key", 1, _title_key, deterministic=True)
    return conn


def unopened(path: Path) -> bool:
    # A -journal left by a bulk load that was killed (bulk.rollback_journal_while_alone) is
    # hot: only an ordinary open rolls it back; immutable=1 would read the half-written file.
    return not any(sidecar(path, s).exists() for s in (*file_problems.SIDECARS, "-journal"))


def file_mark(path: Path) -> tuple[int, int, int, bool]:
    """Changes when the file is written or a companion file appears."""
    try:
        st = path.stat()
    except OSError:
        return (0, 0, 0, True)
    return (st.st_ino, st.st_size, st.st_mtime_ns, not unopened(path))


def _read_only_reason(path: Path) -> str | None:
    """Why writes to the database must be refused, or None when they may go ahead."""
    if not path.exists():
        return None
    if not may_write(path):
        return f"{path} is read-only: changes cannot be saved"
    return file_problems.blocking_sidecar(path) or file_problems.folder_blocks_writing(path)


def open_database(
    path: Path, *, create_parent: bool = False, busy_timeout: float = BUSY_TIMEOUT_S
) -> tuple[sqlite3.Connection, str | None]:
    """Open (creating or migrating as needed) the database at `path`.

    Returns the database and, when it is read-only, why (the line a refused write shows).
    Raises DatabaseError with one line for every way the file can be unusable.
    """
    if path.is_dir():
        raise DatabaseError(f"{path} is a directory, not a database file")
    blocked = file_problems.sidecar_is_directory(path)
    if blocked:
        raise DatabaseError(blocked)
    parent = path.parent
    if not parent.exists():
        if not create_parent:
            raise DatabaseError(f"cannot create {path}: directory {parent} does not exist")
        parent.mkdir(parents=True, exist_ok=True)
    exists = path.exists()
    read_only = _read_only_reason(path)
    if not exists and not os.access(parent, os.W_OK):
        raise DatabaseError(f"cannot create {path}: directory {parent} is not writable")
    try:
        conn = connect(path, read_only is not None, busy_timeout)
        conn.execute("PRAGMA schema_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise _refusal(path, exc, f"{path} is not a usable SQLite database ({exc})") from None
    try:
        configure(conn, busy_timeout)
        _migrate(conn, path, read_only is not None)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise _refusal(path, exc, f"{path} cannot be opened ({exc})") from None
    except UserError:
        conn.close()
        raise
    return conn, read_only


def _refusal(path: Path, exc: sqlite3.Error, otherwise: str) -> UserError:
    """The error to raise: the real cause when there is one to name. A full disk is a
    problem met while working (FileProblem); the rest make the file unusable as it is."""
    cause = file_problems.explain(path, exc)
    if cause is None:
        return DatabaseError(otherwise)
    if getattr(exc, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_FULL:
        return FileProblem(cause)
    return DatabaseError(cause)


def configure(conn: sqlite3.Connection, busy_timeout: float) -> None:
    conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
    conn.execute("PRAGMA foreign_keys = ON")
    # 64 MiB of page cache: bulk loads insert into several random-UUID indexes at once.
    conn.execute("PRAGMA cache_size = -65536")


def _use_wal(conn: sqlite3.Connection) -> None:
    # WAL: readers never block the writer, and a crash leaves the last commit intact.
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")


def _applied_migrations(conn: sqlite3.Connection) -> tuple[set[str], list[str]]:
    """The file's tables, and the names of the migrations applied to it, in order."""
    tables = {
        name
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    }
    if "_sqlite_migrations" not in tables:
        return tables, []
    # The table sqlite-utils' Migrations keeps (migration_set, name, applied_at).
    applied = [
        name
        for (name,) in conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY rowid",
            [MIGRATION_SET],
        )
    ]
    return tables, applied


def _schema_objects(conn: sqlite3.Connection) -> set[str]:
    return {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}


def _migrate(conn: sqlite3.Connection, path: Path, read_only: bool) -> None:
    tables, applied = _applied_migrations(conn)
    known = known_migrations()
    if tables and not applied:
        raise DatabaseError(f"{path} is a SQLite database, but not a sprintboard one")
    unknown = [name for name in applied if name not in known]
    if unknown:
        raise DatabaseError(
            f"{path} was written by a newer sprintboard (schema {len(applied)}, this version "
            f"knows {len(known)}); upgrade sprintboard to open it"
        )
    if not read_only:
        _use_wal(conn)  # only now: a file refused above is left exactly as it was
    if len(applied) == len(known):
        missing = missing_object(conn)
        if missing:
            raise DatabaseError(file_problems.damaged_schema(path, missing))
        return
    if read_only:
        raise DatabaseError(f"{path} is read-only and needs an upgrade; make it writable once")
    backup_path: Path | None = None
    if applied:
        backup_path = backup_name(path, f"v{len(known)}")
        try:
            backup(conn, backup_path)
        except (sqlite3.Error, OSError) as exc:
            cause = (
                file_problems.explain(backup_path, exc) if isinstance(exc, sqlite3.Error) else None
            )
            raise DatabaseError(
                f"{path} needs an upgrade to schema {len(known)}, but the copy kept before "
                f"upgrading could not be written: {cause or exc}; the file is unchanged"
            ) from None
    try:
        upgrade(conn)
    except Exception as exc:
        # Whatever went wrong (a bug in a migration included), the user gets one line.
        kept = f"; a copy from before is at {backup_path}" if backup_path else ""
        raise DatabaseError(
            f"{path}: upgrading to schema {len(known)} failed ({exc}); the file is unchanged{kept}"
        ) from None


def missing_object(conn: sqlite3.Connection) -> str | None:
    """The first table or view of a current schema the database lacks ("table stock")."""
    present = _schema_objects(conn)
    for name in SCHEMA_OBJECTS:
        if name not in present:
            return f"{'view' if name.startswith('v_') else 'table'} {name}"
    return None


def upgrade(conn: sqlite3.Connection) -> None:
    """Apply the migrations the database lacks, all or nothing (raises what went wrong)."""
    from sprintboard.store import migrations as schema  # sqlite-utils: only to migrate

    # BEGIN IMMEDIATE takes the write lock first, so two processes opening a new file at
    # once migrate it once; Migrations.apply nests its own transactions as savepoints.
    conn.execute("BEGIN IMMEDIATE")
    try:
        schema.migrations.apply(schema.wrap(conn))
        conn.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)",
            [str(len(known_migrations()))],
        )
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def backup(conn: sqlite3.Connection, target: Path) -> None:
    """A consistent copy of the database open on `conn`, all or nothing (see
    store/backups.py): a failed copy (a full disk) leaves no file behind, since an empty or
    partial one would open as a plan of its own. The copy gets the database's permissions."""
    database = Path(conn.execute("PRAGMA database_list").fetchone()[2] or target)
    copy_database(conn, target, database=database)


def _casefold(value: object) -> str | None:
    return None if value is None else str(value).casefold()


def _title_key(value: object) -> str | None:
    return None if value is None else title_key(str(value))
