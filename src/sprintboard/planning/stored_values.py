"""The `stored-range` check: dates a database holds from before dates were checked.

Readers skip such values (a chart refuses the sprint, the calendar leaves it out, the
inbox reads the day as very old); this check names each one so it can be fixed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

from sprintboard.errors import UserError
from sprintboard.planning.findings import Finding, Severity
from sprintboard.vocabulary import FIRST_DAY, LAST_DAY, sprint_span, stored_day


class StoredPlan(Protocol):
    """What this check reads of the checks' `Plan`."""

    sprint: str | None
    sprints: list[dict[str, Any]]
    cards: list[dict[str, Any]]
    feedback: list[dict[str, Any]]


_ALLOWED = f"dates go from {FIRST_DAY} to {LAST_DAY}"


def check_stored_range(plan: StoredPlan) -> Iterator[Finding]:
    """A sprint, a card's due date or a feedback item holds a date out of range (stored
    before dates were checked); charts and calendars skip it until it is fixed."""
    for sprint in plan.sprints:
        if plan.sprint is not None and sprint["name"] != plan.sprint:
            continue
        try:
            sprint_span(sprint)
        except UserError:
            yield Finding(
                Severity.ERROR,
                "stored-range",
                (),
                f"stored dates {sprint['start']} to {sprint['end']} are not a sprint "
                f"({_ALLOWED}, at most a year); fix with 'sprint edit'",
                subject=str(sprint["name"]),
                fix=f"set dates from {FIRST_DAY} to {LAST_DAY} with 'sprint edit'",
            )
    for card in plan.cards:
        if card.get("due") and stored_day(card["due"]) is None:
            yield Finding(
                Severity.WARNING,
                "stored-range",
                (str(card["key"]),),
                f"due date {card['due']} is out of range ({_ALLOWED}); fix with 'card edit'",
                fix="set a due date in range, or clear it, with 'card edit'",
            )
    if plan.sprint is not None:
        return
    for item in plan.feedback:
        if stored_day(item["received_at"]) is None:
            yield Finding(
                Severity.WARNING,
                "stored-range",
                (),
                f"received {item['received_at']}, out of range ({_ALLOWED}); shown as oldest",
                subject=f"FB-{item['id']}",
            )
