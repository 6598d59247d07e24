"""Values from other laptops, checked as a restore checks an export's rows.

A laptop's own changes passed the models on the way in; operations read from files did
not (a hand-edited line, a broken or hostile sprintboard). Each record a received
operation creates, and each record as a received edit would leave it, goes through the
same checks a restore applies (`io/dump_rows.py`): an empty or 600-character title,
points of 'many', a description of 50 MB are refused, as a conflict that says why, and
the plan keeps what it had.
"""

from __future__ import annotations

import re
from typing import Any

from sprintboard.errors import UserError
from sprintboard.io.dump_rows import _CHECKS, Cleaner
from sprintboard.store import Store
from sprintboard.store.activity import BOOKKEEPING, FOREIGN_KEYS
from sprintboard.store.database import ENTITY_TABLES
from sprintboard.store.sync_unique import is_placeholder

MAX_TEXT_VALUE = 1_000_000
"""The longest text any field takes from another laptop (as from an export)."""
_STAND_INS = {"key": "X-1", "name": "placeholder", "code": "X"}
_PATH = re.compile(r"^\$\.tables\.\w+\[\d+\]\.")


def value_problem(store: Store, op: dict[str, Any]) -> str | None:
    """Why this operation's values cannot be stored here, in words; None when they can."""
    table = ENTITY_TABLES[op["entity"]]
    if op["op"] == "create":
        row = dict(op.get("after") or {})
    elif op["op"] == "update":
        field = op.get("field")
        if field in BOOKKEEPING or field in FOREIGN_KEYS.get(table, {}):
            return _too_long(op.get("after"))
        current = store.row(f"SELECT * FROM [{table}] WHERE uuid = ?", [op["uuid"]])
        if current is None:
            return _too_long(op.get("after"))
        # A record waiting for its key or name in this merge holds a placeholder there;
        # the edit is checked with a stand-in that passes (only its own field is new).
        row = {
            column: _STAND_INS.get(column, value) if is_placeholder(value) else value
            for column, value in current.items()
        }
        row[str(field)] = op.get("after")
    else:
        return None
    for value in row.values():
        problem = _too_long(value)
        if problem is not None:
            return problem
    check = _CHECKS.get(table)
    if check is None:
        return None
    # References are uuids on the wire and ids here: the checks read neither.
    for column in FOREIGN_KEYS.get(table, {}):
        row.pop(column, None)
    given = dict(row)
    try:
        check(Cleaner(), 0, row)
    except UserError as exc:
        return _PATH.sub("", str(exc))
    for column, value in row.items():
        if value != given[column]:
            # The models would have stored it otherwise (a title on two lines, say): the
            # laptop it came from did not type it in.
            return f"{column}: not as sprintboard stores it (got {given[column]!r:.60})"
    return None


def _too_long(value: Any) -> str | None:
    if isinstance(value, str) and len(value) > MAX_TEXT_VALUE:
        return f"text of {len(value):,} characters; at most {MAX_TEXT_VALUE:,}"
    return None
