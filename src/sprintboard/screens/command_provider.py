"""The command palette: every action of every screen, and the app's own, by name.

`PaletteProvider` (the app's only palette provider) lists the keys of all the main screens
(read from their classes' BINDINGS, named and given synonyms in screens/commands.py), the
app-wide commands, the keys of a screen opened over them (a card's detail: its
`palette_commands()`), and the Textual commands the app keeps (screenshot, maximize).
Running a command of another screen switches to that screen first and runs the action
there once its data is in. With nothing typed, the last commands run come first.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache, partial
from typing import Any, Protocol, runtime_checkable

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.markup import escape
from textual.screen import Screen
from textual.widgets import Input, TextArea

from sprintboard.screens.commands import (
    APP,
    PaletteCommand,
    all_commands,
    app_commands,
    highlight,
    score,
    screen_classes,
)

LOAD_WAIT = 10.0
"""Seconds a command waits for its screen's first read before giving up with a notice."""
TEXTUAL_COVERED = frozenset({"Keys", "Theme", "Quit"})
"""Textual's system commands that the app's own table names (with its keys and synonyms)."""


@runtime_checkable
class CommandMemory(Protocol):
    """The app keeps the palette's recent commands (in the settings, or for this run)."""

    def recent_commands(self) -> list[str]:
        """The ids of the last commands run, newest first."""
        ...

    def remember_command(self, command: str) -> None:
        """Note that the command with this id was just run."""
        ...


# -- running a command -----------------------------------------------------------------------


async def _palette_closed(app: App[Any]) -> None:
    """The palette is dismissed just before its command runs: let it go first."""
    for _ in range(100):
        if not CommandPalette.is_open(app):
            return
        await asyncio.sleep(0.01)


def _typed_in(screen: Screen[Any]) -> bool:
    """Whether a screen holds text the user typed (a form, a filled-in dialog)."""
    return any(box.value for box in screen.query(Input)) or any(
        area.text for area in screen.query(TextArea)
    )


async def _bring_up(app: App[Any], mode: str) -> Screen[Any] | None:
    """The main screen of `mode` on top: switched to, what was opened over it (a card's
    page, a panel) closed; None, with a notice, when that would throw away typed text."""
    if app.current_mode != mode:
        await app.switch_mode(mode)
    above = app.screen_stack[1:]
    if any(_typed_in(screen) for screen in above):
        app.notify("finish or close the open dialog first (esc)", severity="warning")
        return None
    for _ in above:
        await app.pop_screen()
    return app.screen


async def _loaded(screen: Screen[Any]) -> bool:
    """Wait for a screen's first read (its actions work on what it shows)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + LOAD_WAIT
    while not getattr(screen, "loaded", True):
        if loop.time() > deadline or not screen.is_attached:
            return False
        await asyncio.sleep(0.02)
    return True


async def run_command(
    app: App[Any],
    calling: Screen[Any],
    command: PaletteCommand,
    classes: dict[str, type[Screen[Any]]],
) -> None:
    """Run a palette command as its key would on its screen: an app-wide one on the screen
    the palette was opened over when that screen has its own version (the board's !),
    else on the app; a screen's on that screen, switched to first unless it is the one the
    palette was opened over."""
    await _palette_closed(app)
    if command.mode == APP:
        name = command.action.partition("(")[0]
        target: Any = calling if hasattr(calling, f"action_{name}") else app
        await app.run_action(command.action, target)
        return
    screen = calling
    if not isinstance(calling, classes[command.mode]) or calling is not app.screen:
        found = await _bring_up(app, command.mode)
        if found is None:
            return
        screen = found
    if not await _loaded(screen):
        app.notify(f"{command.title}: the screen is still loading", severity="warning")
        return
    if not await app.run_action(command.action, screen):
        app.notify(
            f"{command.title}: not available here ({command.help})",
            severity="warning",
            markup=False,
        )


def _start(
    app: App[Any],
    calling: Screen[Any],
    command: PaletteCommand,
    classes: dict[str, type[Screen[Any]]],
) -> None:
    """The palette's callback: remember the command, run it in a worker (it may wait for a
    screen to load, which a callback on the app's queue must not)."""
    if isinstance(app, CommandMemory):
        app.remember_command(command.id)
    work = run_command(app, calling, command, classes)
    app.run_worker(work, group="palette", exclusive=True)


# -- the provider ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    """What the provider offers: display, help line, names and synonyms to match, what to run."""

    title: str
    help: str
    names: tuple[str, ...]
    synonyms: tuple[str, ...]
    run: Callable[[], Any]
    id: str | None = None
    where: str = ""


class PaletteProvider(Provider):
    """Every action of the app by name, its synonyms matched too; recent commands first."""

    _entries: list[_Entry]

    async def startup(self) -> None:
        # Reading every screen's keys imports the screen modules (about half a second, the
        # first time): off the UI thread, and only once the palette is opened.
        classes = await asyncio.to_thread(_screen_classes)
        calling = self.screen
        first = next((m for m, c in classes.items() if isinstance(calling, c)), None)
        entries: list[_Entry] = []
        main = first is not None
        own = getattr(calling, "palette_commands", None)
        if not main and own is not None:  # a card's detail, a goal's cards, mentions
            entries += (_system_entry(c) for c in own())
        app_bindings = [b for b in type(self.app).BINDINGS if isinstance(b, Binding)]
        for command in all_commands(app_bindings, classes, first):
            run = partial(self._start, command, classes)
            entry = _Entry(
                command.title,
                command.help,
                command.names,
                command.synonyms,
                run,
                command.id,
                command.where,
            )
            entries.append(entry)
        # Textual's own commands the table does not name (screenshot, maximize).
        for textual in App.get_system_commands(self.app, calling):
            if textual.title not in TEXTUAL_COVERED:
                entries.append(_system_entry(textual))
        self._entries = entries

    def _start(self, command: PaletteCommand, classes: dict[str, type[Screen[Any]]]) -> None:
        _start(self.app, self.screen, command, classes)

    async def discover(self) -> Hits:
        recent = self.app.recent_commands() if isinstance(self.app, CommandMemory) else []
        by_id = {e.id: e for e in self._entries if e.id is not None}
        shown = [by_id[i] for i in recent if i in by_id]
        for entry in shown + [e for e in self._entries if e not in shown]:
            yield DiscoveryHit(Content(entry.title), entry.run, entry.title, escape(entry.help))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for entry in self._entries:
            found = score(matcher, entry)
            if found > 0:
                shown = highlight(matcher, entry.title)
                yield Hit(found, shown, entry.run, entry.title, escape(entry.help))


def app_system_commands(app: App[Any], screen: Screen[Any]) -> Iterator[SystemCommand]:
    """The commands of the screen `screen` and the app's, as Textual's system commands:
    what `App.get_system_commands` lists (the palette itself lists every screen's)."""
    for textual in App.get_system_commands(app, screen):
        if textual.title not in TEXTUAL_COVERED:
            yield textual
    bindings = [b for b in type(app).BINDINGS if isinstance(b, Binding)]
    for command in app_commands(bindings):
        yield SystemCommand(command.title, command.help, partial(_start, app, screen, command, {}))
    own = getattr(screen, "palette_commands", None)
    if own is not None:
        yield from own()


@cache
def _screen_classes() -> dict[str, type[Screen[Any]]]:
    return screen_classes()


def _system_entry(command: SystemCommand) -> _Entry:
    return _Entry(command.title, command.help, (command.title,), (), command.callback)
