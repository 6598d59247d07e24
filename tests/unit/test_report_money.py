"""The report's cost and ROI table, the sprint's cost per team and the KPI trends: exact
amounts in the plan's currency, field by field on a small plan, user text kept literal."""

from __future__ import annotations

import re

import pytest
from checks_fixtures import Plan

from sprintboard.io.report_data import gather
from sprintboard.io.report_html import to_html
from sprintboard.io.report_markdown import to_markdown
from sprintboard.models import Goal

pytest_plugins = ["checks_fixtures"]

HOSTILE = "<script>alert(1)</script> | [bold]x[/bold]"


@pytest.fixture
def money_plan(plan: Plan) -> Plan:
    """Goal 1: IT 5 points (done) + 3 points at 120.00, a card without points, a MKT card
    (no rate) with its own 450.00 invoice; budget 900.00 (over), return 2,000.00; USD."""
    store = plan.store
    store.finance.set_currency("USD")
    store.finance.set_rate("IT", 12_000)
    goal = store.goals.add(Goal(title=HOSTILE, kpi="conversion", unit="%", baseline=2, target=3))
    gid = goal["id"]
    plan.card("IT", goal=gid, points=5, status="done")
    plan.card("IT", goal=gid, points=3)
    plan.card("IT", goal=gid, points=None, title="no estimate yet")
    store.finance.set_card_cost(plan.card("MKT", goal=gid, points=2), 45_000)
    store.finance.set_goal_money(gid, budget=90_000, ret=200_000)
    store.finance.set_sprint_budget("S1", 100_000)
    for day, value in (("2026-02-25", 2.0), ("2026-03-04", 2.25), ("2026-03-10", 2.5)):
        store.finance.measure(gid, value, day)
    store.goals.add(Goal(title="No history"))
    return plan


def test_money_fields_one_by_one(money_plan: Plan) -> None:
    data = gather(money_plan.store, "S1")
    m = data.money
    assert m.currency == "USD"
    goal = m.goals[0]
    assert goal.title == HOSTILE
    assert (goal.cost.planned, goal.cost.spent) == (5 * 12_000 + 3 * 12_000 + 45_000, 60_000)
    assert (goal.budget, goal.expected_return, goal.over_budget) == (90_000, 200_000, 51_000)
    assert goal.cost.without_points == ["IT-3"] and goal.cost.without_rate == ["MKT"]
    assert m.sprint.teams["IT"].planned == 96_000 and m.sprint.total.planned == 141_000
    assert m.sprint_budget == 100_000
    (trend,) = m.trends  # the goal without a measured value has no trend
    assert [v for _, v in trend.measures] == [2.0, 2.25, 2.5]
    assert [k for _, k in trend.shipped] == ["IT-1"]
    as_json = m.to_dict()
    assert as_json["goals"][0]["planned"] == "1410.00" and as_json["goals"][0]["roi_percent"] == (
        "41.8"  # (2000 - 1410) / 1410 = 41.84%
    )
    assert as_json["sprint"]["budget"] == "1000.00"
    assert as_json["kpi_trends"][0]["shipped"] == [{"day": "2026-03-11", "card": "IT-1"}]


def test_markdown_cost_table_and_kpi_trend(money_plan: Plan) -> None:
    text = to_markdown(gather(money_plan.store, "S1"))
    headings = re.findall(r"^## (.+)$", text, flags=re.M)
    assert headings[5:8] == ["Goals", "Cost and ROI (amounts in USD)", "KPI trends"]
    row = next(line for line in text.splitlines() if "USD 2,000.00" in line)
    cells = [c.strip() for c in re.split(r"(?<!\\)\|", row)[1:-1]]
    assert cells == [
        r"\<script\>alert(1)\</script\> \| \[bold\]x\[/bold\]",
        "USD 2,000.00",
        "USD 1,410.00",
        "USD 600.00",
        "USD 900.00 **over by USD 510.00**",
        "41.8%",
        "no points: IT-3; no rate: MKT; 5 points still open",
    ]
    assert "| IT | USD 960.00 | USD 600.00 | IT-3 |" in text
    assert "| MKT | USD 450.00 | USD 0.00 | MKT |" in text
    assert "| **Total** | USD 1,410.00 | USD 600.00 | MKT, IT-3 |" in text
    assert "Sprint budget USD 1,000.00: USD 410.00 over." in text
    assert "conversion: baseline 2% → target 3%" in text
    assert "| 2026-02-25 | 2 | `░░░░░░░░░░` 0% | - |" in text
    assert "| 2026-03-10 | 2.5 | `█████░░░░░` 50% | - |" in text
    assert "Shipped after the last value: IT-1." in text
    assert "<script>" not in text and "[bold]x" not in text


def test_html_cost_table_and_kpi_chart_escaped(money_plan: Plan) -> None:
    page = to_html(gather(money_plan.store, "S1"))
    assert "<script>" not in page and "[bold]" in page  # brackets are not markup in HTML
    assert "&lt;script&gt;alert(1)&lt;/script&gt; | [bold]x[/bold]" in page
    assert "<h2>Cost and ROI (amounts in USD)</h2>" in page
    assert '<td>USD 900.00 <span class="over">over by USD 510.00</span></td><td>41.8%</td>' in page
    assert "<td><b>Total</b></td><td>USD 1,410.00</td><td>USD 600.00</td>" in page
    chart = re.search(r'<svg[^>]*aria-label="KPI trend of goal 1".*?</svg>', page)
    assert chart is not None
    svg = chart.group(0)
    assert svg.count("<circle") == 3 and "<polyline" in svg
    assert "IT-1 shipped 2026-03-11" in svg  # the shipped rule, after the last value
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "Shipped: IT-1 (2026-03-11)" in page


def test_a_plan_without_money_or_history_says_so(plan: Plan) -> None:
    plan.card("IT")
    data = gather(plan.store, "S1")
    text, page = to_markdown(data), to_html(data)
    assert "(no goal has a measured KPI value yet)" in text
    assert "(no goal has a measured KPI value yet)" in page
    assert "| IT | EUR 0.00 | EUR 0.00 | IT |" in text  # no rate yet: named, not guessed
    assert "Sprint budget" not in text
