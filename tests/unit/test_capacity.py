"""Capacity per team in a sprint: plan vs capacity (override or default) and velocity,
cross-team load, feedback share."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from conftest import Cli
from sprintboard.models import Card, Feedback, Sprint, validate
from sprintboard.planning.capacity import plan_capacity, sprint_capacity
from sprintboard.planning.costs import cost_sheet
from sprintboard.planning.velocity import Velocity
from sprintboard.store import Store
from sprintboard.views.planning import CapacityState, fetch_planning
from sprintboard.widgets.capacity_bars import cost_words


class Clock:
    def __init__(self) -> None:
        self.at = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.at

    def set(self, day: str, hour: int = 10) -> None:
        self.at = datetime.fromisoformat(f"{day}T{hour:02d}:00:00+00:00")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def plan(db_path: Path, clock: Clock) -> Iterator[Store]:
    with Store(db_path, clock=clock) as opened:
        yield opened


def card(store: Store, team: str, points: int | None, sprint: dict[str, Any], **more: Any) -> str:
    model = validate(Card, {"title": f"{team} card", "team": team, "points": points, **more})
    return str(store.cards.add(model, sprint_id=sprint["id"])["key"])


def closed_sprint(
    store: Store, clock: Clock, name: str, start: str, end: str, it_done: int
) -> None:
    clock.set(start, 8)
    s = store.sprints.add(validate(Sprint, {"name": name, "start": start, "end": end}))
    done = card(store, "IT", it_done, s)
    card(store, "IT", 5, s)  # never finished: carried over
    clock.set(start, 9)
    store.sprints.start(name)
    clock.set(end, 12)
    store.cards.move(done, status="done")
    clock.set(end, 17)
    store.sprints.close(name, "backlog")


@pytest.fixture
def planned(plan: Store, clock: Clock) -> dict[str, Any]:
    closed_sprint(plan, clock, "S0", "2026-01-05", "2026-01-16", 100)
    closed_sprint(plan, clock, "S1", "2026-01-19", "2026-01-30", 10)
    closed_sprint(plan, clock, "S2", "2026-02-02", "2026-02-13", 20)
    closed_sprint(plan, clock, "S3", "2026-02-16", "2026-02-27", 30)
    clock.set("2026-02-28")
    nxt = plan.sprints.add(
        validate(Sprint, {"name": "Next", "start": "2026-03-02", "end": "2026-03-13"})
    )
    cross = card(plan, "IT", 20, nxt, teams=["ECOM", "CNT"])
    fixes = card(plan, "IT", 10, nxt)
    card(plan, "IT", 20, nxt)
    card(plan, "IT", None, nxt)
    card(plan, "ECOM", 8, nxt)
    plan.sprints.set_capacity("Next", "ECOM", 5)
    feedback = plan.feedback.add(
        validate(Feedback, {"text": "Cart empties itself", "category": "cart"})
    )
    row = plan.row("SELECT * FROM feedback WHERE id = ?", [feedback["id"]])
    card_id = plan.scalar("SELECT id FROM cards WHERE key = ?", [fixes])
    with plan.transaction("feedback.link") as tx:
        assert row is not None
        tx.update("feedback", row, {"card_id": card_id})
    return {"sprint": nxt, "cross": cross, "fixes": fixes}


def test_planned_points_against_default_and_override(plan: Store, planned: dict[str, Any]) -> None:
    cap = sprint_capacity(plan, "Next", feedback_target=20)
    it, ecom = cap.team("IT"), cap.team("ECOM")
    assert (it.planned, it.capacity, it.capacity_source) == (50, 40, "team")
    assert (ecom.planned, ecom.capacity, ecom.capacity_source) == (8, 5, "sprint")
    ecom_usual = plan.teams.get("ECOM")["capacity"]
    assert (it.usual, ecom.usual) == (None, ecom_usual)
    assert ecom_usual != 5
    assert (it.over, it.over_capacity) == (10, True)
    assert (ecom.over, ecom.over_capacity) == (3, True)
    assert it.load == pytest.approx(1.25)
    assert it.unpointed == 1 and it.cards == 4
    assert [t.team for t in cap.over_capacity] == ["IT", "ECOM"]
    cs = cap.team("CS")
    assert (cs.planned, cs.over, cs.over_capacity, cs.feedback_share) == (0, 0, False, None)


def test_velocity_is_the_average_done_over_the_last_three_closed(
    plan: Store, planned: dict[str, Any]
) -> None:
    cap = sprint_capacity(plan, "Next", feedback_target=20)
    assert cap.velocity_sprints == ["S1", "S2", "S3"]
    it = cap.team("IT")
    assert it.velocity == 20  # (10 + 20 + 30) / 3; S0's 100 is older
    assert it.over_velocity == 30
    assert cap.team("CS").velocity == 0
    # A closed sprint is judged against the sprints before it.
    before_s3 = sprint_capacity(plan, "S3", feedback_target=20)
    assert before_s3.velocity_sprints == ["S0", "S1", "S2"]
    assert before_s3.team("IT").velocity == pytest.approx(130 / 3)


def test_cross_team_card_counts_for_its_owner_and_shows_who_it_loads(
    plan: Store, planned: dict[str, Any]
) -> None:
    cap = sprint_capacity(plan, "Next", feedback_target=20)
    it, ecom, cnt = cap.team("IT"), cap.team("ECOM"), cap.team("CNT")
    assert [(c.key, c.contributors) for c in it.cross_team] == [(planned["cross"], ["ECOM", "CNT"])]
    assert [c.key for c in ecom.helps_with] == [planned["cross"]]
    assert [c.key for c in cnt.helps_with] == [planned["cross"]]
    assert cnt.planned == 0  # the 20 points count for IT only
    assert ecom.planned == 8


def test_feedback_share_against_the_target(plan: Store, planned: dict[str, Any]) -> None:
    it = sprint_capacity(plan, "Next", feedback_target=25).team("IT")
    assert it.feedback_points == 10
    assert it.feedback_share == pytest.approx(20.0)
    assert it.feedback_target == 25


def test_feedback_target_comes_from_the_config(
    plan: Store, planned: dict[str, Any], tmp_path: Path
) -> None:
    (tmp_path / "config.toml").write_text("feedback_share_target = 35\n", encoding="utf-8")
    assert sprint_capacity(plan, "Next").team("IT").feedback_target == 35


def test_no_history_means_no_velocity(store: Store) -> None:
    store.sprints.add(
        validate(Sprint, {"name": "First", "start": "2026-03-02", "end": "2026-03-13"})
    )
    cap = sprint_capacity(store, "First", feedback_target=20)
    assert cap.velocity_sprints == []
    assert all(t.velocity is None and t.over_velocity is None for t in cap.teams)
    assert len(cap.teams) == 9


def test_archived_team_is_listed_only_while_it_holds_points() -> None:
    teams = [
        {"code": "IT", "name": "IT", "colour": "#2e86de", "capacity": 40, "archived": False},
        {"code": "OLD", "name": "Old", "colour": "#888888", "capacity": 10, "archived": True},
        {"code": "GONE", "name": "Gone", "colour": "#888888", "capacity": 10, "archived": True},
    ]
    load = [
        {
            "team": "OLD",
            "cards": 1,
            "points": 3,
            "done_points": 3,
            "unpointed": 0,
            "feedback_points": 0,
        }
    ]
    cap = plan_capacity({"name": "S", "state": "closed"}, teams, load, {}, [], Velocity([]))
    assert [t.team for t in cap.teams] == ["IT", "OLD"]
    assert cap.team("IT").load == 0
    assert cap.planned == 3


def test_capacity_report_cli(cli: Cli, planned: dict[str, Any]) -> None:
    result = cli("sprint", "capacity-report", "Next", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    it = next(t for t in data["teams"] if t["team"] == "IT")
    assert (it["planned"], it["capacity"], it["over"], it["velocity"]) == (50, 40, 10, 20)
    assert it["cross_team"][0]["contributors"] == ["ECOM", "CNT"]
    text = cli("sprint", "capacity-report", "Next")
    assert text.code == 0
    assert "+10" in text.out and "5*" in text.out


def test_the_planning_screen_prices_each_team_s_cards(demo_store: Store) -> None:
    data = fetch_planning(demo_store, None, False)
    state = CapacityState()
    state.reset(data, 20)
    costs = state.costs(data["cards"])
    teams = {t["code"]: t for t in demo_store.teams.list(include_archived=True)}
    sprint = data["sprint"]
    expected = cost_sheet(data["cards"], teams, {sprint["name"]: sprint}).teams
    assert costs == expected and costs["IT"].planned > 0
    assert data["currency"] == "EUR"
    it = costs["IT"]
    assert cost_words(it, "EUR").startswith("EUR ") and cost_words(it, "EUR").endswith(" spent")
    assert cost_words(None, "EUR") == ""
