"""Undo is personal: my last change, never someone else's work overwritten; redo; on purpose,
anyone's change or one chosen change."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import NOW
from sprintboard.demo import load_demo
from sprintboard.errors import NotFound, UserError
from sprintboard.models import Card
from sprintboard.store import Store, frozen_clock
from sprintboard.store.activity import undo_message


@pytest.fixture
def two(db_path: Path) -> Iterator[tuple[Store, Store]]:
    """Sanne and Omar, two people on one demo database (two connections, as two processes)."""
    with Store(db_path, clock=frozen_clock(NOW), actor="seed") as first:
        load_demo(first)
    with (
        Store(db_path, clock=frozen_clock(NOW), actor="sanne de vries") as sanne,
        Store(db_path, clock=frozen_clock(NOW), actor="Omar") as omar,
    ):
        yield sanne, omar


def plan(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the plan's tables, to check that a refusal changed nothing."""
    tables = ("cards", "card_teams", "dependencies", "comments", "checklist_items", "feedback")
    return {t: store.conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in tables}


def status(store: Store, key: str) -> str:
    return str(store.cards.get(key)["status"])


def test_each_person_undoes_only_their_own_change(two: tuple[Store, Store]) -> None:
    sanne, omar = two
    assert (sanne.actor, omar.actor) == ("Sanne de Vries", "Omar Haddad")
    sanne.cards.move("IT-5", status="doing")
    omar.cards.edit("ECOM-4", {"points": 13})
    done = sanne.activity.undo()
    assert (done["what"], done["mine"]) == ("move of IT-5", True)
    assert status(sanne, "IT-5") == "todo"
    assert sanne.cards.get("ECOM-4")["points"] == 13  # Omar's edit stands
    assert omar.activity.undo()["what"] == "edit of ECOM-4"
    with pytest.raises(UserError, match=r"^undo: nothing to undo$"):
        omar.activity.undo()
    sanne.cards.move("IT-5", status="doing")
    with pytest.raises(UserError) as caught:
        omar.activity.undo()
    assert str(caught.value) == (
        "undo: nothing of yours to undo (Omar Haddad); the last change is Sanne de Vries' "
        "(move of IT-5): 'sprintboard undo --any' undoes it"
    )


def test_a_clash_is_refused_in_one_line_and_changes_nothing(two: tuple[Store, Store]) -> None:
    sanne, omar = two
    sanne.cards.move("IT-5", status="doing")
    omar.cards.move("IT-5", status="review")
    before = plan(sanne)
    with pytest.raises(UserError) as caught:
        sanne.activity.undo()
    line = str(caught.value)
    assert "\n" not in line
    assert line.startswith("undo: not undone: IT-5's status was changed since by Omar Haddad")
    assert "move of IT-5 stays as it is" in line
    assert plan(sanne) == before
    assert status(sanne, "IT-5") == "review"


def test_a_later_change_to_another_field_is_no_clash(two: tuple[Store, Store]) -> None:
    sanne, omar = two
    sanne.cards.move("IT-5", status="doing")
    omar.cards.edit("IT-5", {"title": "Omar's better title"})  # touches updated_at too
    sanne.activity.undo()
    card = sanne.cards.get("IT-5")
    assert (card["status"], card["title"]) == ("todo", "Omar's better title")


def test_undoing_a_card_someone_commented_on_is_refused(two: tuple[Store, Store]) -> None:
    sanne, omar = two
    key = sanne.cards.add(Card(title="Gift wrap", team="IT"))["key"]
    omar.comments.add(key, "I can take this")
    with pytest.raises(UserError, match=f"{key} was changed since by Omar Haddad"):
        sanne.activity.undo()
    assert sanne.comments.for_card(key)[0]["body"] == "I can take this"


def test_a_value_changed_and_changed_back_is_no_clash(two: tuple[Store, Store]) -> None:
    sanne, omar = two
    sanne.cards.move("IT-5", status="doing")
    omar.cards.move("IT-5", status="review")
    omar.activity.undo()
    sanne.activity.undo()
    assert status(sanne, "IT-5") == "todo"


def test_undo_any_takes_anyones_last_change_on_purpose(two: tuple[Store, Store]) -> None:
    sanne, omar = two
    omar.cards.move("IT-5", status="doing")
    done = sanne.activity.undo(any_person=True)
    assert (done["actor"], done["mine"]) == ("Omar Haddad", False)
    assert undo_message(done) == "undone: Omar Haddad's move of IT-5"
    assert status(sanne, "IT-5") == "todo"


def test_one_chosen_change(two: tuple[Store, Store]) -> None:
    sanne, omar = two
    omar.cards.edit("ECOM-4", {"points": 13})
    chosen = omar.activity.recent(1)[0]["id"]
    sanne.cards.move("IT-5", status="doing")
    done = sanne.activity.undo(change=chosen)
    assert done["what"] == "edit of ECOM-4"
    assert sanne.cards.get("ECOM-4")["points"] != 13
    assert status(sanne, "IT-5") == "doing"  # Sanne's own later move stays
    with pytest.raises(UserError, match=f"change {chosen} .* was already undone by Sanne"):
        sanne.activity.undo(change=chosen)
    with pytest.raises(NotFound, match="no change 999999"):
        sanne.activity.undo(change=999_999)
    first_undo = sanne.scalar("SELECT MIN(id) FROM activity WHERE action = 'undo'")
    with pytest.raises(UserError, match="is an undo of edit of ECOM-4; to put it back, redo"):
        sanne.activity.undo(change=first_undo)


def test_redo_walks_back_through_my_undos(two: tuple[Store, Store]) -> None:
    sanne, omar = two
    sanne.cards.move("IT-5", status="doing")
    was = status(sanne, "IT-6")
    sanne.cards.move("IT-6", status="done")
    omar.cards.edit("ECOM-4", {"points": 13})
    sanne.activity.undo()
    sanne.activity.undo()
    assert (status(sanne, "IT-5"), status(sanne, "IT-6")) == ("todo", was)
    assert sanne.activity.redo()["what"] == "move of IT-5"
    assert sanne.activity.redo()["what"] == "move of IT-6"
    with pytest.raises(UserError, match=r"^redo: nothing of yours to redo"):
        sanne.activity.redo()
    # Undo after redo goes back again, newest first.
    assert sanne.activity.undo()["what"] == "redo of move of IT-6"
    assert status(sanne, "IT-6") == was
    assert sanne.activity.redo()["what"] == "move of IT-6"
    with pytest.raises(UserError, match="nothing of yours to redo"):
        omar.activity.redo()


def test_a_new_change_ends_the_redo_list(two: tuple[Store, Store]) -> None:
    sanne, _ = two
    sanne.cards.move("IT-5", status="doing")
    sanne.activity.undo()
    sanne.cards.move("IT-6", status="doing")
    with pytest.raises(UserError, match="nothing of yours to redo"):
        sanne.activity.redo()


def test_redo_refuses_when_someone_changed_it_since(two: tuple[Store, Store]) -> None:
    sanne, omar = two
    sanne.cards.move("IT-5", status="doing")
    sanne.activity.undo()
    omar.cards.move("IT-5", status="review")
    with pytest.raises(UserError, match=r"^redo: not redone: IT-5's status was changed since"):
        sanne.activity.redo()
    assert status(sanne, "IT-5") == "review"


def test_a_batch_says_what_it_was_and_how_many_records(two: tuple[Store, Store]) -> None:
    sanne, _ = two
    sanne.cards.delete("IT-6")
    done = sanne.activity.undo()
    assert done["records"] > 1
    assert undo_message(done) == f"undone: deletion of IT-6 ({done['records']} records reverted)"
    sprint = sanne.sprints.active()
    assert sprint is not None
    sanne.sprints.close(sprint["name"], "backlog")
    closed = sanne.activity.undo()
    assert closed["what"] == f"close of sprint {sprint['name']}"
    assert closed["records"] > 1


def test_deleting_and_undoing_a_card_keeps_its_conversation(two: tuple[Store, Store]) -> None:
    sanne, omar = two
    omar.comments.add("IT-5", "@sanne can you check?")
    item = omar.checklists.add("IT-5", "Check the print layout", team="WH")
    omar.checklists.tick(item["id"])
    comments = [c["body"] for c in sanne.comments.for_card("IT-5")]
    before = sanne.scalar("SELECT COUNT(*) FROM comments")
    sanne.cards.delete("IT-5")
    assert sanne.scalar("SELECT COUNT(*) FROM comments") == before - len(comments)
    sanne.activity.undo()
    assert [c["body"] for c in sanne.comments.for_card("IT-5")] == comments
    assert [(i["text"], i["done"]) for i in sanne.checklists.for_card("IT-5")][-1] == (
        "Check the print layout",
        True,
    )


def test_undo_of_a_comment_delete_puts_it_back(two: tuple[Store, Store]) -> None:
    sanne, _ = two
    comment = sanne.comments.add("IT-5", "first thoughts")
    sanne.comments.delete(comment["id"])
    assert sanne.comments.for_card("IT-5") == []
    assert sanne.activity.undo()["what"] == "deletion of a comment on IT-5"
    assert [c["id"] for c in sanne.comments.for_card("IT-5")] == [comment["id"]]


def test_undo_puts_a_card_back_when_a_later_card_took_its_id(two: tuple[Store, Store]) -> None:
    sanne, omar = two
    key = sanne.cards.add(Card(title="Draft promo", team="MKT", teams=["WH"]))["key"]
    sanne.comments.add(key, "notes")
    sanne.deps.add("IT-5", key)
    old_id = sanne.cards._raw(key)["id"]
    sanne.cards.delete(key)
    other = omar.cards.add(Card(title="Pallets", team="WH"))["key"]
    assert omar.cards._raw(other)["id"] == old_id  # SQLite hands the id out again
    done = sanne.activity.undo()
    assert done["what"] == f"deletion of {key}"
    back = sanne.cards.get(key)
    assert back["id"] != old_id and back["title"] == "Draft promo"
    assert [c["body"] for c in sanne.comments.for_card(key)] == ["notes"]
    assert [i["text"] for i in sanne.checklists.for_card(key)] == ["WH: confirm stock"]
    assert back["blockers"] == ["IT-5"] and back["teams"] == ["MKT", "WH"]
    assert sanne.cards.get(other)["title"] == "Pallets"  # Omar's card untouched
    assert sanne.scalar("PRAGMA foreign_key_check") is None
    # Redo deletes it again; undo of that redo brings it back once more.
    sanne.activity.redo()
    with pytest.raises(NotFound):
        sanne.cards.get(key)
    sanne.activity.undo()
    assert [c["body"] for c in sanne.comments.for_card(key)] == ["notes"]


def test_a_deleted_comments_number_is_never_handed_out_again(two: tuple[Store, Store]) -> None:
    sanne, omar = two
    first = sanne.comments.add("IT-5", "first")
    sanne.comments.delete(first["id"])
    second = omar.comments.add("IT-5", "second")
    assert second["id"] > first["id"]
    sanne.activity.undo()
    assert [c["id"] for c in sanne.comments.for_card("IT-5")][-2:] == [first["id"], second["id"]]
