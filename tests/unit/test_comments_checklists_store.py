"""Comments and checklists in the store: records with uuids, logged, their authors' own."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import NOW
from sprintboard.errors import NotFound, UserError
from sprintboard.models import Card, Member
from sprintboard.store import Store, frozen_clock


@pytest.fixture
def people(store: Store) -> Store:
    for team, name in (("IT", "Sanne de Vries"), ("WH", "Omar Haddad")):
        store.members.add(Member(team=team, name=name))
    return store


def as_person(db_path: Path, name: str) -> Store:
    return Store(db_path, clock=frozen_clock(NOW), actor=name)


def test_a_comment_is_a_logged_record_of_its_author(people: Store, db_path: Path) -> None:
    key = people.cards.add(Card(title="Gift wrap", team="IT"))["key"]
    with as_person(db_path, "sanne") as sanne:
        comment = sanne.comments.add(key, "  Ready on Monday?\n@omar please check [bold]\x1b[31m ")
    assert comment["author"] == "Sanne de Vries"
    # Newlines kept, the escape sequence removed, markup kept as text.
    assert comment["body"] == "  Ready on Monday?\n@omar please check [bold][31m "
    assert comment["mentions"] == ["Omar Haddad"]
    entry = people.activity.recent(1)[0]
    assert (entry["entity"], entry["op"], entry["entity_key"], entry["actor"]) == (
        "comment",
        "create",
        key,
        "Sanne de Vries",
    )
    assert entry["entity_uuid"] == comment["uuid"]
    assert people.cards.get(key)["comment_count"] == 1


def test_only_the_author_edits_or_deletes(people: Store, db_path: Path) -> None:
    key = people.cards.add(Card(title="Gift wrap", team="IT"))["key"]
    with as_person(db_path, "Sanne de Vries") as sanne, as_person(db_path, "omar") as omar:
        first = sanne.comments.add(key, "first")
        for verb in ("edit", "delete"):
            with pytest.raises(UserError) as caught:
                if verb == "edit":
                    omar.comments.edit(first["id"], "mine now")
                else:
                    omar.comments.delete(first["id"])
            assert str(caught.value) == (
                f"comment {first['id']}: written by Sanne de Vries; you (Omar Haddad) can "
                f"{verb} only your own comments"
            )
        edited = sanne.comments.edit(first["id"], "first, edited")
        assert (edited["body"], edited["edited_at"]) == ("first, edited", people.now())
        sanne.comments.delete(first["id"])
        assert sanne.comments.for_card(key) == []
        kept = [e for e in sanne.activity.for_card(key) if e["entity"] == "comment"]
        assert [e["op"] for e in kept] == ["create", "update", "update", "delete"]
        assert kept[-1]["before"]["body"] == "first, edited"


@pytest.mark.parametrize("body", ["", "   \n ", "x" * 20_001])
def test_a_bad_comment_is_refused_in_one_line(people: Store, body: str) -> None:
    key = people.cards.add(Card(title="Gift wrap", team="IT"))["key"]
    with pytest.raises(UserError, match=r"^body: ") as caught:
        people.comments.add(key, body)
    assert "\n" not in str(caught.value)
    assert people.scalar("SELECT COUNT(*) FROM comments") == 0


def test_comments_on_a_missing_card_or_id(people: Store) -> None:
    with pytest.raises(NotFound, match="no card IT-99"):
        people.comments.add("IT-99", "hello")
    with pytest.raises(NotFound, match="no comment 7"):
        people.comments.edit(7, "hello")


def test_mentions_of_me_newest_first(people: Store, db_path: Path) -> None:
    key = people.cards.add(Card(title="Gift wrap", team="IT"))["key"]
    with as_person(db_path, "Omar Haddad") as omar:
        omar.comments.add(key, "@sanne first")
        omar.comments.add(key, "nothing for anyone")
        omar.comments.add(key, "mail sanne@example.com")
        omar.comments.add(key, "@Sanne.de.Vries second")
    found = people.comments.mentioning("Sanne de Vries")
    assert [c["body"] for c in found] == ["@Sanne.de.Vries second", "@sanne first"]


def test_a_cross_team_card_gets_one_item_per_contributing_team(people: Store) -> None:
    card = people.cards.add(Card(title="Spring sale", team="MKT", teams=["WH", "CNT"]))
    items = people.checklists.for_card(card["key"])
    assert [(i["text"], i["team"], i["done"]) for i in items] == [
        ("WH: confirm stock", "WH", False),
        ("CNT: write the content", "CNT", False),
    ]
    assert (card["checklist_done"], card["checklist_total"]) == (0, 2)
    people.checklists.tick(items[0]["id"])
    people.checklists.add(card["key"], "Agree the discount", team="FIN")
    # CNT leaves: its untouched item goes; WH leaves too but its item was ticked, and stays.
    people.cards.edit(card["key"], {"teams": ["IT"]})
    after = people.checklists.for_card(card["key"])
    assert [(i["text"], i["done"]) for i in after] == [
        ("WH: confirm stock", True),
        ("Agree the discount", False),
        ("IT: build and test", False),
    ]
    shown = people.cards.get(card["key"])
    assert (shown["checklist_done"], shown["checklist_total"]) == (1, 3)


def test_checklist_items_are_checked(people: Store) -> None:
    key = people.cards.add(Card(title="Spring sale", team="MKT"))["key"]
    with pytest.raises(UserError, match=r"^text: must not be empty"):
        people.checklists.add(key, "   ")
    with pytest.raises(UserError, match=r"^team: "):
        people.checklists.add(key, "x", team="not a code!")
    with pytest.raises(NotFound, match="no team ZZ"):
        people.checklists.add(key, "x", team="ZZ")
    with pytest.raises(NotFound, match="no checklist item 5"):
        people.checklists.tick(5)
    item = people.checklists.add(key, "Ship it")
    assert people.checklists.edit(item["id"], "Ship it today")["text"] == "Ship it today"
    assert people.checklists.remove(item["id"])["text"] == "Ship it today"
    assert people.checklists.for_card(key) == []
    people.activity.undo()
    assert [i["text"] for i in people.checklists.for_card(key)] == ["Ship it today"]


def test_the_apps_mentions_say_how_many_older_ones_it_leaves_out(
    people: Store, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sprintboard.views import card_detail

    monkeypatch.setattr(card_detail, "MENTIONS_SHOWN", 2)
    key = people.cards.add(Card(title="Gift wrap", team="IT"))["key"]
    with as_person(db_path, "Omar Haddad") as omar:
        for n in range(3):
            omar.comments.add(key, f"@sanne number {n}")
    with as_person(db_path, "sanne") as sanne:
        comments, _, more = card_detail.fetch_mentions(sanne)
    assert [c["body"] for c in comments] == ["@sanne number 2", "@sanne number 1"]
    assert more == 1
    assert comments[0]["card_title"] == "Gift wrap"


def test_the_newest_comments_of_a_long_thread_in_thread_order(people: Store) -> None:
    key = people.cards.add(Card(title="Gift wrap", team="IT"))["key"]
    with people.transaction("test.thread") as tx:
        card = people.cards._raw(key)
        for i in range(250):
            people.comments.insert(tx, card, f"comment {i} @omar")
    newest, total = people.comments.for_card(key, newest=100)
    assert total == 250
    assert [c["body"] for c in newest] == [f"comment {i} @omar" for i in range(150, 250)]
    assert newest[-1]["mentions"] == ["Omar Haddad"]
    few, total = people.comments.for_card(key, newest=1000)
    assert (len(few), total) == (250, 250)
    assert len(people.comments.for_card(key)) == 250  # without `newest`: the whole thread
    for bad in (0, -3, True):
        with pytest.raises(UserError, match=r"^newest: a whole number of 1 or more"):
            people.comments.for_card(key, newest=bad)


def test_the_newest_history_of_a_card_is_the_end_of_its_whole_history(people: Store) -> None:
    key = people.cards.add(Card(title="Gift wrap", team="IT", teams=["WH"]))["key"]
    for status in ("todo", "doing", "review", "done", "doing"):
        people.cards.move(key, status=status)
    people.comments.add(key, "done soon")
    skip = ("updated_at", "position", "done_at")
    whole = [e["id"] for e in people.activity.for_card(key) if e["field"] not in skip]
    for n in (1, 3, len(whole), len(whole) + 5):
        newest = people.activity.for_card(key, newest=n, skip_fields=skip)
        assert [e["id"] for e in newest] == whole[-n:]
