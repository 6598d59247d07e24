"""The sync conflicts: what merging another laptop's changes overrode, one entry each.

Each entry names the record and the field, the value the plan kept, the other value and
who wrote it when. `a` takes the other value (a new change, shared at the next sync; a
record deleted elsewhere comes back), `x` keeps the plan as it is; either settles the
conflict here and the list is read again. Values are user text, drawn as typed.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any, ClassVar

from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen

from sprintboard.errors import UserError
from sprintboard.screens.dialog_fit import FitsTerminal
from sprintboard.screens.host import host
from sprintboard.screens.palette import binding_commands
from sprintboard.store.sync_conflicts import Conflicts
from sprintboard.views.sync_state import ConflictView, open_conflicts
from sprintboard.widgets.entry_list import Entry, EntryList
from sprintboard.widgets.footer import KeyFooter

EMPTY = "No conflicts"


class ConflictList(EntryList):
    """The conflicts fill the dialog and scroll, instead of growing to fit."""

    MAX_LINES = 0
    DEFAULT_CSS = "ConflictList { height: 1fr; margin-top: 0; }"


def conflict_entry(conflict: ConflictView, list_: EntryList) -> Entry:
    """'ECOM-4  title · changed on two laptops', then the value kept and the other one."""
    person, muted = list_.style_of("person"), list_.style_of("muted")
    head = Content("  ") + Content(conflict.record).stylize(person)
    if conflict.field:
        head += Content(f"  {conflict.field}")
    head += Content.styled(f"  ·  {conflict.what}", muted)
    kept = Content.styled("    kept:  ", muted) + Content(conflict.kept)
    other = Content.styled("    other: ", muted) + Content(conflict.other)
    other += Content.styled("  ·  by ", muted) + Content(conflict.who).stylize(person)
    if conflict.at:
        other += Content.styled(f", {conflict.at}", muted)
    return [head, kept, other]


class ConflictsScreen(FitsTerminal, ModalScreen[bool]):
    """Open conflicts, oldest first; a and x settle the selected one. Dismisses with
    whether any was settled (the screens beneath then read the plan again)."""

    HELP_TITLE = "Sync conflicts"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("a", "take", "Take other value"),
        Binding("x", "keep", "Keep as is"),
        Binding("r", "reload", "Reload", show=False),
        Binding("escape,q,ampersand", "close", "Close"),
        Binding("question_mark", "app.help", "Keys", key_display="?", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.conflicts: list[ConflictView] = []
        self.loaded = False
        self.changed = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog conflicts"):
            yield ConflictList("Sync conflicts", EMPTY)
        yield KeyFooter()

    @property
    def entries(self) -> ConflictList:
        return self.query_one(ConflictList)

    async def on_mount(self) -> None:
        self.entries.focus()
        await self.action_reload()

    async def action_reload(self) -> None:
        backend = host(self).backend
        self.conflicts = await backend.run(open_conflicts, backend.store)
        count = len(self.conflicts)
        title = "Sync conflicts"
        if count:
            title += f": {count} open · a takes the other value, x keeps the plan as it is"
        self.entries.show(self.conflicts, conflict_entry, title)
        self.loaded = True

    def action_cursor(self, delta: int) -> None:
        self.entries.move(delta)

    def selected(self) -> ConflictView | None:
        index = self.entries.selected
        return self.conflicts[index] if 0 <= index < len(self.conflicts) else None

    async def action_take(self) -> None:
        conflict = self.selected()
        if conflict is None:
            return
        if not conflict.can_take:
            self.notify(
                f"{conflict.record}: nothing to take ({conflict.what}); x keeps the plan as it is",
                severity="warning",
                markup=False,
            )
            return
        what = f"{conflict.field} of {conflict.record}" if conflict.field else conflict.record
        await self._settle(
            Conflicts.take, conflict, f"took the other value of {what}; shared at the next sync"
        )

    async def action_keep(self) -> None:
        conflict = self.selected()
        if conflict is not None:
            await self._settle(Conflicts.keep, conflict, f"kept {conflict.record} as it is")

    async def _settle(self, how: Any, conflict: ConflictView, told: str) -> None:
        watch = host(self).sync
        backend = host(self).backend
        try:
            await backend.write(how, Conflicts(backend.store), conflict.id)
        except (UserError, sqlite3.Error) as exc:
            self.notify(str(exc), severity="error", markup=False)
        else:
            self.notify(told, markup=False)
            self.changed = True
        watch.reread()
        await self.action_reload()

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def palette_commands(self) -> Iterable[SystemCommand]:
        return binding_commands(self, "Sync conflicts", ("cursor",))
