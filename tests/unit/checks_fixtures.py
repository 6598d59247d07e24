"""What the seam-check tests share: a plan to check and how a finding reads."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest

from sprintboard.config import Settings
from sprintboard.models import Card, Sprint
from sprintboard.planning.checks import (
    Finding,
    run_checks,
)
from sprintboard.store import Store

LINE = re.compile(r"^(error|warning|info) [a-z-]+ \S+( \+\d+ more)?: \S.*$")


class Plan:
    """A crafted organisation: S1 (active, 4-17 March 2026), S2 and S3 planned after it."""

    def __init__(self, store: Store) -> None:
        self.store = store
        for name, start in (("S1", date(2026, 3, 4)), ("S2", date(2026, 3, 18))):
            store.sprints.add(Sprint(name=name, start=start, end=start + timedelta(days=13)))
        store.sprints.add(Sprint(name="S3", start=date(2026, 4, 1), end=date(2026, 4, 14)))
        store.sprints.start("S1")
        self.ids = {s["name"]: s["id"] for s in store.sprints.list()}

    def card(
        self, team: str, sprint: str | None = "S1", *, goal: int | None = None, **fields: Any
    ) -> str:
        fields.setdefault("points", 1)
        fields.setdefault("status", "todo" if sprint else "backlog")
        card = Card(title=fields.pop("title", f"{team} work"), team=team, **fields)
        sprint_id = self.ids[sprint] if sprint else None
        return str(self.store.cards.add(card, sprint_id=sprint_id, goal_id=goal)["key"])

    def findings(self, rule: str | None = None, **options: Any) -> list[Finding]:
        options.setdefault("settings", Settings())
        found = run_checks(self.store, **options)
        return [f for f in found if rule is None or f.rule == rule]


@pytest.fixture
def plan(store: Store) -> Plan:
    return Plan(store)
