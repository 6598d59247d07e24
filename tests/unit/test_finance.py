"""Costs, budgets, ROI, forecasts and KPI history: exact arithmetic, checks, CLI, undo."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from checks_fixtures import Plan

from sprintboard.config import Settings
from sprintboard.errors import UserError
from sprintboard.models import Goal
from sprintboard.money import format_amount, parse_amount, percent_text, round_cents
from sprintboard.planning.checks import run_checks
from sprintboard.planning.costs import card_cost, cost_sheet, goal_money, roi, working_days
from sprintboard.planning.findings import Finding
from sprintboard.planning.forecast import forecast_goal, paces
from sprintboard.store import Store
from sprintboard.vocabulary import TeamFormat

pytest_plugins = ["checks_fixtures"]


# -- money --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("1234", 123400),
        ("1234.5", 123450),
        ("1234.50", 123450),
        ("1,234.50", 123450),
        ("EUR 1,234.05", 123405),
        ("€0.01", 1),
        (" 12,345,678.90 ", 1234567890),
    ],
)
def test_amounts_read_exactly_in_cents(text: str, cents: int) -> None:
    assert parse_amount(text) == cents


@pytest.mark.parametrize(
    "text",
    ["1234,50", "1.234,50", "1 234", "€1 234,50", "12.345", "-5", "1e3", "", "1,23", "USD 5"],
)
def test_ambiguous_or_other_amounts_are_refused_in_one_line(text: str) -> None:
    with pytest.raises(ValueError, match=r"^budget: write it as 1234\.50") as caught:
        parse_amount(text, field="budget")
    assert "\n" not in str(caught.value)


def test_formatting_and_rounding_rules() -> None:
    assert format_amount(123456, "EUR") == "EUR 1,234.56"
    assert format_amount(-250) == "-2.50"
    assert format_amount(150, whole=True) == "2"  # half up
    assert format_amount(None) == "-"
    assert round_cents(Fraction(5, 2)) == 3 and round_cents(Fraction(-5, 2)) == -3
    assert round_cents(Fraction(7, 3)) == 2
    assert percent_text(Fraction(1, 8)) == "12.5"
    assert percent_text(Fraction(1, 3)) == "33.3"
    assert percent_text(Fraction(1, 1600)) == "0.1"  # 0.0625 -> 0.1, half up


# -- costs and ROI ------------------------------------------------------------------------


TEAMS: dict[str, dict[str, Any]] = {
    "IT": {"rate_cents": 12_000, "rate_unit": "point", "capacity": 30},
    "EXT": {"rate_cents": 95_000, "rate_unit": "day", "capacity": 30},
    "MKT": {"rate_cents": None, "rate_unit": "point", "capacity": 20},
}
SPRINTS: dict[str, dict[str, Any]] = {
    "S1": {"start": "2026-03-02", "end": "2026-03-13"}
}  # Mon..Fri next week: 10 days


def card(
    key: str, team: str, points: int | None, status: str = "todo", **more: object
) -> dict[str, Any]:
    return {"key": key, "team": team, "points": points, "status": status, "sprint": "S1", **more}


def test_working_days_count_monday_to_friday() -> None:
    assert working_days(date(2026, 3, 2), date(2026, 3, 13)) == 10
    assert working_days(date(2026, 3, 7), date(2026, 3, 8)) == 0  # a weekend
    assert working_days(date(2026, 3, 6), date(2026, 3, 9)) == 2


def test_a_card_costs_its_points_at_the_rate_plus_its_own_cost() -> None:
    assert card_cost(card("IT-1", "IT", 5), TEAMS["IT"], SPRINTS["S1"]).cents == 60_000
    own = card("IT-2", "IT", 1, cost_cents=150_050)
    assert card_cost(own, TEAMS["IT"], SPRINTS["S1"]).cents == 162_050


def test_a_day_rate_is_spread_over_capacity_and_rounded_half_up_once() -> None:
    # 950.00 x 10 days / 30 points = 316.666... per point; 1 point -> 316.67, 2 -> 633.33
    assert card_cost(card("X-1", "EXT", 1), TEAMS["EXT"], SPRINTS["S1"]).cents == 31_667
    assert card_cost(card("X-2", "EXT", 2), TEAMS["EXT"], SPRINTS["S1"]).cents == 63_333
    backlog = card("X-3", "EXT", 3) | {"sprint": None}
    assert card_cost(backlog, TEAMS["EXT"], None).cents == 95_000  # 10 backlog days


def test_what_cannot_be_priced_is_named_not_guessed() -> None:
    sheet = cost_sheet(
        [
            card("IT-1", "IT", 3, "done"),
            card("IT-2", "IT", None),
            card("MKT-1", "MKT", 8, cost_cents=500_000),
        ],
        TEAMS,
        SPRINTS,
    )
    assert sheet.teams["IT"].planned == 36_000 and sheet.teams["IT"].spent == 36_000
    assert sheet.total.planned == 536_000  # the ad spend counts; MKT's time does not
    assert sheet.total.without_points == ["IT-2"]
    assert sheet.total.without_rate == ["MKT"]
    assert sheet.total.open_points == 8


def test_roi_is_return_minus_cost_over_cost_exactly() -> None:
    assert roi(150_000, 100_000) == Fraction(1, 2)
    assert roi(50_000, 100_000) == Fraction(-1, 2)
    assert roi(None, 100) is None and roi(100, 0) is None
    goal = {"id": 1, "title": "g", "budget_cents": 50_000, "return_cents": 100_000}
    money = goal_money(goal, [card("IT-1", "IT", 5, goal=1)], TEAMS, SPRINTS)
    assert money.cost.planned == 60_000 and money.over_budget == 10_000
    assert money.to_dict()["roi_percent"] == "66.7"
    assert money.to_dict()["planned"] == "600.00"


# -- forecast -----------------------------------------------------------------------------


def test_paces_span_best_mean_and_worst_delivering_sprint() -> None:
    assert paces([10, 20, 0]) == {
        "optimistic": 20,
        "likely": 10,
        "pessimistic": 10,
    }
    assert paces([]) == {"optimistic": None, "likely": None, "pessimistic": None}


def test_forecast_dates_and_cost_by_the_slowest_team() -> None:
    cards = [
        card("IT-1", "IT", 20, goal=1),
        card("IT-2", "IT", 5, "done", goal=1),
        card("X-1", "EXT", 12, goal=1),
    ]
    result = forecast_goal(
        {"id": 1, "title": "g"},
        cards,
        TEAMS,
        SPRINTS,
        {"IT": [10, 20, 15], "EXT": [6, 3, 4]},
        start=date(2026, 3, 16),
        sprint_length=14,
    )
    optimistic, likely, pessimistic = result.scenarios
    assert result.spent == 60_000 and result.open_points == 32
    # EXT: 12 points at 6 / 13/3 / 3 per sprint -> 2 / 3 / 4 sprints; IT needs 1 / 2 / 2
    assert [s.sprints for s in result.scenarios] == [2, 3, 4]
    assert optimistic.done_by == date(2026, 4, 13) and pessimistic.done_by == date(2026, 5, 11)
    # cost: spent 600 + IT 20 x 120 + EXT 950 x 10 days x 12 / pace
    assert optimistic.cost == 60_000 + 240_000 + 1_900_000
    assert likely.cost == 60_000 + 240_000 + round_cents(Fraction(95_000 * 10 * 12 * 3, 13))
    assert pessimistic.cost == 60_000 + 240_000 + 3_800_000


def test_a_team_without_history_is_read_at_its_capacity_and_says_so() -> None:
    # MKT delivered nothing in its recent sprints (or has none): 20 points a sprint, its
    # capacity, in every scenario; 30 open points -> 2 sprints.
    for history in ({}, {"MKT": [0, 0]}):
        result = forecast_goal(
            {"id": 1, "title": "g"},
            [card("MKT-1", "MKT", 30, goal=1)],
            TEAMS,
            SPRINTS,
            history,
            start=date(2026, 3, 16),
            sprint_length=14,
        )
        assert [s.sprints for s in result.scenarios] == [2, 2, 2]
        assert all(s.done_by == date(2026, 4, 13) for s in result.scenarios)
        assert result.unknown == [
            "MKT: from capacity, no history (20 points a sprint, none delivered in recent "
            "closed sprints)",
            "MKT has no rate",
        ]


def test_a_team_without_history_or_capacity_leaves_no_date() -> None:
    teams = {**TEAMS, "MKT": {**TEAMS["MKT"], "capacity": 0}}
    result = forecast_goal(
        {"id": 1, "title": "g"},
        [card("MKT-1", "MKT", 3, goal=1), card("IT-1", "IT", 3, goal=1)],
        teams,
        SPRINTS,
        {"IT": [10]},
        start=date(2026, 3, 16),
        sprint_length=14,
    )
    assert all(s.done_by is None for s in result.scenarios)
    assert "MKT delivered nothing recently and has no capacity" in result.unknown


def test_a_team_with_history_keeps_its_measured_pace() -> None:
    result = forecast_goal(
        {"id": 1, "title": "g"},
        [card("IT-1", "IT", 30, goal=1)],
        TEAMS,
        SPRINTS,
        {"IT": [10, 0, 5]},  # capacity 30 is not used: the team has a history
        start=date(2026, 3, 16),
        sprint_length=14,
    )
    assert [s.sprints for s in result.scenarios] == [3, 6, 6]
    assert result.unknown == []


# -- store: writes are logged and undoable ------------------------------------------------


def test_measures_keep_history_set_current_and_undo(store: Store) -> None:
    goal = store.goals.add(Goal(title="Conversion", kpi="conversion", baseline=2, target=3))
    store.finance.measure(goal["id"], 2.4, "2026-02-01")
    store.finance.measure(goal["id"], 2.2, "2026-01-01")  # older: history, not current
    assert store.goals.get(goal["id"])["current"] == 2.4
    assert [m["value"] for m in store.finance.measures(goal["id"])] == [2.2, 2.4]
    store.finance.measure(goal["id"], 2.6, "2026-03-01")
    assert store.goals.get(goal["id"])["current"] == 2.6
    store.activity.undo()
    assert store.goals.get(goal["id"])["current"] == 2.4
    assert len(store.finance.measures(goal["id"])) == 2
    with pytest.raises(UserError, match="day"):
        store.finance.measure(goal["id"], 1, "2026-13-01")


def test_money_writes_are_undoable(store: Store) -> None:
    store.finance.set_rate("IT", 12_000, "point")
    store.finance.set_currency("usd")
    assert store.finance.currency() == "USD"
    store.activity.undo()
    assert store.finance.currency() == "EUR"
    store.activity.undo()
    assert store.teams.get("IT")["rate_cents"] is None
    with pytest.raises(UserError, match="per: 'point' or 'day'"):
        store.finance.set_rate("IT", 1, "hour")


def _budget(plan: Plan, rule: str) -> list[Finding]:
    return [f for f in run_checks(plan.store, settings=Settings()) if f.rule == rule]


# -- checks -------------------------------------------------------------------------------


def test_goal_over_budget_is_a_warning(plan: Plan) -> None:
    store = plan.store
    goal = store.goals.add(Goal(title="Spring promotion"))
    store.finance.set_rate("MKT", 10_000)
    plan.card("MKT", goal=goal["id"], points=5)
    store.finance.set_goal_money(goal["id"], budget=50_000)
    assert _budget(plan, "goal-budget") == []
    plan.card("MKT", goal=goal["id"], points=1)
    (finding,) = _budget(plan, "goal-budget")
    assert finding.why == (
        f"goal {goal['id']} planned cost 600.00 is over its budget 500.00 by 100.00 (20.0%)"
    )
    assert finding.severity.value == "warning" and len(finding.cards) == 2


def test_sprint_over_budget_is_a_warning(plan: Plan) -> None:
    plan.store.finance.set_rate("IT", 10_000)
    plan.card("IT", points=3)
    plan.store.finance.set_sprint_budget("S1", 20_000)
    (finding,) = _budget(plan, "sprint-budget")
    assert finding.subject == "S1" and "300.00 is over its budget 200.00" in finding.why


def test_provider_cost_growing_faster_than_points(plan: Plan) -> None:
    store = plan.store
    store.teams.edit("IT", {"format": TeamFormat.EXTERNAL})
    store.finance.set_rate("IT", 100_000, "day")
    plan.card("IT", "S1", points=10, status="done")
    plan.card("IT", "S2", points=4, status="done")
    store.sprints.close("S1", carry_over="backlog")
    store.sprints.start("S2")
    store.sprints.close("S2", carry_over="backlog")
    (finding,) = _budget(plan, "provider-cost")
    assert finding.subject == "IT" and "10 -> 4 points" in finding.why


# -- CLI ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("team", "rate", "set", "IT", "1234,50"),
        ("team", "rate", "set", "IT", "12", "--per", "hour"),
        ("card", "cost", "IT-1", "lots"),
        ("goal", "budget", "1", "1.234,00"),
        ("goal", "measure", "1", "abc"),
        ("goal", "measure", "1", "2.5", "--on", "yesterday"),
        ("goal", "measure"),
        ("goal", "history", "99"),
        ("currency", "euro"),
        ("sprint", "cost", "nope"),
    ],
)
def test_cli_refuses_bad_input_in_one_line(demo_store: Store, cli, args: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    demo_store.close()
    result = cli(*args)
    assert result.code == 2, result
    assert result.err.startswith("error: ") and result.err.count("\n") == 1


def test_cli_money_round_trip_in_json(demo_store: Store, cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import json

    demo_store.close()
    assert cli("team", "rate", "set", "IT", "1,200.50").code == 0
    rates = json.loads(cli("team", "rate", "show", "IT", "--json").out)
    assert rates == [
        {
            "team": "IT",
            "format": rates[0]["format"],
            "rate_cents": 120050,
            "rate": "1200.50",
            "per": "point",
            "currency": "EUR",
        }
    ]
    assert cli("goal", "budget", "1", "10").code == 0
    money = json.loads(cli("goal", "money", "1", "--json").out)["goals"][0]
    assert money["budget_cents"] == 1000 and isinstance(money["planned_cents"], int)
    csv = tmp_path / "kpi.csv"
    csv.write_text("kpi;date;value\nconversion rate;2026-01-05;2.45\n1;2026-01-12;2.5\n")
    assert cli("goal", "measure", "--csv", str(csv)).out == "2 values recorded\n"
    history = json.loads(cli("goal", "history", "1", "--json").out)["measures"]
    assert {"day": "2026-01-05", "value": 2.45} in history
    assert {"day": "2026-01-12", "value": 2.5} in history
    bad = tmp_path / "bad.csv"
    bad.write_text("goal,date,value\n1,2026-01-05,2,5\n1,01/02/2026,3\n")
    result = cli("goal", "measure", "--csv", str(bad))
    assert result.code == 2 and "bad.csv line 3: date must be YYYY-MM-DD" in result.err
    assert json.loads(cli("goal", "history", "1", "--json").out)["measures"] == history
    assert cli("sprint", "cost", "--json").code == 0
    assert cli("goal", "forecast", "--json").code == 0


def test_a_short_history_reads_the_optimistic_pace_at_capacity() -> None:
    # IT delivered 10 points in its only sprint; its capacity is 30: a range from 1 to 3
    # sprints for 30 points, not one date.
    result = forecast_goal(
        {"id": 1, "title": "g"},
        [card("IT-1", "IT", 30, goal=1)],
        TEAMS,
        SPRINTS,
        {"IT": [10]},
        start=date(2026, 3, 16),
        sprint_length=14,
    )
    assert [s.sprints for s in result.scenarios] == [1, 3, 3]
    assert result.unknown == [
        "optimistic at capacity for IT (fewer than 3 closed sprints of history)"
    ]
