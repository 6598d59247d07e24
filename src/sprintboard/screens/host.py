"""The app as the screens see it: what they use of it beyond Textual's `App`, typed.

The app (`sprintboard.tui`) sits above the screens and imports them, so a screen may not
import it back (the layer contract in pyproject.toml, and no import cycles). `Host` names
what screens and dialogs need of it instead, and `host(node)` hands them the running app
as one; tui.py has mypy check that `SprintboardApp` provides all of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, cast

from textual.message_pump import MessagePump

from sprintboard.backend import Backend
from sprintboard.config import Settings
from sprintboard.views.card_findings import FindingsIndex

if TYPE_CHECKING:
    from sprintboard.screens.sync_watch import SyncWatch


class Host(Protocol):
    """What the screens read from the app."""

    @property
    def backend(self) -> Backend:
        """The store, on its own thread."""
        ...

    @property
    def settings(self) -> Settings:
        """The user's settings (WIP limits, feedback ageing, theme)."""
        ...

    @property
    def findings(self) -> FindingsIndex:
        """The last findings count (the board's), card by card: the badges and the detail."""
        ...

    @property
    def sync(self) -> SyncWatch:
        """The plan's sync state (for the headers) and the sync that may be running."""
        ...

    @property
    def live_refresh(self) -> float:
        """Seconds between looks for changes made elsewhere; 0: never."""
        ...

    @property
    def frozen(self) -> bool:
        """Tests and snapshots: a fixed clock, no blinking cursors."""
        ...

    def show_stock(self, card: str) -> None:
        """Open the stock screen on the SKUs of `card` (from its detail)."""
        ...

    def hold_keys(self, seconds: float, keys: frozenset[str] | None = None) -> None:
        """Drop `keys` (None: every key) pressed in the next `seconds`: a dialog answered
        with a key that was typed twice must not pass the second one to the screen
        beneath."""
        ...


def host(node: MessagePump) -> Host:
    """The running app of a screen, dialog or widget, as a `Host`."""
    # Checked by mypy where the app is defined (tui.py), which this layer cannot import.
    return cast(Host, node.app)
