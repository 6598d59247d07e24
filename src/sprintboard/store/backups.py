"""Copies of a database file: consistent (SQLite's backup API, or the file's bytes while
nothing can change them), all or nothing, private.

A copy is written to a temporary file beside its target and renamed onto it only once it
is complete, so a failed copy (disk full, a damaged page, an interrupt) leaves no partial
or empty file behind and never harms the file it would have replaced. A new copy gets the
database's permissions (a copy of a `0600` plan stays `0600`); a replaced file keeps its
own mode and owner.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

SQLITE_HEADER = b"SQLite format 3\x00"
COMPANIONS = ("-wal", "-shm", "-journal")
"""The files SQLite keeps beside a database while it is in use: part of the database."""


def is_sqlite_file(path: Path) -> bool:
    """Does the file start with SQLite's 16-byte header? (False when it cannot be read.)"""
    try:
        with path.open("rb") as file:
            return file.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def file_mode_for(target: Path, database: Path) -> int:
    """The permission bits a file written at `target` should get: its own when it exists
    (a replaced file keeps its mode), else the database's (the owner may always write)."""
    with contextlib.suppress(OSError):
        return stat.S_IMODE(target.stat().st_mode)
    with contextlib.suppress(OSError):
        return (stat.S_IMODE(database.stat().st_mode) & 0o666) | 0o200
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def adopt_owner(partial: Path, target: Path) -> None:
    """Give the new file the owner of the file it replaces (matters only when run as root:
    a root export over a user's file must not leave that user a file they cannot change)."""
    with contextlib.suppress(OSError):
        old = target.stat()
        if os.geteuid() == 0 and (old.st_uid, old.st_gid) != (0, 0):
            os.chown(partial, old.st_uid, old.st_gid)


def partial_beside(target: Path) -> Path:
    """A new, empty, uniquely named file beside `target` (mode 0600 until it is finished)."""
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    os.close(handle)
    return Path(name)


def remove_partial(partial: Path) -> None:
    for leftover in (partial, *(Path(f"{partial}{end}") for end in COMPANIONS)):
        leftover.unlink(missing_ok=True)


def copy_database(conn: sqlite3.Connection, target: Path, *, database: Path) -> None:
    """A consistent copy of the database open on `conn` at `target`, all or nothing.

    `database` is the copied file's path (its permissions are the copy's default). Raises
    OSError or sqlite3.Error; nothing is left at `target` or beside it on failure.
    """

    def through_sqlite(partial: Path) -> None:
        dest = sqlite3.connect(str(partial))
        try:
            with dest:
                conn.backup(dest)
        finally:
            dest.close()

    _write_copy(through_sqlite, target, database)


def _write_copy(write: Callable[[Path], object], target: Path, database: Path) -> None:
    """Have `write` fill a file beside `target`, then put it in place, all or nothing."""
    mode = file_mode_for(target, database)
    partial = partial_beside(target)
    try:
        write(partial)
        with partial.open("rb+") as file:
            os.fsync(file.fileno())
        os.chmod(partial, mode)
        adopt_owner(partial, target)
        os.replace(partial, target)
    finally:
        remove_partial(partial)


def backup_name(database: Path, reason: str) -> Path:
    """`<name>.before-<reason>-<UTC time>.bak` beside the database, a name not yet taken
    (two copies in the same second never replace one another)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = database.with_name(f"{database.name}.before-{reason}-{stamp}.bak")
    number = 2
    while target.exists():
        target = database.with_name(f"{database.name}.before-{reason}-{stamp}-{number}.bak")
        number += 1
    return target


def copy_file_before(database: Path, reason: str) -> Path:
    """`backup_before`, copying the file's bytes (the kernel copies them, several times
    faster than SQLite's page by page): only for a database whose caller holds it alone,
    in rollback-journal mode and outside any transaction (bulk.rollback_journal_while_alone),
    so the file is complete and nothing writes to it while it is copied."""
    import shutil  # only here: it imports the archive modules, ~3 ms of every start

    target = backup_name(database, reason)
    _write_copy(lambda partial: shutil.copyfile(database, partial), target, database)
    return target


def backup_before(database: Path, reason: str, conn: sqlite3.Connection | None = None) -> Path:
    """Copy the database to `<name>.before-<reason>-<UTC time>.bak` beside it, before a
    change that replaces what it holds (an upgrade, the demo, a restore). Returns the path.

    Without `conn` the copy is read through a connection of its own, so the caller may hold
    the write lock meanwhile (then the copy is exactly what the change starts from).
    """
    target = backup_name(database, reason)
    own = conn is None
    source = sqlite3.connect(str(database)) if conn is None else conn
    try:
        copy_database(source, target, database=database)
    finally:
        if own:
            source.close()
    return target
