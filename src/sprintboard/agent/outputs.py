"""What the tools return, typed for the output schemas the assistant sees.

The records inside are the `--json` shapes (io/json_shapes.py, README 'JSON output'); the
typed dicts only name them. Figures computed by the planning modules (capacity, goal
progress) are their `to_dict()` as the CLI prints them.
"""

from __future__ import annotations

from typing import Any

# pydantic reads typing.TypedDict only from Python 3.12 on.
from typing_extensions import TypedDict


class CardJson(TypedDict):
    key: str
    uuid: str
    title: str
    description: str
    team: str
    teams: list[str]
    status: str
    sprint: str | None
    points: int | None
    priority: str
    assignee: str
    due: str | None
    goal: int | None
    labels: list[str]
    skus: list[str]
    expected_orders: int | None
    blocked_by: list[str]
    blockers: list[str]
    blocks: list[str]
    cross_team: bool
    feedback: int
    reports: int
    comment_count: int
    checklist_done: int
    checklist_total: int
    position: float
    created_at: str
    updated_at: str
    done_at: str | None


class CardDetail(CardJson):
    comments: list[dict[str, Any]]
    checklist: list[dict[str, Any]]


class CardList(TypedDict):
    cards: list[CardJson]
    total: int
    """How many cards match; `cards` holds the first `limit` of them in board order."""


class DependencyJson(TypedDict):
    blocker: str
    blocker_team: str
    blocker_status: str
    dependent: str
    dependent_team: str
    dependent_status: str
    cross_team: bool
    open: bool
    created_at: str


class DependencyList(TypedDict):
    dependencies: list[DependencyJson]
    total: int
    """How many links match; `dependencies` holds the first `limit` of them."""


class FindingJson(TypedDict):
    severity: str
    rule: str
    cards: list[str]
    why: str
    subject: str | None
    fix: str | None


class CheckResult(TypedDict):
    findings: list[FindingJson]
    matching: int
    """Findings the filters keep; `findings` holds the first `limit` of them."""
    total: int
    """Findings of the checked plan before the team, card and severity filters."""
    summary: str


class SprintJson(TypedDict):
    name: str
    goal: str
    start: str
    end: str
    state: str
    committed_points: int | None
    completed_points: int | None
    started_at: str | None
    closed_at: str | None
    cards: int | None
    points: int | None
    done_points: int | None


class SprintList(TypedDict):
    sprints: list[SprintJson]


class CapacityJson(TypedDict):
    """`sprint capacity-report --json`."""

    sprint: str
    state: str
    planned: int
    capacity: int
    velocity_sprints: list[str]
    teams: list[dict[str, Any]]


class SprintStatus(TypedDict):
    sprint: SprintJson
    capacity: CapacityJson


class PlanResult(TypedDict):
    card: CardJson
    sprint: str | None
    team_capacity: dict[str, Any] | None
    """The owning team's capacity against its load in that sprint, the card included
    (`capacity-report`'s team entry); None when planned into the backlog."""
    over_capacity: bool


class FeedbackJson(TypedDict):
    key: str
    id: int
    text: str
    source: str
    customer: str
    category: str
    reported_by: str
    received_at: str
    reports: int
    urgent: bool
    state: str
    snoozed_until: str | None
    decline_reason: str | None
    card: str | None
    card_status: str | None
    shipped: bool
    informed_by: str | None
    informed_at: str | None


class FeedbackList(TypedDict):
    feedback: list[FeedbackJson]


class GoalList(TypedDict):
    goals: list[dict[str, Any]]
    """`goal progress --json`: KPI progress, cards by team, the suggested status."""


class SprintReport(TypedDict):
    sprint: str
    markdown: str


class UndoResult(TypedDict):
    undone: dict[str, Any]
    """`undo --json`."""
    message: str
