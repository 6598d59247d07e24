"""The card detail's small dialogs: write or edit a comment (several lines), name a
checklist item (one line). Each dismisses with the text, or None when cancelled."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, TextArea

from sprintboard.screens.dialog_fit import FitsTerminal
from sprintboard.screens.host import host
from sprintboard.widgets.footer import KeyFooter


class CommentScreen(FitsTerminal, ModalScreen[str | None]):
    """A comment's text: enter starts a new line, ctrl+s (or Save) keeps it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # Not a priority binding: those act when the key arrives, before the keys typed or
        # pasted just ahead of it reach the text, and a fast ctrl+s saved half a comment.
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, title: str, text: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog comment-dialog"):
            yield Label(Content.styled(self.title_text, "bold"))
            area = TextArea(self.text, id="comment-text", soft_wrap=True, show_line_numbers=False)
            area.cursor_blink = not host(self).frozen
            yield area
            yield Label("", id="comment-error", classes="dialog-error")
            with Horizontal(classes="buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="save")
                yield Button("Cancel (esc)", id="cancel")
        yield KeyFooter()

    def on_mount(self) -> None:
        area = self.query_one("#comment-text", TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        text = self.query_one("#comment-text", TextArea).text.strip()
        if not text:
            self.query_one("#comment-error", Label).update("comment: write something first")
            return
        self.dismiss(text)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class LinePromptScreen(FitsTerminal, ModalScreen[str | None]):
    """One line of text: enter keeps it, escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, hint: str, text: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.hint = hint
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content.styled(self.title_text, "bold"))
            box = Input(self.text, placeholder=self.hint, id="line-text")
            box.cursor_blink = not host(self).frozen
            yield box

    def on_mount(self) -> None:
        self.query_one("#line-text", Input).focus()

    @on(Input.Submitted, "#line-text")
    def _submitted(self, event: Input.Submitted) -> None:
        # Kept as typed (a checklist item is stored as given); blank is no answer.
        if event.value.strip():
            self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
