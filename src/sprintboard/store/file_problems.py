"""Why SQLite cannot use a database file, in one line that names the real cause.

SQLite's own words ("attempt to write a readonly database", "unable to open database
file", "database or disk is full") rarely say which file is in the way or what to do.
These functions look at the database's folder and its two companion files (`-wal`, the
write-ahead log, and `-shm`, its shared index) and at the error's SQLite code, and say it.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

SIDECARS = ("-wal", "-shm")
WHEN_SAFE = "remove it when no sprintboard is running"


def sidecar(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def may_write(path: Path) -> bool:
    """May we write the file? A file nobody may write (chmod a-w) counts as read-only even
    for root, whom os.access() lets write anything: the owner marked it so on purpose."""
    return os.access(path, os.W_OK) and bool(path.stat().st_mode & 0o222)


def sidecar_is_directory(path: Path) -> str | None:
    """A `-wal` or `-shm` that is a folder makes every open fail."""
    for suffix in SIDECARS:
        found = sidecar(path, suffix)
        if found.is_dir():
            return f"{found} is a directory; remove it (SQLite keeps a companion file there)"
    return None


def blocking_sidecar(path: Path) -> str | None:
    """A companion file we may not write (left by a read-only open, or another user's):
    reading works through it, but every write would fail."""
    for suffix in SIDECARS:
        found = sidecar(path, suffix)
        try:
            if not found.is_file() or may_write(found):
                continue
            owner = found.stat().st_uid
        except OSError:
            continue
        if owner != os.geteuid():
            why = f"is owned by another user (uid {owner})"
        else:
            why = f"is read-only (mode {found.stat().st_mode & 0o777:04o})"
        return f"{found} {why} and blocks writing; {WHEN_SAFE}"
    return None


def folder_blocks_writing(path: Path) -> str | None:
    """A writable file in a folder we may not write: SQLite must create the -wal there."""
    wal = sidecar(path, "-wal")
    if wal.exists() or os.access(path.parent, os.W_OK):
        return None
    return f"cannot write in {path.parent} (read-only): SQLite needs to create {wal.name} there"


def explain(path: Path, exc: sqlite3.Error) -> str | None:
    """The real cause of `exc`, met while using the database at `path`, or None when the
    error says nothing about the file (a busy database, a bug)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:
        return None
    primary = code & 0xFF
    if primary == sqlite3.SQLITE_FULL:
        return f"disk full while writing {path} ({exc}); nothing was changed: free some space"
    if code == getattr(sqlite3, "SQLITE_READONLY_DIRECTORY", 1544):
        return (
            f"cannot write in {path.parent} (read-only): SQLite needs to create "
            f"{sidecar(path, '-wal').name} there"
        )
    if primary in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_BUSY):
        found = sidecar_is_directory(path) or blocking_sidecar(path)
        if found is not None:
            return found
        if primary != sqlite3.SQLITE_BUSY:
            return folder_blocks_writing(path)
    return None


def schema_damage(exc: sqlite3.Error) -> str | None:
    """What a query found missing from the schema ('table cards', 'column cards.due'), if
    that was the error. SQLite gives it its generic code, so only the message tells."""
    text = str(exc)
    for prefix, kind in (
        ("no such table: ", "table"),
        ("no such view: ", "view"),
        ("no such column: ", "column"),
    ):
        if text.startswith(prefix):
            return f"{kind} {text.removeprefix(prefix).removeprefix('main.')}"
    return None


def damaged_schema(path: Path, what: str) -> str:
    return (
        f"{path} is missing {what}: the database's schema is damaged; restore it from a "
        "backup (see README: Data safety)"
    )
