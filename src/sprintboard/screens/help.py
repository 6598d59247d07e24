"""Every key of the screen underneath, and the app-wide ones."""

from __future__ import annotations

from itertools import zip_longest
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Static


def _keys(binding: Binding) -> str:
    # key_display names the first key only: "H,shift+left" reads "H / shift+left".
    keys = binding.key.split(",")
    if binding.key_display:
        keys[0] = binding.key_display
    return " / ".join(keys)


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,question_mark", "close", "Close")]

    def __init__(self, under: Screen[object]) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        rows: list[Content] = [
            Content.styled("Keys", "bold")
            + Content(" · ctrl+p: the command palette reaches every action by name")
        ]
        sections = [
            (getattr(self.under, "HELP_TITLE", type(self.under).__name__), self.under.BINDINGS),
            ("Everywhere", self.app.BINDINGS),
        ]
        for title, bindings in sections:
            rows += [Content(""), Content.styled(title, "bold underline")]
            entries = [
                f"{_keys(b):<18} {b.description}" for b in bindings if isinstance(b, Binding)
            ]
            # Two columns, so every key of a busy screen fits on one page.
            half = (len(entries) + 1) // 2
            for left, right in zip_longest(entries[:half], entries[half:], fillvalue=""):
                rows.append(Content(f"  {left:<44}{right}".rstrip()))
        notes = getattr(self.under, "HELP_NOTES", ())
        if notes:
            rows.append(Content(""))
            rows += [Content(note) for note in notes]
        with VerticalScroll(classes="dialog help"):
            yield Static(Content("\n").join(rows))

    def action_close(self) -> None:
        self.dismiss(None)
