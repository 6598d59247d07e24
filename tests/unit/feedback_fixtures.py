"""What the feedback store tests share: cards and feedback items to triage, and the store
reopened later."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from sprintboard.models import Card, Feedback
from sprintboard.store import Store, frozen_clock

NOW_STAMP = "2026-03-11T10:30:00Z"


def fb(store: Store, text: str = "Something is off", **fields: Any) -> int:
    """Log a feedback item; returns its id."""
    return int(store.feedback.add(Feedback(text=text, **fields))["id"])


def card(store: Store, title: str = "A card", team: str = "IT", **fields: Any) -> str:
    return str(store.cards.add(Card(title=title, team=team, **fields))["key"])


def state_of(store: Store) -> dict[str, Any]:
    """Everything a triage verb may touch: feedback rows, cards and their links."""
    return {
        "feedback": store.rows("SELECT * FROM feedback ORDER BY id"),
        "cards": store.rows("SELECT * FROM cards ORDER BY id"),
        "card_teams": store.rows("SELECT * FROM card_teams ORDER BY card_id, team_id"),
    }


def at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T09:00:00+00:00")


@pytest.fixture
def later(db_path: Path, store: Store) -> Iterator[Callable[[str], Store]]:
    """Open the same database again with its clock frozen on another day."""
    opened: list[Store] = []

    def open_on(day: str) -> Store:
        other = Store(db_path, clock=frozen_clock(at(day)))
        opened.append(other)
        return other

    yield open_on
    for other in opened:
        other.close()
