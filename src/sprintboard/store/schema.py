"""Which schema this sprintboard writes: the names of its migrations, in order, and which
columns of each table refer to other records.

Opening an up-to-date file compares against this list alone, so sqlite-utils is imported
only when a migration has to run. `store/migrations.py` registers the migrations under
these names (a test checks the two agree): add every new migration to both.
"""

from __future__ import annotations

SCHEMA_MIGRATIONS = (
    "m001_initial",
    "m002_planning",
    "m003_inbox",
    "m004_history",
    "m005_people",
    "m006_informed",
    "m007_sync",
    "m008_finance",
    "m009_board_totals",
)
INDEX_ONLY_MIGRATIONS = frozenset({"m009_board_totals"})
"""Migrations that only add or change indexes: what records hold is the same before and
after, so they do not raise SCHEMA_LEVEL."""
SCHEMA_LEVEL = len([m for m in SCHEMA_MIGRATIONS if m not in INDEX_ONLY_MIGRATIONS])
"""What records can hold, as a number: synced operations and exports carry it, and a
sprintboard refuses those of a higher level (they may hold fields it cannot store)."""
MIGRATION_SET = "sprintboard"

BOOKKEEPING = frozenset({"updated_at", "position", "done_at", "edited_at"})
"""Fields that follow other changes: a later reorder or touch is nobody's work to lose."""

FOREIGN_KEYS: dict[str, dict[str, str]] = {
    "cards": {"team_id": "teams", "sprint_id": "sprints", "goal_id": "goals"},
    "card_teams": {"card_id": "cards", "team_id": "teams"},
    "comments": {"card_id": "cards"},
    "checklist_items": {"card_id": "cards", "team_id": "teams"},
    "dependencies": {"blocker_id": "cards", "dependent_id": "cards"},
    "feedback": {"card_id": "cards", "duplicate_of": "feedback"},
    "sprint_capacity": {"sprint_id": "sprints", "team_id": "teams"},
    "members": {"team_id": "teams"},
    "measures": {"goal_id": "goals"},
}
"""Each table's columns that hold another record's id: table -> column -> parent table."""
