"""What the screens show of `sprintboard sync`, as plain Python: the header's sync state in
its long and short forms, and the open conflicts in words.

Read on the database thread from the database alone (no git, no files): the header asks
again whenever the store's version moves, so it must stay cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sprintboard.views.text import printable
from sprintboard.vocabulary import summary_line

if TYPE_CHECKING:
    from sprintboard.store import Store

VALUE_CELLS = 60
"""A conflict's value is cut to this many characters (its first line)."""

Piece = tuple[str, str]
"""Some text of the header's sync state, and its role: "" plain, "warning" or "error"."""


@dataclass(frozen=True)
class SyncState:
    """A shared plan's state, as `sprintboard.io.sync.header_state` gives it."""

    unshared: int
    last_sync: str | None
    """UTC, ISO ('2026-03-11T10:42:07Z'); None: never synced."""
    last_error: str | None
    conflicts: int
    now: str
    """The store's clock when this was read: a sync today shows its time, else its day."""

    def synced_when(self) -> str:
        """'10:42' for a sync today (UTC, as every time the app shows), '03-11' for one
        earlier this year, '2025-12-30' before that."""
        at = self.last_sync or ""
        if at[:10] == self.now[:10]:
            return at[11:16]
        if at[:4] == self.now[:4]:
            return at[5:10]
        return at[:10]

    def forms(self, syncing: bool = False) -> list[list[Piece]]:
        """The header's sync state, longest first; each shorter form drops words and keeps
        every number: '⇅ 3 to share · synced 10:42 · 2 conflicts' … '⇅ 3↑ 10:42 2≠'."""
        if syncing:
            return [[("⇅ syncing…", "")]]
        forms = []
        for level in range(4):
            pieces: list[Piece] = [("⇅", "")]
            if self.unshared:
                pieces.append(
                    (f"{self.unshared} to share" if level < 2 else f"{self.unshared}↑", "")
                )
            if self.last_error:
                pieces.append(("sync failed" if level < 2 else "failed", "error"))
            elif self.last_sync:
                when = self.synced_when()
                pieces.append((f"synced {when}" if level == 0 else when, ""))
            else:
                pieces.append(("never synced" if level < 2 else "never", ""))
            if self.conflicts:
                n = self.conflicts
                words = f"{n} conflict{'s' * (n != 1)}" if level < 3 else f"{n}≠"
                pieces.append((words, "warning"))
            forms.append(_joined(pieces, " " if level == 3 else " · "))
        return forms


def _joined(pieces: list[Piece], gap: str) -> list[Piece]:
    """The pieces with `gap` between them (none after the ⇅)."""
    out: list[Piece] = [pieces[0]]
    for i, piece in enumerate(pieces[1:]):
        out.append((" " if i == 0 else gap, ""))
        out.append(piece)
    return out


def read_sync_state(store: Store) -> tuple[tuple[int, int], SyncState | None]:
    """The store's version and the plan's sync state (None: the plan is not shared)."""
    from sprintboard.io.sync import header_state

    version = store.version()
    found = header_state(store)
    if found is None:
        return version, None
    return version, SyncState(
        unshared=int(found["unshared"]),
        last_sync=found["last_sync"],
        last_error=found["last_error"],
        conflicts=int(found["conflicts"]),
        now=store.now(),
    )


# -- conflicts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConflictView:
    """One open conflict in words: what the conflicts list and a card's detail show."""

    id: int
    record: str
    """How people name the record now: a card's key, a sprint's name."""
    field: str | None
    kind: str
    what: str
    """The kind in words: 'changed on two laptops', 'edited while deleted elsewhere'."""
    kept: str
    other: str
    who: str
    at: str
    """When the other value was written: '2026-03-11 10:42' (UTC)."""
    can_take: bool
    """Taking the other value means something (a field's value, a deleted record)."""


def shown_value(value: Any, kind: str) -> str:
    """A value on one line: a deleted record by its title or name, nothing as '-', an
    operation that could not be applied by what it wrote and why it was refused."""
    if kind == "deleted" and value is None:
        return "(deleted)"
    if kind == "refused" and isinstance(value, dict) and "op" in value:
        return _refused(value)
    if isinstance(value, dict):
        value = _record_name(value)
    if value is None:
        return "-"
    return printable(summary_line(str(value), VALUE_CELLS)) or "''"


def _record_name(record: dict[str, Any]) -> str:
    return str(record.get("title") or record.get("name") or record.get("text") or "(record)")


def _refused(other: dict[str, Any]) -> str:
    """'bogus (refused: CHECK constraint failed: ...)': the value, then the reason."""
    after = other.get("after")
    wrote = _record_name(after) if isinstance(after, dict) else after
    if other.get("missing"):
        why = f"its {str(other['missing']).rstrip('s')} is not in this plan"
    else:
        why = str(other.get("reason") or "refused")
    text = f"{'-' if wrote is None else wrote} (not applied: {why})"
    return printable(summary_line(text, VALUE_CELLS))


def conflict_view(row: dict[str, Any]) -> ConflictView:
    kind = str(row["kind"])
    return ConflictView(
        id=int(row["id"]),
        record=printable(str(row["name"])),
        field=row["field"],
        kind=kind,
        what=str(row["what"]),
        kept=shown_value(row["kept"], kind),
        other=shown_value(row["other"], kind),
        who=printable(str(row["other_actor"] or "someone")),
        at=str(row["other_at"] or "").replace("T", " ").rstrip("Z")[:16],
        can_take=kind in ("field", "deleted"),
    )


def open_conflicts(store: Store, uuid: str | None = None) -> list[ConflictView]:
    """The open conflicts, oldest first (of one record, by its uuid)."""
    from sprintboard.store.sync_conflicts import Conflicts

    return [conflict_view(row) for row in Conflicts(store).list(uuid=uuid)]


def record_conflicts(store: Store, uuid: str) -> list[ConflictView]:
    """A record's open conflicts, by its uuid (none for a plan that is not shared)."""
    from sprintboard.store.sync_log import is_shared

    return open_conflicts(store, uuid) if is_shared(store) else []


def conflict_line(conflict: ConflictView) -> str:
    """One line about a card's conflict, for its detail: "title also set to 'X' by Bob on
    another laptop"."""
    if conflict.kind == "field" and conflict.field:
        return (
            f"{conflict.field} also set to '{conflict.other}' by {conflict.who} on another laptop"
        )
    return f"{conflict.what} (by {conflict.who})"
