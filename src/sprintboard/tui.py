"""The sprintboard Textual app: modes for the screens, keys, themes and the palette.

Build it with `sprintboard.app.make_app()`, which opens the database first.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import CommandPalette, Provider
from textual.screen import Screen

from sprintboard.backend import Backend
from sprintboard.config import Settings, remember_recent
from sprintboard.errors import UserError
from sprintboard.screens.host import Host
from sprintboard.screens.registry import SCREENS
from sprintboard.screens.sync_watch import SyncWatch
from sprintboard.store import Store
from sprintboard.theming import DEFAULT_THEME, SprintboardThemeProvider, load_themes
from sprintboard.views.board import fetch_board, first_rows
from sprintboard.views.card_findings import FindingsIndex

QUIT_KEYS = frozenset({"q", "ctrl+q", "ctrl+c"})
"""The keys that still work in a terminal too small for the screens."""


def _palette_provider() -> type[Provider]:
    """The palette's one provider, imported when the palette first opens."""
    from sprintboard.screens.command_provider import PaletteProvider

    return PaletteProvider


def _screen_factory(path: str) -> Callable[[], Screen[None]]:
    def make() -> Screen[None]:
        module, _, name = path.partition(":")
        screen: type[Screen[None]] = getattr(importlib.import_module(module), name)
        return screen()

    return make


class SprintboardApp(App[None]):
    """Sprint planning across the teams of an e-commerce organisation."""

    CSS_PATH = "app.tcss"
    TITLE = "sprintboard"
    ENABLE_COMMAND_PALETTE = True
    # Every screen's actions and the app's, by name and synonym (screens/command_provider.py);
    # it replaces Textual's system commands provider, whose commands it includes.
    COMMANDS: ClassVar[set[type[Provider] | Callable[[], type[Provider]]]] = {_palette_provider}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Keys", key_display="?"),
        Binding("exclamation_mark", "findings", "Findings", key_display="!"),
        Binding("at", "mentions", "Mentions", key_display="@", show=False),
        Binding("Y", "sync", "Sync with the other laptops", show=False),
        Binding("ampersand", "conflicts", "Sync conflicts", key_display="&", show=False),
        # Screens whose lists change with an undo bind u and U themselves; elsewhere (goals,
        # teams, stock, dependencies) these undo and then read the screen again.
        Binding("u", "undo", "Undo my last change", show=False),
        Binding("U", "redo", "Redo my last undo", show=False),
        Binding("q", "quit", "Quit"),
        *(
            Binding(str(i), f"switch_screen_to('{mode}')", title, show=False)
            for i, (mode, title, _) in enumerate(SCREENS, start=1)
        ),
    ]
    # The app starts straight in the board's mode: no blank default screen to switch from.
    DEFAULT_MODE: ClassVar[str] = "board"
    MODES: ClassVar[dict[str, Callable[[], Screen[None]]]] = {  # type: ignore[assignment]
        mode: _screen_factory(path) for mode, _, path in SCREENS
    }

    def __init__(
        self,
        store: Store,
        *,
        backend: Backend | None = None,
        settings: Settings | None = None,
        live_refresh: float = 1.0,
        remember_theme: bool = True,
        frozen: bool = False,
    ) -> None:
        super().__init__()
        self.store = store
        if backend is None:  # make_app() starts reading the board before Textual is imported
            backend = Backend(store)
            backend.prefetch(fetch_board, store, None, False, True, first_rows(), backend.start)
        self.backend = backend
        self.sync = SyncWatch(self, backend)
        self.startup_problems: list[str] = []
        if settings is None:
            settings, problems = Settings.read()
            self.startup_problems += [f"{p}; using the default there" for p in problems]
        self.settings = settings
        self.live_refresh = live_refresh
        self.findings = FindingsIndex()  # the board's last findings count, card by card
        self.remember_theme = remember_theme
        self.frozen = frozen  # tests and snapshots: a fixed clock, no blinking cursors
        self._keys_held_until = 0.0  # monotonic time: keys before it are dropped
        self._keys_held: frozenset[str] | None = None  # which keys (None: all)
        self._keys_held_for: Screen[Any] | None = None  # the screen they must not reach
        self._too_small = False  # the terminal is below the screens' smallest size
        # Themes before the first mount: choosing one later re-applies every stylesheet.
        themes, problems = load_themes()
        for theme in themes:
            self.register_theme(theme)
        self.startup_problems += problems
        wanted = self.settings.theme
        if wanted not in self.available_themes:
            if wanted != DEFAULT_THEME:
                self.startup_problems.append(f"theme {wanted!r} not found; using {DEFAULT_THEME}")
            wanted = DEFAULT_THEME if DEFAULT_THEME in self.available_themes else "textual-dark"
        self.theme = wanted

    def on_mount(self) -> None:
        self.theme_changed_signal.subscribe(self, self._remember_theme)
        for problem in self.startup_problems:
            self.notify(problem, severity="warning", markup=False, timeout=8)
        self.call_after_refresh(self.sync.reread)  # once the first screen's read is queued

    def _remember_theme(self, theme: object) -> None:
        name = getattr(theme, "name", None)
        if not self.remember_theme or not isinstance(name, str) or name == self.settings.theme:
            return
        self.settings.theme = name
        try:
            self.settings.save()
        except (OSError, UserError) as exc:
            self.notify(f"could not save the theme choice: {exc}", severity="warning", markup=False)

    def hold_keys(self, seconds: float, keys: frozenset[str] | None = None) -> None:
        # Held from the screen the dialog uncovers only: a key for a new dialog on top of
        # it (d y d y deletes two cards) is not a double tap.
        stack = self.screen_stack
        self._keys_held_for = stack[-2] if len(stack) > 1 else None
        self._keys_held_until = time.monotonic() + seconds
        self._keys_held = keys

    async def on_event(self, event: events.Event) -> None:
        # Forwarded keys too: keys typed in one burst all reach the dialog's focused widget
        # before the first is answered, and come back here for the screen's bindings once
        # the dialog has gone, the board's among them.
        if isinstance(event, events.Key) and (
            (
                time.monotonic() < self._keys_held_until
                and (self._keys_held is None or event.key in self._keys_held)
                and self.screen is self._keys_held_for
            )
            or (self._too_small and event.key not in QUIT_KEYS)
        ):
            event.stop()
            return
        await super().on_event(event)

    def on_resize(self, event: events.Resize) -> None:
        """Below the smallest size the screens are laid out in, cover them (before the
        resize reaches them) until the terminal is big enough again."""
        from sprintboard.screens.too_small import TooSmallScreen, too_small

        small = too_small(event.size.width, event.size.height)
        if small == self._too_small:
            return
        self._too_small = small
        if small:
            self.push_screen(TooSmallScreen())
        else:
            self.call_later(self._uncover)  # once the app has taken the new size

    def _uncover(self) -> None:
        from sprintboard.screens.too_small import TooSmallScreen

        if self._too_small or not isinstance(self.screen, TooSmallScreen):
            return
        self.pop_screen()
        # The screens showing through a dialog were left at their old size meanwhile.
        resize = events.Resize(self.size, self.size)
        for screen in self._background_screens:
            screen.post_message(resize)

    @property
    def _background_screens(self) -> list[Screen[Any]]:
        """Textual's screens showing through the one on top; none while the terminal is too
        small: the screen saying so covers them, and they must not be laid out at that size
        (Textual's lists and text wrapping fail at no width or height)."""
        from sprintboard.screens.too_small import TooSmallScreen

        if self._screen_stack and isinstance(self._screen_stack[-1], TooSmallScreen):
            return []
        return super()._background_screens

    def search_themes(self) -> None:
        """The theme picker ("Theme" in the palette), sprintboard's themes first."""
        self.push_screen(
            CommandPalette(providers=[SprintboardThemeProvider], placeholder="Search for themes…")
        )

    def action_switch_screen_to(self, mode: str) -> None:
        if mode in self.MODES and self.current_mode != mode:
            self.switch_mode(mode)

    def show_stock(self, card: str) -> None:
        """The stock screen narrowed to a card's SKUs, over the screen that asked for it."""
        from sprintboard.screens.stock import StockScreen

        self.push_screen(StockScreen(card=card))

    def action_help(self) -> None:
        from sprintboard.screens.help import HelpScreen

        self.push_screen(HelpScreen(self.screen))

    async def action_undo(self) -> None:
        await self._undo_or_redo(redo=False)

    async def action_redo(self) -> None:
        await self._undo_or_redo(redo=True)

    async def _undo_or_redo(self, *, redo: bool) -> None:
        from sprintboard.screens.undo_keys import undo_or_redo

        screen = self.screen
        if await undo_or_redo(screen, redo=redo) is not None:
            load = getattr(screen, "load", None)
            if load is not None and screen.is_attached:
                await load()

    def action_findings(self) -> None:
        """The findings panel over any screen; choosing one shows its card on the board."""
        from sprintboard.screens.findings import FindingsScreen

        async def chosen(key: str | None) -> None:
            if key is None:
                return
            if self.current_mode != "board":
                await self.switch_mode("board")
            while len(self.screen_stack) > 1 and not hasattr(self.screen, "show_card"):
                self.pop_screen()  # e.g. a card's page over the board
            show_card = getattr(self.screen, "show_card", None)
            if show_card is not None:
                self.screen.run_worker(show_card(key), group="writes")

        self.push_screen(FindingsScreen(), chosen)

    def action_sync(self) -> None:
        """Exchange changes with the other laptops (`sprintboard sync`), in the background."""
        self.run_worker(self.sync.start(), group="sync")

    def action_conflicts(self) -> None:
        """What syncs overrode, to take the other value or keep the plan as it is."""
        from sprintboard.screens.sync_conflicts import ConflictsScreen

        def closed(changed: bool | None) -> None:
            if changed:
                self.sync.plan_changed()

        self.push_screen(ConflictsScreen(), closed)

    def action_mentions(self) -> None:
        from sprintboard.screens.mentions import MentionsScreen

        self.push_screen(MentionsScreen())

    async def action_switch_person(self) -> None:
        """Hand the app to someone else: their changes, their undo, their cards."""
        from sprintboard.screens.person_dialog import PersonScreen

        members = await self.backend.run(self.store.members.list)
        current = await self.backend.run(lambda: self.store.actor)

        async def chosen(name: str | None) -> None:
            if name is None or name == current:
                return
            now = await self.backend.run(self.store.act_as, name)
            self.notify(f"now working as {now}", markup=False)
            came_back = getattr(self.screen, "came_back", None)
            if came_back is not None:  # e.g. the board's 'mine' follows the new person
                await came_back(away=False)

        self.push_screen(PersonScreen(current, members), chosen)

    # -- the command palette ------------------------------------------------------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The app's commands and `screen`'s keys (the palette lists every screen's: see
        COMMANDS); Textual's own "Keys" panel is left out for the app's help screen."""
        from sprintboard.screens.command_provider import app_system_commands

        return app_system_commands(self, screen)

    def recent_commands(self) -> list[str]:
        """The palette's last commands, newest first (ids such as 'planning.start_sprint')."""
        return list(self.settings.palette_recent)

    def remember_command(self, command: str) -> None:
        """Put a command first in the palette's recent list: kept in the settings file when
        the app was started from it (as the theme is), else for this run only."""
        recent = remember_recent(self.settings.palette_recent, command)
        if recent == self.settings.palette_recent:
            return
        self.settings.palette_recent = recent
        if not self.remember_theme:
            return
        try:
            self.settings.save()
        except (OSError, UserError) as exc:
            self.notify(
                f"could not save the recent commands: {exc}", severity="warning", markup=False
            )

    async def on_unmount(self) -> None:
        self.sync.close()
        self.backend.close()


# The screens reach the app as a `Host` (screens/host.py), since they cannot import this
# module: mypy checks here that the app provides everything `Host` names.
_HOST: type[Host] = SprintboardApp
