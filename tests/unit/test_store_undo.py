"""Undo and card positions in the store: every change undone exactly, positions kept dense."""

from __future__ import annotations

import pytest
from store_fixtures import NOW_STAMP, add, sprint

from sprintboard.errors import NotFound, UserError
from sprintboard.store import Store
from sprintboard.store.cards import public

# -- undo ------------------------------------------------------------------------------------


def test_nothing_to_undo_on_a_new_database(store: Store) -> None:
    with pytest.raises(UserError, match="nothing to undo"):
        store.activity.undo()


def test_undo_add(store: Store) -> None:
    key = add(store, teams=["ECOM"])
    done = store.activity.undo()
    assert (done["action"], done["key"]) == ("card.add", key)
    with pytest.raises(NotFound):
        store.cards.get(key)
    assert store.scalar("SELECT COUNT(*) FROM card_teams") == 0
    with pytest.raises(UserError, match="nothing to undo"):
        store.activity.undo()


def test_undo_edit_restores_every_field(store: Store) -> None:
    key = add(store, "Before", points=3, labels=["a"])
    original = public(store.cards.get(key))
    store.cards.edit(key, {"title": "After", "points": 8, "labels": ["b"], "teams": ["WH"]})
    store.activity.undo()
    assert public(store.cards.get(key)) == original


def test_undo_move_and_undo_in_order(store: Store) -> None:
    key = add(store)
    store.cards.move(key, status="doing")
    store.cards.move(key, status="review")
    store.activity.undo()
    assert store.cards.get(key)["status"] == "doing"
    store.activity.undo()
    assert store.cards.get(key)["status"] == "backlog"
    store.activity.undo()
    with pytest.raises(NotFound):
        store.cards.get(key)


@pytest.mark.parametrize("key", ["IT-6", "MKT-2"])
def test_undo_delete_restores_card_with_all_its_links(demo_store: Store, key: str) -> None:
    before = public(demo_store.cards.get(key))
    assert before["teams"][1:] and (before["blockers"] or before["blocks"])
    demo_store.cards.delete(key)
    with pytest.raises(NotFound):
        demo_store.cards.get(key)
    done = demo_store.activity.undo()
    assert (done["action"], done["key"]) == ("card.delete", key)
    assert public(demo_store.cards.get(key)) == before
    if before["feedback"]:
        linked = demo_store.feedback.list(card=key)
        assert sum(f["reports"] for f in linked) == before["reports"]


def test_undo_delete_restores_feedback_link(demo_store: Store) -> None:
    assert demo_store.feedback.get(10)["card"] == "IT-6"
    demo_store.cards.delete("IT-6")
    assert demo_store.feedback.get(10)["card"] is None
    demo_store.activity.undo()
    assert demo_store.feedback.get(10)["card"] == "IT-6"


def test_undo_skips_the_demo_load(demo_store: Store) -> None:
    with pytest.raises(UserError, match="nothing to undo"):
        demo_store.activity.undo()


def test_history_of_a_card(store: Store) -> None:
    a, b = add(store, "A"), add(store, "B")
    store.deps.add(a, b)
    store.cards.move(b, status="todo")
    history = store.activity.for_card(b)
    assert [(h["entity"], h["op"]) for h in history][:2] == [
        ("card", "create"),
        ("dependency", "create"),
    ]
    assert ("status", "backlog", "todo") in [(h["field"], h["before"], h["after"]) for h in history]
    assert all(h["entity_key"] != "IT-10" for h in history)


# -- positions -------------------------------------------------------------------------------


def column(store: Store, sprint_id: int | None, status: str = "todo") -> list[str]:
    return [c["key"] for c in store.cards.query(sprint=sprint_id, status=status)]


def test_reorder_within_a_column(store: Store) -> None:
    keys = [add(store, f"C{i}", status="todo") for i in range(4)]
    assert column(store, None) == keys
    store.cards.reorder(keys[3], -100)
    assert column(store, None) == [keys[3], *keys[:3]]
    store.cards.reorder(keys[3], 1)
    assert column(store, None) == [keys[0], keys[3], keys[1], keys[2]]
    store.cards.reorder(keys[0], 100)
    assert column(store, None) == [keys[3], keys[1], keys[2], keys[0]]
    store.activity.undo()
    assert column(store, None) == [keys[0], keys[3], keys[1], keys[2]]


def test_move_to_a_position_in_another_column(store: Store) -> None:
    todo = [add(store, f"T{i}", status="todo") for i in range(3)]
    doing = add(store, "D", status="doing")
    store.cards.move(doing, status="todo", index=1)
    assert column(store, None) == [todo[0], doing, todo[1], todo[2]]
    store.cards.move(todo[2], status="todo", index=0)
    assert column(store, None) == [todo[2], todo[0], doing, todo[1]]
    appended = store.cards.move(todo[2], status="review")
    assert column(store, None, "review") == [todo[2]] and appended["status"] == "review"


def test_positions_renumber_when_floats_run_out(store: Store) -> None:
    first, x, y = (add(store, n, status="todo") for n in ("First", "X", "Y"))
    for i in range(80):
        mover, other = (y, x) if i % 2 == 0 else (x, y)
        store.cards.move(mover, status="todo", index=1)
        assert column(store, None) == [first, mover, other]
    positions = [c["position"] for c in store.cards.query(status="todo")]
    assert positions == sorted(positions) and len(set(positions)) == 3


def test_move_to_another_sprint_goes_to_the_end(store: Store) -> None:
    s1 = sprint(store, "S1", "2026-03-02", "2026-03-15")
    there = add(store, "There", status="todo", sprint_id=s1["id"])
    key = add(store, "Here", status="todo")
    moved = store.cards.move(key, sprint_id=s1["id"])
    assert moved["sprint"] == "S1"
    assert column(store, s1["id"]) == [there, key]


def test_done_at_follows_the_done_column(store: Store) -> None:
    key = add(store)
    assert store.cards.move(key, status="done")["done_at"] == NOW_STAMP
    assert store.cards.move(key, status="review")["done_at"] is None
