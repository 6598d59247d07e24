"""The one way in to a sprintboard database: `Store(path)`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sprintboard.store.activity import Activity
from sprintboard.store.cards import ALL, Cards
from sprintboard.store.comments import Comments
from sprintboard.store.database import Clock, DatabaseError, StoreCore
from sprintboard.store.feedback import FeedbackItems
from sprintboard.store.finance import Finance
from sprintboard.store.goals import Goals
from sprintboard.store.links import Dependencies
from sprintboard.store.sprints import Sprints
from sprintboard.store.stock import Stock
from sprintboard.store.teams import Members, Teams

__all__ = ["ALL", "DatabaseError", "Store"]


class Store(StoreCore):
    """A sprintboard database with one repository per table group."""

    def __init__(
        self,
        path: Path | str,
        *,
        clock: Clock | None = None,
        actor: str | Callable[[], str] | None = None,
        create_parent: bool = False,
        busy_timeout: float | None = None,
        seed: bool = True,
    ) -> None:
        super().__init__(
            path, clock=clock, actor=actor, create_parent=create_parent, busy_timeout=busy_timeout
        )
        self.teams = Teams(self)
        self.members = Members(self, self.teams)
        self.goals = Goals(self)
        self.sprints = Sprints(self)
        self.cards = Cards(self, self.teams)
        self.checklists = self.cards.checklists
        self.comments = Comments(self, self.cards)
        self.deps = Dependencies(self, self.cards)
        self.feedback = FeedbackItems(self, self.cards)
        self.stock = Stock(self)
        self.activity = Activity(self, self.cards)
        self.finance = Finance(self, self.teams, self.goals, self.cards, self.sprints)
        if seed and not self.read_only and self.is_new():
            self.teams.seed()

    def is_new(self) -> bool:
        """No team was ever created here (teams are archived, never deleted)."""
        return not self.scalar("SELECT EXISTS (SELECT 1 FROM teams)")

    def is_empty(self) -> bool:
        """Holds nothing but the seeded teams: safe to fill with the demo organisation."""
        for table in ("cards", "sprints", "goals", "feedback", "members", "stock"):
            if self.scalar(f"SELECT EXISTS (SELECT 1 FROM [{table}])"):
                return False
        return True

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def frozen_clock(at: datetime) -> Clock:
    """A clock that always says `at` (tests, snapshots, reproducible demos)."""
    return lambda: at
