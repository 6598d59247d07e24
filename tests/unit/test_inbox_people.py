"""The inbox names the person who triaged each item, from the activity log."""

from __future__ import annotations

from pathlib import Path

from conftest import NOW
from sprintboard.models import Feedback, Member
from sprintboard.planning.triage import inbox_item
from sprintboard.store import Store, frozen_clock
from sprintboard.vocabulary import FeedbackCategory
from sprintboard.widgets.inbox_list import InboxDetail


def test_each_triaged_item_names_who_triaged_it(store: Store, db_path: Path) -> None:
    store.members.add(Member(team="CS", name="Fatima El Amrani"))
    first = store.feedback.add(
        Feedback(text="Checkout fails with PayPal", category=FeedbackCategory.CHECKOUT)
    )
    second = store.feedback.add(
        Feedback(text="[bold]Parcel[/] late 📦", category=FeedbackCategory.SHIPPING)
    )
    untouched = store.feedback.add(Feedback(text="Nice shop", category=FeedbackCategory.SITE))
    with Store(db_path, clock=frozen_clock(NOW), actor="fatima el amrani") as fatima:
        fatima.feedback.accept(first["id"], "IT")
    with Store(db_path, clock=frozen_clock(NOW), actor="Piet (agency)") as piet:
        piet.feedback.decline(second["id"], "carrier issue, not ours")
    accepted = {r["id"]: r for r in store.feedback.inbox("accepted")}
    declined = {r["id"]: r for r in store.feedback.inbox("declined")}
    new = {r["id"]: r for r in store.feedback.inbox("new")}
    assert accepted[first["id"]]["triaged_by"] == "Fatima El Amrani"
    assert declined[second["id"]]["triaged_by"] == "Piet (agency)"
    assert new[untouched["id"]]["triaged_by"] == ""

    lines = {
        item_id: InboxDetail.state_line(inbox_item(row, NOW.date())).plain
        for item_id, row in (accepted | declined | new).items()
    }
    assert lines[first["id"]].startswith("accepted as IT-1 (")
    assert "by Fatima El Amrani · enter opens the card" in lines[first["id"]]
    assert lines[second["id"]] == "declined by Piet (agency): carrier issue, not ours"
    assert lines[untouched["id"]].startswith("new · a accept")
