"""The board's keys on the selected card: open, edit, new, delete, undo, and its links.

`CardActions` is mixed into `BoardScreen` (board.py), which owns the cards on screen;
these actions open the card's dialogs, and reload the board or show a change at once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from textual.content import Content

from sprintboard.errors import UserError
from sprintboard.screens.live import LiveScreen
from sprintboard.store.activity import undo_message
from sprintboard.views.board import BoardModel
from sprintboard.views.text import printable
from sprintboard.widgets.board_grid import BoardGrid


class CardActions(LiveScreen):
    """Dialogs and writes for one card of the board."""

    # The board's: its cards, the sprint shown (None: the backlog), and how a change shows.
    model: BoardModel
    sprint: dict[str, Any] | None
    redraw: Callable[[], None]
    show_then_write: Callable[..., None]

    @property
    def grid(self) -> BoardGrid:
        return self.query_one(BoardGrid)

    def action_open_card(self) -> None:
        from sprintboard.screens.card_detail import CardDetailScreen

        card = self.model.selected_card()
        if card is not None:
            self.app.push_screen(CardDetailScreen(card["key"]), self._after_dialog)

    async def action_edit_card(self) -> None:
        card = self.model.selected_card()
        if card is not None:
            await self.open_form(card["key"])

    async def action_new_card(self) -> None:
        await self.open_form(None, sprint_id=self.sprint["id"] if self.sprint else None)

    async def open_form(self, key: str | None, sprint_id: int | None = None) -> None:
        from sprintboard.screens.card_form import CardFormScreen

        data = await self.backend.run(CardFormScreen.fetch, self.store, key)
        self.app.push_screen(CardFormScreen(key, data, sprint_id=sprint_id), self._after_dialog)

    def _after_dialog(self, key: str | None) -> None:
        """A dialog changed something: reload, and select the card it names."""
        if key is None:
            return

        async def reload() -> None:
            await self.load()
            if self.model.select(key):
                self.grid.refresh_board()

        self.run_worker(reload(), group="writes")

    def action_delete_card(self) -> None:
        from sprintboard.screens.dialogs import ConfirmScreen

        card = self.model.selected_card()
        if card is None:
            return
        question = Content(f"Delete {card['key']} “{printable(card['title'])}”?")

        def answered(yes: bool | None) -> None:
            if yes:
                self.model.remove(card["key"])
                self.redraw()
                self.show_then_write(self.store.cards.delete, card["key"])
                self.notify(f"{card['key']} deleted; u undoes", markup=False)

        self.app.push_screen(ConfirmScreen(question, yes="Delete"), answered)

    async def action_undo(self) -> None:
        try:
            done = await self.backend.write(self.store.activity.undo)
        except UserError as exc:  # e.g. "undo: nothing to undo": nothing was lost
            self.notify(str(exc), severity="warning", markup=False)
            return
        except sqlite3.Error as exc:
            self.notify(f"not undone: {exc}", severity="error", markup=False, timeout=8)
            return
        self.notify(undo_message(done), markup=False)
        await self.load()

    # -- dependencies ------------------------------------------------------------------------

    def action_add_dependency(self) -> None:
        card = self.model.selected_card()
        if card is not None:
            self.run_worker(self._edit_dependency(card["key"], add=True), group="dependency")

    def action_remove_dependency(self) -> None:
        card = self.model.selected_card()
        if card is not None:
            self.run_worker(self._edit_dependency(card["key"], add=False), group="dependency")

    async def _edit_dependency(self, key: str, *, add: bool) -> None:
        """The card finder, then the way the link runs (+), or one of its links (-)."""
        from sprintboard.screens.dependency_dialogs import add_dependency, remove_dependency

        changed = await (add_dependency(self, key) if add else remove_dependency(self, key))
        if changed:
            await self.load()  # the blocked and cross-team badges follow the links
