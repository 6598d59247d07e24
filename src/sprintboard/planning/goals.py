"""Goal progress for the C-level view: KPI progress, cards progress, a suggested status."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sprintboard.vocabulary import GoalStatus, stored_day

if TYPE_CHECKING:
    from sprintboard.models import Goal
    from sprintboard.store import Store

ON_TRACK_LAG = 0.10
"""A goal this far (a fraction of the way) behind the time elapsed is still on track..."""
AT_RISK_LAG = 0.25
"""... and up to this far behind it is at risk; further behind, off track."""


def kpi_progress(baseline: float, current: float, target: float) -> float | None:
    """How far the KPI has come from baseline to target: 0 at the baseline, 1 at the target.

    Works for falling targets too (cart abandonment 71 -> 60 at 68.5 is 0.23). Below 0 the
    KPI moved the wrong way; above 1 it passed the target. A target equal to the baseline
    (a goal whose target was never set: both 0) is no target: progress is unknown, None.
    """
    span = target - baseline
    if span == 0:
        return None
    return (current - baseline) / span


@dataclass(frozen=True)
class StatusSuggestion:
    status: GoalStatus
    reason: str  # one line, for the screen and the report
    elapsed: float | None  # fraction of the goal's time span gone; None without a span


def suggest_status(
    progress: float, since: date, deadline: date | None, today: date
) -> StatusSuggestion:
    """Suggest on track / at risk / off track from KPI progress against time elapsed.

    The time span runs from `since` (when the goal was set) to `deadline` (the end of the
    last sprint holding any of its cards). In order:
    1. target reached (progress >= 1): on track;
    2. no card in any sprint (no deadline): at risk, since nothing is scheduled to move it;
    3. past the deadline and the target not reached: off track;
    4. otherwise compare the way covered with the time elapsed (both fractions): behind by
       at most ON_TRACK_LAG is on track, by at most AT_RISK_LAG at risk, else off track.
    """
    if progress >= 1:
        return StatusSuggestion(GoalStatus.ON_TRACK, "target reached", None)
    if deadline is None:
        return StatusSuggestion(
            GoalStatus.AT_RISK, "no cards planned in a sprint: nothing moves the KPI", None
        )
    total = (deadline - since).days
    gone = (today - since).days
    elapsed = 1.0 if total <= 0 else min(1.0, max(0.0, gone / total))
    if today > deadline:
        return StatusSuggestion(
            GoalStatus.OFF_TRACK, f"{progress:.0%} of the way and its last sprint ended", elapsed
        )
    behind = elapsed - progress
    shown = f"{progress:.0%} of the way, {elapsed:.0%} of the time gone"
    if behind <= ON_TRACK_LAG:
        return StatusSuggestion(GoalStatus.ON_TRACK, shown, elapsed)
    if behind <= AT_RISK_LAG:
        return StatusSuggestion(GoalStatus.AT_RISK, shown, elapsed)
    return StatusSuggestion(GoalStatus.OFF_TRACK, shown, elapsed)


@dataclass(frozen=True)
class TeamProgress:
    team: str
    cards: int
    done_cards: int
    points: int
    done_points: int


@dataclass(frozen=True)
class GoalProgress:
    id: int
    title: str
    kpi: str
    unit: str
    baseline: float
    current: float
    target: float
    expected_roi: float | None
    sponsor: str
    status: GoalStatus  # as set by people
    signed_off_by: str | None
    signed_off_at: str | None
    kpi_progress: float | None  # None: no target set (target equals baseline)
    cards: int
    points: int
    done_points: int
    teams: list[TeamProgress]
    since: date
    deadline: date | None
    suggestion: StatusSuggestion

    @property
    def card_progress(self) -> float | None:
        """Done / total points of its cards; None when they carry no points."""
        return self.done_points / self.points if self.points else None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(
            status=self.status.value,
            since=self.since.isoformat(),
            deadline=self.deadline.isoformat() if self.deadline else None,
            card_progress=self.card_progress,
            suggestion={
                "status": self.suggestion.status.value,
                "reason": self.suggestion.reason,
                "elapsed": self.suggestion.elapsed,
            },
        )
        return data


def progress_of(
    goal: Mapping[str, Any],
    teams: Sequence[Mapping[str, Any]],
    last_sprint_end: str | None,
    today: date,
) -> GoalProgress:
    """A goal's progress from its row (Goals.list/get), its per-team rows
    (Goals.progress_by_team) and the end of the last sprint holding its cards.

    A goal whose target equals its baseline has nothing to measure: its suggestion keeps
    the status people set."""
    progress = kpi_progress(goal["baseline"], goal["current"], goal["target"])
    since = stored_day(goal["created_at"]) or date.fromisoformat(goal["created_at"][:10])
    deadline = stored_day(last_sprint_end)  # out of range (stored unchecked): no deadline
    return GoalProgress(
        id=goal["id"],
        title=goal["title"],
        kpi=goal["kpi"],
        unit=goal["unit"],
        baseline=goal["baseline"],
        current=goal["current"],
        target=goal["target"],
        expected_roi=goal["expected_roi"],
        sponsor=goal["sponsor"],
        status=GoalStatus(goal["status"]),
        signed_off_by=goal["signed_off_by"],
        signed_off_at=goal["signed_off_at"],
        kpi_progress=progress,
        cards=goal["cards"],
        points=goal["points"],
        done_points=goal["done_points"],
        teams=[
            TeamProgress(t["team"], t["cards"], t["done_cards"], t["points"], t["done_points"])
            for t in teams
        ],
        since=since,
        deadline=deadline,
        suggestion=StatusSuggestion(
            GoalStatus(goal["status"]), "no KPI target set (target equals baseline)", None
        )
        if progress is None
        else suggest_status(progress, since, deadline, today),
    )


def add_goal(store: Store, goal: Goal) -> dict[str, Any]:
    """Add a goal (`store.goals.add`); one whose status was not chosen starts with the
    suggested status rather than always 'on track' (see `starting_status`)."""
    if "status" not in goal.model_fields_set:
        goal = goal.model_copy(update={"status": starting_status(goal)})
    return store.goals.add(goal)


def starting_status(goal: Goal) -> GoalStatus:
    """The suggested status of a goal just set: no card is planned for it yet, so it is at
    risk (`suggest_status`), unless its KPI already reached the target (on track) or it has
    no target to measure (on track, as set)."""
    progress = kpi_progress(goal.baseline, goal.current, goal.target)
    if progress is None:
        return goal.status
    today = date.today()  # no deadline yet: the day plays no part in the suggestion
    return suggest_status(progress, today, None, today).status


def goal_progress(store: Store, goal_id: int | str | None = None) -> list[GoalProgress]:
    """Every goal's progress (or the one goal's), in id order."""
    goals = [store.goals.get(goal_id)] if goal_id is not None else store.goals.list()
    one = goals[0]["id"] if goal_id is not None else None
    per_team: dict[int, list[dict[str, Any]]] = {}
    for row in store.goals.progress_by_team(one):
        per_team.setdefault(row["goal"], []).append(row)
    ends = store.goals.last_sprint_ends()
    today = date.fromisoformat(store.today())
    return [progress_of(g, per_team.get(g["id"], []), ends.get(g["id"]), today) for g in goals]
