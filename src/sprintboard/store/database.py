"""Opening a sprintboard database: pragmas, schema checks, migrations, transactions, activity.

Every write goes through `StoreCore.transaction()`, which holds one SQLite write
transaction and records each changed record in the append-only `activity` table under the
same transaction id. Undo, history and charts all read that log.
"""

from __future__ import annotations

import getpass
import json
import os
import socket
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sprintboard.errors import UserError
from sprintboard.store.backups import backup_before

if TYPE_CHECKING:
    from sqlite_utils import Database

BUSY_TIMEOUT_S = 15.0

# The schema's migrations, in order: the names `store/migrations.py` registers (a test
# checks the two agree). Opening an up-to-date file compares against this list alone, so
# sqlite-utils is imported only when a migration has to run or a caller asks for `db`.
SCHEMA_MIGRATIONS = ("m001_initial", "m002_planning", "m003_inbox", "m004_history")
MIGRATION_SET = "sprintboard"

# entity name in the activity log -> table holding it (every such table has a uuid column)
ENTITY_TABLES = {
    "team": "teams",
    "member": "members",
    "goal": "goals",
    "sprint": "sprints",
    "sprint_capacity": "sprint_capacity",
    "card": "cards",
    "card_team": "card_teams",
    "dependency": "dependencies",
    "feedback": "feedback",
    "stock": "stock",
}

Clock = Callable[[], datetime]
Rows = list[dict[str, Any]]
"""Query results: one dict per row, column names as keys."""
Params = Sequence[Any] | Mapping[str, Any]
"""Query parameters: positional (`?`) or named (`:name`)."""


def new_uuid() -> str:
    """A time-ordered UUID (version 7) as text.

    The leading timestamp makes every uuid index grow at its end like an autoincrement key,
    which keeps bulk loads fast, and still lets logs from several devices merge later.
    """
    millis = time.time_ns() // 1_000_000
    raw = bytearray(millis.to_bytes(6, "big") + os.urandom(10))
    raw[6] = (raw[6] & 0x0F) | 0x70
    raw[8] = (raw[8] & 0x3F) | 0x80
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def default_actor() -> str:
    actor = os.environ.get("SPRINTBOARD_USER")
    if actor:
        return actor
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def default_device() -> str:
    return os.environ.get("SPRINTBOARD_DEVICE") or str(
        uuid.uuid5(uuid.NAMESPACE_DNS, socket.gethostname() or "localhost")
    )


def known_migrations() -> list[str]:
    """Names of the migrations this sprintboard knows, in order."""
    return list(SCHEMA_MIGRATIONS)


class DatabaseError(UserError):
    """The database file cannot be used: missing, corrupt, foreign or from a newer version."""


def _writable(path: Path) -> bool:
    """May we write the file? A file nobody may write (chmod a-w) counts as read-only even
    for root, whom os.access() lets write anything: the owner marked it so on purpose."""
    return os.access(path, os.W_OK) and bool(path.stat().st_mode & 0o222)


def _connect(path: Path, read_only: bool, timeout: float) -> sqlite3.Connection:
    # isolation_level=None: we issue BEGIN/COMMIT ourselves (see StoreCore.transaction).
    # check_same_thread=False: the TUI uses the store from one worker thread at a time,
    # guarded by StoreCore's lock.
    if read_only:
        uri = f"{path.resolve().as_uri()}?mode=ro"
        conn = sqlite3.connect(
            uri, uri=True, isolation_level=None, check_same_thread=False, timeout=timeout
        )
    else:
        conn = sqlite3.connect(
            str(path), isolation_level=None, check_same_thread=False, timeout=timeout
        )
    conn.create_function("casefold", 1, _casefold, deterministic=True)
    return conn


def _casefold(value: object) -> str | None:
    return None if value is None else str(value).casefold()


def text_match(fields: Sequence[str], text: str, param: str = "?") -> tuple[str, str]:
    """A condition true when any of `fields` (SQL expressions) holds `text`, ignoring case,
    and the pattern to bind to `param` (each field uses it: bind it once per field for `?`).

    SQLite's LIKE ignores the case of ASCII letters only; text with other letters ('Émile',
    'Ärger') is compared casefolded in Python (slower: only when the text needs it).
    `%`, `_` and `\\` in the text are taken literally.
    """
    folded = not text.isascii()
    if folded:
        text = text.casefold()
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    each = "casefold({}) LIKE {} ESCAPE '\\'" if folded else "{} LIKE {} ESCAPE '\\'"
    return "(" + " OR ".join(each.format(f, param) for f in fields) + ")", pattern


def open_database(
    path: Path, *, create_parent: bool = False, busy_timeout: float = BUSY_TIMEOUT_S
) -> tuple[sqlite3.Connection, bool]:
    """Open (creating or migrating as needed) the database at `path`.

    Returns the database and whether it is read-only. Raises DatabaseError with one line
    for every way the file can be unusable.
    """
    if path.is_dir():
        raise DatabaseError(f"{path} is a directory, not a database file")
    parent = path.parent
    if not parent.exists():
        if not create_parent:
            raise DatabaseError(f"cannot create {path}: directory {parent} does not exist")
        parent.mkdir(parents=True, exist_ok=True)
    exists = path.exists()
    read_only = exists and not _writable(path)
    if not exists and not os.access(parent, os.W_OK):
        raise DatabaseError(f"cannot create {path}: directory {parent} is not writable")
    try:
        conn = _connect(path, read_only, busy_timeout)
        conn.execute("PRAGMA schema_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"{path} is not a usable SQLite database ({exc})") from None
    try:
        _configure(conn, busy_timeout)
        _migrate(conn, path, read_only)
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise DatabaseError(f"{path} cannot be opened ({exc})") from None
    except UserError:
        conn.close()
        raise
    return conn, read_only


def _configure(conn: sqlite3.Connection, busy_timeout: float) -> None:
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
        return
    if read_only:
        raise DatabaseError(f"{path} is read-only and needs an upgrade; make it writable once")
    backup_path: Path | None = None
    if applied:
        try:
            backup_path = backup_before(path, f"v{len(known)}", conn)
        except OSError as exc:
            raise DatabaseError(
                f"{path} needs an upgrade to schema {len(known)}, but the copy from before "
                f"could not be written beside it ({exc.strerror or exc}); the file is unchanged"
            ) from None
    from sprintboard.store import migrations as schema  # sqlite-utils: only to migrate

    # BEGIN IMMEDIATE takes the write lock first, so two processes opening a new file at
    # once migrate it once; Migrations.apply nests its own transactions as savepoints.
    conn.execute("BEGIN IMMEDIATE")
    try:
        schema.migrations.apply(schema.wrap(conn))
        conn.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)",
            [str(len(known))],
        )
        conn.execute("COMMIT")
    except BaseException as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if not isinstance(exc, Exception):
            raise
        # Whatever went wrong (a bug in a migration included), the user gets one line.
        kept = f"; a copy from before is at {backup_path}" if backup_path else ""
        raise DatabaseError(
            f"{path}: upgrading to schema {len(known)} failed ({exc}); the file is unchanged{kept}"
        ) from None


def _dump(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":"))


class Tx:
    """One open write transaction: inserts, updates and deletes that log themselves."""

    def __init__(self, core: StoreCore, action: str) -> None:
        self.core = core
        self.conn = core.conn
        self.action = action
        self.txn = new_uuid()
        self.now = core.now()
        self.undoes: str | None = None

    def log(
        self,
        entity: str,
        entity_uuid: str,
        op: str,
        *,
        key: str | None = None,
        field: str | None = None,
        before: Any = None,
        after: Any = None,
    ) -> None:
        self.conn.execute(
            "INSERT INTO activity(uuid, txn, at, actor, device, action, entity, entity_uuid,"
            " entity_key, op, field, before, after, undoes)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                new_uuid(),
                self.txn,
                self.now,
                self.core.actor,
                self.core.device,
                self.action,
                entity,
                entity_uuid,
                key,
                op,
                field,
                _dump(before),
                _dump(after),
                self.undoes,
            ],
        )

    def insert(self, entity: str, row: dict[str, Any], *, key: str | None = None) -> int:
        """Insert a row (a uuid is added when missing) and log its creation; returns rowid."""
        row = {"uuid": new_uuid(), **row}
        table = ENTITY_TABLES[entity]
        cols = ", ".join(f"[{c}]" for c in row)
        marks = ", ".join("?" for _ in row)
        cursor = self.conn.execute(
            f"INSERT INTO [{table}] ({cols}) VALUES ({marks})", list(row.values())
        )
        rowid = cursor.lastrowid or 0
        logged = dict(row)
        if "id" not in logged and entity not in ("stock", "card_team", "sprint_capacity"):
            logged["id"] = rowid
        self.log(entity, row["uuid"], "create", key=key, after=logged)
        return rowid

    def update(
        self,
        entity: str,
        row: dict[str, Any],
        changes: dict[str, Any],
        *,
        key: str | None = None,
    ) -> dict[str, Any]:
        """Set `changes` on the row (identified by its uuid), logging each changed field.

        Returns the fields that really changed (unchanged values are not written or logged).
        """
        changed = {f: v for f, v in changes.items() if row.get(f) != v}
        if not changed:
            return {}
        table = ENTITY_TABLES[entity]
        sets = ", ".join(f"[{f}] = ?" for f in changed)
        self.conn.execute(
            f"UPDATE [{table}] SET {sets} WHERE uuid = ?", [*changed.values(), row["uuid"]]
        )
        for f, v in changed.items():
            self.log(entity, row["uuid"], "update", key=key, field=f, before=row.get(f), after=v)
        return changed

    def delete(self, entity: str, row: dict[str, Any], *, key: str | None = None) -> None:
        """Delete the row and log it whole, so undo can put it back."""
        table = ENTITY_TABLES[entity]
        self.conn.execute(f"DELETE FROM [{table}] WHERE uuid = ?", [row["uuid"]])
        self.log(entity, row["uuid"], "delete", key=key, before=row)


class StoreCore:
    """Owns the connection; repositories reach the database through it."""

    def __init__(
        self,
        path: Path | str,
        *,
        clock: Clock | None = None,
        actor: str | None = None,
        create_parent: bool = False,
        busy_timeout: float | None = None,
    ) -> None:
        self.path = Path(path)
        self.conn, self.read_only = open_database(
            self.path,
            create_parent=create_parent,
            busy_timeout=BUSY_TIMEOUT_S if busy_timeout is None else busy_timeout,
        )
        self.clock: Clock = clock or (lambda: datetime.now(UTC))
        self.actor = actor or default_actor()
        self.device = default_device()
        self._lock = threading.RLock()
        self._tx: Tx | None = None
        self._db: Database | None = None

    @property
    def db(self) -> Database:
        """The connection as a sqlite-utils Database, for schema work (imported on first use)."""
        if self._db is None:
            from sprintboard.store import migrations as schema

            self._db = schema.wrap(self.conn)
        return self._db

    def now(self) -> str:
        return self.clock().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def today(self) -> str:
        return self.clock().astimezone(UTC).date().isoformat()

    def close(self) -> None:
        self.conn.close()

    def rows(self, sql: str, params: Params = ()) -> Rows:
        with self._lock:
            cursor = self.conn.execute(sql, params)
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, values, strict=True)) for values in cursor]

    def row(self, sql: str, params: Params = ()) -> dict[str, Any] | None:
        with self._lock:
            cursor = self.conn.execute(sql, params)
            found = cursor.fetchone()
            if found is None:
                return None
            return dict(zip([d[0] for d in cursor.description], found, strict=True))

    def scalar(self, sql: str, params: Params = ()) -> Any:
        with self._lock:
            found = self.conn.execute(sql, params).fetchone()
        return None if found is None else found[0]

    def data_version(self) -> int:
        """Changes whenever another connection commits: cheap polling for live refresh."""
        with self._lock:
            return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    def version(self) -> tuple[int, int]:
        """Changes whenever anything is written: by another connection (SQLite's
        data_version, which doesn't count this connection's commits) or by this one, from
        any screen (the activity log's newest entry: every write adds one)."""
        with self._lock:
            last = self.conn.execute("SELECT COALESCE(MAX(id), 0) FROM activity").fetchone()[0]
            return self.data_version(), int(last)

    @contextmanager
    def transaction(self, action: str) -> Iterator[Tx]:
        """One write transaction; nested calls join the outer one."""
        if self.read_only:
            raise UserError(f"{self.path} is read-only: changes cannot be saved")
        with self._lock:
            if self._tx is not None:
                yield self._tx
                return
            # IMMEDIATE takes the write lock up front: waiting (busy timeout) happens here
            # instead of failing later when a read would need upgrading to a write.
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise UserError(
                    f"the database is busy (another sprintboard is writing): {exc}; try again"
                ) from None
            tx = Tx(self, action)
            self._tx = tx
            try:
                yield tx
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise
            finally:
                self._tx = None
