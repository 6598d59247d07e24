"""A goal's KPI trend page ($ on the goals screen), pinned: the demo's conversion goal,
its weekly values against the baseline -> target line, the days its cards shipped, its
money and its forecast. The clock is frozen and the terminal size fixed."""

from __future__ import annotations

from sprintboard.screens.goal_kpi import GoalKpiScreen

from .conftest import BIG, AppFactory, Snap
from .test_goals_teams_snapshots import on


def test_goal_kpi_page(snap_compare: Snap, demo_app: AppFactory) -> None:
    steps = on(
        "goals",
        "dollar_sign",
        ready=lambda s: isinstance(s, GoalKpiScreen) and s.kpi is not None,
    )
    assert snap_compare(demo_app(), terminal_size=BIG, run_before=steps)
