"""What the store tests share: a frozen time stamp, adding cards and sprints, counting the log."""

from __future__ import annotations

from typing import Any

import pytest

from sprintboard.models import Card, Sprint
from sprintboard.store import Store

NOW_STAMP = "2026-03-11T10:30:00Z"


def add(store: Store, title: str = "A card", team: str = "IT", **fields: Any) -> str:
    """Add a card and return its key; `sprint_id` and `goal_id` go to the store call."""
    placement = {k: fields.pop(k) for k in ("sprint_id", "goal_id") if k in fields}
    return str(store.cards.add(Card(title=title, team=team, **fields), **placement)["key"])


def activity_count(store: Store) -> int:
    return int(store.scalar("SELECT COUNT(*) FROM activity"))


def new_entries(store: Store, since: int) -> list[dict[str, Any]]:
    return store.rows("SELECT * FROM activity WHERE id > ? ORDER BY id", [since])


def last_id(store: Store) -> int:
    return int(store.scalar("SELECT COALESCE(MAX(id), 0) FROM activity"))


def sprint(store: Store, name: str, start: str, end: str) -> dict[str, Any]:
    return store.sprints.add(Sprint.model_validate({"name": name, "start": start, "end": end}))


def one_line(exc: pytest.ExceptionInfo[BaseException]) -> str:
    message = str(exc.value)
    assert message and "\n" not in message
    return message
