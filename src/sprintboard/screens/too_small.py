"""What the app shows in a terminal too small to lay its screens out.

Below `MIN_WIDTH`×`MIN_HEIGHT` lists and dialogs would be drawn in no room at all (Textual's
lists fail to page with no height, and text wraps at width 0), so the app covers them with
this screen and ignores keys but quit until the terminal is big enough again; then the
screen beneath comes back as it was, laid out at the new size.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.content import Content
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Static

MIN_WIDTH, MIN_HEIGHT = 40, 10
"""The smallest terminal the screens are laid out in."""


def too_small(width: int, height: int) -> bool:
    return width < MIN_WIDTH or height < MIN_HEIGHT


class TooSmallScreen(Screen[None]):
    """Says how big the terminal must be; replaced by what it covers once it is."""

    DEFAULT_CSS = """
    TooSmallScreen {
        align: center middle;
    }
    TooSmallScreen #too-small {
        width: 100%;
        height: auto;
        text-align: center;
    }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="too-small")

    def on_mount(self) -> None:
        self._say(self.app.size.width, self.app.size.height)

    def on_resize(self, event: Resize) -> None:
        self._say(event.size.width, event.size.height)

    def _say(self, width: int, height: int) -> None:
        self.query_one("#too-small", Static).update(
            Content(
                f"sprintboard needs a terminal of at least {MIN_WIDTH}×{MIN_HEIGHT} "
                f"(this one is {width}×{height}): make it bigger, or q quits"
            )
        )
