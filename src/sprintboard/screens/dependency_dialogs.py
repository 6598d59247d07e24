"""Adding and removing a dependency from a card (the board's and the dependency screen's
+ and - keys): the fuzzy card finder, then which card waits on which; or one of the
card's links. The store refuses a cycle and names it; the refusal is shown in one line.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from textual.screen import Screen

from sprintboard.errors import UserError
from sprintboard.screens.host import host
from sprintboard.views.board import LABELS
from sprintboard.views.card_findings import read_late_link


def _refused(screen: Screen[Any], exc: Exception) -> None:
    screen.notify(f"not saved: {exc}", severity="error", markup=False, timeout=8)


async def add_dependency(screen: Screen[Any], key: str | None) -> bool:
    """Pick the other card with the fuzzy finder, then which of the two waits; save it.

    Run from a worker (it waits for dialogs). With no `key`, the first card is picked too.
    A refusal (a cycle, named) is shown in one line; returns whether a link was added.
    """
    from sprintboard.screens.card_picker import CardPickerScreen
    from sprintboard.screens.dialogs import PickerScreen

    app, backend = screen.app, host(screen).backend
    cards = await backend.run(backend.store.deps.plan_cards)
    if key is None:
        key = await app.push_screen_wait(CardPickerScreen("Add a dependency: which card?", cards))
        if key is None:
            return False
    others = [c for c in cards if c["key"] != key]
    other = await app.push_screen_wait(
        CardPickerScreen(f"Add a dependency between {key} and which card?", others)
    )
    if other is None:
        return False
    options = [
        (f"{key} waits on {other}   (this card waits on it)", (other, key)),
        (f"{other} waits on {key}   (it waits on this card)", (key, other)),
    ]
    way = await app.push_screen_wait(PickerScreen(f"{key} and {other}: which waits?", options))
    if way is PickerScreen.CANCELLED:
        return False
    blocker, dependent = way
    try:
        await backend.write(backend.store.deps.add, blocker, dependent)
    except (UserError, sqlite3.Error) as exc:
        _refused(screen, exc)
        return False
    screen.notify(f"added: {dependent} waits on {blocker}", markup=False)
    try:
        late = await backend.run(read_late_link, backend.store, blocker, dependent)
    except (UserError, sqlite3.Error):
        late = None  # removed meanwhile: the link's own line said enough
    if late is not None:
        screen.notify(late, severity="warning", markup=False, timeout=8)
    return True


async def remove_dependency(
    screen: Screen[Any], key: str, first: tuple[str, str] | None = None
) -> bool:
    """Pick one of the card's links (`first`, a (blocker, dependent) pair, heads the list)
    and remove it. Run from a worker; returns whether a link was removed."""
    from sprintboard.screens.dialogs import PickerScreen

    app, backend = screen.app, host(screen).backend
    links = await backend.run(backend.store.deps.list, card=key)
    if not links:
        screen.notify(f"{key} has no dependencies to remove", markup=False)
        return False
    links.sort(key=lambda d: (d["blocker"], d["dependent"]) != first)
    options = [
        (
            f"{d['dependent']} waits on {d['blocker']}   ({d['blocker']} "
            f"{LABELS.get(d['blocker_status'], d['blocker_status'])})",
            (d["blocker"], d["dependent"]),
        )
        for d in links
    ]
    chosen = await app.push_screen_wait(PickerScreen(f"Remove a dependency of {key}", options))
    if chosen is PickerScreen.CANCELLED:
        return False
    blocker, dependent = chosen
    try:
        await backend.write(backend.store.deps.remove, blocker, dependent)
    except (UserError, sqlite3.Error) as exc:
        _refused(screen, exc)
        return False
    screen.notify(f"removed: {dependent} no longer waits on {blocker}", markup=False)
    return True
