"""The incremental findings against the full check: after every change, the same findings.

A small plan (teams with a tight capacity, an external team, sprints, cards with links,
SKUs and promotions, feedback, goals, checklists, rates and budgets already exceeded, an
external provider whose cost per point grew) takes random changes through the store API;
after each, `IncrementalFindings.refresh` (which re-checks only what the activity log says
was touched) must list exactly what `run_checks` lists. FINDINGS_EXAMPLES=500 searches
longer.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import NOW
from sprintboard.config import Settings
from sprintboard.errors import UserError
from sprintboard.models import Card, Feedback, Goal, Sprint, StockItem
from sprintboard.planning.checks import run_checks
from sprintboard.planning.findings_index import IncrementalFindings, touched_by
from sprintboard.store import Store, frozen_clock
from sprintboard.vocabulary import FeedbackCategory, Status, TeamFormat

EXAMPLES = settings(
    max_examples=int(os.environ.get("FINDINGS_EXAMPLES", "25")),
    derandomize=True,
    deadline=None,
)
TEAMS = ("IT", "ECOM", "MKT", "WH")
STATUSES = ("backlog", "todo", "doing", "review", "done")
SKUS = ("SKU-1", "SKU-2", "SKU-3")
MONEY_RULES = ("goal-budget", "sprint-budget", "provider-cost")


def build(path: Path) -> None:
    """The starting plan: two closed sprints, three more (S1 active), a dozen cards, links,
    a goal with cards and one without, stock, promotions, checklists, urgent feedback, and
    money: rates (ECOM an external provider by the day, WH without one), a card's own cost,
    and a goal and a sprint over budget."""
    with Store(path, clock=frozen_clock(NOW)) as store:
        store.teams.edit("IT", {"capacity": 6})
        store.teams.edit("ECOM", {"capacity": 5, "format": TeamFormat.EXTERNAL})
        store.teams.edit("WH", {"throughput_per_day": 50})
        for code, cents, unit in (("IT", 1_000, "point"), ("ECOM", 20_000, "day")):
            store.finance.set_rate(code, cents, unit)
        store.finance.set_rate("MKT", 800)
        for n, start in enumerate((date(2026, 2, 4), date(2026, 2, 18))):
            name = f"P{n + 1}"  # ECOM delivers 4 points, then 2: its cost per point doubles
            store.sprints.add(Sprint(name=name, start=start, end=start + timedelta(13)))
            closed = store.sprints.get(name)["id"]
            for points in (2, 2) if n == 0 else (2,):
                card = Card(title="delivered", team="ECOM", status=Status.DONE, points=points)
                store.cards.add(card, sprint_id=closed)
            store.sprints.start(name)
            store.sprints.close(name, "backlog")
        for n, start in enumerate((date(2026, 3, 4), date(2026, 3, 18), date(2026, 4, 1))):
            store.sprints.add(Sprint(name=f"S{n + 1}", start=start, end=start + timedelta(13)))
        store.sprints.start("S1")
        store.finance.set_sprint_budget("S2", 100_000)
        store.sprints.set_capacity("S2", "IT", 3)
        ids = {s["name"]: s["id"] for s in store.sprints.list()}
        goal = store.goals.add(Goal(title="Lift conversion"))["id"]
        store.goals.add(Goal(title="Nobody's goal"))
        store.stock.upsert(
            [
                StockItem(sku="SKU-1", on_hand=2, threshold=10, restock_date=date(2026, 5, 1)),
                StockItem(sku="SKU-2", on_hand=500, threshold=10),
                StockItem(sku="SKU-3", on_hand=20, threshold=5, restock_date=date(2026, 6, 1)),
            ]
        )
        keys = []
        for n in range(12):
            team = TEAMS[n % len(TEAMS)]
            sprint = ("S1", "S2", "S3", None)[n % 4]
            card = Card(
                title=f"card {n}",
                team=team,
                status=Status.TODO if sprint else Status.BACKLOG,
                points=None if n == 5 else 2 + n % 3,
                labels=["promotion"] if n % 5 == 0 else [],
                skus=[SKUS[n % 3]] if team == "MKT" or n % 5 == 0 else [],
                expected_orders=80 if n % 5 == 0 else None,
            )
            added = store.cards.add(
                card,
                sprint_id=ids[sprint] if sprint else None,
                goal_id=goal if n % 3 == 0 else None,
            )
            keys.append(added["key"])
        for b, d in ((1, 0), (2, 0), (3, 6), (4, 9), (7, 2), (10, 11), (5, 8)):
            store.deps.add(keys[b], keys[d])
        for key in keys[:4]:
            store.checklists.add(key, "hand-over", team="IT")
        store.finance.set_card_cost(keys[6], 2_500)
        store.finance.set_goal_money(goal, budget=80_000, ret=200_000)
        for n in range(4):
            category = (FeedbackCategory.CHECKOUT, FeedbackCategory.CART)[n % 2]
            store.feedback.add(
                Feedback(
                    text=f"broken {n}",
                    category=category,
                    received_at=NOW - timedelta(days=3 + n),
                    reports=1 + n,
                )
            )


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("findings") / "template.db"
    build(path)
    return path


def copy_of(template: Path, folder: Path) -> Path:
    target = folder / f"plan-{len(list(folder.iterdir()))}.db"
    with sqlite3.connect(template) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    source.close()
    copy.close()
    return target


# -- the changes -------------------------------------------------------------------------


def _card(store: Store, n: int) -> str | None:
    keys = [c["key"] for c in store.cards.query()]
    return keys[n % len(keys)] if keys else None


def _sprint_id(store: Store, n: int) -> int | None:
    sprints = store.sprints.list()
    choice = n % (len(sprints) + 1)
    return None if choice == len(sprints) else int(sprints[choice]["id"])


def change(store: Store, op: str, a: int, b: int) -> None:
    """One change through the store API; refusals (cycles, nothing to undo) are fine."""
    key = _card(store, a)
    other = _card(store, b)
    if op == "move" and key:
        store.cards.move(key, status=STATUSES[b % len(STATUSES)])
    elif op == "points" and key:
        store.cards.edit(key, {"points": None if b % 4 == 0 else b % 9})
    elif op == "team" and key:
        store.cards.edit(key, {"team": TEAMS[b % len(TEAMS)]})
    elif op == "sprint" and key:
        store.cards.move(key, sprint_id=_sprint_id(store, b))
    elif op == "promote" and key:
        store.cards.edit(key, {"labels": ["promotion"] if b % 2 else [], "skus": [SKUS[b % 3]]})
    elif op == "goal" and key:
        goals = [g["id"] for g in store.goals.list()]
        store.cards.edit(key, {"goal_id": goals[b % len(goals)] if b % 3 else None})
    elif op == "link" and key and other:
        store.deps.add(key, other)
    elif op == "unlink":
        pairs = store.deps.pairs()
        if pairs:
            store.deps.remove(*pairs[a % len(pairs)])
    elif op == "tick" and key:
        items = store.checklists.for_card(key)
        if items:
            item = items[b % len(items)]
            store.checklists.tick(item["id"], not item["done"])
        else:
            store.checklists.add(key, "check", team=TEAMS[b % len(TEAMS)])
    elif op == "triage":
        items = store.feedback.list()
        item = items[a % len(items)]
        how = b % 4
        if item["state"] != "new":
            store.feedback.reopen(item["id"])
        elif how == 0:
            store.feedback.decline(item["id"], "not ours")
        elif how == 1:
            store.feedback.snooze(item["id"], NOW.date() + timedelta(days=3))
        elif how == 2:
            store.feedback.accept(item["id"], TEAMS[a % len(TEAMS)])
        else:
            store.feedback.add(Feedback(text="again", category=FeedbackCategory.PAYMENT))
    elif op == "stock":
        store.stock.upsert([StockItem(sku=SKUS[a % 3], on_hand=b % 30, threshold=10)])
    elif op == "sprint-add":
        start = date(2026, 4, 1) + timedelta(days=7 * (b % 6))
        store.sprints.add(Sprint(name=f"N{a}-{b}", start=start, end=start + timedelta(13)))
    elif op == "sprint-close":
        active = store.sprints.active()
        if active is not None:
            store.sprints.close(active["name"], "backlog" if b % 2 else "next")
        else:
            planned = store.sprints.list("planned")
            if planned:
                store.sprints.start(planned[a % len(planned)]["name"])
    elif op == "add" and key:
        store.cards.add(
            Card(title="new", team=TEAMS[b % len(TEAMS)], points=b % 7),
            sprint_id=_sprint_id(store, a),
        )
    elif op == "delete" and key:
        store.cards.delete(key)
    elif op == "goal-budget":
        goals = [g["id"] for g in store.goals.list()]
        budget = None if b % 5 == 0 else 2_000 * b
        store.finance.set_goal_money(goals[a % len(goals)], budget=budget)
    elif op == "card-cost" and key:
        store.finance.set_card_cost(key, None if b % 3 == 0 else 1_000 * b)
    elif op == "rate":
        unit = "day" if b % 2 else "point"
        store.finance.set_rate(TEAMS[a % len(TEAMS)], None if b % 6 == 0 else 500 * b, unit)
    elif op == "sprint-budget":
        sprints = store.sprints.list()
        budget = None if b % 4 == 0 else 5_000 * b
        store.finance.set_sprint_budget(sprints[a % len(sprints)]["name"], budget)
    elif op == "undo":
        store.activity.undo()


OPS = (
    "move",
    "move",
    "points",
    "team",
    "sprint",
    "promote",
    "goal",
    "link",
    "unlink",
    "tick",
    "triage",
    "stock",
    "sprint-add",
    "sprint-close",
    "add",
    "delete",
    "goal-budget",
    "card-cost",
    "card-cost",
    "rate",
    "sprint-budget",
    "undo",
    "undo",
)
STEPS = st.lists(
    st.tuples(st.sampled_from(OPS), st.integers(0, 40), st.integers(0, 40)),
    min_size=1,
    max_size=12,
)


@EXAMPLES
@given(steps=STEPS)
def test_incremental_findings_match_the_full_check(
    template: Path, tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[str, int, int]]
) -> None:
    path = copy_of(template, tmp_path_factory.mktemp("plan"))
    config = Settings()
    with Store(path, clock=frozen_clock(NOW)) as store:
        findings = IncrementalFindings(config.urgent_feedback_days)
        assert findings.refresh(store) == run_checks(store, settings=config)
        for op, a, b in steps:
            with contextlib.suppress(UserError):
                change(store, op, a, b)
            got = findings.refresh(store)
            want = run_checks(store, settings=config)
            assert got == want, (op, a, b, findings.last, set(got) ^ set(want))


def test_a_move_is_checked_incrementally(template: Path, tmp_path: Path) -> None:
    path = copy_of(template, tmp_path)
    config = Settings()
    with Store(path, clock=frozen_clock(NOW)) as store:
        findings = IncrementalFindings(config.urgent_feedback_days)
        findings.refresh(store)
        assert findings.last == "full"
        key = store.cards.query()[0]["key"]
        store.cards.move(key, status="done")
        assert findings.refresh(store) == run_checks(store, settings=config)
        assert findings.last == "changes"
        assert findings.refresh(store) == run_checks(store, settings=config)
        assert findings.last == "none"


def test_the_plan_starts_over_budget(template: Path, tmp_path: Path) -> None:
    path = copy_of(template, tmp_path)
    with Store(path, clock=frozen_clock(NOW)) as store:
        found = {f.rule: f for f in run_checks(store, settings=Settings())}
    assert set(MONEY_RULES) <= set(found)
    assert "ECOM" in found["provider-cost"].why and "4 -> 2 points" in found["provider-cost"].why


@pytest.mark.parametrize(
    ("op", "a", "b"),
    [("card-cost", 8, 7), ("goal-budget", 0, 1), ("move", 12, 1), ("sprint", 10, 2)],
)
def test_money_changes_are_checked_incrementally(
    template: Path, tmp_path: Path, op: str, a: int, b: int
) -> None:
    """A card's cost, a goal's budget, a status move in a closed sprint of the provider and
    a priced card moved out of a budgeted sprint re-check only what they touch, and find
    what the full check finds."""
    path = copy_of(template, tmp_path)
    config = Settings()
    with Store(path, clock=frozen_clock(NOW)) as store:
        findings = IncrementalFindings(config.urgent_feedback_days)
        before = {f.why for f in findings.refresh(store) if f.rule in MONEY_RULES}
        change(store, op, a, b)
        got = findings.refresh(store)
        assert findings.last == "changes"
        assert got == run_checks(store, settings=config)
        assert {f.why for f in got if f.rule in MONEY_RULES} != before


def test_a_change_left_unlogged_checks_everything(template: Path, tmp_path: Path) -> None:
    path = copy_of(template, tmp_path)
    config = Settings()
    with Store(path, clock=frozen_clock(NOW)) as store:
        findings = IncrementalFindings(config.urgent_feedback_days)
        findings.refresh(store)
        with sqlite3.connect(path) as other:  # another process, behind the log's back
            other.execute("UPDATE cards SET points = 40")
        other.close()
        assert findings.refresh(store) == run_checks(store, settings=config)
        assert findings.last == "full"


def test_touched_names_the_records_and_the_loads_a_change_moved() -> None:
    entries: list[tuple[Any, ...]] = [
        (1, "card", "IT-1", "update", "status", '"todo"', '"done"'),
        (2, "card", "IT-2", "update", "sprint_id", "3", "4"),
        (3, "dependency", "IT-3>ECOM-4", "delete", None, "{}", None),
        (4, "feedback", "FB-7", "update", "state", '"new"', '"declined"'),
        (5, "comment", "IT-1", "create", None, None, "{}"),
    ]
    touched = touched_by(entries)
    assert touched.cards == {"IT-1", "IT-2", "IT-3", "ECOM-4"}
    assert touched.groups == {"IT-2": ({3, 4}, set())}  # a status move moves no load
    assert touched.feedback == {7}
    assert touched.links_changed and not touched.links_added and not touched.everything
    assert touched_by([(6, "sprint", "S1", "update", "state", "1", "2")]).everything
