"""The base of the screens that show the store and follow its changes (all but the board).

A screen built on `LiveScreen` reads and shows its data in `load()`; the base finds the
store, polls the store's version every `live_refresh` seconds while the screen is shown
and again when it comes back (from a dialog or another screen), reloads when anything was
written meanwhile, by another process or by this app from any screen, and turns a refused
write into one notification.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, ClassVar

from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import OptionList

from sprintboard.errors import UserError


class LiveScreen(Screen[None]):
    """A screen that reads the store on the database thread and notices others' changes."""

    HELP_TITLE: ClassVar[str] = ""
    """The screen's name, in the help screen and the palette ("Goals: sign off (key o)")."""
    PALETTE_SKIP: ClassVar[tuple[str, ...]] = ("cursor",)
    """Actions (by prefix) left out of the palette: moving around is for keys."""

    def __init__(self) -> None:
        super().__init__()
        self.version: tuple[int, int] | None = None  # the store's version the data was read at
        self.loaded = False  # the first read is in

    @property
    def backend(self) -> Any:
        return self.app.backend  # type: ignore[attr-defined]

    @property
    def store(self) -> Any:
        return self.backend.store

    # Each screen reads its data on the database thread (setting `version`) and shows it in
    # its own `async def load()`.
    load: Callable[[], Awaitable[None]]

    def start_polling(self) -> None:
        interval = self.app.live_refresh  # type: ignore[attr-defined]
        if interval:
            self.set_interval(interval, self.poll)

    async def poll(self, *, even_hidden: bool = False) -> None:
        """Reload when anything was written since the data on screen was read."""
        if self.backend.pending_writes or not (self.is_current or even_hidden):
            return
        version = await self.backend.run(self.store.version)
        if version != self.version and not self.backend.pending_writes:
            await self.load()

    def on_screen_resume(self) -> None:
        # Back from a dialog or another screen: cards may have moved meanwhile.
        if self.loaded:
            self.run_worker(self.poll(even_hidden=True), group="reads")

    async def try_write(
        self, fn: Callable[..., Any], *args: Any, refused: str = "not saved", **kwargs: Any
    ) -> tuple[bool, Any]:
        """Run a store write on the database thread: (True, its result), or (False, None)
        once the user has been told in one line why it was refused."""
        try:
            result = await self.backend.write(fn, *args, **kwargs)
        except UserError as exc:
            self.notify(f"{refused}: {exc}", severity="error", markup=False)
            return False, None
        except sqlite3.Error as exc:
            self.notify(f"{refused}: {exc}", severity="error", markup=False, timeout=8)
            return False, None
        return True, result

    async def absorb_own_write(self) -> None:
        """For a screen that showed its change before writing it: count the write as seen
        (no reload for it), unless another process committed meanwhile (data_version moved)."""
        if self.version is None:
            return
        version = await self.backend.run(self.store.version)
        if version[0] == self.version[0]:
            self.version = version

    async def write(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run a store write; on failure say why; then show the database as it is. Returns
        the write's result, None when it was refused."""
        _, result = await self.try_write(fn, *args, **kwargs)
        await self.load()
        return result

    def action_cursor(self, delta: int) -> None:
        """j and k move in the focused list, as up and down do."""
        focused = self.focused
        if isinstance(focused, OptionList):
            (focused.action_cursor_down if delta > 0 else focused.action_cursor_up)()

    def palette_commands(self) -> Iterable[SystemCommand]:
        return binding_commands(self, self.HELP_TITLE, self.PALETTE_SKIP)


def binding_commands(
    screen: Screen[Any], where: str, skip: tuple[str, ...] = ("cursor",)
) -> Iterable[SystemCommand]:
    """A screen's bindings for the command palette, one per action (named after its first
    binding and key); actions starting with one of `skip` are left out."""
    seen: set[str] = set()
    for binding in screen.BINDINGS:
        if not isinstance(binding, Binding) or binding.action.startswith(skip):
            continue
        action = binding.action
        if action in seen:
            continue
        seen.add(action)
        key = binding.key_display or binding.key.split(",")[0]
        yield SystemCommand(
            binding.description,
            f"{where}: {binding.description.lower()} (key {key})",
            lambda action=action: screen.run_action(action),
        )
