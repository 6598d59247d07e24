"""Consistent backups of a planning database, while others may be writing to it.

Serving the board to browsers lives in `sprintboard.io.serve`.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from sprintboard.errors import UserError

if TYPE_CHECKING:
    from sprintboard.store import Store

# -- backup ------------------------------------------------------------------------------------


def backup_database(store: Store, target: Path, *, force: bool = False) -> int:
    """A consistent copy of the open database at `target` (SQLite's backup API: one read
    snapshot, while other processes may write). Returns the copy's size in bytes.

    The target rules are io/output's (never the database or its companion files; a
    symlink is followed); an older backup may be replaced with `force`. The copy is
    written beside the target and renamed: a failed backup leaves no file behind.
    """
    from sprintboard.io.output import check_target, is_special
    from sprintboard.store.backups import copy_database

    real = check_target(target, store.path, databases_ok=True)
    if is_special(target):
        raise UserError(f"{target}: is not a regular file; name a file for the backup")
    if real.exists() and not force:
        raise UserError(f"{target} already exists; use --force to replace it")
    try:
        copy_database(store.conn, real, database=store.path)
    except (OSError, sqlite3.Error) as exc:
        why = getattr(exc, "strerror", None) or exc
        raise UserError(f"{target}: cannot write the backup ({why})") from None
    return real.stat().st_size


def describe_size(size: int) -> str:
    value: float = size
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"
