"""The board's keys on the selected card: open, edit, new, delete, undo and redo, its
links, and the comments that mention me.

`CardActions` is mixed into `BoardScreen` (board.py), which owns the cards on screen;
these actions open the card's dialogs, and reload the board or show a change at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.content import Content

from sprintboard.screens.host import host
from sprintboard.screens.live import LiveScreen
from sprintboard.views.board import BoardModel
from sprintboard.views.text import printable
from sprintboard.widgets.board_grid import BoardGrid
from sprintboard.widgets.card_status import CardStatus


class CardActions(LiveScreen):
    """Dialogs and writes for one card of the board."""

    # The board's: its cards, the sprint shown (None: the backlog), and how a change shows.
    model: BoardModel
    sprint: dict[str, Any] | None
    redraw: Callable[[], None]
    show_then_write: Callable[..., None]  # `told=`: a line shown once the write is saved

    @property
    def grid(self) -> BoardGrid:
        return self.query_one(BoardGrid)

    def show_cards(self) -> None:
        """Redraw the cards and the status line after the selection or the cards changed
        (scrolling the selection into view)."""
        self.grid.refresh_board()
        self.query_one(CardStatus).refresh()

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
        findings = host(self).findings
        if key is not None:
            findings.watch(key)  # the next count says what the edit made

        def saved(changed: str | None) -> None:
            if changed is None and key is not None:
                findings.unwatch(key)
            elif changed is not None and key is None:
                findings.watch(changed, new_card=True)
            self._after_dialog(changed)

        self.app.push_screen(CardFormScreen(key, data, sprint_id=sprint_id), saved)

    def _after_dialog(self, key: str | None) -> None:
        """A dialog changed something: reload, and select the card it names."""
        if key is None:
            return

        async def reload() -> None:
            await self.follow_changes()
            if self.model.select(key):
                self.show_cards()

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
                told = f"{card['key']} deleted; u undoes"  # once saved: u would undo another
                self.show_then_write(self.store.cards.delete, card["key"], told=told)

        self.app.push_screen(ConfirmScreen(question, yes="Delete"), answered)

    async def action_undo(self) -> None:
        """Undo my last change (the store refuses, in one line, what would overwrite
        someone's later work)."""
        from sprintboard.screens.undo_keys import undo_or_redo

        if await undo_or_redo(self) is not None:
            await self.follow_changes()

    async def action_redo(self) -> None:
        """Put back what my last undo reverted."""
        from sprintboard.screens.undo_keys import undo_or_redo

        if await undo_or_redo(self, redo=True) is not None:
            await self.follow_changes()

    def action_mentions(self) -> None:
        """The comments that mention me; a card opened from there and changed reloads."""
        from sprintboard.screens.mentions import MentionsScreen

        self.app.push_screen(MentionsScreen(), self._after_dialog)

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
            await self.follow_changes()  # the blocked and cross-team badges follow the links
