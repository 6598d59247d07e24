"""The store's core: its connection, transactions and the activity log they write.

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

from sprintboard.errors import FileProblem, UserError
from sprintboard.store import file_problems
from sprintboard.store.opening import (
    BUSY_TIMEOUT_S,
    configure,
    connect,
    file_mark,
    open_database,
    unopened,
)

# Opening moved to opening.py; these names are still imported from here.
from sprintboard.store.opening import DatabaseError as DatabaseError
from sprintboard.store.opening import backup as backup
from sprintboard.store.opening import known_migrations as known_migrations
from sprintboard.store.schema import MIGRATION_SET as MIGRATION_SET
from sprintboard.store.schema import SCHEMA_MIGRATIONS as SCHEMA_MIGRATIONS
from sprintboard.vocabulary import title_key

if TYPE_CHECKING:
    from sqlite_utils import Database

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
    "comment": "comments",
    "checklist_item": "checklist_items",
    "measure": "measures",
    "plan_setting": "plan_settings",
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


LINK_NAMESPACE = uuid.UUID("2f6a1c3e-8d47-4b0a-9e15-7c2d9b4f6a80")
LINKS: dict[str, tuple[tuple[str, str | None], ...]] = {
    "dependency": (("blocker_id", "cards"), ("dependent_id", "cards")),
    "card_team": (("card_id", "cards"), ("team_id", "teams")),
    "sprint_capacity": (("sprint_id", "sprints"), ("team_id", "teams")),
    "stock": (("sku", None),),
}
"""Records that are what they join (column, table it refers to, or None for a value):
one dependency of IT-4 on ECOM-2, whoever adds it, however often."""


def link_uuid(entity: str, parts: Sequence[str]) -> str:
    """The uuid of a link-like record, from the uuids (or values) it joins: the same on every
    laptop and every time it is added, so a link added on two laptops, or removed and added
    again, is one record to sync (whose last add or remove, by clock, stands)."""
    return str(uuid.uuid5(LINK_NAMESPACE, f"{entity}:{'|'.join(parts)}"))


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


MAX_SEARCH = 1000
"""The longest text a search takes (SQLite refuses LIKE patterns past 50,000 bytes)."""


def text_match(fields: Sequence[str], text: str, param: str = "?") -> tuple[str, str]:
    """A condition true when any of `fields` (SQL expressions) holds `text`, ignoring case,
    and the pattern to bind to `param` (each field uses it: bind it once per field for `?`).

    SQLite's LIKE ignores the case of ASCII letters only; text with other letters ('Émile',
    'Ärger') is compared casefolded in Python (slower: only when the text needs it).
    `%`, `_` and `\\` in the text are taken literally. Text with white space in it is
    compared with white space folded on both sides (`vocabulary.title_key`): titles are
    stored as given, and 'guide for' finds 'Guide  for' or 'guide<TAB>for'.
    """
    if len(text) > MAX_SEARCH:
        raise UserError(
            f"text: a search of {len(text):,} characters is too long; at most {MAX_SEARCH:,}"
        )
    each = "{} LIKE {} ESCAPE '\\'"
    if any(char.isspace() for char in text):
        text, each = title_key(text), "title_key({}) LIKE {} ESCAPE '\\'"
    elif not text.isascii():
        text, each = text.casefold(), "casefold({}) LIKE {} ESCAPE '\\'"
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return "(" + " OR ".join(each.format(f, param) for f in fields) + ")", pattern


def _dump(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":"))


HLC_COUNTER_MAX = 999_999
"""The largest counter a clock reading holds (six digits)."""
HLC_WIDTH = 13
"""Digits of a hybrid logical clock's milliseconds (enough until the year 2286)."""


def format_hlc(millis: int, counter: int, device: str) -> str:
    """A hybrid logical clock reading as text that sorts in clock order:
    'millis.counter.device' (fixed widths; the device breaks ties between laptops)."""
    return f"{millis:0{HLC_WIDTH}d}.{counter:06d}.{device}"


def parse_hlc(hlc: str) -> tuple[int, int, str]:
    """(millis, counter, device) of a clock reading; ValueError when it is not one."""
    millis, counter, device = hlc.split(".", 2)
    if len(millis) != HLC_WIDTH or len(counter) != 6 or not device:
        raise ValueError(f"not a clock reading: {hlc!r}")
    return int(millis), int(counter), device


class Tx:
    """One open write transaction: inserts, updates and deletes that log themselves."""

    def __init__(self, core: StoreCore, action: str) -> None:
        self.core = core
        self.conn = core.conn
        self.action = action
        self.txn = new_uuid()
        self.now = core.now()
        self.hlc = core.tick()
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
            " entity_key, op, field, before, after, undoes, hlc)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
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
                self.hlc,
            ],
        )

    def insert(self, entity: str, row: dict[str, Any], *, key: str | None = None) -> int:
        """Insert a row (a uuid is added when missing) and log its creation; returns rowid."""
        row = {"uuid": self._link_uuid(entity, row) or new_uuid(), **row}
        table = ENTITY_TABLES[entity]
        cols = ", ".join(f"[{c}]" for c in row)
        marks = ", ".join("?" for _ in row)
        cursor = self.conn.execute(
            f"INSERT INTO [{table}] ({cols}) VALUES ({marks})", list(row.values())
        )
        rowid = cursor.lastrowid or 0
        logged = dict(row)
        if "id" not in logged and entity not in (
            "stock",
            "card_team",
            "sprint_capacity",
            "plan_setting",
        ):
            logged["id"] = rowid
        self.log(entity, row["uuid"], "create", key=key, after=logged)
        return rowid

    def _link_uuid(self, entity: str, row: dict[str, Any]) -> str | None:
        if entity not in LINKS or "uuid" in row:
            return None
        parts = []
        for column, parent in LINKS[entity]:
            value = row.get(column)
            if parent is not None:
                value = self.conn.execute(
                    f"SELECT uuid FROM [{parent}] WHERE id = ?", [value]
                ).fetchone()
                value = None if value is None else value[0]
            if value is None:
                return None
            parts.append(str(value))
        return link_uuid(entity, parts)

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
        actor: str | Callable[[], str] | None = None,
        create_parent: bool = False,
        busy_timeout: float | None = None,
    ) -> None:
        self.path = Path(path)
        self.busy_timeout = BUSY_TIMEOUT_S if busy_timeout is None else busy_timeout
        self.conn, self.read_only_reason = open_database(
            self.path, create_parent=create_parent, busy_timeout=self.busy_timeout
        )
        self.read_only = self.read_only_reason is not None
        # A read-only file nobody had open is read as a snapshot (immutable=1: see
        # _connect); when the file changes after all, reconnect rather than read pages
        # another process is rewriting.
        self._mark = file_mark(self.path) if self.read_only and unopened(self.path) else None
        self._reconnects = 0
        self.clock: Clock = clock or (lambda: datetime.now(UTC))
        self._given_actor = actor
        self._actor: str | None = None
        self._spellings: dict[str, str] | None = None
        self._lock = threading.RLock()
        self.device = self._device()
        self._last_hlc: tuple[int, int] | None = None
        self._tx: Tx | None = None
        self._db: Database | None = None

    def _device(self) -> str:
        """This plan's device id: the one sync gave it (two plans on one laptop are two
        devices, whatever SPRINTBOARD_DEVICE says), else the laptop's."""
        try:
            found = self.conn.execute("SELECT value FROM meta WHERE key = 'device'").fetchone()
        except sqlite3.Error:
            found = None
        return str(found[0]) if found else default_device()

    def tick(self) -> str:
        """The next reading of this plan's hybrid logical clock: never behind the wall
        clock, never behind any change seen before (made here or merged from elsewhere)."""
        with self._lock:
            if self._last_hlc is None:
                self._last_hlc = self._newest_hlc()
            wall = int(self.clock().timestamp() * 1000)
            last_ms, last_n = self._last_hlc
            if wall > last_ms:
                self._last_hlc = (wall, 0)
            elif last_n < HLC_COUNTER_MAX:
                self._last_hlc = (last_ms, last_n + 1)
            else:
                # The counter has six digits: past them the reading would neither sort nor
                # parse. Behind a clock read from the future (another laptop's, wrong), the
                # readings move on a millisecond at a time instead.
                self._last_hlc = (last_ms + 1, 0)
            return format_hlc(*self._last_hlc, self.device)

    def observe(self, hlc: str) -> None:
        """Move the clock past a reading merged from another device."""
        millis, counter, _ = parse_hlc(hlc)
        with self._lock:
            if self._last_hlc is None:
                self._last_hlc = self._newest_hlc()
            self._last_hlc = max(self._last_hlc, (millis, counter))

    def _newest_hlc(self) -> tuple[int, int]:
        try:
            newest = self.conn.execute("SELECT MAX(hlc) FROM activity").fetchone()[0]
        except sqlite3.Error:
            newest = None
        if not newest:
            return (0, 0)
        millis, counter, _ = parse_hlc(newest)
        return (millis, counter)

    @property
    def actor(self) -> str:
        """The person changes are recorded under: the name given (or a function that finds
        it, called on the first write, so a read-only command never asks git), spelled as
        the team member it names, if any (store/people.py)."""
        if self._actor is None:
            given = self._given_actor
            raw = given() if callable(given) else given or default_actor()
            self._actor = self.person(raw)
        return self._actor

    def act_as(self, name: str) -> str:
        """From now on, record changes under `name` (someone else took the keyboard);
        returns the name as recorded (a member's spelling where it names one)."""
        with self._lock:
            self._given_actor = name
            self._actor = None
            return self.actor

    def person(self, name: str) -> str:
        """`name` as the member it names (any case, or a first name only one member has);
        else as the log first spelled that name ('bob agency' is 'Bob Agency' if that is
        how they first appeared), so one person is one name in undo, history and filters."""
        from sprintboard.store.people import canonical

        with self._lock:
            members = [r[0] for r in self.conn.execute("SELECT name FROM members ORDER BY id")]
            found = canonical(name, members)
            if found != name:
                return found
            if self._spellings is None:
                # One pass over the actor index, once: names in the order they first acted.
                self._spellings = {}
                for (actor,) in self.conn.execute(
                    "SELECT actor FROM activity GROUP BY actor ORDER BY MIN(id)"
                ):
                    self._spellings.setdefault(" ".join(actor.split()).casefold(), actor)
        return self._spellings.get(" ".join(name.split()).casefold(), name)

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
            self._follow_snapshot()
            found = int(self.conn.execute("PRAGMA data_version").fetchone()[0])
            return found + (self._reconnects << 32)

    def _follow_snapshot(self) -> None:
        if self._mark is None or file_mark(self.path) == self._mark:
            return
        # The old connection is dropped, not closed: a worker may still be reading from it.
        self._mark = file_mark(self.path) if unopened(self.path) else None
        self.conn = connect(self.path, True, self.busy_timeout)
        configure(self.conn, self.busy_timeout)
        self._reconnects += 1

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
        if self.read_only_reason is not None:
            raise UserError(self.read_only_reason)
        with self._lock:
            if self._tx is not None:
                yield self._tx
                return
            # IMMEDIATE takes the write lock up front: waiting (busy timeout) happens here
            # instead of failing later when a read would need upgrading to a write.
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                self._explain(exc)
                if exc.sqlite_errorcode & 0xFF not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                    raise
                raise UserError(
                    f"the database is busy (another sprintboard is writing): {exc}; try again"
                ) from None
            tx = Tx(self, action)
            self._tx = tx
            try:
                yield tx
                self.conn.execute("COMMIT")
            except BaseException as exc:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    self._explain(exc)
                raise
            finally:
                self._tx = None

    def _explain(self, exc: sqlite3.Error) -> None:
        """Raise FileProblem naming the real cause when the file, folder or disk is to blame."""
        cause = file_problems.explain(self.path, exc)
        if cause is not None:
            raise FileProblem(cause) from None
