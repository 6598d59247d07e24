"""`u` and `U` wherever they are keys: undo my last change, redo my last undo.

Undo is personal (store/activity.py): when nothing of mine is left, or a later change
would be overwritten, the store says so in one line and nothing changes; that line is
shown as a warning, since nothing was lost.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from textual.screen import Screen

from sprintboard.errors import UserError
from sprintboard.screens.host import host
from sprintboard.store.activity import undo_message


async def undo_or_redo(
    screen: Screen[Any], *, redo: bool = False, **how: Any
) -> dict[str, Any] | None:
    """Undo (or redo) on the database thread and say what it did in one notification;
    None when the store refused or failed (the user has been told why). `how`: the
    arguments of `store.activity.undo` (`any_person`, `change`)."""
    backend = host(screen).backend
    activity = backend.store.activity
    try:
        if redo:
            done: dict[str, Any] = await backend.write(activity.redo)
        else:
            done = await backend.write(activity.undo, **how)
    except UserError as exc:
        screen.notify(str(exc), severity="warning", markup=False)
        return None
    except sqlite3.Error as exc:
        verb = "redone" if redo else "undone"
        screen.notify(f"not {verb}: {exc}", severity="error", markup=False, timeout=8)
        return None
    screen.notify(undo_message(done, "redone" if redo else "undone"), markup=False)
    return done
