"""Feedback triage in the store (accept, duplicate, decline, snooze, reopen, wake-up, views,
undo) and the `sprintboard feedback` verbs that drive it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from feedback_fixtures import (
    NOW_STAMP,
    at,
    card,
    fb,
    state_of,
)

from sprintboard.errors import NotFound, UserError
from sprintboard.models import Feedback, Sprint
from sprintboard.store import Store, frozen_clock
from sprintboard.vocabulary import FeedbackCategory

pytest_plugins = ["feedback_fixtures"]  # its fixtures: later

# -- accept --------------------------------------------------------------------------------


def test_accept_creates_a_linked_card_with_prefilled_text(store: Store) -> None:
    text = "Checkout button does nothing on iPad\nTried twice, Safari 17.\x1b[2J"
    ident = fb(
        store,
        text,
        category="checkout",
        source="chat",
        customer="Ann de Vries",
        reported_by="Fatima",
        reports=3,
    )
    row = store.feedback.accept(ident, "it")
    assert row["state"] == "accepted"
    assert row["triaged_at"] == NOW_STAMP
    key = row["card"]
    assert key == "IT-1"
    assert (row["card_status"], row["shipped"]) == ("backlog", False)
    made = store.cards.get(key)
    assert made["title"] == "Checkout button does nothing on iPad"
    assert made["description"].startswith("Checkout button does nothing on iPad\nTried twice")
    assert "\x1b" not in made["description"]
    for part in ("checkout", "chat", "3 reports", "Ann de Vries", "Fatima", "2026-03-11"):
        assert part in made["description"]
    assert made["labels"] == ["feedback"]
    assert made["priority"] == "high"  # checkout is urgent
    assert (made["status"], made["sprint"]) == ("backlog", None)
    assert (made["feedback"], made["reports"]) == (1, 3)


def test_accept_into_a_sprint_with_own_title(store: Store) -> None:
    sprint = store.sprints.add(Sprint(name="S1", start=date(2026, 3, 9), end=date(2026, 3, 20)))
    ident = fb(store, "Product photos are blurry", category="product")
    row = store.feedback.accept(
        ident, "CNT", sprint_id=sprint["id"], title="Sharper product photos"
    )
    made = store.cards.get(row["card"])
    assert made["key"].startswith("CNT-")
    assert (made["title"], made["sprint"], made["status"]) == (
        "Sharper product photos",
        "S1",
        "todo",
    )
    assert made["priority"] == "medium"


def test_accept_refuses_bad_input_without_changing_anything(store: Store) -> None:
    closed = store.sprints.add(Sprint(name="Old", start=date(2026, 1, 1), end=date(2026, 1, 14)))
    store.db.execute("UPDATE sprints SET state = 'closed' WHERE id = ?", [closed["id"]])
    ident = fb(store)
    before = state_of(store)
    refused: list[tuple[Callable[[], object], str]] = [
        (lambda: store.feedback.accept(ident, "NOPE"), "team: unknown team"),
        (lambda: store.feedback.accept(ident, "IT", title=""), "title: must not be empty"),
        (lambda: store.feedback.accept(ident, "IT", sprint_id=closed["id"]), "Old is closed"),
        (lambda: store.feedback.accept(999, "IT"), "no feedback FB-999"),
        (lambda: store.feedback.accept("x1", "IT"), "must be a feedback id"),
    ]
    for call, message in refused:
        with pytest.raises(UserError, match=message) as caught:
            call()
        assert "\n" not in str(caught.value)
    assert state_of(store) == before


def test_triaging_twice_is_refused_until_reopened(store: Store) -> None:
    ident = fb(store)
    store.feedback.accept(ident, "IT")
    before = state_of(store)
    verbs: list[Callable[[], Any]] = [
        lambda: store.feedback.accept(ident, "WH"),
        lambda: store.feedback.decline(ident, "no"),
        lambda: store.feedback.snooze(ident, "2026-04-01"),
        lambda: store.feedback.duplicate(ident, card="IT-1"),
    ]
    for verb in verbs:
        with pytest.raises(UserError, match=rf"feedback: FB-{ident} is already accepted as IT-1;"):
            verb()
    assert state_of(store) == before
    store.feedback.reopen(ident)
    assert store.feedback.decline(ident, "covered by IT-1")["state"] == "declined"
    with pytest.raises(UserError, match=r"already declined \(covered by IT-1\)"):
        store.feedback.accept(ident, "IT")


# -- duplicates and report counts ----------------------------------------------------------


def test_duplicate_of_a_card_adds_its_reports_to_the_card(store: Store) -> None:
    first = fb(store, "Cart empties on login", category="cart", reports=2)
    key = store.feedback.accept(first, "IT")["card"]
    second = fb(store, "Cart lost my items", category="cart", reports=3)
    row = store.feedback.duplicate(second, card=key.lower())
    assert (row["state"], row["card"], row["duplicate_of"]) == ("duplicate", key, None)
    made = store.cards.get(key)
    assert (made["feedback"], made["reports"]) == (2, 5)
    # A card nobody accepted feedback for can collect duplicates too.
    other = card(store)
    store.feedback.duplicate(fb(store, reports=4), card=other)
    assert store.cards.get(other)["reports"] == 4


def test_duplicate_of_feedback_rolls_the_count_up_to_the_original(store: Store) -> None:
    original = fb(store, "Coupon rejected", reports=2)
    copy = fb(store, "Coupon says expired", reports=3)
    row = store.feedback.duplicate(copy, of_feedback=str(original))
    assert (row["state"], row["duplicate_of"], row["card"]) == ("duplicate", original, None)
    assert store.feedback.get(original)["reports"] == 5
    # A duplicate of the copy is counted on the original the chain ends at.
    third = fb(store, reports=1)
    assert store.feedback.duplicate(third, of_feedback=copy)["duplicate_of"] == original
    assert store.feedback.get(original)["reports"] == 6
    assert store.feedback.get(copy)["reports"] == 3
    # Accepting the original puts the whole count on its card, each report once.
    key = store.feedback.accept(original, "IT")["card"]
    assert store.cards.get(key)["reports"] == 6
    # The duplicates follow the original's card: shipped when it is done.
    assert store.feedback.get(copy)["card"] == key
    store.cards.move(key, status="done")
    assert {r["id"] for r in store.feedback.inbox("shipped")} == {original, copy, third}


def test_merging_an_original_moves_its_whole_count_on(store: Store) -> None:
    a, b, c = fb(store, reports=1), fb(store, reports=2), fb(store, reports=4)
    store.feedback.duplicate(a, of_feedback=b)  # b: 3
    store.feedback.duplicate(b, of_feedback=c)  # c: 4 + 3
    assert store.feedback.get(c)["reports"] == 7
    key = store.feedback.accept(c, "IT")["card"]
    assert store.cards.get(key)["reports"] == 7
    assert store.feedback.get(a)["card"] == key  # two merges deep
    # Reopening a takes its report back from every item it was counted on.
    store.feedback.reopen(a)
    assert [store.feedback.get(i)["reports"] for i in (a, b, c)] == [1, 2, 6]
    assert store.cards.get(key)["reports"] == 6


def test_duplicate_refuses_loops_and_unclear_targets(store: Store) -> None:
    a, b = fb(store), fb(store)
    store.feedback.duplicate(b, of_feedback=a)
    before = state_of(store)
    with pytest.raises(UserError, match="cannot duplicate itself"):
        store.feedback.duplicate(a, of_feedback=a)
    with pytest.raises(UserError, match=f"FB-{b} is already merged into FB-{a}"):
        store.feedback.duplicate(a, of_feedback=b)
    with pytest.raises(UserError, match="either a card"):
        store.feedback.duplicate(a)
    with pytest.raises(UserError, match="either a card"):
        store.feedback.duplicate(a, card="IT-1", of_feedback=b)
    with pytest.raises(NotFound, match="no card IT-99"):
        store.feedback.duplicate(a, card="IT-99")
    with pytest.raises(UserError, match="is not a card key"):
        store.feedback.duplicate(a, card="cart")
    assert state_of(store) == before


# -- decline, snooze, wake-up --------------------------------------------------------------


def test_decline_needs_a_one_line_reason(store: Store) -> None:
    ident = fb(store)
    for empty in ("", "  \n\t "):
        with pytest.raises(UserError, match="reason: must not be empty"):
            store.feedback.decline(ident, empty)
    row = store.feedback.decline(ident, "works as\ndesigned \x1b[31m")
    assert (row["state"], row["decline_reason"]) == ("declined", "works as designed [31m")


def test_snooze_until_a_later_day(store: Store) -> None:
    ident = fb(store)
    for bad, message in [
        ("2026-03-11", r"until: must be after today, 2026-03-11 \(got 2026-03-11\)"),
        ("2026-03-01", "must be after today"),
        ("20260320", "until: must be a date like 2026-03-20"),
        ("1773273600", "until: must be a date like"),
        ("next week", "until: must be a date like"),
    ]:
        with pytest.raises(UserError, match=message):
            store.feedback.snooze(ident, bad)
    row = store.feedback.snooze(ident, date(2026, 3, 13))
    assert (row["state"], row["snoozed_until"]) == ("snoozed", "2026-03-13")
    # Snoozing again moves the day; nothing is lost.
    assert store.feedback.snooze(ident, "2026-03-20")["snoozed_until"] == "2026-03-20"


def test_snoozed_item_comes_back_on_its_day(store: Store, later: Callable[[str], Store]) -> None:
    sleeper = fb(store, "Wrong VAT on invoice", category="payment")
    awake = fb(store, "Slow search")
    store.feedback.snooze(sleeper, "2026-03-13")
    assert [r["id"] for r in store.feedback.inbox("new")] == [awake]
    assert [r["id"] for r in store.feedback.inbox("snoozed")] == [sleeper]

    day_before = later("2026-03-12")
    assert day_before.feedback.wake_snoozed() == []
    assert day_before.feedback.count("snoozed") == 1

    on_the_day = later("2026-03-13")
    # Listed as new before anything wakes it, in triage order (payment is urgent).
    assert [r["id"] for r in on_the_day.feedback.inbox("new")] == [sleeper, awake]
    assert on_the_day.feedback.count("new") == 2
    assert on_the_day.feedback.count("snoozed") == 0
    entries = int(on_the_day.scalar("SELECT COUNT(*) FROM activity"))
    assert on_the_day.feedback.wake_snoozed() == [sleeper]
    woken = on_the_day.feedback.get(sleeper)
    assert (woken["state"], woken["snoozed_until"], woken["triaged_at"]) == ("new", None, None)
    log = on_the_day.rows("SELECT * FROM activity WHERE id > ? ORDER BY id", [entries])
    assert {e["action"] for e in log} == {"feedback.wake"}
    assert len({e["txn"] for e in log}) == 1
    assert {e["entity_key"] for e in log} == {f"FB-{sleeper}"}
    assert on_the_day.feedback.wake_snoozed() == []
    # `today` may be given instead of the clock.
    third = fb(store)
    store.feedback.snooze(third, "2026-03-12")
    assert store.feedback.wake_snoozed() == []
    assert store.feedback.count("new", today=at("2026-03-12")) == 3
    assert store.feedback.count("new", today="2026-03-12") == 3
    with pytest.raises(UserError, match="today: must be a date"):
        store.feedback.count("new", today="soon")
    assert store.feedback.wake_snoozed(date(2026, 3, 12)) == [third]


# -- reopen ----------------------------------------------------------------------------------


def test_reopen_puts_each_triaged_item_back_to_new(store: Store) -> None:
    accepted, declined, snoozed, merged = fb(store), fb(store), fb(store), fb(store)
    key = store.feedback.accept(accepted, "IT")["card"]
    store.feedback.decline(declined, "no")
    store.feedback.snooze(snoozed, "2026-04-01")
    store.feedback.duplicate(merged, card=key)
    for ident in (accepted, declined, snoozed, merged):
        row = store.feedback.reopen(ident)
        assert row["state"] == "new"
        assert (row["card"], row["card_id"], row["duplicate_of"]) == (None, None, None)
        assert (row["decline_reason"], row["snoozed_until"], row["triaged_at"]) == (
            None,
            None,
            None,
        )
    # The accepted item's card stays; it just no longer counts the feedback.
    assert store.cards.get(key)["feedback"] == 0
    with pytest.raises(UserError, match=f"feedback: FB-{accepted} is already new"):
        store.feedback.reopen(accepted)


# -- undo ------------------------------------------------------------------------------------


@pytest.fixture
def triaged(store: Store) -> Iterator[dict[str, Any]]:
    """A small inbox: a card, an accepted item, and new items to triage."""
    key = card(store, "Cart bug")
    ids = {name: fb(store, name, reports=2) for name in ("target", "subject", "other")}
    store.feedback.accept(ids["other"], "IT")
    yield {"key": key, **ids}


VERBS: dict[str, Callable[[Store, dict[str, Any]], Any]] = {
    "accept": lambda s, t: s.feedback.accept(t["subject"], "WH", title="Picked"),
    "duplicate-card": lambda s, t: s.feedback.duplicate(t["subject"], card=t["key"]),
    "duplicate-feedback": lambda s, t: s.feedback.duplicate(t["subject"], of_feedback=t["target"]),
    "decline": lambda s, t: s.feedback.decline(t["subject"], "not now"),
    "snooze": lambda s, t: s.feedback.snooze(t["subject"], "2026-03-20"),
    "reopen": lambda s, t: s.feedback.reopen(t["other"]),
}


@pytest.mark.parametrize("verb", sorted(VERBS))
def test_undo_restores_the_state_before_each_verb(
    store: Store, triaged: dict[str, Any], verb: str
) -> None:
    before = state_of(store)
    VERBS[verb](store, triaged)
    assert state_of(store) != before
    done = store.activity.undo()
    assert done["action"] == f"feedback.{verb.split('-')[0]}"
    assert state_of(store) == before


def test_every_triage_verb_is_one_logged_transaction(store: Store, triaged: dict[str, Any]) -> None:
    for verb in sorted(VERBS):
        if verb == "reopen":
            continue
        mark = int(store.scalar("SELECT MAX(id) FROM activity"))
        VERBS[verb](store, triaged)
        log = store.rows("SELECT txn, action FROM activity WHERE id > ?", [mark])
        assert len({e["txn"] for e in log}) == 1, verb
        assert {e["action"] for e in log} == {f"feedback.{verb.split('-')[0]}"}
        store.activity.undo()


# -- capture --------------------------------------------------------------------------------


def test_add_many_logs_each_item_and_undo_removes_them(store: Store) -> None:
    items = [Feedback(text=f"Bulk {i}", category=FeedbackCategory.CART) for i in range(5)]
    assert store.feedback.add_many(items) == 5
    assert store.feedback.add_many([]) == 0
    log = store.rows("SELECT * FROM activity WHERE action = 'feedback.import'")
    assert len(log) == 5 and {e["op"] for e in log} == {"create"}
    assert all(json.loads(e["after"])["text"].startswith("Bulk") for e in log)
    rows = store.feedback.list()
    assert all(r["urgent"] and r["received_at"] == NOW_STAMP for r in rows)
    store.activity.undo()
    assert store.feedback.list() == []


def test_received_times_are_stored_in_utc(store: Store) -> None:
    amsterdam = timezone(timedelta(hours=1))
    ident = fb(store, received_at=datetime(2026, 3, 10, 9, 15, tzinfo=amsterdam))
    assert store.feedback.get(ident)["received_at"] == "2026-03-10T08:15:00Z"
    naive = fb(store, received_at=datetime(2026, 3, 10, 9, 15))
    assert store.feedback.get(naive)["received_at"] == "2026-03-10T09:15:00Z"
    assert store.feedback.get(f"FB-{naive}")["id"] == naive


# -- command line -------------------------------------------------------------------------


def one_line_error(result: Any, *needles: str) -> None:
    assert result.code == 2, result
    assert result.err.startswith("error: ") and result.err.count("\n") == 1, result.err
    for needle in needles:
        assert needle in result.err, result.err


def test_cli_triage_verbs(cli: Any) -> None:
    for text, category in [("Checkout hangs", "checkout"), ("Dupe", "cart"), ("Meh", "site")]:
        assert cli("feedback", "add", text, "--category", category).code == 0
    assert cli("feedback", "add", "Later", "--reports", "2").code == 0

    accepted = cli("feedback", "accept", "FB-1", "--team", "IT", "--title", "Fix checkout hang")
    assert (accepted.code, accepted.out) == (0, "FB-1 accepted as IT-1\n")
    shown = json.loads(cli("card", "show", "IT-1", "--json").out)
    assert (shown["title"], shown["labels"], shown["feedback"]) == (
        "Fix checkout hang",
        ["feedback"],
        1,
    )
    merged = cli("feedback", "duplicate", "fb-2", "--card", "IT-1")
    assert merged.out == "FB-2 merged into IT-1\n"
    assert json.loads(cli("card", "show", "IT-1", "--json").out)["reports"] == 2
    assert cli("feedback", "decline", "3", "--reason", "out of scope").code == 0
    snoozed = cli("feedback", "snooze", "4", "--until", "2199-01-01", "--json")
    assert json.loads(snoozed.out)["snoozed_until"] == "2199-01-01"

    listed = json.loads(cli("feedback", "list", "--view", "declined", "--json").out)
    assert [(r["id"], r["decline_reason"]) for r in listed] == [(3, "out of scope")]
    assert [
        r["id"] for r in json.loads(cli("feedback", "list", "--view", "snoozed", "--json").out)
    ] == [4]
    table = cli("feedback", "list", "--view", "accepted")
    assert "AGE" in table.out and "IT-1" in table.out

    cli("card", "move", "IT-1", "done")
    shipped = json.loads(cli("feedback", "list", "--view", "shipped", "--json").out)
    assert [(r["id"], r["shipped"]) for r in shipped] == [(1, True), (2, True)]

    reopened = cli("feedback", "reopen", "1")
    assert reopened.out.startswith("FB-1 reopened (card IT-1 kept;")
    assert cli("undo").out == "undone: reopening of FB-1\n"


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (("feedback", "accept", "1"), ("--team",)),
        (("feedback", "accept", "9", "--team", "IT"), ("no feedback FB-9",)),
        (("feedback", "accept", "1", "--team", "ZZ"), ("team:",)),
        (("feedback", "accept", "1", "--team", "IT", "--sprint", "S9"), ("sprint:",)),
        (("feedback", "accept", "1", "--team", "IT", "--title", " "), ("title:",)),
        (("feedback", "duplicate", "1"), ("--card KEY or --of ID",)),
        (("feedback", "duplicate", "1", "--card", "IT-1", "--of", "2"), ("--card KEY or --of",)),
        (("feedback", "duplicate", "1", "--of", "1"), ("cannot duplicate itself",)),
        (("feedback", "decline", "1"), ("--reason",)),
        (("feedback", "decline", "1", "--reason", ""), ("reason: must not be empty",)),
        (("feedback", "snooze", "1", "--until", "someday"), ("until: must be a date",)),
        (("feedback", "snooze", "1", "--until", "2001-01-01"), ("until: must be after today",)),
        (("feedback", "reopen", "1"), ("already new",)),
        (("feedback", "list", "--view", "all"), ("--view",)),
        (("feedback", "list", "--view", "new", "--state", "new"), ("not both",)),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(
    cli: Any, args: tuple[str, ...], needles: tuple[str, ...]
) -> None:
    cli("feedback", "add", "Cart empty")
    cli("feedback", "add", "Cart empty again")
    one_line_error(cli(*args), *needles)
    assert json.loads(cli("feedback", "show", "1", "--json").out)["state"] == "new"


def test_cli_refuses_accepting_twice(cli: Any) -> None:
    cli("feedback", "add", "Cart empty")
    cli("feedback", "accept", "1", "--team", "IT")
    one_line_error(
        cli("feedback", "accept", "1", "--team", "WH"), "already accepted as IT-1", "reopen"
    )
    assert json.loads(cli("card", "list", "--json").out)[0]["key"] == "IT-1"
    assert len(json.loads(cli("card", "list", "--json").out)) == 1


def test_cli_list_wakes_snoozes_that_are_due(cli: Any, db_path: Path) -> None:
    # Snoozed long ago (a store whose clock says 2020): due on any later day.
    with Store(db_path, clock=frozen_clock(datetime(2020, 1, 1, tzinfo=UTC))) as old:
        ident = fb(old)
        old.feedback.snooze(ident, "2020-01-02")
    listed = json.loads(cli("feedback", "list", "--view", "new", "--json").out)
    assert [(r["id"], r["state"], r["snoozed_until"]) for r in listed] == [(ident, "new", None)]
    with Store(db_path) as check:
        actions = [r["action"] for r in check.rows("SELECT action FROM activity ORDER BY id")]
    assert actions[-1] == "feedback.wake"
