"""Goal progress: KPI baseline -> current -> target, cards by team, suggested status."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from rich.cells import cell_len

from conftest import Cli
from sprintboard.models import Card, Goal, Sprint, validate
from sprintboard.planning.goals import add_goal, goal_progress, kpi_progress, suggest_status
from sprintboard.store import Store
from sprintboard.vocabulary import GoalStatus


@pytest.mark.parametrize(
    ("baseline", "current", "target", "expected"),
    [
        (2.1, 2.4, 2.8, 3 / 7),  # rising KPI (conversion rate)
        (71, 68.5, 60, 2.5 / 11),  # falling KPI (cart abandonment)
        (71, 73, 60, -2 / 11),  # moved the wrong way
        (71, 58, 60, 13 / 11),  # beyond the target
        (88, 88, 97, 0.0),
        (5, 5, 5, None),  # no target: target equals baseline
        (0, 0, 0, None),  # a goal whose target was never set
        (5, 6, 5, None),
    ],
)
def test_kpi_progress(
    baseline: float, current: float, target: float, expected: float | None
) -> None:
    found = kpi_progress(baseline, current, target)
    assert found == (None if expected is None else pytest.approx(expected))


SINCE = date(2026, 1, 1)
DEADLINE = date(2026, 3, 2)  # 60 days later
HALFWAY = date(2026, 1, 31)


@pytest.mark.parametrize(
    ("progress", "deadline", "today", "status"),
    [
        (1.0, DEADLINE, date(2026, 6, 1), GoalStatus.ON_TRACK),  # reached, even if late
        (0.45, DEADLINE, HALFWAY, GoalStatus.ON_TRACK),  # 5 points behind the clock
        (0.40, DEADLINE, HALFWAY, GoalStatus.ON_TRACK),  # 10 behind: the edge
        (0.30, DEADLINE, HALFWAY, GoalStatus.AT_RISK),
        (0.25, DEADLINE, HALFWAY, GoalStatus.AT_RISK),
        (0.20, DEADLINE, HALFWAY, GoalStatus.OFF_TRACK),
        (-0.1, DEADLINE, HALFWAY, GoalStatus.OFF_TRACK),
        (0.0, DEADLINE, SINCE, GoalStatus.ON_TRACK),  # just set
        (0.95, DEADLINE, date(2026, 3, 3), GoalStatus.OFF_TRACK),  # its last sprint ended
        (0.9, None, HALFWAY, GoalStatus.AT_RISK),  # nothing planned to move it
    ],
)
def test_suggested_status_from_progress_vs_time(
    progress: float, deadline: date | None, today: date, status: GoalStatus
) -> None:
    suggestion = suggest_status(progress, SINCE, deadline, today)
    assert suggestion.status is status
    assert suggestion.reason


def test_suggestion_reports_time_elapsed() -> None:
    suggestion = suggest_status(0.3, SINCE, DEADLINE, HALFWAY)
    assert suggestion.elapsed == pytest.approx(0.5)
    assert suggestion.reason == "30% of the way, 50% of the time gone"


def test_goal_progress_from_the_store(store: Store) -> None:
    # The store's clock (conftest) says 2026-03-11; the goal is created then.
    goal = store.goals.add(
        validate(
            Goal,
            {
                "title": "Cut cart abandonment",
                "kpi": "cart abandonment",
                "unit": "%",
                "baseline": 71,
                "current": 68.5,
                "target": 60,
            },
        )
    )
    sprint = store.sprints.add(
        validate(Sprint, {"name": "S", "start": "2026-03-09", "end": "2026-03-20"})
    )
    for team, points, status in (("IT", 8, "done"), ("IT", 5, "todo"), ("CS", 2, "done")):
        store.cards.add(
            validate(
                Card, {"title": f"{team} fix", "team": team, "points": points, "status": status}
            ),
            sprint_id=sprint["id"],
            goal_id=goal["id"],
        )
    store.cards.add(
        validate(Card, {"title": "Later", "team": "ECOM", "points": 3}), goal_id=goal["id"]
    )
    [progress] = goal_progress(store, goal["id"])
    assert progress.kpi_progress == pytest.approx(2.5 / 11)
    assert (progress.done_points, progress.points) == (10, 18)
    assert progress.card_progress == pytest.approx(10 / 18)
    by_team = {t.team: (t.done_points, t.points, t.done_cards, t.cards) for t in progress.teams}
    assert by_team == {"IT": (8, 13, 1, 2), "CS": (2, 2, 1, 1), "ECOM": (0, 3, 0, 1)}
    assert progress.since == date(2026, 3, 11)
    assert progress.deadline == date(2026, 3, 20)
    assert progress.suggestion.status is GoalStatus.ON_TRACK
    assert progress.status is GoalStatus.ON_TRACK  # as set; the suggestion does not change it


def test_goal_with_no_planned_cards_is_at_risk(store: Store) -> None:
    store.goals.add(validate(Goal, {"title": "Someday", "baseline": 0, "target": 10}))
    [progress] = goal_progress(store)
    assert progress.deadline is None
    assert progress.card_progress is None
    assert progress.suggestion.status is GoalStatus.AT_RISK


def test_demo_goals(demo_store: Store) -> None:
    goals = {g.title: g for g in goal_progress(demo_store)}
    cart = goals["Cut cart abandonment"]
    assert cart.kpi_progress == pytest.approx((68.5 - 71) / (60 - 71))
    assert cart.teams and sum(t.points for t in cart.teams) == cart.points


def test_goal_progress_cli(cli: Cli) -> None:
    assert cli("demo").code == 0
    result = cli("goal", "progress", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert {g["title"] for g in data} >= {"Lift conversion rate", "Cut cart abandonment"}
    first = data[0]
    assert first["suggestion"]["status"] in {"on track", "at risk", "off track"}
    assert 0 <= first["kpi_progress"] <= 1
    text = cli("goal", "progress", "2")
    assert text.code == 0 and "Cut cart abandonment" in text.out
    assert cli("goal", "progress", "99").code == 2


def test_goal_without_a_target_keeps_its_status(store: Store) -> None:
    store.goals.add(validate(Goal, {"title": "Be nicer", "status": "at risk"}))
    [progress] = goal_progress(store)
    assert progress.suggestion.status is GoalStatus.AT_RISK
    assert "no KPI target" in progress.suggestion.reason


def test_a_goal_without_a_target_shows_no_progress(cli: Cli, db_path: Path) -> None:
    """A target never set (0, like its baseline) is no target: not a full bar, not 100%."""
    from sprintboard.widgets.goal_rows import goal_lines, kpi_bar

    assert cli("demo").code == 0
    assert cli("goal", "add", "Happier customers").code == 0
    [goal] = [g for g in json.loads(cli("goal", "progress", "--json").out) if g["target"] == 0]
    assert goal["title"] == "Happier customers"
    assert goal["kpi_progress"] is None
    assert goal["suggestion"]["reason"] == "no KPI target set (target equals baseline)"

    listed = cli("goal", "list").out
    assert "Happier customers" in listed.splitlines()[-1]
    assert "no target" in listed.splitlines()[-1]
    progress_line = cli("goal", "progress").out.splitlines()[-1]
    assert "no target" in progress_line and "100%" not in progress_line
    report = cli("report").out
    row = next(line for line in report.splitlines() if line.startswith("| Happier customers"))
    assert "`░░░░░░░░░░` no target" in row, row

    with Store(db_path) as store:
        [progress] = goal_progress(store, goal["id"])
    shown = kpi_bar(progress)
    assert "█" not in shown.plain and shown.plain.endswith("░    -"), shown.plain
    kpi_line = goal_lines(progress, {})[1].plain
    assert "no target set" in kpi_line and "█" not in kpi_line, kpi_line
    # At 80 columns: shorter words, whole, and a gap before each bar (was "-  n" and
    # "cards 0 · 0/0 p…░░░").
    narrow = [line.plain for line in goal_lines(progress, {}, width=78)]
    assert narrow[1].endswith("    -  no target"), narrow[1]
    assert "cards 0 · 0/0  " in narrow[2] and "…" not in narrow[2], narrow[2]


def test_a_long_goal_title_takes_the_room_the_row_has(store: Store) -> None:
    from sprintboard.widgets.goal_rows import goal_lines

    title = "A much longer goal title that runs well past forty-four cells"
    store.goals.add(validate(Goal, {"title": title}))
    [progress] = goal_progress(store)
    wide = goal_lines(progress, {}, width=158)[0].plain
    assert title in wide and "●" in wide, wide
    short = goal_lines(progress, {}, width=78)[0].plain
    assert cell_len(short) <= 78 and "● on track" in short, short


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"baseline": 2.1, "current": 2.1, "target": 2.8}, GoalStatus.AT_RISK),  # no cards yet
        ({"baseline": 71, "current": 58, "target": 60}, GoalStatus.ON_TRACK),  # target reached
        ({}, GoalStatus.ON_TRACK),  # no target to measure: as set
        ({"baseline": 0, "target": 10, "status": "off track"}, GoalStatus.OFF_TRACK),  # chosen
        ({"baseline": 0, "target": 10, "status": "on track"}, GoalStatus.ON_TRACK),  # chosen
    ],
)
def test_a_new_goal_starts_with_the_suggested_status(
    store: Store, fields: dict[str, object], expected: GoalStatus
) -> None:
    added = add_goal(store, validate(Goal, {"title": "New goal", **fields}))
    assert added["status"] == expected.value
    assert store.goals.get(added["id"])["status"] == expected.value
    [progress] = goal_progress(store)
    if "status" not in fields:
        assert progress.status is progress.suggestion.status  # they agree from the start


def test_goal_add_cli_starts_with_the_suggested_status(cli: Cli) -> None:
    added = cli("goal", "add", "Grow loyalty", "--target", "30", "--json")
    assert added.code == 0, added.err
    assert json.loads(added.out)["status"] == "at risk"
    chosen = cli("goal", "add", "Grow more", "--target", "30", "--status", "on track", "--json")
    assert json.loads(chosen.out)["status"] == "on track"
