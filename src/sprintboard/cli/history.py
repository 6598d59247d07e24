"""`history KEY` as a table for people: which change (its id, for `undo --change`), when,
who (with their team), and what, with undos, redos and undone changes marked."""

from __future__ import annotations

from typing import Any

from sprintboard.cli.card_parts import moment, teams_of, who
from sprintboard.cli.output import table, terminal_width
from sprintboard.store import Store
from sprintboard.store.activity import BOOKKEEPING, describe_change

MAX_WHO = 22
"""The widest a WHO cell gets (cells): a long name is cut, the change keeps its room."""


def shown_entries(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The entries worth a line: a field that only follows another change (updated_at,
    position, done_at, edited_at) is left out when its change shows something else. A
    reorder, which changes only the position, keeps its line."""
    telling = {r["txn"] for r in rows if r["field"] not in BOOKKEEPING}
    return [r for r in rows if r["field"] not in BOOKKEEPING or r["txn"] not in telling]


def change_words(entry: dict[str, Any], team_codes: dict[int, str]) -> str:
    """What the entry changed, marked when it is an undo or a redo, or was reverted."""
    words = describe_change(entry, team_codes, arrow="->")
    if entry["action"] in ("undo", "redo"):
        words = f"{entry['action']}: {words}"
    if entry.get("undone_by"):
        verb = "redone" if entry["action"] == "undo" else "undone"
        words += f" ({verb} by {entry['undone_by']})"
    return words


def print_history(store: Store, rows: list[dict[str, Any]]) -> None:
    team_codes = {t["id"]: t["code"] for t in store.teams.list(include_archived=True)}
    teams = teams_of(store)
    table(
        shown_entries(rows),
        [
            ("ID", lambda r: r["id"]),
            ("AT", lambda r: moment(r["at"])),
            ("WHO", lambda r: who(r["actor"], teams)),
            ("CHANGE", lambda r: change_words(r, team_codes)),
        ],
        max_width=MAX_WHO,
        width=terminal_width(),
    )
