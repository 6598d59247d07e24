"""The store's sprints, teams, members, goals, feedback and stock: each write checked in
the database and the activity log."""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Any

import pytest
from store_fixtures import NOW_STAMP, activity_count, add, one_line, sprint

from sprintboard.errors import NotFound, UserError
from sprintboard.models import Feedback, Goal, Member, StockItem, Team
from sprintboard.store import Store
from sprintboard.vocabulary import FeedbackCategory, TeamFormat

# -- sprints ---------------------------------------------------------------------------------


@pytest.fixture
def sprints(store: Store) -> dict[str, dict[str, Any]]:
    return {
        "S1": sprint(store, "S1", "2026-03-02", "2026-03-15"),
        "S2": sprint(store, "S2", "2026-03-16", "2026-03-29"),
        "S3": sprint(store, "S3", "2026-03-30", "2026-04-12"),
    }


def test_only_one_active_sprint(store: Store, sprints: dict[str, Any]) -> None:
    add(store, points=5, sprint_id=sprints["S1"]["id"])
    started = store.sprints.start("S1")
    assert (started["state"], started["started_at"], started["committed_points"]) == (
        "active",
        NOW_STAMP,
        5,
    )
    with pytest.raises(UserError) as caught:
        store.sprints.start("S2")
    assert "'S1' is still active" in one_line(caught)
    with pytest.raises(UserError, match="only a planned sprint starts"):
        store.sprints.start("S1")
    assert store.sprints.get("S2")["state"] == "planned"
    with pytest.raises(sqlite3.IntegrityError):
        store.db.execute("UPDATE sprints SET state = 'active' WHERE name = 'S2'")


def test_resolve_sprint_references(store: Store, sprints: dict[str, Any]) -> None:
    assert store.sprints.resolve("backlog") is None
    with pytest.raises(UserError, match="no active sprint"):
        store.sprints.resolve("current")
    store.sprints.start("S2")
    current, named = store.sprints.resolve("current"), store.sprints.resolve("S3")
    assert current is not None and current["name"] == "S2"
    assert named is not None and named["name"] == "S3"
    with pytest.raises(NotFound) as caught:
        store.sprints.resolve("S9")
    assert "no sprint named 'S9'" in one_line(caught)


def test_close_needs_carry_over_when_cards_are_unfinished(
    store: Store, sprints: dict[str, Any]
) -> None:
    s1 = sprints["S1"]["id"]
    add(store, status="todo", sprint_id=s1)
    store.sprints.start("S1")
    before = activity_count(store)
    with pytest.raises(UserError) as caught:
        store.sprints.close("S1", None)
    assert "1 unfinished cards" in one_line(caught) and "--carry-over" in str(caught.value)
    assert store.sprints.get("S1")["state"] == "active"
    assert activity_count(store) == before


def test_close_carries_unfinished_cards_to_the_backlog(
    store: Store, sprints: dict[str, Any]
) -> None:
    s1 = sprints["S1"]["id"]
    done = add(store, "Done", status="done", points=3, sprint_id=s1)
    doing = add(store, "Doing", status="doing", points=5, sprint_id=s1)
    store.sprints.start("S1")
    closed = store.sprints.close("S1", "backlog")
    assert (closed["state"], closed["closed_at"]) == ("closed", NOW_STAMP)
    assert (closed["committed_points"], closed["completed_points"]) == (8, 3)
    carried = store.cards.get(doing)
    assert (carried["sprint"], carried["status"]) == (None, "backlog")
    assert store.cards.get(done)["sprint"] == "S1"
    assert store.sprints.active() is None


def test_close_carries_unfinished_cards_to_the_next_sprint(
    store: Store, sprints: dict[str, Any]
) -> None:
    s1, s2 = sprints["S1"]["id"], sprints["S2"]["id"]
    waiting = add(store, "Already in S2", status="todo", sprint_id=s2)
    doing = add(store, "Doing", status="doing", sprint_id=s1)
    todo = add(store, "Todo", status="todo", sprint_id=s1)
    store.sprints.start("S1")
    store.sprints.close("S1", "next")
    assert [(c["key"], c["status"]) for c in store.cards.query(sprint=s2)] == [
        (waiting, "todo"),
        (todo, "todo"),
        (doing, "doing"),
    ]
    assert store.sprints.get("S2")["state"] == "planned"


def test_close_to_next_refused_without_a_planned_sprint(store: Store) -> None:
    only = sprint(store, "Only", "2026-03-02", "2026-03-15")
    key = add(store, status="todo", sprint_id=only["id"])
    store.sprints.start("Only")
    with pytest.raises(UserError) as caught:
        store.sprints.close("Only", "next")
    assert "no planned sprint" in one_line(caught)
    assert store.sprints.get("Only")["state"] == "active"
    assert store.cards.get(key)["sprint"] == "Only"


def test_close_with_everything_done_needs_no_carry_over(
    store: Store, sprints: dict[str, Any]
) -> None:
    add(store, status="done", sprint_id=sprints["S1"]["id"])
    store.sprints.start("S1")
    assert store.sprints.close("S1", None)["state"] == "closed"
    with pytest.raises(UserError, match="only the active one closes"):
        store.sprints.close("S1", "backlog")


def test_sprint_edit_and_capacity(store: Store, sprints: dict[str, Any]) -> None:
    with pytest.raises(UserError) as caught:
        store.sprints.edit("S1", {"end": "2026-03-01"})
    assert one_line(caught).startswith("end: ")
    with pytest.raises(UserError, match="already exists"):
        store.sprints.edit("S1", {"name": "S2"})
    assert store.sprints.edit("S1", {"name": "S1b"})["name"] == "S1b"
    store.sprints.set_capacity("S1b", "it", 12)
    assert store.teams.capacity("IT", sprints["S1"]["id"]) == 12
    assert store.teams.capacity("IT", sprints["S2"]["id"]) == 40
    with pytest.raises(UserError, match="capacity"):
        store.sprints.set_capacity("S1b", "IT", -1)


def test_sprint_name_is_unique(store: Store, sprints: dict[str, Any]) -> None:
    with pytest.raises(UserError, match="already exists"):
        sprint(store, "S1", "2026-05-01", "2026-05-02")


# -- teams, members, goals, feedback, stock --------------------------------------------------


def test_team_archive_needs_a_target_for_open_cards(store: Store) -> None:
    open_card = add(store, "Open", team="CS", status="todo")
    done_card = add(store, "Done", team="CS", status="done")
    with pytest.raises(UserError) as caught:
        store.teams.archive("CS")
    assert "1 open cards" in one_line(caught) and "--move-cards-to" in str(caught.value)
    assert store.teams.get("CS")["archived"] is False
    with pytest.raises(UserError, match="another, active team"):
        store.teams.archive("CS", move_cards_to="CS")
    archived = store.teams.archive("CS", move_cards_to="ECOM")
    assert archived["archived"] is True
    assert store.cards.get(open_card)["team"] == "ECOM"
    assert store.cards.get(open_card)["key"] == "CS-1"
    assert store.cards.get(done_card)["team"] == "CS"
    assert store.scalar("SELECT COUNT(*) FROM cards") == 2
    assert "CS" not in store.teams.codes(include_archived=False)
    assert "CS" in store.teams.codes()


def test_team_without_open_cards_archives_without_a_target(store: Store) -> None:
    assert store.teams.archive("FIN")["archived"] is True


def test_team_add_and_edit(store: Store) -> None:
    added = store.teams.add(Team(code="SEC", name="Security", format=TeamFormat.REMOTE, capacity=5))
    assert (added["code"], added["format"], added["capacity"]) == ("SEC", "remote", 5)
    assert store.teams.codes()[-1] == "SEC"
    edited = store.teams.edit("sec", {"name": "Security & Fraud", "colour": "#AA0000"})
    assert (edited["name"], edited["colour"]) == ("Security & Fraud", "#aa0000")
    with pytest.raises(UserError, match="cannot change"):
        store.teams.edit("SEC", {"code": "SECU"})
    with pytest.raises(UserError, match="colour"):
        store.teams.edit("SEC", {"colour": "blue;}"})


def test_member_onboarding(store: Store) -> None:
    member = store.members.add(Member(team="it", name="Ada", role="back-end"))
    assert member["team"] == "IT" and member["onboarded"] == "0/4"
    ticked = store.members.onboard(member["id"], "accounts")
    assert ticked["onboarding"]["accounts"] is True and ticked["onboarded"] == "1/4"
    assert store.members.onboard(member["id"], "accounts", done=False)["onboarded"] == "0/4"
    with pytest.raises(NotFound):
        store.members.onboard(999, "tools")


def test_goal_signoff_and_roll_up(store: Store) -> None:
    goal = store.goals.add(Goal(title="Cut cart abandonment", kpi="abandonment", unit="%"))
    assert goal["signed_off_by"] is None
    add(store, points=3, goal_id=goal["id"], status="done")
    add(store, points=5, goal_id=goal["id"])
    signed = store.goals.signoff(goal["id"], "  Ingrid\x1b[2J Bakker ")
    assert (signed["signed_off_by"], signed["signed_off_at"]) == ("Ingrid[2J Bakker", NOW_STAMP)
    assert (signed["cards"], signed["points"], signed["done_points"]) == (2, 8, 3)
    with pytest.raises(UserError, match="must not be empty"):
        store.goals.signoff(goal["id"], " \x1b ")
    with pytest.raises(NotFound):
        store.goals.get(99)


@pytest.mark.parametrize(
    ("category", "urgent"),
    [("checkout", True), ("cart", True), ("payment", True), ("shipping", False), ("site", False)],
)
def test_feedback_urgent_for_checkout_cart_payment(
    store: Store, category: str, urgent: bool
) -> None:
    item = store.feedback.add(Feedback(text="Something broke", category=FeedbackCategory(category)))
    assert item["urgent"] is urgent
    assert (item["state"], item["received_at"], item["card"]) == ("new", NOW_STAMP, None)


def test_feedback_triage_order(store: Store) -> None:
    store.feedback.add(Feedback(text="slow site", category=FeedbackCategory.SITE, reports=9))
    store.feedback.add(Feedback(text="cart empty", category=FeedbackCategory.CART, reports=1))
    store.feedback.add(Feedback(text="pay twice", category=FeedbackCategory.PAYMENT, reports=4))
    assert [f["text"] for f in store.feedback.list()] == ["pay twice", "cart empty", "slow site"]


def test_stock_upsert(store: Store) -> None:
    items = [
        StockItem(sku="GF-1", name="Table", on_hand=4, threshold=10),
        StockItem(sku="GF-2", name="Chair", on_hand=50, threshold=10),
    ]
    assert store.stock.upsert(items) == (2, 0)
    again = [
        StockItem(
            sku="GF-1", name="Table", on_hand=40, threshold=10, restock_date=date(2026, 4, 1)
        ),
        StockItem(sku="GF-2", name="Chair", on_hand=50, threshold=10),
        StockItem(sku="GF-3", name="Parasol", on_hand=0),
    ]
    assert store.stock.upsert(again) == (1, 1)
    rows = {r["sku"]: r for r in store.stock.list()}
    assert (rows["GF-1"]["on_hand"], rows["GF-1"]["restock_date"], rows["GF-1"]["low"]) == (
        40,
        "2026-04-01",
        False,
    )
    assert store.stock.get("GF-1")["low"] is False
    assert store.scalar("SELECT COUNT(*) FROM stock") == 3


def test_card_query_filters(demo_store: Store) -> None:
    active = demo_store.sprints.active()
    assert active is not None
    in_sprint = demo_store.cards.query(sprint=active["id"])
    assert in_sprint and all(c["sprint"] == active["name"] for c in in_sprint)
    backlog = demo_store.cards.query(sprint=None)
    assert backlog and all(c["sprint"] is None for c in backlog)
    wh = demo_store.cards.query(team="WH")
    assert all("WH" in c["teams"] for c in wh)
    assert any(c["team"] != "WH" for c in wh)  # involving, not only owned by
    assert [c["key"] for c in demo_store.cards.query(text="100%_")] == []
    found = demo_store.cards.query(text="klarna")
    assert [c["key"] for c in found] == ["ECOM-4"]


def test_a_cards_history_reads_indexes_not_the_whole_log(store: Store) -> None:
    # The log only grows (every change of every card): opening a card must not scan it.
    plans: list[str] = []
    store.conn.set_trace_callback(
        lambda sql: (
            plans.extend(r[3] for r in store.conn.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall())
            if "FROM activity a WHERE a.id IN" in sql
            else None
        )
    )
    try:
        a = add(store, "Blocker")
        b = add(store, "Waits")
        store.deps.add(a, b)
        history = store.activity.for_card(b)
    finally:
        store.conn.set_trace_callback(None)
    assert {(h["entity"], h["op"]) for h in history} >= {
        ("card", "create"),
        ("dependency", "create"),
    }
    assert plans, "the history query was not seen"
    full_scans = [p for p in plans if p.startswith("SCAN activity") and "INDEX" not in p]
    assert full_scans == []
    # Whether each entry was undone is looked up by index too, not by reading the log.
    assert any("activity_undoes" in p for p in plans), plans
