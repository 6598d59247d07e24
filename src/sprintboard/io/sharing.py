"""Consistent backups of a planning database, while others may be writing to it.

Serving the board to browsers lives in `sprintboard.io.serve`.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from sprintboard.errors import UserError
from sprintboard.store.database import backup

if TYPE_CHECKING:
    from sprintboard.store import Store

# -- backup ------------------------------------------------------------------------------------


def backup_database(store: Store, target: Path, *, force: bool = False) -> int:
    """A consistent copy of the open database at `target` (SQLite's backup API: one read
    snapshot, while other processes may write). Returns the copy's size in bytes."""
    target = target.expanduser()
    if target.is_dir():
        raise UserError(f"{target}: is a directory; name the backup file")
    if target.exists() and target.resolve() == store.path.resolve():
        raise UserError(f"{target}: is the database itself; name another file")
    if target.exists() and not force:
        raise UserError(f"{target} already exists; use --force to replace it")
    if not target.parent.is_dir():
        raise UserError(f"{target.parent}: no such directory")
    # Written beside the target, then renamed: a failed or interrupted backup never leaves
    # a half-written file under the name (or destroys the backup being replaced).
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        backup(store.conn, partial)
        os.replace(partial, target)
    except (OSError, sqlite3.Error) as exc:
        why = getattr(exc, "strerror", None) or exc
        raise UserError(f"{target}: cannot write the backup ({why})") from None
    finally:
        for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
            leftover.unlink(missing_ok=True)
    return target.stat().st_size


def describe_size(size: int) -> str:
    value: float = size
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"
