"""The card page's life: the dialogs it opens and the writes it runs, and closing once
(never while a dialog is on top of it) when its card is deleted meanwhile by someone else.

A page that dismissed itself while a dialog was open popped the dialog instead, and
dismissed again later: Textual then stopped the app and the comment being typed was lost.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from textual import on
from textual.events import ScreenResume
from textual.screen import ModalScreen, Screen

from sprintboard.backend import Backend
from sprintboard.screens.dialog_fit import FitsTerminal
from sprintboard.screens.host import host


class CardPage(FitsTerminal, ModalScreen[str | None]):
    """A page about one card (`key`); dismisses with the key when something changed."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key
        self.gone = False
        """The card was deleted meanwhile (by someone else): the page closes once it is
        the screen on top again, never while a dialog is on top of it."""
        self._told_gone = False
        self._leaving = False
        self._busy = 0
        """Dialogs open and writes under way: the live poll waits for them."""

    @property
    def backend(self) -> Backend:
        return host(self).backend

    @property
    def active(self) -> bool:
        """The page is the screen on top and takes the keys (no dialog over it)."""
        return self.app.screen is self and not self._busy and not self._leaving

    def leave(self, result: str | None) -> None:
        """Close the page (once: a second dismiss would pop whatever is on top)."""
        if self._leaving:
            return
        self._leaving = True
        self.dismiss(result)

    def card_gone(self, told: str | None = None) -> None:
        """The card was deleted meanwhile: say so once (`told`: in these words), and close
        the page once it is on top again with no dialog or write of its own under way."""
        self.gone = True
        if not self._told_gone:
            self._told_gone = True
            line = told or f"{self.key} was deleted meanwhile by someone else"
            self.notify(line, severity="error", markup=False, timeout=30 if told else 8)
        self._close_gone()

    @on(ScreenResume)
    def _resumed(self) -> None:
        if self.gone:
            self.call_after_refresh(self._close_gone)

    def _close_gone(self) -> None:
        if self.gone and self.app.screen is self and not self._busy:
            self.leave(self.key)

    def ask(self, screen: Screen[Any], answered: Callable[[Any], None]) -> None:
        """Open a dialog over the page; the poll waits until its answer was acted on."""
        self._busy += 1

        def then(result: Any) -> None:
            try:
                answered(result)
            finally:
                self._busy -= 1
                self._close_gone()

        self.app.push_screen(screen, then)

    def write_soon(self, work: Coroutine[Any, Any, Any]) -> None:
        """Run a write in a worker, the poll waiting for it from now on."""
        self._busy += 1

        async def run() -> None:
            try:
                await work
            finally:
                self._busy -= 1
                self._close_gone()

        self.run_worker(run())

    async def card_exists(self) -> bool:
        store = self.backend.store
        return bool(await self.backend.run(store.cards.query, keys=[self.key]))

    def refuse_gone(self, lost: str, draft: str | None) -> None:
        """A write after the card was deleted: one line saying so (the draft kept)."""
        line = f"{self.key} was deleted meanwhile by someone else: {lost}"
        if draft is not None:
            self.app.copy_to_clipboard(draft)
            line += f". Your text, also copied to the clipboard:\n{draft}"
        if self._told_gone and draft is None:
            return  # already said, and nothing of the user's to give back
        self._told_gone = False
        self.card_gone(line)
