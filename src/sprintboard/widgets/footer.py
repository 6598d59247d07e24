"""The footer every screen shows: its keys, with `?`, `!` and `^p` kept in sight.

Textual's Footer lists the keys left to right and cuts what does not fit, so at 80 columns
the keys a newcomer needs most (the list of keys, the findings, the command palette) were
the first to go. Here the line has two parts: the screen's own keys, cut where they must,
and those three, pinned to the right. Below `WIDE` columns the pinned ones show only
their keys ("? keys ! ^p") to leave room for the screen's.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import HorizontalGroup
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

PINNED = ("help", "findings", "command_palette")
"""Actions (without their namespace) whose keys stay visible at any width, in this order."""
WIDE = 100
"""From this many columns the pinned keys show their descriptions too."""


def _pinned(key: FooterKey) -> bool:
    return key.action.rpartition(".")[2] in PINNED


class _Keys(Footer):
    """Textual's Footer, redrawn only when the keys it shows change.

    Textual's Footer rebuilds all its keys whenever the screen's bindings are signalled,
    which closing any dialog does (~150 ms of work after each inbox triage on a 2-core
    machine).
    """

    _shown: tuple[tuple[str, str, bool], ...] | None = None

    def bindings_changed(self, screen: Screen[Any]) -> None:
        if screen is self.screen and self.is_attached and screen.app.app_focus:
            keys = tuple(
                (binding.key, binding.description, enabled)
                for _, binding, enabled, _ in screen.active_bindings.values()
                if binding.show
            )
            if keys == self._shown:
                return
            self._shown = keys
        super().bindings_changed(screen)


class ScreenKeys(_Keys):
    """The screen's own keys, left to right; those that do not fit whole are left out
    (the palette and `?` still reach them)."""

    def __init__(self) -> None:
        super().__init__(show_command_palette=False)

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if not (isinstance(widget, FooterKey) and _pinned(widget)):
                yield widget

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit)

    async def recompose(self) -> None:
        await super().recompose()
        self.call_after_refresh(self._fit)

    def _fit(self) -> None:
        room, used = self.size.width, 0
        for key in self.query(FooterKey):
            margin = key.styles.margin
            width = key.get_content_width(self.size, self.app.size) + margin.left + margin.right
            used += width
            key.display = used <= room


class PinnedKeys(_Keys):
    """`?`, `!` and `^p`, always in sight; only their keys when the line is narrow."""

    narrow = False

    def compose(self) -> ComposeResult:
        keys = [w for w in super().compose() if isinstance(w, FooterKey) and _pinned(w)]
        keys.sort(key=lambda key: PINNED.index(key.action.rpartition(".")[2]))
        for key in keys:
            key.remove_class("-command-palette")
            if key.action.endswith("command_palette"):
                key.description = "" if self.narrow else "palette"
            elif self.narrow and not key.action.endswith("help"):
                key.description = ""
            yield key


class KeyFooter(HorizontalGroup):
    """The footer of every screen: its keys; `?`, `!` and `^p` pinned to the right."""

    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        background: $footer-background;
        ScreenKeys {
            dock: none;
            width: 1fr;
        }
        PinnedKeys {
            dock: none;
            width: auto;
            border-left: vkey $border-blurred;
            padding-left: 1;
        }
        &.-narrow PinnedKeys FooterKey {
            margin-right: 1;
        }
    }
    """

    def compose(self) -> ComposeResult:
        yield ScreenKeys()
        yield PinnedKeys()

    def on_resize(self, event: Resize) -> None:
        narrow = event.size.width < WIDE
        pinned = self.query_one(PinnedKeys)
        if narrow != pinned.narrow:
            pinned.narrow = narrow
            self.set_class(narrow, "-narrow")
            pinned.refresh(recompose=True)
