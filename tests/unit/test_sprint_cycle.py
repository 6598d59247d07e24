"""The sprint cycle: deleting an empty sprint, starting with the dates shifted to today,
overlapping sprints, closing card by card, and the sprint report's arithmetic."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from checks_fixtures import Plan

from conftest import Cli
from sprintboard.errors import UserError
from sprintboard.models import Card, Sprint
from sprintboard.planning.checks import RULES
from sprintboard.planning.sprint_overlap import overlap_warning, overlapping_pairs, overlaps_with
from sprintboard.planning.sprint_report import CardFate, build_report, carry_preview, load_report
from sprintboard.store import Store
from sprintboard.store.sprints import shifted_dates

pytest_plugins = ["checks_fixtures"]  # its fixtures: plan

# -- shifting a sprint's dates ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "today", "expected"),
    [
        ("2026-03-16", "2026-03-29", "2026-03-11", ("2026-03-11", "2026-03-24")),  # early
        ("2026-03-02", "2026-03-15", "2026-03-11", ("2026-03-11", "2026-03-24")),  # late
        ("2026-03-11", "2026-03-11", "2026-03-11", ("2026-03-11", "2026-03-11")),  # one day
        ("2026-02-20", "2026-03-05", "2028-02-25", ("2028-02-25", "2028-03-09")),  # leap year
    ],
)
def test_shifted_dates_keep_the_length(
    start: str, end: str, today: str, expected: tuple[str, str]
) -> None:
    assert shifted_dates(start, end, today) == expected
    new_start, new_end = (date.fromisoformat(d) for d in expected)
    old = date.fromisoformat(end) - date.fromisoformat(start)
    assert new_end - new_start == old


def _planned(store: Store, name: str, start: str, end: str) -> None:
    store.sprints.add(Sprint.model_validate({"name": name, "start": start, "end": end}))


def test_start_with_shift_moves_the_dates_to_today(store: Store) -> None:
    # The store's frozen clock says 2026-03-11.
    _planned(store, "S1", "2026-03-16", "2026-03-29")
    assert store.sprints.starts_off_plan("S1")
    row = store.sprints.start("S1", shift=True)
    assert (row["state"], row["start"], row["end"]) == ("active", "2026-03-11", "2026-03-24")


def test_start_without_shift_keeps_the_planned_dates(store: Store) -> None:
    _planned(store, "S1", "2026-03-16", "2026-03-29")
    row = store.sprints.start("S1")
    assert (row["start"], row["end"]) == ("2026-03-16", "2026-03-29")
    _planned(store, "S2", "2026-03-11", "2026-03-24")
    assert not store.sprints.starts_off_plan("S2")


def test_a_refused_start_shifts_nothing(store: Store) -> None:
    _planned(store, "S1", "2026-03-02", "2026-03-15")
    _planned(store, "S2", "2026-03-16", "2026-03-29")
    store.sprints.start("S1")
    with pytest.raises(UserError, match="still active"):
        store.sprints.start("S2", shift=True)
    assert store.sprints.get("S2")["start"] == "2026-03-16"


def test_cli_start_shift_and_no_shift(cli: Cli) -> None:
    today = datetime.now(UTC).date()
    start = today + timedelta(days=5)
    end = start + timedelta(days=13)
    for name in ("A", "B"):
        cli("sprint", "add", name, "--start", str(start), "--end", str(end))
    ran = cli("sprint", "start", "A", "--shift")
    assert ran.code == 0, ran.err
    shown = json.loads(cli("sprint", "show", "A", "--json").out)
    assert (shown["start"], shown["end"]) == (str(today), str(today + timedelta(days=13)))
    assert f"A started ({today} → {today + timedelta(days=13)})" in ran.out
    # The shifted dates now run into B's: said in one warning line, the start kept.
    assert ran.err.startswith("warning: A (") and ran.err.count("\n") == 1
    assert f"overlaps B ({start} → {end})" in ran.err
    cli("sprint", "close", "A")
    ran = cli("sprint", "start", "B", "--no-shift")
    assert ran.code == 0, ran.err
    shown = json.loads(cli("sprint", "show", "B", "--json").out)
    assert (shown["start"], shown["end"]) == (str(start), str(end))


# -- deleting an empty sprint -----------------------------------------------------------------


def test_delete_an_empty_sprint_with_its_capacity_overrides(store: Store) -> None:
    _planned(store, "S1", "2026-03-16", "2026-03-29")
    store.sprints.set_capacity("S1", "IT", 12)
    sprint_id = store.sprints.get("S1")["id"]
    store.sprints.delete("S1")
    assert store.sprints.list() == []
    assert store.sprints.capacity_overrides(sprint_id) == {}
    # Undo puts both back.
    store.activity.undo()
    assert store.sprints.get("S1")["id"] == sprint_id
    assert store.sprints.capacity_overrides(sprint_id) == {"IT": 12}


def test_a_sprint_holding_cards_is_not_deleted(store: Store) -> None:
    _planned(store, "S1", "2026-03-16", "2026-03-29")
    sprint_id = store.sprints.get("S1")["id"]
    store.cards.add(Card(title="x", team="IT"), sprint_id=sprint_id)
    with pytest.raises(UserError) as refused:
        store.sprints.delete("S1")
    assert str(refused.value) == (
        "sprint 'S1' holds 1 card; only an empty sprint is deleted: move its cards out first"
    )
    assert store.sprints.get("S1")["state"] == "planned"


def test_cli_sprint_delete(cli: Cli) -> None:
    cli("sprint", "add", "S1", "--start", "2026-03-16", "--end", "2026-03-29")
    ran = cli("sprint", "delete", "S1")
    assert (ran.code, ran.out) == (0, "S1 deleted\n")
    assert cli("sprint", "delete", "S1").code == 2


# -- overlapping sprints ----------------------------------------------------------------------


def _s(name: str, start: str, end: str, state: str = "planned") -> dict[str, str]:
    return {"name": name, "start": start, "end": end, "state": state}


def test_overlapping_pairs_need_a_shared_day_and_open_sprints() -> None:
    sprints = [
        _s("A", "2026-03-02", "2026-03-15", "active"),
        _s("B", "2026-03-15", "2026-03-28"),  # shares the 15th with A
        _s("C", "2026-03-29", "2026-04-11"),  # touches B's end: no overlap
        _s("D", "2026-03-01", "2026-04-30", "closed"),  # closed: history, never counted
        _s("E", "2026-04-05", "2026-04-06"),  # inside C
    ]
    pairs = [(a["name"], b["name"]) for a, b in overlapping_pairs(sprints)]
    assert pairs == [("A", "B"), ("C", "E")]
    assert [o["name"] for o in overlaps_with(_s("new", "2026-03-10", "2026-03-30"), sprints)] == [
        "A",
        "B",
        "C",
    ]
    # A sprint is never its own overlap (an edit keeps its name or its id).
    assert overlaps_with({**sprints[1], "id": 2}, [{**sprints[1], "id": 2, "name": "B2"}]) == []
    assert overlap_warning(_s("new", "2026-05-01", "2026-05-14"), sprints) is None
    assert overlap_warning(_s("new", "2026-03-28", "2026-03-30"), sprints) == (
        "warning: new (2026-03-28 → 2026-03-30) overlaps B (2026-03-15 → 2026-03-28), "
        "C (2026-03-29 → 2026-04-11)"
    )


def test_check_warns_about_overlapping_sprints(plan: Plan) -> None:
    assert "sprint-overlap" in [r.id for r in RULES]
    assert plan.findings("sprint-overlap") == []
    plan.store.sprints.edit("S2", {"start": "2026-03-17"})  # S1 ends on the 17th
    found = plan.findings("sprint-overlap")
    assert [(f.severity.value, f.subject, f.cards) for f in found] == [("warning", "S1/S2", ())]
    assert found[0].line() == (
        "warning sprint-overlap S1/S2: S1 (2026-03-04 → 2026-03-17) and S2 "
        "(2026-03-17 → 2026-03-31) overlap: move one's dates; "
        "fix: start S2 after 2026-03-17, or end S1 before 2026-03-17 ('sprint edit')"
    )
    # Checking one sprint names only the overlaps it is part of.
    assert plan.findings("sprint-overlap", sprint="S3") == []
    assert len(plan.findings("sprint-overlap", sprint="S2")) == 1


def test_cli_add_and_edit_warn_about_an_overlap_but_save(cli: Cli) -> None:
    cli("sprint", "add", "A", "--start", "2026-03-02", "--end", "2026-03-15")
    ran = cli("sprint", "add", "B", "--start", "2026-03-10", "--end", "2026-03-23")
    assert (ran.code, ran.out) == (0, "B\n")
    assert ran.err == (
        "warning: B (2026-03-10 → 2026-03-23) overlaps A (2026-03-02 → 2026-03-15)\n"
    )
    ran = cli("sprint", "edit", "B", "--start", "2026-03-16")
    assert (ran.code, ran.err) == (0, "")
    ran = cli("sprint", "edit", "B", "--start", "2026-03-15")
    assert ran.code == 0
    assert ran.err.startswith("warning: B (2026-03-15 → 2026-03-23) overlaps A")
    ran = cli("check", "--json")
    assert [f["subject"] for f in json.loads(ran.out) if f["rule"] == "sprint-overlap"] == ["A/B"]


# -- closing card by card ---------------------------------------------------------------------


@pytest.fixture
def cycle(store: Store) -> dict[str, str]:
    """S1 active with four IT/ECOM cards (one done), S2 planned after it."""
    _planned(store, "S1", "2026-03-02", "2026-03-15")
    _planned(store, "S2", "2026-03-16", "2026-03-29")
    sid = store.sprints.get("S1")["id"]
    keys = {}
    for name, team, points, status in (
        ("done", "IT", 3, "done"),
        ("a", "IT", 5, "doing"),
        ("b", "ECOM", 2, "todo"),
        ("c", "ECOM", 8, "review"),
    ):
        card = Card.model_validate({"title": name, "team": team, "points": points})
        keys[name] = store.cards.add(card, sprint_id=sid)["key"]
        store.cards.move(keys[name], status=status, sprint_id=sid)
    store.sprints.start("S1")
    return keys


def test_close_with_a_plan_per_card(store: Store, cycle: dict[str, str]) -> None:
    s1, s2 = (store.sprints.get(n)["id"] for n in ("S1", "S2"))
    plan = {cycle["a"]: "next", cycle["b"]: "backlog", cycle["c"]: "leave"}
    store.sprints.close("S1", None, plan)
    where = {n: (c["sprint_id"], c["status"]) for n, c in _cards(store, cycle).items()}
    assert where == {
        "done": (s1, "done"),
        "a": (s2, "doing"),
        "b": (None, "backlog"),
        "c": (s1, "review"),
    }
    assert store.sprints.get("S1")["state"] == "closed"


def test_close_plan_refusals_change_nothing(store: Store, cycle: dict[str, str]) -> None:
    with pytest.raises(UserError, match="no place chosen for ECOM-2, ECOM-1"):
        store.sprints.close("S1", None, {cycle["a"]: "next"})
    with pytest.raises(UserError, match=r"goes to next, backlog or leave \(got 'later'\)"):
        store.sprints.close("S1", "backlog", {cycle["a"]: "later"})
    with pytest.raises(UserError, match="is not an unfinished card"):
        store.sprints.close("S1", "backlog", {cycle["done"]: "next"})
    assert store.sprints.get("S1")["state"] == "active"
    # The plan's other cards follow carry_over.
    store.sprints.close("S1", "backlog", {cycle["a"]: "leave"})
    assert _cards(store, cycle)["b"]["sprint_id"] is None


def test_cli_close_per_card(cli: Cli, store: Store, cycle: dict[str, str]) -> None:
    store.close()
    ran = cli("sprint", "close", "S1", "--card", f"{cycle['a']}=leave", "--carry-over", "next")
    assert ran.code == 0, ran.err
    assert ran.out == ("S1 closed: 3 of 18 points done; 2 cards carried to next; 1 left in it\n")
    assert cli("sprint", "close", "S1", "--card", "IT-1").code == 2


def _cards(store: Store, keys: dict[str, str]) -> dict[str, dict[str, object]]:
    return {name: store.cards.get(key) for name, key in keys.items()}


# -- the sprint report ------------------------------------------------------------------------


def test_report_arithmetic_per_team_and_in_total() -> None:
    sprint = {"name": "S1", "state": "closed", "start": "2026-03-02", "end": "2026-03-15"}
    fates = [
        CardFate("IT-1", "IT", committed=3, at_close=3, done=True),
        CardFate("IT-2", "IT", committed=5, at_close=8, fate="next"),  # re-estimated
        CardFate("IT-3", "IT", added=2, at_close=2, fate="backlog"),
        CardFate("IT-4", "IT", committed=1, removed=1),
        CardFate("ECOM-1", "ECOM", committed=4, at_close=4, fate="leave"),
        CardFate("ECOM-2", "ECOM", added=6, removed=6),  # in and out again
    ]
    report = build_report(sprint, fates, team_order=["ECOM", "IT"], next_sprint="S2")
    assert [t.team for t in report.teams] == ["ECOM", "IT"]
    it, total = report.teams[1], report.total

    def pc(tally: object) -> tuple[int, int]:
        return (tally.points, tally.cards)  # type: ignore[attr-defined]

    assert pc(it.committed) == (9, 3)
    assert pc(it.completed) == (3, 1)
    assert pc(it.added) == (2, 1)
    assert pc(it.removed) == (1, 1)
    assert pc(it.to_next) == (8, 1)
    assert pc(it.to_backlog) == (2, 1)
    assert pc(it.carried) == (10, 2)
    assert pc(it.left) == (0, 0)
    assert pc(total.committed) == (13, 4)
    assert pc(total.added) == (8, 2)
    assert pc(total.removed) == (7, 2)
    assert pc(total.left) == (4, 1)
    # Cards: committed + added - removed = at the close = completed + carried + left.
    at_close = sum(1 for f in fates if f.at_close is not None)
    assert total.committed.cards + total.added.cards - total.removed.cards == at_close
    assert total.completed.cards + total.carried.cards + total.left.cards == at_close
    data = report.as_json()
    assert data["total"]["carried"] == {"points": 10, "cards": 2}
    assert data["teams"][0]["left"] == {"points": 4, "cards": 1}
    md = report.markdown()
    assert "| | total | ECOM | IT |" in md
    assert "| carried to next sprint | 8 pt / 1 | 0 pt / 0 | 8 pt / 1 |" in md


def test_report_replays_the_log(store: Store, cycle: dict[str, str]) -> None:
    s1 = store.sprints.get("S1")["id"]
    late = Card.model_validate({"title": "late", "team": "IT", "points": 1})
    cycle["late"] = store.cards.add(late, sprint_id=s1)["key"]  # added after the start
    store.cards.move(cycle["b"], status="backlog", sprint_id=None)  # removed
    plan = {cycle["a"]: "next", cycle["late"]: "backlog", cycle["c"]: "leave"}
    store.sprints.close("S1", None, plan)
    report = load_report(store, "S1")
    assert report.next_sprint == "S2"
    it, ecom = (next(t for t in report.teams if t.team == c) for c in ("IT", "ECOM"))
    assert (it.committed.points, it.committed.cards) == (8, 2)
    assert (it.added.points, it.added.cards) == (1, 1)
    assert (it.completed.points, it.to_next.points, it.to_backlog.points) == (3, 5, 1)
    assert (ecom.committed.points, ecom.removed.points, ecom.left.points) == (10, 2, 8)
    assert (report.total.carried.points, report.total.carried.cards) == (6, 2)
    # Later moves do not rewrite the close: the report still says where cards went.
    store.cards.move(cycle["a"], status="backlog", sprint_id=None)
    assert load_report(store, "S1").total.to_next.points == 5


def test_report_of_a_sprint_not_started_is_refused(store: Store) -> None:
    _planned(store, "S1", "2026-03-16", "2026-03-29")
    with pytest.raises(UserError, match="has not started"):
        load_report(store, "S1")
    with pytest.raises(UserError, match="not the backlog"):
        load_report(store, "backlog")


def test_cli_sprint_report(cli: Cli) -> None:
    assert cli("demo").code == 0
    ran = cli("sprint", "report", "current", "--format", "json")
    assert ran.code == 0, ran.err
    data = json.loads(ran.out)
    assert data["state"] == "active"
    assert data["total"]["committed"] == {"points": 67, "cards": 20}
    assert data["total"]["completed"] == {"points": 6, "cards": 4}
    ran = cli("sprint", "report")
    assert ran.out.startswith("# Sprint 42 (active: so far)\n")
    assert "| not done yet | 61 pt / 16 |" in ran.out


def test_carry_preview_adds_the_carried_points_per_team() -> None:
    rows = carry_preview(
        {"IT": 20, "ECOM": 4},
        {"MKT": 10, "IT": 30, "ECOM": 20, "WH": 8},
        [("IT", 5), ("IT", 8), ("WH", 3)],
    )
    assert rows == [("IT", 33, 30), ("ECOM", 4, 20), ("WH", 3, 8)]
