"""Mentions: the comments that name me with @, newest first; enter opens the card."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen

from sprintboard.screens.dialog_fit import FitsTerminal
from sprintboard.screens.host import host
from sprintboard.screens.palette import binding_commands
from sprintboard.views.card_detail import fetch_mentions
from sprintboard.widgets.entry_list import EntryList, comment_entry
from sprintboard.widgets.footer import KeyFooter


class MentionsList(EntryList):
    """The mentions fill the dialog and scroll, instead of growing to fit."""

    MAX_LINES = 0
    DEFAULT_CSS = "MentionsList { height: 1fr; margin-top: 0; }"


class MentionsScreen(FitsTerminal, ModalScreen[str | None]):
    """Dismisses with a card's key when a card opened from here was changed."""

    HELP_TITLE = "Mentions"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("enter", "open_card", "Open card"),
        Binding("r", "reload", "Reload", show=False),
        Binding("escape,q", "close", "Close"),
        Binding("question_mark", "app.help", "Keys", key_display="?", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.comments: list[dict[str, Any]] = []
        self.changed: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog mentions"):
            yield MentionsList("Mentions", "nobody has mentioned you with @ yet")
        yield KeyFooter()

    @property
    def entries(self) -> MentionsList:
        return self.query_one(MentionsList)

    async def on_mount(self) -> None:
        self.entries.focus()
        await self.action_reload()

    async def action_reload(self) -> None:
        backend = host(self).backend
        self.comments, people, more = await backend.run(fetch_mentions, backend.store)
        entries = self.entries
        count = len(self.comments)
        title = f"Comments that mention you ({people.me}): {count}"
        if more:
            title += (
                f", the newest; {more} older ones: sprintboard comment mentions "
                f"--limit {count + more}"
            )
        entries.show(self.comments, partial(comment_entry, people=people, card=True), title)

    def action_cursor(self, delta: int) -> None:
        self.entries.move(delta)

    @on(EntryList.Chosen)
    def action_open_card(self) -> None:
        from sprintboard.screens.card_detail import CardDetailScreen

        index = self.entries.selected
        if not 0 <= index < len(self.comments):
            return
        key = self.comments[index]["card"]

        def closed(changed: str | None) -> None:
            if changed is not None:
                self.changed = changed
                self.run_worker(self.action_reload())

        self.app.push_screen(CardDetailScreen(key), closed)

    def action_close(self) -> None:
        self.dismiss(self.changed)

    def palette_commands(self) -> Iterable[SystemCommand]:
        return binding_commands(self, "Mentions", ("cursor",))
