"""Every key of the screen underneath, and the app-wide ones."""

from __future__ import annotations

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
        rows: list[Content] = [Content.styled("Keys", "bold"), Content("")]
        sections = [
            (getattr(self.under, "HELP_TITLE", type(self.under).__name__), self.under.BINDINGS),
            ("Everywhere", self.app.BINDINGS),
        ]
        for title, bindings in sections:
            rows.append(Content.styled(title, "bold underline"))
            for binding in bindings:
                if isinstance(binding, Binding):
                    rows.append(Content(f"  {_keys(binding):<22} {binding.description}"))
            rows.append(Content(""))
        rows.append(Content("  ctrl+p                 command palette: every action, by name"))
        rows.append(Content("  mouse                  click selects a card, double-click opens it"))
        rows.append(Content(""))
        rows.append(Content.styled("Badges", "bold underline"))
        rows.append(
            Content(
                "  ⊘ blocked   ⇄ cross-team   ✉n feedback (reports)   ◷nd due soon"
                "   !late overdue   ▶ selected"
            )
        )
        with VerticalScroll(classes="dialog help"):
            yield Static(Content("\n").join(rows))

    def action_close(self) -> None:
        self.dismiss(None)
