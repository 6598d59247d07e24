"""The plan as an iCalendar file: sprints as all-day events, card due dates as to-dos.

UIDs are `<uuid>@sprintboard` (the record's uuid), so importing a newer export into a
calendar updates the entries instead of adding them twice.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from icalendar import Calendar, Event, Todo

from sprintboard import __version__
from sprintboard.errors import UserError
from sprintboard.store import Store
from sprintboard.vocabulary import Priority, on_one_line, sprint_span, stored_day

PRODID = f"-//sprintboard//sprintboard {__version__}//EN"
UID_DOMAIN = "sprintboard"

_TODO_STATUS = {
    "backlog": "NEEDS-ACTION",
    "todo": "NEEDS-ACTION",
    "doing": "IN-PROCESS",
    "review": "IN-PROCESS",
    "done": "COMPLETED",
}
# iCalendar: 1 is the highest priority, 9 the lowest.
_ICS_PRIORITY = {Priority.URGENT: 1, Priority.HIGH: 3, Priority.MEDIUM: 5, Priority.LOW: 9}


def uid(record_uuid: str) -> str:
    return f"{record_uuid}@{UID_DOMAIN}"


def _stamp(text: str | None) -> datetime | None:
    """A stored UTC timestamp (YYYY-MM-DDTHH:MM:SSZ) as an aware datetime."""
    if not text:
        return None
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def plan_calendar(
    store: Store, sprint: dict[str, Any] | None = None, *, whole: bool = True
) -> bytes:
    """Every sprint and every card with a due date (`whole`), or one sprint and its cards'
    due dates (`sprint`; None with whole=False is the backlog)."""
    now = _stamp(store.now())
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "sprintboard" if whole else f"sprintboard: {_name(sprint)}")
    if whole:
        sprints = store.sprints.list()
        cards = store.cards.query()
    else:
        sprints = [sprint] if sprint is not None else []
        cards = store.cards.query(sprint=None if sprint is None else sprint["id"])
    # Dates stored out of range (before dates were checked) are left out, not fatal.
    for row in sprints:
        if _span(row) is not None:
            cal.add_component(_sprint_event(row, now))
    for card in cards:
        if stored_day(card["due"]) is not None:
            cal.add_component(_card_todo(card, now))
    return bytes(cal.to_ical())


def _span(sprint: dict[str, Any]) -> tuple[date, date] | None:
    try:
        return sprint_span(sprint)
    except UserError:
        return None


def _name(sprint: dict[str, Any] | None) -> str:
    return "backlog" if sprint is None else str(sprint["name"])


def _sprint_event(sprint: dict[str, Any], now: datetime | None) -> Event:
    event = Event()
    event.add("uid", uid(sprint["uuid"]))
    event.add("dtstamp", now)
    event.add("summary", sprint["name"])
    start, end = sprint_span(sprint)
    event.add("dtstart", start)
    # All-day events end on the day after their last day (DTEND is exclusive).
    event.add("dtend", end + timedelta(days=1))
    description = [f"Sprint goal: {sprint['goal']}"] if sprint["goal"] else []
    description.append(f"State: {sprint['state']}")
    if "cards" in sprint:
        description.append(f"Cards: {sprint['cards']}, points: {sprint['points']}")
    event.add("description", "\n".join(description))
    event.add("transp", "TRANSPARENT")  # a sprint does not make anyone busy
    return event


def _card_todo(card: dict[str, Any], now: datetime | None) -> Todo:
    todo = Todo()
    todo.add("uid", uid(card["uuid"]))
    todo.add("dtstamp", now)
    # Titles are stored as given; a calendar shows the summary on one line.
    todo.add("summary", f"{card['key']} {on_one_line(card['title'])}")
    todo.add("due", stored_day(card["due"]))
    todo.add("status", _TODO_STATUS[card["status"]])
    todo.add("priority", _ICS_PRIORITY[Priority(card["priority"])])
    todo.add("categories", list(card["teams"]))
    if card["description"]:
        todo.add("description", card["description"])
    changed = _stamp(card["updated_at"])
    if changed is not None:
        todo.add("last-modified", changed)
    done = _stamp(card["done_at"])
    if card["status"] == "done" and done is not None:
        todo.add("completed", done)
    return todo
