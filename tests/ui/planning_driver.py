"""Driving the planning screen in tests: open it, read its lists, bars and the stored capacity."""

from __future__ import annotations

from functools import partial
from typing import Any, TypeVar

from sprintboard.planning.capacity import sprint_capacity
from sprintboard.screens.planning import PlanningScreen
from sprintboard.tui import SprintboardApp
from sprintboard.widgets.capacity_bars import CapacityBars
from sprintboard.widgets.card_list import CardListView

from . import conftest
from .conftest import Probe, open_screen

# The demo's backlog as the planning screen sorts it: priority, then position.
BACKLOG = [
    "MKT-6", "CS-5", "IT-12", "ECOM-8", "IT-14",  # high
    "IT-11", "WH-5", "FIN-3", "EXEC-2", "ECOM-7", "IT-13", "MKT-7", "DATA-6",  # medium
    "ECOM-6", "CNT-5", "DATA-5", "WH-6", "CNT-6", "CS-6", "ECOM-9",  # low
]  # fmt: skip
# Sprint 42's cards still open when it closes (the demo has 4 done of 20).
UNFINISHED = 16
T = TypeVar("T")


# Chart workers start after a repaint: settle in three rounds, one more than conftest's default.
settle = partial(conftest.settle, rounds=3)


async def open_planning(app: SprintboardApp, pilot: Any) -> PlanningScreen:
    return await open_screen(app, pilot, "planning", PlanningScreen, rounds=3)


def present(value: T | None) -> T:
    """`value`, which the test expects to be there: it fails if it is None."""
    assert value is not None
    return value


def planning(app: SprintboardApp) -> PlanningScreen:
    return next(s for s in reversed(app.screen_stack) if isinstance(s, PlanningScreen))


def keys(app: SprintboardApp, side: str) -> list[str]:
    """The keys one list holds, in screen order."""
    cards = planning(app).model.backlog if side == "backlog" else planning(app).model.sprint
    return [c["key"] for c in cards.shown]


def drawn(app: SprintboardApp, side: str) -> list[str]:
    """The lines one list draws, as text."""
    view = planning(app).query_one(f"#planning-{side}", CardListView)
    return [view.render_line(y).text for y in range(view.size.height)]


def bars(app: SprintboardApp) -> list[str]:
    """What the capacity bars draw, line by line."""
    widget = planning(app).query_one(CapacityBars)
    return [widget.render_line(y).text for y in range(widget.size.height)]


def bar_line(app: SprintboardApp, team: str) -> str:
    return next(line for line in bars(app) if line.startswith(f"▌{team} "))


def team_lines(app: SprintboardApp, team: str) -> str:
    """A team's bar line and the lines under it (up to the next team)."""
    lines = bars(app)
    start = next(i for i, line in enumerate(lines) if line.startswith(f"▌{team} "))
    block = [lines[start]]
    for line in lines[start + 1 :]:
        if line.startswith("▌") or not line.strip():
            break
        block.append(line)
    return "\n".join(block)


def sprint_named(probe: Probe, name: str) -> dict[str, Any]:
    with probe.store() as store:
        return store.sprints.get(name)


def stored_capacity(probe: Probe, name: str = "current") -> dict[str, tuple[int, int]]:
    """(planned, capacity) per team, as the planning layer computes it from the database."""
    with probe.store() as store:
        plan = sprint_capacity(store, name, feedback_target=20)
    return {t.team: (t.planned, t.capacity) for t in plan.teams}


def shown_capacity(app: SprintboardApp) -> dict[str, tuple[int, int]]:
    plan = planning(app).plan
    assert plan is not None
    return {t.team: (t.planned, t.capacity) for t in plan.teams}
