"""The JSON shapes of records: what `--json` prints and what the MCP tools return.

One definition for both, so a script and an assistant read the same keys (README: 'JSON
output'). Values are exact (user text is data: nothing escaped or cut).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sprintboard.store.cards import public
from sprintboard.store.feedback_triage import fb_key

if TYPE_CHECKING:
    from sprintboard.store import Store

COMMENT_JSON = ("id", "uuid", "card", "author", "body", "created_at", "edited_at", "mentions")
CHECKLIST_JSON = (
    "id",
    "uuid",
    "card",
    "text",
    "done",
    "team",
    "position",
    "created_at",
    "done_at",
)
DEP_JSON = (
    "blocker",
    "blocker_team",
    "blocker_status",
    "dependent",
    "dependent_team",
    "dependent_status",
    "cross_team",
    "open",
    "created_at",
)
FEEDBACK_JSON = (
    "key",
    "id",
    "text",
    "source",
    "customer",
    "category",
    "reported_by",
    "received_at",
    "reports",
    "urgent",
    "state",
    "snoozed_until",
    "decline_reason",
    "card",
    "card_status",
    "shipped",
    "informed_by",
    "informed_at",
)
SPRINT_JSON = (
    "name",
    "goal",
    "start",
    "end",
    "state",
    "committed_points",
    "completed_points",
    "started_at",
    "closed_at",
)
SPRINT_COUNTS = ("cards", "points", "done_points")
GOAL_JSON = (
    "id",
    "title",
    "kpi",
    "unit",
    "baseline",
    "current",
    "target",
    "expected_roi",
    "sponsor",
    "status",
    "signed_off_by",
    "signed_off_at",
    "cards",
    "points",
    "done_points",
)

card_json = public
"""A card row (Cards.query / Cards.get) as JSON."""


def comment_json(row: dict[str, Any]) -> dict[str, Any]:
    return {f: row[f] for f in COMMENT_JSON}


def item_json(row: dict[str, Any]) -> dict[str, Any]:
    return {f: row[f] for f in CHECKLIST_JSON}


def card_detail_json(store: Store, key: str) -> dict[str, Any]:
    """`card show --json`: the card with its comments (oldest first) and checklist."""
    row = store.cards.get(key)
    return {
        **public(row),
        "comments": [comment_json(c) for c in store.comments.for_card(row["key"])],
        "checklist": [item_json(i) for i in store.checklists.for_card(row["key"])],
    }


def dep_json(row: dict[str, Any]) -> dict[str, Any]:
    return {f: row[f] for f in DEP_JSON}


def feedback_json(row: dict[str, Any]) -> dict[str, Any]:
    return {f: fb_key(row["id"]) if f == "key" else row[f] for f in FEEDBACK_JSON}


def sprint_json(row: dict[str, Any]) -> dict[str, Any]:
    """A sprint row as Sprints.list gives it (with its card counts and points)."""
    return {f: row.get(f) for f in (*SPRINT_JSON, *SPRINT_COUNTS)}


def goal_json(row: dict[str, Any]) -> dict[str, Any]:
    return {f: row[f] for f in GOAL_JSON}
