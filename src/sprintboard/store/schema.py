"""Which schema this sprintboard writes: the names of its migrations, in order.

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
)
MIGRATION_SET = "sprintboard"
