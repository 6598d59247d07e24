"""Every screen's read notes the store's version before its data: a commit by another
process landing in the middle of the read must show as a change at the next look, or the
screen would keep showing the older data until someone writes again."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sprintboard.models import Card, validate
from sprintboard.screens.goals import fetch_goal_cards, fetch_goals
from sprintboard.screens.teams import fetch_teams
from sprintboard.store import Store
from sprintboard.views.board import fetch_board
from sprintboard.views.dependencies import fetch_dependencies
from sprintboard.views.inbox import Query, fetch_inbox
from sprintboard.views.planning import fetch_planning

READS: dict[str, Callable[[Store], dict[str, Any]]] = {
    "board": lambda store: fetch_board(store, None, False, True),
    "planning": lambda store: fetch_planning(store, None, False),
    "dependencies": fetch_dependencies,
    "inbox": lambda store: fetch_inbox(store, Query(), 0, 50, False),
    "goals": fetch_goals,
    "goal cards": lambda store: fetch_goal_cards(store, 1),
    "teams": fetch_teams,
}


@pytest.mark.parametrize("screen", list(READS))
def test_a_commit_during_the_read_shows_as_a_change(
    demo_store: Store, db_path: Path, monkeypatch: pytest.MonkeyPatch, screen: str
) -> None:
    teams_list = demo_store.teams.list
    committed: list[str] = []

    def list_then_commit(*args: Any, **kwargs: Any) -> Any:
        found = teams_list(*args, **kwargs)
        if not committed:  # another process adds a card while this read is under way
            with Store(db_path) as other:
                committed.append(
                    other.cards.add(validate(Card, {"title": "Meanwhile", "team": "IT"}))["key"]
                )
        return found

    monkeypatch.setattr(demo_store.teams, "list", list_then_commit)
    data = READS[screen](demo_store)
    assert committed, f"{screen}: the read never listed the teams"
    assert data["version"] != demo_store.version(), f"{screen}: the change would stay hidden"
