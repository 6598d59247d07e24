"""A goal's KPI page ($ on the goals screen) shows the goal's money and forecast as the
CLI computes them: the same ROI, cost, budget and forecast dates, read from the store."""

from __future__ import annotations

from functools import partial

from sprintboard.money import format_amount
from sprintboard.planning.finance import Books, forecasts
from sprintboard.screens.goal_kpi import GoalKpiScreen
from sprintboard.screens.goals import GoalsScreen

from . import conftest
from .conftest import SIZE, AppFactory, Probe, open_screen, wait_until

press = partial(conftest.press_each, rounds=3)
settle = partial(conftest.settle, rounds=3)


async def test_the_kpi_page_shows_roi_money_and_forecast_lines(
    board_app: AppFactory, probe: Probe
) -> None:
    with probe.store() as store:
        money = Books.load(store).goal(store.goals.get(1))
        _currency, (forecast,) = forecasts(store, 1)
    roi = money.to_dict()["roi_percent"]
    app = board_app(live_refresh=0)
    async with app.run_test(size=SIZE) as pilot:
        await open_screen(app, pilot, "goals", GoalsScreen, rounds=3)
        await press(app, pilot, "dollar_sign")
        assert await wait_until(pilot, lambda: isinstance(app.screen, GoalKpiScreen))
        await settle(app, pilot)
        lines = [line.strip() for line in probe.screen_text(app).splitlines()]
        assert (
            f"return EUR 90,000 · cost planned {format_amount(money.cost.planned, whole=True)}, "
            f"spent {format_amount(money.cost.spent, whole=True)} · ROI {roi}%"
        ) in lines
        assert roi == "407.5"
        over = format_amount(money.over_budget, whole=True)
        assert f"budget EUR {format_amount(money.budget, whole=True)} (over by {over})" in lines
        likely = forecast.scenarios[1].done_by
        assert likely is not None  # FIN has no history: read at its capacity, not "no end"
        assert any(
            line.startswith("forecast: optimistic") and f"likely {likely.isoformat()}" in line
            for line in lines
        )
        assert any(
            line.startswith("forecast reads: ") and "FIN: from capacity, no history" in line
            for line in lines
        )
