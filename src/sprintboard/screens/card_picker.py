"""Pick a card by typing a few letters of its key or title (fuzzy, like the palette)."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.fuzzy import Matcher
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from sprintboard.screens.dialog_fit import FitsTerminal
from sprintboard.screens.host import host

SHOWN = 50
SCORED = 400  # fuzzy-score at most this many regex matches per keystroke


def candidate_text(card: dict[str, Any]) -> str:
    return f"{card['key']}  {' '.join(card['title'].split())}"


def rank(query: str, cards: list[dict[str, Any]], limit: int = SHOWN) -> list[dict[str, Any]]:
    """Cards whose key or title holds the query's letters in order, best match first.

    A regex does the in-order test in C for every card; Textual's fuzzy Matcher then
    scores only the first few hundred hits, so a 10,000-card plan stays instant.
    """
    query = query.strip()
    if not query:
        return cards[:limit]
    pattern = re.compile(".*?".join(re.escape(ch) for ch in query.casefold()))
    hits = [c for c in cards if pattern.search(candidate_text(c).casefold())][:SCORED]
    matcher = Matcher(query)
    scored = sorted(hits, key=lambda c: -matcher.match(candidate_text(c)))
    return scored[:limit]


class CardPickerScreen(FitsTerminal, ModalScreen[str | None]):
    """Dismisses with the chosen card's key, or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("down", "down", "Next", show=False),
        Binding("up", "up", "Previous", show=False),
    ]

    def __init__(self, title: str, cards: list[dict[str, Any]]) -> None:
        """`cards`: dicts with at least key, title, team and status."""
        super().__init__()
        self.heading = title
        self.cards = cards
        self.shown: list[dict[str, Any]] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog picker"):
            yield Label(Content.styled(self.heading, "bold"))
            yield Input(id="picker-query", placeholder="type part of a key or title")
            yield OptionList(id="picker-results")

    def on_mount(self) -> None:
        box = self.query_one(Input)
        box.cursor_blink = not host(self).frozen
        self._show("")
        box.focus()

    @on(Input.Changed, "#picker-query")
    def _typed(self, event: Input.Changed) -> None:
        self._show(event.value)

    def _show(self, query: str) -> None:
        self.shown = rank(query, self.cards)
        results = self.query_one(OptionList)
        results.clear_options()
        matcher = Matcher(query) if query.strip() else None
        for card in self.shown:
            text = candidate_text(card)
            label = matcher.highlight(text) if matcher else Content(text)
            results.add_option(Option(label + Content(f"  · {card['team']} · {card['status']}")))
        if self.shown:
            results.highlighted = 0

    @on(Input.Submitted, "#picker-query")
    def _submitted(self) -> None:
        index = self.query_one(OptionList).highlighted
        if index is not None and index < len(self.shown):
            self.dismiss(self.shown[index]["key"])

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.shown[event.option_index]["key"])

    def action_down(self) -> None:
        self.query_one(OptionList).action_cursor_down()

    def action_up(self) -> None:
        self.query_one(OptionList).action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)
