"""The inbox's pure logic: triage order, ageing, views (planning/triage.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from sprintboard.config import Settings
from sprintboard.errors import UserError
from sprintboard.planning.triage import (
    VIEWS,
    AgeLevel,
    AgeLimits,
    age_days,
    age_level,
    effective_state,
    inbox_items,
    sort_inbox,
    view_counts,
    view_of,
)
from sprintboard.vocabulary import summary_line

TODAY = date(2026, 3, 11)


def row(ident: int, **fields: Any) -> dict[str, Any]:
    """A feedback row as the store returns it (defaults: new, non-urgent, 1 report)."""
    base: dict[str, Any] = {
        "id": ident,
        "text": f"Feedback {ident}",
        "category": "product",
        "source": "email",
        "customer": "",
        "reported_by": "",
        "received_at": "2026-03-10T09:00:00Z",
        "reports": 1,
        "urgent": False,
        "state": "new",
        "snoozed_until": None,
        "decline_reason": None,
        "card": None,
        "card_status": None,
        "shipped": False,
    }
    base.update(fields)
    if "category" in fields and "urgent" not in fields:
        base["urgent"] = fields["category"] in ("checkout", "cart", "payment")
    return base


def test_urgent_first_then_most_reported_then_oldest() -> None:
    rows = [
        row(1, category="product", reports=9, received_at="2026-03-01T08:00:00Z"),
        row(2, category="cart", reports=1, received_at="2026-03-10T08:00:00Z"),
        row(3, category="checkout", reports=4, received_at="2026-03-09T08:00:00Z"),
        row(4, category="payment", reports=4, received_at="2026-03-05T08:00:00Z"),
        row(5, category="shipping", reports=9, received_at="2026-02-01T08:00:00Z"),
        row(6, category="payment", reports=4, received_at="2026-03-05T08:00:00Z"),
    ]
    # 4 and 6 tie on everything but the id: the lower id (older record) first.
    assert [r["id"] for r in sort_inbox(rows)] == [4, 6, 3, 2, 5, 1]


def test_urgency_falls_back_to_the_category_when_the_flag_is_missing() -> None:
    rows = [row(1, reports=5), row(2, category="cart", urgent=None)]
    assert [r["id"] for r in sort_inbox(rows)] == [2, 1]


@pytest.mark.parametrize(
    ("received", "days", "level"),
    [
        ("2026-03-11T23:59:00Z", 0, AgeLevel.OK),
        ("2026-03-10T00:00:00Z", 1, AgeLevel.OK),
        ("2026-03-09T12:00:00Z", 2, AgeLevel.AMBER),
        ("2026-03-07T12:00:00Z", 4, AgeLevel.AMBER),
        ("2026-03-06T12:00:00Z", 5, AgeLevel.RED),
        ("2025-12-01T12:00:00Z", 100, AgeLevel.RED),
        ("2026-03-20T12:00:00Z", 0, AgeLevel.OK),  # a clock that ran ahead: never negative
    ],
)
def test_ageing_with_default_limits(received: str, days: int, level: AgeLevel) -> None:
    assert age_days(received, TODAY) == days
    assert age_level(days) == level


def test_ageing_limits_are_configurable() -> None:
    limits = AgeLimits(amber_days=1, red_days=3)
    assert [age_level(d, limits) for d in range(5)] == [
        AgeLevel.OK,
        AgeLevel.AMBER,
        AgeLevel.AMBER,
        AgeLevel.RED,
        AgeLevel.RED,
    ]
    # Equal limits: straight from ok to red.
    assert age_level(2, AgeLimits(2, 2)) == AgeLevel.RED


def test_ageing_limits_come_from_the_config_file(tmp_path: Path) -> None:
    assert (Settings().feedback_amber_days, Settings().feedback_red_days) == (2, 5)
    path = tmp_path / "config.toml"
    path.write_text("feedback_amber_days = 1\nfeedback_red_days = 3\n", encoding="utf-8")
    settings = Settings.load(path)
    assert (settings.feedback_amber_days, settings.feedback_red_days) == (1, 3)
    settings.save(path)
    assert Settings.load(path).feedback_red_days == 3
    path.write_text("feedback_amber_days = 6\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"feedback_red_days \(5\) must be at least"):
        Settings.load(path)


def test_only_items_waiting_for_triage_age() -> None:
    old = "2026-02-01T08:00:00Z"
    items = inbox_items(
        [
            row(1, received_at=old),
            row(2, received_at=old, state="declined", decline_reason="no"),
            row(3, received_at=old, state="snoozed", snoozed_until="2026-03-20"),
            row(4, received_at=old, state="snoozed", snoozed_until="2026-03-11"),
        ],
        TODAY,
    )
    levels = {item.id: (item.age_days, item.age_level) for item in items}
    assert levels == {
        1: (38, AgeLevel.RED),
        2: (38, AgeLevel.OK),
        3: (38, AgeLevel.OK),
        4: (38, AgeLevel.RED),  # its snooze is over: waiting again
    }


def test_a_snooze_is_new_again_on_its_day_even_before_waking() -> None:
    snoozed = row(1, state="snoozed", snoozed_until="2026-03-12")
    assert effective_state(snoozed, TODAY) == "snoozed"
    assert view_of(snoozed, "2026-03-11") == "snoozed"
    assert view_of(snoozed, date(2026, 3, 12)) == "new"
    assert view_of(snoozed, "2026-04-01") == "new"
    (item,) = inbox_items([snoozed], date(2026, 3, 12))
    assert (item.state, item.view, item.wake_due) == ("new", "new", True)
    (item,) = inbox_items([snoozed], TODAY)
    assert (item.state, item.view, item.wake_due) == ("snoozed", "snoozed", False)


@pytest.mark.parametrize(
    ("fields", "view"),
    [
        ({}, "new"),
        ({"state": "accepted", "card": "IT-1", "card_status": "doing"}, "accepted"),
        ({"state": "accepted", "card": "IT-1", "card_status": "done"}, "shipped"),
        ({"state": "duplicate", "card": "IT-1", "card_status": "done"}, "shipped"),
        ({"state": "duplicate", "card": "IT-1", "card_status": "review"}, "duplicate"),
        ({"state": "duplicate", "card": None, "card_status": None}, "duplicate"),
        ({"state": "accepted", "card": None, "card_status": None}, "accepted"),  # card deleted
        ({"state": "declined", "decline_reason": "won't fix"}, "declined"),
    ],
)
def test_each_item_is_in_exactly_one_view(fields: dict[str, Any], view: str) -> None:
    assert view_of(row(1, **fields), TODAY) == view
    (item,) = inbox_items([row(1, **fields)], TODAY)
    assert item.view == view
    assert item.shipped == (view == "shipped")


def test_views_filter_and_count() -> None:
    rows = [
        row(1),
        row(2, category="cart"),
        row(3, state="declined", decline_reason="no"),
        row(4, state="accepted", card="IT-1", card_status="done"),
        row(5, state="snoozed", snoozed_until="2026-03-01"),
    ]
    new = inbox_items(rows, TODAY, view="new")
    assert [i.id for i in new] == [2, 1, 5]
    counts = view_counts(inbox_items(rows, TODAY))
    assert list(counts) == list(VIEWS)
    assert counts == {
        "new": 3,
        "snoozed": 0,
        "accepted": 0,
        "shipped": 1,
        "informed": 0,
        "declined": 1,
        "duplicate": 0,
    }
    with pytest.raises(UserError, match="view: must be one of"):
        inbox_items(rows, TODAY, view="inbox")


def test_item_title_is_the_first_line_and_text_stays_literal() -> None:
    text = "\n  [bold]Cart[/bold] shows   €0,00  \nsecond line"
    (item,) = inbox_items([row(1, text=text)], TODAY)
    assert item.title == "[bold]Cart[/bold] shows €0,00"
    assert item.text == text


def test_summary_line_cuts_long_lines_at_a_word() -> None:
    long = "The checkout button " + "really " * 20 + "does nothing"
    cut = summary_line(long)
    assert len(cut) <= 80
    assert cut.endswith("really…")
    assert summary_line("x" * 200, width=10) == "x" * 9 + "…"
    assert summary_line("\n \n") == ""
    assert summary_line("short") == "short"
