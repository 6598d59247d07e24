"""Sprints whose dates overlap: two planned or active sprints sharing a day.

A team cannot work in two sprints at once, so the create and edit forms, `sprint add`,
`sprint edit` and the `sprint-overlap` check all warn about it (a warning: the sprint is
still saved).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

OPEN_STATES = ("planned", "active")


def _open(sprint: Mapping[str, Any]) -> bool:
    return sprint.get("state", "planned") in OPEN_STATES


def _overlap(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    # ISO days compare as text; both ends are inclusive.
    return bool(str(a["start"]) <= str(b["end"]) and str(b["start"]) <= str(a["end"]))


def overlapping_pairs(
    sprints: Iterable[Mapping[str, Any]],
) -> Iterator[tuple[Mapping[str, Any], Mapping[str, Any]]]:
    """Each pair of open sprints (planned or active) whose date ranges share a day, in
    start order."""
    rows = sorted((s for s in sprints if _open(s)), key=lambda s: (str(s["start"]), s["name"]))
    for i, first in enumerate(rows):
        for second in rows[i + 1 :]:
            if str(second["start"]) > str(first["end"]):
                break
            yield first, second


def overlaps_with(
    sprint: Mapping[str, Any], others: Iterable[Mapping[str, Any]]
) -> list[Mapping[str, Any]]:
    """The open sprints, other than `sprint` (matched by name, and by id when it has one),
    whose dates overlap its dates."""
    found = []
    for other in others:
        if other["name"] == sprint["name"] or (
            sprint.get("id") is not None and other.get("id") == sprint.get("id")
        ):
            continue
        if _open(other) and _overlap(sprint, other):
            found.append(other)
    return found


SHOWN = 3
"""Sprints a warning names; more are counted ('and 4 more'), so the line stays readable."""


def overlap_warning(sprint: Mapping[str, Any], others: Iterable[Mapping[str, Any]]) -> str | None:
    """One line naming the open sprints whose dates overlap `sprint`'s, or None."""
    found = overlaps_with(sprint, others)
    if not found:
        return None
    named = ", ".join(f"{o['name']} ({o['start']} → {o['end']})" for o in found[:SHOWN])
    if len(found) > SHOWN:
        named += f" and {len(found) - SHOWN} more (sprintboard check lists them)"
    return f"warning: {sprint['name']} ({sprint['start']} → {sprint['end']}) overlaps {named}"
