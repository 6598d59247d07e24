"""Plans merged operation by operation (no git): the merge rules, each hard case decided."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sync_laptops import Folder, Laptop, exchange, plan

from sprintboard.models import Card, Sprint
from sprintboard.store import Store
from sprintboard.store.sync_conflicts import Conflicts

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def two(tmp_path: Path) -> tuple[Laptop, Laptop]:
    return Laptop(tmp_path / "a.db", "Ann", START), Laptop(tmp_path / "b.db", "Bob", START)


def test_cards_made_on_one_laptop_arrive_on_the_other(two: tuple[Laptop, Laptop]) -> None:
    a, b = two
    a.store.cards.add(Card(title="Checkout button", team="IT", points=3))
    exchange(a, b)
    card = b.store.cards.get("IT-1")
    assert card["title"] == "Checkout button" and card["points"] == 3
    assert plan(a.store) == plan(b.store)


def test_seeded_teams_stay_nine(two: tuple[Laptop, Laptop]) -> None:
    a, b = two
    exchange(a, b)
    assert b.store.scalar("SELECT COUNT(*) FROM teams") == 9
    assert plan(a.store)["teams"] == plan(b.store)["teams"]


def test_two_laptops_numbering_the_same_key(two: tuple[Laptop, Laptop]) -> None:
    a, b = two
    a.store.cards.add(Card(title="From Ann", team="IT"))
    b.later()
    b.store.cards.add(Card(title="From Bob", team="IT"))
    exchange(a, b)
    assert plan(a.store) == plan(b.store)
    # The earlier creation keeps IT-1; Bob's card is renumbered, its old key an alias.
    assert a.store.cards.get("IT-1")["title"] == "From Ann"
    bobs = a.store.scalar("SELECT key FROM cards WHERE title = 'From Bob'")
    assert bobs != "IT-1"
    assert b.store.cards.former_keys(
        b.store.scalar("SELECT uuid FROM cards WHERE title = 'From Bob'")
    ) == ["IT-1"]


def test_concurrent_edits_of_one_field_keep_the_loser_as_a_conflict(
    two: tuple[Laptop, Laptop],
) -> None:
    a, b = two
    a.store.cards.add(Card(title="Promo banner", team="MKT"))
    exchange(a, b)
    a.later()
    a.store.cards.edit("MKT-1", {"title": "Promo banner (spring)"})
    b.later(2)
    b.store.cards.edit("MKT-1", {"title": "Promo banner for Easter"})
    exchange(a, b)
    assert plan(a.store) == plan(b.store)
    assert a.store.cards.get("MKT-1")["title"] == "Promo banner for Easter"
    for lap in (a, b):
        found = Conflicts(lap.store).list()
        assert [(c["field"], c["other"]) for c in found] == [("title", "Promo banner (spring)")]
    # Taking the other value is a new change that settles it everywhere.
    taken = Conflicts(a.store).list()[0]
    Conflicts(a.store).take(taken["id"])
    exchange(a, b)
    assert b.store.cards.get("MKT-1")["title"] == "Promo banner (spring)"
    assert Conflicts(a.store).list() == [] and Conflicts(b.store).list() == []


def test_sequential_edits_are_no_conflict(two: tuple[Laptop, Laptop]) -> None:
    a, b = two
    a.store.cards.add(Card(title="One", team="IT"))
    exchange(a, b)
    b.later()
    b.store.cards.edit("IT-1", {"title": "Two"})
    exchange(a, b)
    a.later(2)
    a.store.cards.edit("IT-1", {"title": "Three"})
    exchange(a, b)
    assert b.store.cards.get("IT-1")["title"] == "Three"
    assert Conflicts(a.store).list() == [] and Conflicts(b.store).list() == []


def test_delete_wins_over_a_concurrent_edit_which_stays_takeable(
    two: tuple[Laptop, Laptop],
) -> None:
    a, b = two
    a.store.cards.add(Card(title="Old idea", team="CNT"))
    exchange(a, b)
    a.later()
    a.store.cards.delete("CNT-1")
    b.later(2)
    b.store.cards.edit("CNT-1", {"title": "Old idea, revived"})
    exchange(a, b)
    assert plan(a.store) == plan(b.store)
    assert not a.store.scalar("SELECT COUNT(*) FROM cards")
    found = Conflicts(b.store).list()
    assert found and found[0]["kind"] == "deleted"
    Conflicts(b.store).take(found[0]["id"])
    exchange(a, b)
    assert a.store.cards.get("CNT-1")["title"] == "Old idea, revived"
    assert plan(a.store) == plan(b.store)


def test_a_cycle_made_by_merging_is_kept(two: tuple[Laptop, Laptop]) -> None:
    a, b = two
    a.store.cards.add(Card(title="X", team="IT"))
    a.store.cards.add(Card(title="Y", team="ECOM"))
    exchange(a, b)
    a.store.deps.add("IT-1", "ECOM-1")
    b.store.deps.add("ECOM-1", "IT-1")
    exchange(a, b)
    assert plan(a.store) == plan(b.store)
    assert a.store.scalar("SELECT COUNT(*) FROM dependencies") == 2


def test_an_undo_after_sync_is_a_new_change(two: tuple[Laptop, Laptop]) -> None:
    a, b = two
    a.store.cards.add(Card(title="Keep me", team="IT"))
    exchange(a, b)
    a.later()
    a.store.cards.edit("IT-1", {"points": 5})
    exchange(a, b)
    a.later()
    a.store.activity.undo()
    exchange(a, b)
    assert b.store.cards.get("IT-1")["points"] is None
    assert plan(a.store) == plan(b.store)


def test_sprints_started_on_two_laptops_leave_one_active(two: tuple[Laptop, Laptop]) -> None:
    from sprintboard.models import Sprint

    a, b = two
    a.store.sprints.add(
        Sprint(
            name="S1", start=date.fromisoformat("2026-03-02"), end=date.fromisoformat("2026-03-13")
        )
    )
    a.store.sprints.add(
        Sprint(
            name="S2", start=date.fromisoformat("2026-03-16"), end=date.fromisoformat("2026-03-27")
        )
    )
    exchange(a, b)
    a.later()
    a.store.sprints.start("S1")
    b.later(2)
    b.store.sprints.start("S2")
    exchange(a, b)
    assert plan(a.store) == plan(b.store)
    assert a.store.scalar("SELECT name FROM sprints WHERE state = 'active'") == "S2"


def test_sprints_named_alike_offline_are_told_apart(two: tuple[Laptop, Laptop]) -> None:
    from sprintboard.models import Sprint

    a, b = two
    a.store.sprints.add(
        Sprint(
            name="Spring",
            start=date.fromisoformat("2026-03-02"),
            end=date.fromisoformat("2026-03-13"),
        )
    )
    b.later()
    b.store.sprints.add(
        Sprint(
            name="Spring",
            start=date.fromisoformat("2026-03-16"),
            end=date.fromisoformat("2026-03-27"),
        )
    )
    exchange(a, b)
    assert plan(a.store) == plan(b.store)
    names = [r["name"] for r in a.store.rows("SELECT name FROM sprints ORDER BY start")]
    assert names == ["Spring", "Spring (2)"]


def test_the_same_link_added_on_both_is_one_link(two: tuple[Laptop, Laptop]) -> None:
    a, b = two
    a.store.cards.add(Card(title="X", team="IT"))
    a.store.cards.add(Card(title="Y", team="ECOM"))
    exchange(a, b)
    a.store.deps.add("IT-1", "ECOM-1")
    b.later()
    b.store.deps.add("IT-1", "ECOM-1")
    exchange(a, b)
    assert plan(a.store) == plan(b.store)
    assert a.store.scalar("SELECT COUNT(*) FROM dependencies") == 1


def test_a_newer_format_is_refused_whole(two: tuple[Laptop, Laptop]) -> None:
    from sprintboard.errors import UserError

    a, b = two
    a.store.cards.add(Card(title="X", team="IT"))
    ops = a.send()
    ops[-1] = {**ops[-1], "schema": 99}
    with pytest.raises(UserError, match="newer sprintboard"):
        b.receive(ops)
    assert not b.store.scalar("SELECT COUNT(*) FROM cards")


def test_a_value_the_plan_cannot_hold_refuses_that_change_alone(
    two: tuple[Laptop, Laptop],
) -> None:
    a, b = two
    a.store.cards.add(Card(title="X", team="IT"))
    a.store.cards.add(Card(title="Y", team="IT"))
    ops = a.send()
    bad = next(op for op in ops if op["op"] == "create" and op["entity"] == "card")
    bad["after"] = {**bad["after"], "status": "bogus", "title": "\x1b[31mred\x1b[0m"}
    b.receive(ops)
    assert b.store.scalar("SELECT COUNT(*) FROM cards") == 1
    assert [c["kind"] for c in Conflicts(b.store).list()] == ["refused"]


def test_text_from_another_laptop_loses_terminal_controls(two: tuple[Laptop, Laptop]) -> None:
    a, b = two
    a.store.cards.add(Card(title="X", team="IT"))
    ops = a.send()
    ops[-1]["after"] = (
        {**ops[-1]["after"], "title": "\x1b]0;owned\x07Title"}
        if ops[-1]["op"] == "create"
        else ops[-1]["after"]
    )
    b.receive(ops)
    # Refused as not typed in (a conflict says why), or cleaned: never stored with escapes.
    assert "\x1b" not in (b.store.scalar("SELECT group_concat(title) FROM cards") or "")


def test_a_move_into_a_sprint_closed_elsewhere(two: tuple[Laptop, Laptop]) -> None:
    from sprintboard.models import Sprint

    a, b = two
    a.store.sprints.add(
        Sprint(
            name="S1", start=date.fromisoformat("2026-03-02"), end=date.fromisoformat("2026-03-13")
        )
    )
    a.store.cards.add(Card(title="Late", team="IT"))
    a.store.sprints.start("S1")
    exchange(a, b)
    a.store.cards.add(Card(title="Other", team="IT"))
    exchange(a, b)
    a.later()
    a.store.sprints.close("S1", "backlog")
    b.later(2)
    b.store.cards.move("IT-2", sprint_id=b.store.scalar("SELECT id FROM sprints WHERE name = 'S1'"))
    exchange(a, b)
    assert plan(a.store) == plan(b.store)
    # The move is kept (the card sits unfinished in the closed sprint), as a conflict on
    # both laptops; taking the other value sends it to the backlog.
    for lap in (a, b):
        found = [c for c in Conflicts(lap.store).list() if c["field"] == "sprint_id"]
        assert [c["name"] for c in found] == ["IT-2"], lap
    Conflicts(a.store).take(Conflicts(a.store).list()[0]["id"])
    exchange(a, b)
    assert b.store.cards.get("IT-2")["sprint"] is None
    assert plan(a.store) == plan(b.store)


def test_a_cycle_made_by_merging_is_reported_by_check(two: tuple[Laptop, Laptop]) -> None:
    from sprintboard.planning.checks import run_checks

    a, b = two
    a.store.cards.add(Card(title="X", team="IT"))
    a.store.cards.add(Card(title="Y", team="ECOM"))
    exchange(a, b)
    a.store.deps.add("IT-1", "ECOM-1")
    b.store.deps.add("ECOM-1", "IT-1")
    exchange(a, b)
    found = [f for f in run_checks(a.store) if f.rule == "dep-cycle"]
    assert found and set(found[0].cards) == {"IT-1", "ECOM-1"}


@pytest.fixture
def three(tmp_path: Path) -> tuple[Laptop, Laptop, Laptop]:
    return (
        Laptop(tmp_path / "a.db", "Ann", START),
        Laptop(tmp_path / "b.db", "Bob", START),
        Laptop(tmp_path / "c.db", "Cem", START),
    )


def test_three_laptops_numbering_the_same_key_agree_at_once(
    three: tuple[Laptop, Laptop, Laptop],
) -> None:
    # Each laptop used to renumber the clash from its own cards and send that as a
    # change: the renumberings clashed in turn, and keys changed on every sync.
    laps = list(three)
    for minutes, lap in enumerate(laps):
        lap.later(minutes)
        lap.store.cards.add(Card(title=f"From {lap.name}", team="IT"))
    folder = Folder(laps)
    folder.sync_all(rounds=1)
    keys = {lap.name: _keys_by_title(lap) for lap in laps}
    assert keys["Ann"] == {"From Ann": "IT-1", "From Bob": "IT-2", "From Cem": "IT-3"}
    assert keys["Bob"] == keys["Ann"] and keys["Cem"] == keys["Ann"]
    folder.sync_all(rounds=2)
    assert all(_keys_by_title(lap) == keys["Ann"] for lap in laps)
    assert plan(laps[0].store) == plan(laps[1].store) == plan(laps[2].store)
    cem = laps[2].store
    assert cem.cards.get("IT-1")["title"] == "From Ann"  # the key as Ann knows it
    assert cem.cards.former_keys(cem.cards.get("IT-3")["uuid"]) == ["IT-1"]


def test_three_sprints_named_alike_agree_at_once(three: tuple[Laptop, Laptop, Laptop]) -> None:
    laps = list(three)
    for minutes, lap in enumerate(laps):
        lap.later(minutes)
        lap.store.sprints.add(
            Sprint(
                name="Spring",
                start=date.fromisoformat("2026-03-02"),
                end=date.fromisoformat("2026-03-13"),
            )
        )
    Folder(laps).sync_all(rounds=1)
    names = [
        [r["name"] for r in lap.store.rows("SELECT name FROM sprints ORDER BY uuid")]
        for lap in laps
    ]
    assert names[0] == names[1] == names[2]
    assert sorted(names[0]) == ["Spring", "Spring (2)", "Spring (3)"]


def test_a_card_brought_back_by_undo_keeps_its_key(three: tuple[Laptop, Laptop, Laptop]) -> None:
    # Two laptops numbered a card MKT-1 offline; a third deleted the one that kept it and
    # undid that: the card came back as a new creation, which must not claim MKT-1 anew.
    a, b, c = three
    b.store.cards.add(Card(title="From Bob", team="MKT"))
    a.later()
    a.store.cards.add(Card(title="From Ann", team="MKT"))
    folder = Folder([a, b, c])
    folder.publish(a), folder.publish(b)
    folder.pull_all(c)
    c.store.cards.delete("MKT-1")
    c.store.activity.undo()
    folder.sync_all(rounds=2)
    assert _keys_by_title(a) == _keys_by_title(b) == _keys_by_title(c)
    assert _keys_by_title(c) == {"From Bob": "MKT-1", "From Ann": "MKT-2"}


def test_an_edit_outlives_an_older_undo_of_a_delete(three: tuple[Laptop, Laptop, Laptop]) -> None:
    # Bob edits a card; Cem (clock behind) deleted it and undid that before seeing the
    # edit. The undo arrives at Bob as a creation older than his edit: his edit stands.
    a, b, c = three
    b.store.cards.add(Card(title="Banner", team="MKT"))
    folder = Folder([a, b, c])
    folder.sync_all()
    c.store.cards.delete("MKT-1")
    c.store.activity.undo()
    b.later(5)
    b.store.cards.edit("MKT-1", {"priority": "low"})
    folder.sync_all()
    assert [lap.store.cards.get("MKT-1")["priority"] for lap in (a, b, c)] == ["low"] * 3
    assert plan(a.store) == plan(b.store) == plan(c.store)


def test_a_change_arriving_before_its_card_stands(three: tuple[Laptop, Laptop, Laptop]) -> None:
    # Cem receives Ann's edit of Bob's card before Bob's card itself (each laptop's own
    # file only): when the card arrives, the newer edit is kept, not the card as created.
    a, b, c = three
    b.store.cards.add(Card(title="Banner", team="MKT"))
    folder = Folder([a, b, c])
    folder.publish(b)
    folder.carry(b, a, own_only=True)
    a.later()
    a.store.cards.edit("MKT-1", {"title": "Spring banner"})
    folder.publish(a)
    folder.carry(a, c, own_only=True)
    folder.carry(b, c, own_only=True)
    assert c.store.cards.get("MKT-1")["title"] == "Spring banner"


def test_the_same_operations_twice_change_nothing(three: tuple[Laptop, Laptop, Laptop]) -> None:
    a, b, c = three
    a.store.cards.add(Card(title="X", team="IT"))
    b.store.cards.add(Card(title="Y", team="IT"))
    folder = Folder([a, b, c])
    folder.sync_all()
    before = [plan(lap.store) for lap in (a, b, c)]
    for lap in (a, b, c):
        folder.pull_all(lap, again=10)
    assert [plan(lap.store) for lap in (a, b, c)] == before


def _keys_by_title(lap: Laptop) -> dict[str, str]:
    return {r["title"]: r["key"] for r in lap.store.rows("SELECT title, key FROM cards")}


def test_a_link_added_on_two_laptops_and_removed_on_one_is_gone(
    three: tuple[Laptop, Laptop, Laptop],
) -> None:
    # Ann's link (her own record) was deleted before Bob's, older, one arrived: she kept
    # Bob's while the others, who had merged the two, removed it.
    a, b, c = three
    a.store.cards.add(Card(title="X", team="IT"))
    a.store.cards.add(Card(title="Y", team="ECOM"))
    folder = Folder([a, b, c])
    folder.sync_all()
    b.store.deps.add("IT-1", "ECOM-1")
    a.later()
    a.store.deps.add("IT-1", "ECOM-1")
    a.store.deps.remove("IT-1", "ECOM-1")
    folder.sync_all()
    assert [lap.store.scalar("SELECT COUNT(*) FROM dependencies") for lap in (a, b, c)] == [0] * 3


def test_a_link_removed_then_added_again_elsewhere_stays(
    three: tuple[Laptop, Laptop, Laptop],
) -> None:
    a, b, c = three
    a.store.cards.add(Card(title="X", team="IT"))
    a.store.cards.add(Card(title="Y", team="ECOM"))
    folder = Folder([a, b, c])
    folder.sync_all()
    a.store.deps.add("IT-1", "ECOM-1")
    a.store.deps.remove("IT-1", "ECOM-1")
    b.later()
    b.store.deps.add("IT-1", "ECOM-1")
    folder.sync_all()
    assert [lap.store.scalar("SELECT COUNT(*) FROM dependencies") for lap in (a, b, c)] == [1] * 3
    assert plan(a.store) == plan(b.store) == plan(c.store)


def test_an_edit_lost_to_an_undone_delete_is_a_conflict_where_it_was_made(
    three: tuple[Laptop, Laptop, Laptop],
) -> None:
    # Ann deletes a card and undoes that, not having seen Bob's older edit: the card comes
    # back as she had it. Ann and Cem, receiving the edit after, kept it as a conflict;
    # Bob, whose edit it was, must see it too.
    a, b, c = three
    a.store.cards.add(Card(title="Banner", team="MKT"))
    folder = Folder([a, b, c])
    folder.sync_all()
    b.later()
    b.store.cards.edit("MKT-1", {"points": 1})
    a.later(2)
    a.store.cards.delete("MKT-1")
    a.store.activity.undo()
    folder.sync_all()
    assert plan(a.store) == plan(b.store) == plan(c.store)
    assert a.store.cards.get("MKT-1")["points"] is None
    for lap in (a, b, c):
        found = [(x["field"], x["other"]) for x in Conflicts(lap.store).list()]
        assert found == [("points", 1)], lap.name
    Conflicts(b.store).take(Conflicts(b.store).list()[0]["id"])
    folder.sync_all()
    assert [lap.store.cards.get("MKT-1")["points"] for lap in (a, b, c)] == [1] * 3


def test_an_edit_older_than_a_delete_is_a_conflict_where_it_was_made(
    three: tuple[Laptop, Laptop, Laptop],
) -> None:
    a, b, c = three
    a.store.cards.add(Card(title="Banner", team="MKT"))
    folder = Folder([a, b, c])
    folder.sync_all()
    b.later()
    b.store.cards.edit("MKT-1", {"title": "Spring banner"})
    a.later(2)
    a.store.cards.delete("MKT-1")
    folder.sync_all()
    assert not b.store.scalar("SELECT COUNT(*) FROM cards")
    for lap in (a, b, c):
        assert [x["kind"] for x in Conflicts(lap.store).list()] == ["deleted"], lap.name
    Conflicts(b.store).take(Conflicts(b.store).list()[0]["id"])
    folder.sync_all()
    assert [lap.store.cards.get("MKT-1")["title"] for lap in (a, b, c)] == ["Spring banner"] * 3


@pytest.mark.parametrize("undo_seen_first", [True, False])
def test_a_link_to_a_card_deleted_and_brought_back_elsewhere_stays(
    three: tuple[Laptop, Laptop, Laptop], undo_seen_first: bool
) -> None:
    # Cem deletes IT-1 and undoes that; Bob, not having seen either, links IT-1 to ECOM-1.
    # Where the delete came before the link, the link was refused (no card to link); where
    # the link came first, the delete took it along. Either way the card came back, and so
    # does the link, on every laptop.
    a, b, c = three
    a.store.cards.add(Card(title="X", team="IT"))
    a.store.cards.add(Card(title="Y", team="ECOM"))
    folder = Folder([a, b, c])
    folder.sync_all()
    c.store.cards.delete("IT-1")
    folder.publish(c)
    if undo_seen_first:
        folder.carry(c, a)  # Ann sees the delete before the link
    c.store.activity.undo()
    b.later()
    b.store.deps.add("IT-1", "ECOM-1")
    folder.publish(b)
    folder.carry(b, c)  # Cem has the card again: the link applies at once
    folder.sync_all()
    counts = [lap.store.scalar("SELECT COUNT(*) FROM dependencies") for lap in (a, b, c)]
    assert counts == [1, 1, 1]
    assert plan(a.store) == plan(b.store) == plan(c.store)
    assert all(Conflicts(lap.store).list() == [] for lap in (a, b, c))


def test_feedback_merged_into_a_card_deleted_and_brought_back_elsewhere_keeps_it(
    three: tuple[Laptop, Laptop, Laptop],
) -> None:
    # Bob deletes IT-1 and undoes that; Cem, meanwhile, marks feedback as a duplicate of
    # IT-1. Where the delete arrived after Cem's change, the database emptied the link; it
    # comes back with the card, as everywhere else.
    from sprintboard.models import Feedback

    a, b, c = three
    a.store.cards.add(Card(title="Checkout", team="IT"))
    folder = Folder([a, b, c])
    folder.sync_all()
    b.store.cards.delete("IT-1")
    b.store.activity.undo()
    c.later()
    item = c.store.feedback.add(Feedback(text="Coupon fails"))
    c.store.feedback.duplicate(item["id"], card="IT-1")
    folder.sync_all()
    assert plan(a.store) == plan(b.store) == plan(c.store)
    assert [lap.store.feedback.get(1)["card"] for lap in (a, b, c)] == ["IT-1"] * 3


def test_a_record_back_under_another_id_is_not_taken_for_the_one_that_had_it(
    tmp_path: Path,
) -> None:
    # On Cem's laptop both cards go (Ann deleted them), taking Cem's link along; then IT-1
    # comes back (Bob undid his own delete of it) under id 1, MKT-1's id before. The link
    # logged with MKT-1's id must not be read as a link from IT-1 to itself.
    a = Laptop(tmp_path / "a.db", "Ann", START)
    b = Laptop(tmp_path / "b.db", "Bob", START)
    c = Laptop(tmp_path / "c.db", "Cem", START - timedelta(hours=3))  # clock behind
    a.store.cards.add(Card(title="X", team="MKT"))
    a.store.cards.add(Card(title="Y", team="IT"))
    folder = Folder([a, b, c])
    folder.sync_all(rounds=1)
    a.store.activity.undo()
    a.store.activity.undo()
    c.store.deps.add("MKT-1", "IT-1")
    b.later()  # after Ann's deletes: on Cem's laptop IT-1 comes back to an empty table
    b.store.cards.delete("IT-1")
    b.store.activity.undo()
    folder.sync_all()
    assert plan(a.store) == plan(b.store) == plan(c.store)
    assert [_keys_by_title(lap) for lap in (a, b, c)] == [{"Y": "IT-1"}] * 3


def test_a_sprint_started_after_its_deletion_elsewhere_does_not_stop_another(
    tmp_path: Path,
) -> None:
    # Ann deletes S1; Bob (clock ahead) starts it; Cem starts S2, by the clock before Ann's
    # delete. Bob took S2 back to planned (S1 started later) before the delete arrived;
    # Ann never had S1 to compare. The delete won over Bob's start: S2 is active.
    from sprintboard.models import Feedback, Sprint

    a = Laptop(tmp_path / "a.db", "Ann", START)
    b = Laptop(tmp_path / "b.db", "Bob", START)
    c = Laptop(tmp_path / "c.db", "Cem", START - timedelta(hours=3))
    a.store.sprints.add(
        Sprint(
            name="S1", start=date.fromisoformat("2026-03-02"), end=date.fromisoformat("2026-03-13")
        )
    )
    folder = Folder([a, b, c])
    folder.sync_all(rounds=1)
    a.store.feedback.add(Feedback(text="Coupon fails"))  # Ann's clock moves on
    a.store.sprints.delete("S1")
    b.later(120)
    b.store.sprints.start("S1")
    c.store.sprints.add(
        Sprint(
            name="S2", start=date.fromisoformat("2026-03-16"), end=date.fromisoformat("2026-03-27")
        )
    )
    c.store.sprints.start("S2")
    folder.sync_all()
    assert plan(a.store) == plan(b.store) == plan(c.store)
    assert a.store.rows("SELECT name, state FROM sprints") == [{"name": "S2", "state": "active"}]


def test_a_seeded_team_given_a_value_before_joining_is_shared_with_it(tmp_path: Path) -> None:
    # A plan loaded in bulk (the demo) gives seeded teams values no log entry holds, such
    # as cost rates; joining publishes such a team whole, so other laptops get them too.
    path = tmp_path / "a.db"
    with Store(path) as store:
        store.conn.execute(
            "UPDATE teams SET rate_cents = 11000, rate_unit = 'day', throughput_per_day = 900"
            " WHERE code IN ('IT', 'WH')"
        )
        store.conn.commit()
    a, b = Laptop(path, "Ann", START), Laptop(tmp_path / "b.db", "Bob", START)
    exchange(a, b)
    rows = b.store.rows("SELECT code, rate_cents, rate_unit FROM teams ORDER BY code")
    assert {r["code"]: (r["rate_cents"], r["rate_unit"]) for r in rows}["IT"] == (11000, "day")
    assert b.store.scalar("SELECT throughput_per_day FROM teams WHERE code = 'WH'") == 900
    assert b.store.scalar("SELECT COUNT(*) FROM teams") == 9
    assert plan(a.store)["teams"] == plan(b.store)["teams"]
