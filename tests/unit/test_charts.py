"""Burndown, velocity and cumulative flow replayed from the activity log; sprint close
records its history (commitment, completion, scope added and removed)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from sprintboard.errors import UserError
from sprintboard.models import Card, Sprint, validate
from sprintboard.planning.charts import (
    Burndown,
    burndown,
    cumulative_flow,
    sprint_burndown,
    sprint_flow,
)
from sprintboard.planning.replay import SprintHistory
from sprintboard.planning.velocity import team_velocity
from sprintboard.store import Store, frozen_clock


class Clock:
    """A clock the test moves forward: every change lands at a known moment."""

    def __init__(self) -> None:
        self.at = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

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


def add_sprint(store: Store, name: str, start: str, end: str) -> dict[str, Any]:
    return store.sprints.add(validate(Sprint, {"name": name, "start": start, "end": end}))


def add_card(
    store: Store,
    title: str,
    team: str,
    points: int | None,
    sprint: dict[str, Any] | None = None,
) -> str:
    card = validate(Card, {"title": title, "team": team, "points": points, "status": "todo"})
    return str(store.cards.add(card, sprint_id=sprint["id"] if sprint else None)["key"])


def days_of(b: Burndown) -> list[int | None]:
    return [d.remaining for d in b.days]


@pytest.fixture
def sprint_story(plan: Store, clock: Clock) -> dict[str, str]:
    """A five-day sprint: committed 10 points, then work, scope added, removed, reopened,
    points raised, a card deleted; closed with carry-over to the backlog."""
    clock.set("2026-03-01")
    s1 = add_sprint(plan, "S1", "2026-03-02", "2026-03-06")
    keys = {
        "a": add_card(plan, "Checkout API", "IT", 5, s1),
        "b": add_card(plan, "Checkout copy", "ECOM", 3, s1),
        "c": add_card(plan, "Error alerts", "IT", 2, s1),
        "e": add_card(plan, "Old idea", "MKT", 1, s1),
        "d": add_card(plan, "Late request", "IT", 8),
    }
    clock.set("2026-03-02", 9)
    plan.sprints.start("S1")  # committed: a5 + b3 + c2 + e1 = 11
    clock.set("2026-03-02", 14)
    plan.cards.move(keys["a"], status="done")  # day 1: 11 -> 6
    clock.set("2026-03-03", 11)
    plan.cards.move(keys["d"], sprint_id=s1["id"])  # day 2: +8 -> 14 (step up)
    clock.set("2026-03-04", 10)
    plan.cards.move(keys["b"], sprint_id=None, status="backlog")  # day 3: -3 -> 11
    clock.set("2026-03-04", 15)
    plan.cards.move(keys["a"], status="doing")  # reopened: +5 -> 16
    clock.set("2026-03-05", 10)
    plan.cards.edit(keys["c"], {"points": 4})  # day 4: +2 -> 18
    clock.set("2026-03-05", 12)
    plan.cards.delete(keys["e"])  # -1 -> 17
    clock.set("2026-03-06", 16)
    plan.cards.move(keys["d"], status="done")  # day 5: -8 -> 9
    clock.set("2026-03-06", 17)
    plan.sprints.close("S1", "backlog")  # a (5) and c (4) carried over
    return keys


def test_burndown_replays_every_step(plan: Store, sprint_story: dict[str, str]) -> None:
    b = sprint_burndown(plan, "S1")
    assert b.committed == 11
    assert b.start_remaining == 11
    assert days_of(b) == [6, 14, 16, 17, 9]
    assert [d.scope for d in b.days] == [11, 19, 16, 17, 17]
    assert [d.done for d in b.days] == [5, 5, 0, 0, 8]
    kinds = [(c.day.isoformat(), c.key, c.kind, c.scope, c.remaining) for c in b.changes]
    assert kinds == [
        ("2026-03-03", sprint_story["d"], "added", 8, 8),
        ("2026-03-04", sprint_story["b"], "removed", -3, -3),
        ("2026-03-04", sprint_story["a"], "reopened", 0, 5),
        ("2026-03-05", sprint_story["c"], "points", 2, 2),
        ("2026-03-05", sprint_story["e"], "deleted", -1, -1),
    ]


def test_burndown_ideal_line_runs_from_start_to_zero(
    plan: Store, sprint_story: dict[str, str]
) -> None:
    b = sprint_burndown(plan, "S1")
    assert [d.ideal for d in b.days] == [8.8, 6.6, 4.4, 2.2, 0.0]


def test_carry_over_at_close_is_not_a_scope_change(
    plan: Store, sprint_story: dict[str, str]
) -> None:
    b = sprint_burndown(plan, "S1")
    # The close moved a and c out of the sprint, yet the last day still shows them left.
    assert b.days[-1].remaining == 9
    assert b.carried_over == 9
    assert b.completed == 8
    assert all(c.day != date(2026, 3, 6) for c in b.changes)
    assert plan.cards.get(sprint_story["a"])["sprint"] is None


def test_close_records_commitment_completion_and_scope(
    plan: Store, sprint_story: dict[str, str]
) -> None:
    row = plan.sprints.get("S1")
    assert row["state"] == "closed"
    assert row["committed_points"] == 11
    assert row["completed_points"] == 8
    # card by card: d +8 and c +2 added; b -3 and e -1 removed -> 11 + 10 - 4 = 17
    assert (row["scope_added"], row["scope_removed"]) == (10, 4)
    b = sprint_burndown(plan, "S1")
    assert (b.scope_added, b.scope_removed) == (10, 4)
    assert b.committed + b.scope_added - b.scope_removed == b.days[-1].scope


def test_history_is_not_rewritten_by_later_edits(
    plan: Store, clock: Clock, sprint_story: dict[str, str]
) -> None:
    before = sprint_burndown(plan, "S1")
    velocity_before = team_velocity(plan).to_dict()
    clock.set("2026-03-09")
    plan.cards.edit(sprint_story["d"], {"points": 1})
    plan.cards.move(sprint_story["d"], status="doing", sprint_id=None)
    assert sprint_burndown(plan, "S1") == before
    assert team_velocity(plan).to_dict() == velocity_before
    row = plan.sprints.get("S1")
    assert (row["completed_points"], row["scope_added"], row["scope_removed"]) == (8, 10, 4)


def test_active_sprint_days_ahead_are_blank(plan: Store, clock: Clock) -> None:
    clock.set("2026-03-01")
    s = add_sprint(plan, "S1", "2026-03-02", "2026-03-06")
    key = add_card(plan, "Checkout API", "IT", 5, s)
    add_card(plan, "Copy", "CNT", 3, s)
    clock.set("2026-03-02", 9)
    plan.sprints.start("S1")
    clock.set("2026-03-03", 16)
    plan.cards.move(key, status="done")
    b = sprint_burndown(plan, "current")
    assert days_of(b) == [8, 3, None, None, None]  # the clock says 2026-03-03
    assert b.carried_over is None
    assert b.completed == 5


def test_same_second_changes_keep_their_order(db_path: Path) -> None:
    """With a frozen clock everything shares one timestamp; log order still decides."""
    now = datetime(2026, 3, 11, 10, 30, tzinfo=UTC)
    with Store(db_path, clock=frozen_clock(now)) as store:
        today = now.date().isoformat()
        s = add_sprint(store, "S1", today, today)
        first = add_card(store, "In from the start", "IT", 3, s)
        store.sprints.start("S1")
        late = add_card(store, "Added after the start", "IT", 2, s)
        store.cards.move(first, status="done")
        store.sprints.close("S1", "backlog")
        row = store.sprints.get("S1")
        b = sprint_burndown(store, "S1")
    assert (b.committed, b.scope_added, b.carried_over) == (3, 2, 2)
    assert (row["committed_points"], row["scope_added"], row["scope_removed"]) == (3, 2, 0)
    assert [c.key for c in b.changes] == [late]


def test_planned_sprint_has_no_burndown_yet(plan: Store) -> None:
    add_sprint(plan, "Later", "2026-04-01", "2026-04-14")
    with pytest.raises(UserError, match="has not started"):
        sprint_burndown(plan, "Later")


def test_bulk_loaded_history_burns_on_the_done_day(demo_store: Store) -> None:
    """The demo logs each card's create with its final row (done already) and a separate
    review -> done change at done_at: points burn on that day, not at creation."""
    b = sprint_burndown(demo_store, "Sprint 42")
    sprint = demo_store.sprints.get("Sprint 42")
    cards = demo_store.cards.query(sprint=sprint["id"])
    assert b.committed == sprint["committed_points"] == sum(c["points"] or 0 for c in cards)
    done = [c for c in cards if c["status"] == "done"]
    assert done, "the demo's active sprint has done cards"
    for day in b.days:
        if day.remaining is None:
            continue
        burnt = sum(c["points"] for c in done if c["done_at"][:10] <= day.day.isoformat())
        assert day.remaining == b.committed - burnt, day.day
    assert b.days[-1].remaining is None  # after the tests' today


def test_bulk_create_is_replayed_from_the_first_change(demo_store: Store) -> None:
    """Cumulative flow of the demo's active sprint: a card counts in Done from its done
    day on, although its create entry already says done."""
    sprint = demo_store.sprints.get("Sprint 42")
    history = SprintHistory.load(demo_store, sprint)
    done_moves = [e for e in history.events if e.field == "status" and e.after == "done"]
    assert done_moves and all(e.before == "review" for e in done_moves)
    flow = cumulative_flow(history, today=date(2026, 3, 11))
    done = [c for c in demo_store.cards.query(sprint=sprint["id"]) if c["status"] == "done"]
    for i, day in enumerate(flow.days):
        if flow.cards["done"][i] is not None:
            expected = sum(1 for c in done if c["done_at"][:10] <= day.isoformat())
            assert flow.cards["done"][i] == expected, day
    total = [sum(flow.cards[s][0] or 0 for s in flow.cards)]
    assert total == [len(demo_store.cards.query(sprint=sprint["id"]))]


def test_cumulative_flow_counts_columns_per_day(plan: Store, clock: Clock) -> None:
    clock.set("2026-03-01")
    s = add_sprint(plan, "S1", "2026-03-02", "2026-03-04")
    a = add_card(plan, "A", "IT", 3, s)
    b = add_card(plan, "B", "IT", 2, s)
    clock.set("2026-03-02", 9)
    plan.sprints.start("S1")
    clock.set("2026-03-02", 12)
    plan.cards.move(a, status="doing")
    clock.set("2026-03-03", 12)
    plan.cards.move(a, status="done")
    plan.cards.move(b, status="review")
    clock.set("2026-03-03", 18)
    add_card(plan, "C", "IT", 1, s)
    flow = sprint_flow(plan, "S1")
    assert flow.days == [date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4)]
    assert flow.cards["todo"] == [1, 1, None]  # 2026-03-04 is after the clock's today
    assert flow.cards["doing"] == [1, 0, None]
    assert flow.cards["review"] == [0, 1, None]
    assert flow.cards["done"] == [0, 1, None]
    assert flow.points["done"] == [0, 3, None]
    assert json.loads(json.dumps(flow.to_dict()))["days"][0] == "2026-03-02"


def _closed_sprint(
    store: Store, clock: Clock, name: str, start: str, end: str, work: dict[str, tuple[int, int]]
) -> None:
    """A sprint where each team commits (points) and finishes (done points) as given."""
    clock.set(start, 8)
    s = add_sprint(store, name, start, end)
    finish: list[str] = []
    for team, (committed, done) in work.items():
        if done:
            finish.append(add_card(store, f"{team} work", team, done, s))
        if committed - done:
            add_card(store, f"{team} rest", team, committed - done, s)
    clock.set(start, 9)
    store.sprints.start(name)
    clock.set(end, 12)
    for key in finish:
        store.cards.move(key, status="done")
    clock.set(end, 17)
    store.sprints.close(name, "backlog")


def test_velocity_per_team_commitment_vs_done(plan: Store, clock: Clock) -> None:
    _closed_sprint(plan, clock, "S1", "2026-01-05", "2026-01-16", {"IT": (100, 100)})
    _closed_sprint(plan, clock, "S2", "2026-01-19", "2026-01-30", {"IT": (12, 10), "CS": (5, 5)})
    _closed_sprint(plan, clock, "S3", "2026-02-02", "2026-02-13", {"IT": (25, 20)})
    _closed_sprint(plan, clock, "S4", "2026-02-16", "2026-02-27", {"IT": (30, 30), "CS": (4, 0)})
    v = team_velocity(plan, last=3)
    assert [r.sprint for r in v.sprints] == ["S2", "S3", "S4"]
    assert [r.committed.get("IT") for r in v.sprints] == [12, 25, 30]
    assert [r.done.get("IT") for r in v.sprints] == [10, 20, 30]
    assert v.average_done("IT") == 20
    assert v.average_done("CS") == pytest.approx(5 / 3)
    assert [r.total_committed for r in v.sprints] == [17, 25, 34]
    assert [r.total_done for r in v.sprints] == [15, 20, 30]
    data = v.to_dict("IT")
    assert data["average_done"] == {"IT": 20}
    assert data["sprints"][0]["done"] == {"IT": 10}


def test_velocity_needs_a_positive_window(plan: Store) -> None:
    with pytest.raises(UserError, match="last"):
        team_velocity(plan, last=0)


def test_burndown_json_is_plain_data(plan: Store, sprint_story: dict[str, str]) -> None:
    data = json.loads(
        json.dumps(
            burndown(
                SprintHistory.load(plan, plan.sprints.get("S1")), today=date(2026, 3, 9)
            ).to_dict()
        )
    )
    assert data["days"][0] == {
        "day": "2026-03-02",
        "ideal": 8.8,
        "remaining": 6,
        "scope": 11,
        "done": 5,
    }
    assert data["changes"][0]["kind"] == "added"


# -- sprint start and close rules ---------------------------------------------------------


def test_only_one_sprint_is_active(plan: Store, clock: Clock) -> None:
    add_sprint(plan, "S1", "2026-03-02", "2026-03-06")
    add_sprint(plan, "S2", "2026-03-09", "2026-03-13")
    plan.sprints.start("S1")
    with pytest.raises(UserError, match="'S1' is still active"):
        plan.sprints.start("S2")


def test_close_needs_a_carry_over_for_unfinished_cards(plan: Store, clock: Clock) -> None:
    s = add_sprint(plan, "S1", "2026-03-02", "2026-03-06")
    key = add_card(plan, "Unfinished", "IT", 3, s)
    plan.sprints.start("S1")
    with pytest.raises(UserError, match="carry-over"):
        plan.sprints.close("S1", None)
    with pytest.raises(UserError, match="no planned sprint"):
        plan.sprints.close("S1", "next")
    add_sprint(plan, "S2", "2026-03-09", "2026-03-13")
    clock.set("2026-03-06", 17)
    row = plan.sprints.close("S1", "next")
    assert plan.cards.get(key)["sprint"] == "S2"
    assert (row["committed_points"], row["completed_points"]) == (3, 0)
    assert (row["scope_added"], row["scope_removed"]) == (0, 0)


def test_scope_of_a_card_moved_out_and_back_nets_out(plan: Store, clock: Clock) -> None:
    s = add_sprint(plan, "S1", "2026-03-02", "2026-03-06")
    key = add_card(plan, "Bounce", "IT", 5, s)
    clock.set("2026-03-02", 9)
    plan.sprints.start("S1")
    clock.set("2026-03-03")
    plan.cards.move(key, sprint_id=None)
    clock.set("2026-03-04")
    plan.cards.move(key, sprint_id=s["id"])
    plan.cards.edit(key, {"points": 3})
    clock.set("2026-03-06", 17)
    row = plan.sprints.close("S1", "backlog")
    assert (row["scope_added"], row["scope_removed"]) == (0, 2)
    b = sprint_burndown(plan, "S1")
    assert [c.kind for c in b.changes] == ["removed", "added", "points"]
    assert (b.scope_added, b.scope_removed) == (0, 2)


def _fresh(store: Store, last: int = 3) -> list[tuple[dict[str, int], dict[str, int]]]:
    """Velocity replayed from the log with no cache: what the cached one must equal."""
    from sprintboard.planning.velocity import closed_before, velocity

    v = velocity([SprintHistory.load(store, s) for s in closed_before(store, last)])
    return [(r.committed, r.done) for r in v.sprints]


def test_velocity_is_replayed_once_and_again_only_when_the_past_changes(
    plan: Store, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    _closed_sprint(plan, clock, "S1", "2026-01-05", "2026-01-16", {"IT": (12, 10)})
    _closed_sprint(plan, clock, "S2", "2026-01-19", "2026-01-30", {"IT": (8, 8), "CS": (5, 2)})
    loads: list[str] = []
    real = SprintHistory.load.__func__  # type: ignore[attr-defined]

    def counted(cls: type[SprintHistory], store: Store, sprint: Any) -> SprintHistory:
        loads.append(sprint["name"])
        return real(cls, store, sprint)  # type: ignore[no-any-return]

    monkeypatch.setattr(SprintHistory, "load", classmethod(counted))

    def cached() -> list[tuple[dict[str, int], dict[str, int]]]:
        return [(r.committed, r.done) for r in team_velocity(plan, last=3).sprints]

    first = cached()
    assert loads == ["S1", "S2"] and first == _fresh(plan)
    loads.clear()
    # Work after the close (a move, an edit, a card of a closed sprint reopened) leaves the
    # closed sprints' results as they were: no replay.
    clock.set("2026-02-03")
    key = add_card(plan, "Later work", "IT", 3)
    plan.cards.move(key, status="doing")
    closed_card = plan.rows("SELECT key FROM cards WHERE title = 'IT work' LIMIT 1")[0]["key"]
    plan.cards.edit(closed_card, {"points": 13})
    assert cached() == first
    assert loads == []  # replayed none
    loads.clear()
    monkeypatch.undo()
    assert first == _fresh(plan)
    monkeypatch.setattr(SprintHistory, "load", classmethod(counted))
    # An entry dated before a close (another laptop's change arriving by sync) replays.
    plan.conn.execute(
        """INSERT INTO activity(uuid, txn, at, actor, device, action, entity, entity_uuid,
             entity_key, op, field, before, after)
           SELECT 'x', 'x', '2026-01-15T10:00:00Z', actor, device, 'card.edit', entity,
             entity_uuid, entity_key, 'update', 'points', '10', '4'
           FROM activity WHERE entity = 'card' AND entity_key = ? LIMIT 1""",
        [closed_card],
    )
    plan.conn.commit()
    again = cached()
    assert loads == ["S1", "S2"]
    monkeypatch.undo()
    assert again == _fresh(plan) and again != first
