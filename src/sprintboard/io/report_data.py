"""The planning report's data: `gather()` reads everything a sprint's report shows from the
store once, and the helpers both formats (io/report_markdown.py, io/report_html.py) share.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sprintboard.errors import UserError
from sprintboard.money import cents_text, format_amount, percent_text
from sprintboard.planning.capacity import VELOCITY_SPRINTS as VELOCITY_SPRINTS_CAPACITY
from sprintboard.planning.capacity import SprintCapacity, sprint_capacity
from sprintboard.planning.charts import Burndown, burndown
from sprintboard.planning.costs import CostSheet, GoalMoney
from sprintboard.planning.finance import Books
from sprintboard.planning.goals import GoalProgress, goal_progress
from sprintboard.planning.replay import SprintHistory
from sprintboard.planning.velocity import Velocity, closed_before, sprint_result
from sprintboard.vocabulary import sprint_span, stored_day

if TYPE_CHECKING:
    from sprintboard.store import Store

VELOCITY_SPRINTS = 6
"""How many closed sprints the velocity chart shows."""
NAMED = 5
"""How many cards without points a goal's row names before `+N more`."""


@dataclass(frozen=True)
class KpiTrend:
    """A goal's measured KPI values, oldest first, and the days its cards shipped."""

    goal: int
    title: str
    kpi: str
    unit: str
    baseline: float
    target: float
    measures: list[tuple[date, float]]
    shipped: list[tuple[date, str]]  # (done day, card key), oldest first

    def to_dict(self) -> dict[str, Any]:
        return {
            "goal": self.goal,
            "title": self.title,
            "kpi": self.kpi,
            "unit": self.unit,
            "baseline": self.baseline,
            "target": self.target,
            "measures": [{"day": d.isoformat(), "value": v} for d, v in self.measures],
            "shipped": [{"day": d.isoformat(), "card": k} for d, k in self.shipped],
        }


@dataclass(frozen=True)
class Money:
    """The report's money: every goal's cost and ROI, the sprint's cost per team, and the
    KPI trend of each goal with a measured value. Amounts in whole cents of `currency`."""

    currency: str
    goals: list[GoalMoney]
    sprint: CostSheet  # the report's sprint, per owning team
    sprint_budget: int | None
    trends: list[KpiTrend]

    def amount(self, cents: int | None) -> str:
        """`EUR 1,234.50`; `-` for no amount."""
        return format_amount(cents, self.currency)

    def to_dict(self) -> dict[str, Any]:
        """The same figures as JSON: exact cents and their decimal text."""
        return {
            "currency": self.currency,
            "goals": [g.to_dict() for g in self.goals],
            "sprint": {
                **self.sprint.to_dict(),
                "budget_cents": self.sprint_budget,
                "budget": cents_text(self.sprint_budget),
            },
            "kpi_trends": [t.to_dict() for t in self.trends],
        }


@dataclass(frozen=True)
class ReportData:
    generated_at: str
    sprint: dict[str, Any]
    capacity: SprintCapacity
    cards: list[dict[str, Any]]  # the sprint's cards (Cards.query rows), in board order
    dependencies: list[dict[str, Any]]  # open cross-team links touching the sprint
    goals: list[GoalProgress]
    burndown: Burndown | None  # None before the sprint starts
    velocity: Velocity
    warnings: list[dict[str, Any]]  # the checks' findings: severity, rule, cards, why, subject, fix
    money: Money


def default_sprint(store: Store) -> dict[str, Any]:
    """The active sprint, else the next planned one, else the last closed one."""
    planned = store.sprints.in_state("planned")
    found = store.sprints.active() or (planned[0] if planned else None)
    if found is None:
        closed = store.sprints.in_state("closed")
        found = closed[-1] if closed else None
    if found is None:
        raise UserError("sprint: there are no sprints yet; add one with 'sprint add'")
    return dict(found)


def gather(store: Store, sprint: str | None = None) -> ReportData:
    """Everything the report shows, for the named sprint (default: see default_sprint)."""
    row = default_sprint(store) if sprint is None else store.sprints.resolve(sprint)
    if row is None:
        raise UserError("sprint: 'backlog' is not a sprint; name a sprint or 'current'")
    today = date.fromisoformat(store.today())
    history = SprintHistory.load(store, row)
    cards = store.cards.query(sprint=row["id"])
    # The velocity chart and the capacity's recent velocity share the replayed sprints.
    before = closed_before(store, VELOCITY_SPRINTS, row)
    shown = [*before[1:], row] if row["state"] == "closed" else before
    needed = {s["id"]: s for s in [*before, *shown]}
    results = {
        i: sprint_result(history if i == row["id"] else SprintHistory.load(store, s))
        for i, s in needed.items()
    }
    recent = Velocity([results[s["id"]] for s in before[-VELOCITY_SPRINTS_CAPACITY:]])
    return ReportData(
        generated_at=store.now(),
        sprint=dict(row),
        capacity=sprint_capacity(store, row["name"], recent=recent),
        cards=cards,
        dependencies=_open_seams(store, cards),
        goals=goal_progress(store),
        burndown=_burndown_or_none(history, today),
        velocity=Velocity([results[s["id"]] for s in shown]),
        warnings=_warnings(store, row["name"]),
        money=_money(store, row),
    )


def _money(store: Store, sprint: dict[str, Any]) -> Money:
    """Costs and ROI per goal, the sprint's cost per team, and the goals' KPI trends."""
    books = Books.load(store)
    goals = store.goals.list()
    measured: dict[int, list[tuple[date, float]]] = {}
    for m in store.finance.measures():  # oldest day first
        if (day := stored_day(m["day"])) is not None:
            measured.setdefault(m["goal_id"], []).append((day, float(m["value"])))
    trends = []
    for goal in goals:
        measures = measured.get(goal["id"], [])
        if not measures:
            continue
        shipped = sorted(
            (day, str(c["key"]))
            for c in books.cards
            if c["goal"] == goal["id"] and (day := stored_day(c["done_at"])) is not None
        )
        trends.append(
            KpiTrend(
                int(goal["id"]),
                str(goal["title"]),
                str(goal["kpi"] or ""),
                str(goal["unit"] or ""),
                float(goal["baseline"]),
                float(goal["target"]),
                measures,
                shipped,
            )
        )
    return Money(
        books.currency,
        [books.goal(g) for g in goals],
        books.sprint(sprint["name"]),
        sprint.get("budget_cents"),
        trends,
    )


def _burndown_or_none(history: Any, today: date) -> Burndown | None:
    """The burndown, or None before the sprint starts or when its stored dates are out of
    range (written before dates were checked): the report is still made, without it."""
    if not history.started:
        return None
    try:
        sprint_span(history.sprint)
    except UserError:
        return None
    return burndown(history, today=today)


def _open_seams(store: Store, cards: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Open cross-team dependencies with at least one side in the sprint, with both sides'
    sprints (a blocker planned after its dependent is the seam about to break)."""
    keys = {c["key"] for c in cards}
    links = [
        d
        for d in store.deps.list()
        if d["cross_team"] and d["open"] and (d["blocker"] in keys or d["dependent"] in keys)
    ]
    wanted = sorted({d["blocker"] for d in links} | {d["dependent"] for d in links})
    sprint_of = {c["key"]: c["sprint"] for c in store.cards.query(keys=wanted)} if wanted else {}
    return [
        {
            **d,
            "blocker_sprint": sprint_of.get(d["blocker"]),
            "dependent_sprint": sprint_of.get(d["dependent"]),
        }
        for d in links
    ]


def _warnings(store: Store, sprint: str) -> list[dict[str, Any]]:
    """The seam checks' findings for the sprint (planning/checks.py), as JSON rows."""
    from sprintboard.planning.checks import run_checks

    return [f.as_json() for f in run_checks(store, sprint=sprint)]


# -- shared -------------------------------------------------------------------------------

SEVERITY_MARKS = {"error": "✗ error", "warning": "⚠ warning", "info": "· info"}
"""Each severity with a symbol, so colour is never the only signal (as on screen)."""


def _severity_counts(data: ReportData) -> str:
    """'2 errors, 1 warning, 3 info' over the report's findings."""
    from sprintboard.planning.checks import summary
    from sprintboard.planning.findings import Finding, Severity

    return summary([Finding(Severity(w["severity"]), w["rule"], (), "") for w in data.warnings])


def _roi(goal: GoalProgress) -> str:
    return "-" if goal.expected_roi is None else f"{goal.expected_roi:,g}"


def _roi_percent(money: GoalMoney) -> str:
    """The goal's ROI from its costs and return (exact, one decimal), or `-`."""
    found = percent_text(money.roi)
    return "-" if found is None else f"{found}%"


def _uncertain(money: GoalMoney) -> str:
    """What a goal's figures leave out, with the cards without points named."""
    notes = []
    if money.cost.without_points:
        keys = money.cost.without_points
        more = f" +{len(keys) - NAMED} more" if len(keys) > NAMED else ""
        notes.append("no points: " + ", ".join(keys[:NAMED]) + more)
    if money.cost.without_rate:
        notes.append("no rate: " + ", ".join(money.cost.without_rate))
    if money.cost.open_points:
        notes.append(f"{money.cost.open_points} points still open")
    if money.expected_return is None:
        notes.append("no expected return")
    return "; ".join(notes) or "nothing"


def kpi_fraction(trend: KpiTrend, value: float) -> float | None:
    """How far `value` is from the baseline (0) to the target (1); None without a span."""
    span = trend.target - trend.baseline
    # rounded, so a value a hair under the baseline shows as 0%, not -0%
    return None if span == 0 else round((value - trend.baseline) / span, 2) or 0.0


def shipped_by_measure(trend: KpiTrend) -> tuple[list[list[str]], list[str]]:
    """The cards shipped up to each measured value since the one before (the first value
    takes every card shipped on or before its day), and those shipped after the last."""
    per: list[list[str]] = [[] for _ in trend.measures]
    after: list[str] = []
    for day, key in trend.shipped:
        index = next((i for i, (d, _) in enumerate(trend.measures) if day <= d), None)
        (after if index is None else per[index]).append(key)
    return per, after


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _kpi_pct(goal: GoalProgress) -> str:
    return "no target" if goal.kpi_progress is None else _pct(goal.kpi_progress)


def _num(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _by_team(data: ReportData) -> dict[str, list[dict[str, Any]]]:
    """The sprint's cards per owning team, teams in their usual order, cards in board order."""
    teams: dict[str, list[dict[str, Any]]] = {t.team: [] for t in data.capacity.teams}
    for card in data.cards:
        teams.setdefault(card["team"], []).append(card)
    return {team: cards for team, cards in teams.items() if cards}


def _count(cards: Sequence[Any]) -> str:
    return f"{len(cards)} card" + ("" if len(cards) == 1 else "s")


def _kpi(goal: GoalProgress) -> str:
    unit = goal.unit
    values = f"{goal.baseline:g}{unit} → {goal.current:g}{unit} → {goal.target:g}{unit}"
    return f"{goal.kpi}: {values}" if goal.kpi else values


def _bar(fraction: float | None, width: int) -> str:
    full = 0 if fraction is None else max(0, min(width, round(fraction * width)))
    return "█" * full + "░" * (width - full)
