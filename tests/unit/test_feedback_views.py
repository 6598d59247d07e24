"""The feedback inbox's views and its text filter, read from the store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from feedback_fixtures import (
    card,
    fb,
)

from conftest import NOW
from sprintboard.errors import UserError
from sprintboard.models import Card, Feedback
from sprintboard.planning import triage
from sprintboard.store import Store
from sprintboard.store.feedback import VIEWS
from sprintboard.vocabulary import FeedbackCategory

pytest_plugins = ["feedback_fixtures"]  # its fixtures: later

# -- views -------------------------------------------------------------------------------------


def fill(store: Store, n: int = 40) -> None:
    """Items of every category, report count, age and triage state."""
    categories = ["checkout", "cart", "payment", "shipping", "product", "site"]
    items = [
        Feedback(
            text=f"Item {i}",
            category=FeedbackCategory(categories[i % 6]),
            reports=1 + i % 4,
            received_at=NOW - timedelta(days=i % 7, hours=i),
        )
        for i in range(n)
    ]
    store.feedback.add_many(items)
    key = card(store)
    done = card(store, "Done card")
    store.cards.move(done, status="done")
    for i in range(1, n + 1):
        if i % 5 == 1:
            store.feedback.decline(i, "no")
        elif i % 5 == 2:
            store.feedback.snooze(i, "2026-03-12" if i % 2 else "2026-03-30")
        elif i % 5 == 3:
            store.feedback.duplicate(i, card=key if i % 2 else done)
        elif i % 10 == 4:
            store.feedback.accept(i, "IT")


def test_views_follow_the_triage_order_and_split_the_inbox(
    store: Store, later: Callable[[str], Store]
) -> None:
    fill(store)
    on_day = later("2026-03-12")  # some snoozes are due, not yet woken
    everything = on_day.feedback.list()
    seen: list[int] = []
    for view in VIEWS:
        rows = on_day.feedback.inbox(view)
        assert rows == [dict(r) for r in triage.sort_inbox(rows)], view
        expected = triage.inbox_items(everything, "2026-03-12", view=view)
        assert [r["id"] for r in rows] == [item.id for item in expected], view
        assert on_day.feedback.count(view) == len(rows)
        seen += [r["id"] for r in rows]
    assert sorted(seen) == [r["id"] for r in sorted(everything, key=lambda r: r["id"])]
    counts = on_day.feedback.counts()
    assert list(counts) == list(VIEWS)
    assert counts == triage.view_counts(triage.inbox_items(everything, "2026-03-12"))
    assert all(counts[v] for v in ("new", "snoozed", "declined", "duplicate", "shipped"))
    assert tuple(triage.VIEWS) == VIEWS


@pytest.mark.parametrize("view", VIEWS)
def test_pages_put_together_are_the_whole_view(
    store: Store, later: Callable[[str], Store], view: str
) -> None:
    fill(store)
    on_day = later("2026-03-12")
    whole = [r["id"] for r in on_day.feedback.inbox(view)]
    paged: list[int] = []
    for offset in range(0, len(whole) + 3, 3):
        paged += [r["id"] for r in on_day.feedback.inbox(view, offset=offset, limit=3)]
    assert paged == whole
    carts = on_day.feedback.inbox(view, category="cart")
    assert [r["id"] for r in carts] == [
        r["id"] for r in on_day.feedback.inbox(view) if r["category"] == "cart"
    ]
    assert on_day.feedback.count(view, category="cart") == len(carts)


def test_shipped_when_the_linked_card_is_done(store: Store) -> None:
    ident = fb(store, "Checkout broken", category="checkout")
    key = store.feedback.accept(ident, "IT")["card"]
    assert [r["id"] for r in store.feedback.inbox("accepted")] == [ident]
    assert store.feedback.inbox("accepted")[0]["card_status"] == "backlog"
    store.cards.move(key, status="done")
    assert store.feedback.inbox("accepted") == []
    (shipped,) = store.feedback.inbox("shipped")
    assert (shipped["id"], shipped["card_status"], shipped["shipped"]) == (ident, "done", True)
    store.cards.move(key, status="review")  # reopened work: not shipped any more
    assert store.feedback.inbox("shipped") == []


def test_an_unknown_view_is_refused(store: Store) -> None:
    with pytest.raises(UserError, match="view: must be one of new, snoozed"):
        store.feedback.inbox("all")
    with pytest.raises(UserError, match="view: must be one of"):
        store.feedback.count("inbox")


def test_the_new_view_walks_the_inbox_index(store: Store) -> None:
    fill(store)
    plan = store.rows(
        "EXPLAIN QUERY PLAN SELECT f.id FROM feedback f WHERE f.state = 'new'"
        " ORDER BY f.urgent DESC, f.reports DESC, f.received_at, f.id LIMIT 200"
    )
    details = " ".join(p["detail"] for p in plan)
    assert "feedback_inbox" in details
    assert "TEMP B-TREE" not in details


# -- the text filter ----------------------------------------------------------------------------


def ids(rows: list[dict[str, Any]]) -> list[int]:
    return [r["id"] for r in rows]


def matches(row: dict[str, Any], needle: str) -> bool:
    """The inbox's text filter as the screen once ran it in Python (for ASCII text)."""
    fields = (row["text"], row["customer"], row["reported_by"], row["card"] or "")
    return any(needle.casefold() in v.casefold() for v in (*fields, f"FB-{row['id']}"))


def test_text_filter_looks_in_text_customer_reporter_card_and_id(store: Store) -> None:
    coupon = fb(store, "The COUPON code SPRING20 says expired", category="cart")
    by_name = fb(store, "Parcel late", customer="Anna de Coupon-Vries")
    reporter = fb(store, "Slow site", reported_by="coupon desk")
    other = fb(store, "Nothing to see", customer="Bob", reported_by="CS")
    accepted = fb(store, "Size guide missing")
    key = store.feedback.accept(accepted, "CNT")["card"]
    merged = fb(store, "Size guide still missing")  # inherits the card of what it duplicates
    store.feedback.duplicate(merged, of_feedback=accepted)
    feedback = store.feedback

    assert ids(feedback.inbox("new", text="coupon")) == [coupon, by_name, reporter]
    assert ids(feedback.inbox("new", text="CouPon")) == [coupon, by_name, reporter]  # any case
    assert ids(feedback.inbox("new", text="SPRING20 says")) == [coupon]  # anywhere in it
    assert ids(feedback.inbox("new", text="bob")) == [other]
    assert feedback.inbox("new", text="nowhere") == []
    # A card's key (its own or the one its original became), and `FB-id`.
    assert ids(feedback.inbox("accepted", text=key.lower())) == [accepted]
    assert ids(feedback.inbox("duplicate", text=key)) == [merged]
    assert feedback.inbox("new", text=key) == []
    assert ids(feedback.inbox("new", text=f"FB-{other}")) == [other]
    assert ids(feedback.inbox("new", text=f"fb-{other}")) == [other]
    # No text is no filter.
    assert ids(feedback.inbox("new", text="")) == ids(feedback.inbox("new"))
    assert ids(feedback.inbox("new", text=None)) == ids(feedback.inbox("new"))


def test_text_filter_takes_percent_underscore_and_backslash_literally(store: Store) -> None:
    percent = fb(store, "100% broken")
    hundred = fb(store, "100 euros broken")
    under = fb(store, "field a_b is empty")
    axb = fb(store, "field axb is empty")
    slash = fb(store, "path C:\\shop\\cart fails")
    plain = fb(store, "path Cshopcart fails")

    def found(needle: str) -> list[int]:
        return sorted(ids(store.feedback.inbox("new", text=needle)))

    assert found("%") == [percent]
    assert found("100%") == [percent]
    assert found("100") == [percent, hundred]
    assert found("_") == [under]
    assert found("a_b") == [under]
    assert found("\\") == [slash]
    assert found("c:\\shop") == [slash]
    assert found("cshop") == [plain]
    assert found("%_\\") == []
    assert axb not in found("a_")
    assert store.feedback.count("new", text="_") == 1
    assert store.feedback.counts(text="%")["new"] == 1


def test_text_filter_ignores_case_beyond_ascii(store: Store) -> None:
    # SQLite's LIKE folds ASCII letters only; customers are called Émile and Øyvind.
    emile = fb(store, "Klantenservice belde niet terug", customer="Émile Dubois")
    oyvind = fb(store, "ÆRGERLIG: levering kwam niet", customer="Øyvind")
    weiss = fb(store, "Die STRAẞE fehlt im Adressfeld")
    plain = fb(store, "emile@example.com never got the mail")

    def found(needle: str) -> list[int]:
        return sorted(ids(store.feedback.inbox("new", text=needle)))

    assert found("émile") == [emile]
    assert found("ÉMILE") == [emile]
    assert found("øyvind") == [oyvind]
    assert found("ærgerlig") == [oyvind]
    assert found("straße") == [weiss]  # ẞ and ß fold alike
    assert found("%é") == []  # still literal
    assert found("emile") == [plain]  # no accent, no match: folding is not stripping
    assert store.feedback.counts(text="Émile")["new"] == 1


def test_card_text_filter_ignores_case_beyond_ascii(store: Store) -> None:
    from sprintboard.models import validate

    added = store.cards.add(
        validate(Card, {"title": "Übersetzung der Größentabelle", "team": "CNT"})
    )
    assert [c["key"] for c in store.cards.query(text="größentabelle")] == [added["key"]]
    assert [c["key"] for c in store.cards.query(text="ÜBERSETZUNG")] == [added["key"]]
    assert store.cards.query(text="grossentabelle") == []


def test_text_filter_pages_and_counts_every_view(
    store: Store, later: Callable[[str], Store]
) -> None:
    fill(store, 60)  # texts "Item 0" .. "Item 59": "item 1" matches 1, 10..19
    on_day = later("2026-03-12")  # some snoozes are due: the new view is two walks
    feedback = on_day.feedback
    for needle in ("item 1", "ITEM 2", "FB-3", "fb-3", "IT-"):
        for view in VIEWS:
            whole = feedback.inbox(view)
            expected = [r["id"] for r in whole if matches(r, needle)]
            assert ids(feedback.inbox(view, text=needle)) == expected, (needle, view)
            # Walking the index, or (told how many match) reading the table and sorting.
            for matching in (None, len(expected)):
                paged: list[int] = []
                for offset in range(0, len(expected) + 2, 2):
                    paged += ids(
                        feedback.inbox(view, text=needle, offset=offset, limit=2, matching=matching)
                    )
                assert paged == expected, (needle, view, matching)
            assert feedback.count(view, text=needle) == len(expected), (needle, view)
            carts = [r["id"] for r in whole if matches(r, needle) and r["category"] == "cart"]
            assert ids(feedback.inbox(view, category="cart", text=needle)) == carts
            assert feedback.count(view, category="cart", text=needle) == len(carts)
        counts = feedback.counts(text=needle)
        assert counts == {v: feedback.count(v, text=needle) for v in VIEWS}, needle
        assert counts != feedback.counts()
        assert feedback.counts(category="cart", text=needle) == {
            v: feedback.count(v, category="cart", text=needle) for v in VIEWS
        }
    assert sum(feedback.counts(text="item 1").values()) == 11  # 1, 10..19 across the views
    assert feedback.counts(category="cart") == {
        v: feedback.count(v, category="cart") for v in VIEWS
    }


def test_the_text_filter_still_walks_the_inbox_index(store: Store) -> None:
    fill(store)
    rows = store.feedback.inbox("new", text="item", limit=5)
    assert len(rows) == 5
    parts, params = store.feedback._parts("new", None, None, "item")
    plan = store.feedback.core.conn.execute(
        f"EXPLAIN QUERY PLAN {parts[0]} ORDER BY f.urgent DESC, f.reports DESC,"
        " f.received_at, f.id LIMIT 200",
        params,
    )
    details = " ".join(str(p[-1]) for p in plan)
    assert "feedback_inbox" in details and "TEMP B-TREE" not in details
