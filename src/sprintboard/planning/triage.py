"""The feedback inbox as pure logic: triage order, ageing and views, from rows and a day.

The store hands out feedback rows (`Store.feedback.inbox()`, `.list()`, `.get()`); this module
turns them into what the inbox screen and `sprintboard feedback list` show, given `today`.
Nothing here reads a clock or a database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from sprintboard.errors import UserError
from sprintboard.vocabulary import FIRST_DAY, URGENT_CATEGORIES, stored_day, summary_line

VIEWS = ("new", "snoozed", "accepted", "shipped", "informed", "declined", "duplicate")
"""The inbox's views, in tab order; every item is in exactly one of them."""


class AgeLevel(StrEnum):
    """How overdue an untriaged item is: the inbox colours its age by this."""

    OK = "ok"
    AMBER = "amber"
    RED = "red"


@dataclass(frozen=True)
class AgeLimits:
    """Ages in days at which an untriaged item turns amber, then red (Settings holds them)."""

    amber_days: int = 2
    red_days: int = 5


@dataclass(frozen=True)
class InboxItem:
    """One feedback item as the inbox shows it."""

    id: int
    title: str
    """The text's first line, trimmed: the list row shows this."""
    text: str
    category: str
    source: str
    customer: str
    reported_by: str
    received_at: str
    reports: int
    urgent: bool
    state: str
    """The triage state as it is today (a snooze whose day has come reads `new`)."""
    view: str
    age_days: int
    age_level: AgeLevel
    snoozed_until: str | None
    decline_reason: str | None
    card: str | None
    card_status: str | None
    shipped: bool
    wake_due: bool
    """Snoozed in the database, but its day has come: `wake_snoozed()` will make it new."""
    triaged_by: str = ""
    """Who last changed its triage state ('' when nobody has, or it is not known)."""
    informed_by: str = ""
    """Who told the customer the fix shipped ('' while nobody has)."""
    informed_at: str | None = None
    """When the customer was told (None while nobody has)."""

    @property
    def key(self) -> str:
        """The item's name everywhere: `FB-12`."""
        return f"FB-{self.id}"


def _day(value: date | str) -> date:
    # A day stored out of range (before dates were checked) reads as the earliest day:
    # the item shows as old and stays in the inbox instead of breaking it.
    return stored_day(value) or FIRST_DAY


def is_urgent(row: Mapping[str, Any]) -> bool:
    """Checkout, cart and payment feedback is urgent (the stored flag, else the category)."""
    if row.get("urgent") is not None:
        return bool(row["urgent"])
    return row.get("category") in URGENT_CATEGORIES


def triage_key(row: Mapping[str, Any]) -> tuple[int, int, str, int]:
    """Sort key of the inbox order: urgent first, then the most reported, then the oldest.

    The same order as the store's SQL (`ORDER BY urgent DESC, reports DESC, received_at, id`).
    """
    return (0 if is_urgent(row) else 1, -int(row["reports"]), row["received_at"], int(row["id"]))


def sort_inbox(rows: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Rows in triage order."""
    return sorted(rows, key=triage_key)


def snooze_due(row: Mapping[str, Any], today: date | str) -> bool:
    """A snoozed item is back on its until-day."""
    until = row.get("snoozed_until")
    return row["state"] == "snoozed" and until is not None and _day(until) <= _day(today)


def effective_state(row: Mapping[str, Any], today: date | str) -> str:
    """The triage state as of `today`: a due snooze counts as new even before it is woken."""
    return "new" if snooze_due(row, today) else str(row["state"])


def view_of(row: Mapping[str, Any], today: date | str) -> str:
    """The one view an item belongs in.

    Accepted and duplicate items whose (linked or inherited) card is done are `shipped`:
    Customer Service can tell the customer; once someone has (`informed_at`), `informed`.
    """
    state = effective_state(row, today)
    if state in ("accepted", "duplicate") and row.get("informed_at"):
        return "informed"
    if state in ("accepted", "duplicate") and row.get("card_status") == "done":
        return "shipped"
    return state


def age_days(received_at: str, today: date | str) -> int:
    """Whole days from the day it was received to `today` (never negative)."""
    return max(0, (_day(today) - _day(received_at)).days)


def age_level(days: int, limits: AgeLimits = AgeLimits()) -> AgeLevel:
    if days >= limits.red_days:
        return AgeLevel.RED
    if days >= limits.amber_days:
        return AgeLevel.AMBER
    return AgeLevel.OK


def inbox_item(
    row: Mapping[str, Any], today: date | str, limits: AgeLimits = AgeLimits()
) -> InboxItem:
    """One row as the inbox shows it. Only items waiting for triage (view `new`) age."""
    view = view_of(row, today)
    days = age_days(row["received_at"], today)
    return InboxItem(
        id=int(row["id"]),
        title=summary_line(row["text"]) or f"Customer feedback FB-{row['id']}",
        text=row["text"],
        category=row["category"],
        source=row["source"],
        customer=row.get("customer") or "",
        reported_by=row.get("reported_by") or "",
        received_at=row["received_at"],
        reports=int(row["reports"]),
        urgent=is_urgent(row),
        state=effective_state(row, today),
        view=view,
        age_days=days,
        age_level=age_level(days, limits) if view == "new" else AgeLevel.OK,
        snoozed_until=row.get("snoozed_until"),
        decline_reason=row.get("decline_reason"),
        card=row.get("card"),
        card_status=row.get("card_status"),
        shipped=view == "shipped",
        wake_due=snooze_due(row, today),
        triaged_by=row.get("triaged_by") or "",
        informed_by=row.get("informed_by") or "",
        informed_at=row.get("informed_at"),
    )


def inbox_items(
    rows: Iterable[Mapping[str, Any]],
    today: date | str,
    limits: AgeLimits = AgeLimits(),
    *,
    view: str | None = None,
) -> list[InboxItem]:
    """View-ready items in triage order; with `view`, only the items in that view."""
    if view is not None and view not in VIEWS:
        raise UserError(f"view: must be one of {', '.join(VIEWS)} (got {view!r})")
    items = (inbox_item(row, today, limits) for row in sort_inbox(rows))
    return [item for item in items if view is None or item.view == view]


def view_counts(items: Iterable[InboxItem]) -> dict[str, int]:
    """How many items each view holds (every view present, in tab order)."""
    counts = dict.fromkeys(VIEWS, 0)
    for item in items:
        counts[item.view] += 1
    return counts
