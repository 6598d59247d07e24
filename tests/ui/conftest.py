"""Pilot-test fixtures: the real app (built by `make_app`) on a temporary demo database.

`board_app(...)` builds the app the way the CLI does, with the tests' frozen clock and
default settings (so the user's config is never read or written). `probe` reads the two
things every test compares: what the board shows and what the database holds. The
functions at the end drive the app the way every screen's tests do: wait for its work to
settle, wait for a condition, press keys, open a screen with its number key.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from rich.cells import cell_len
from rich.console import Console
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input

from sprintboard.app import SCREENS, make_app
from sprintboard.config import Settings
from sprintboard.screens.board import BoardScreen
from sprintboard.store import Store
from sprintboard.store.database import Clock
from sprintboard.tui import SprintboardApp
from sprintboard.views.board import COLUMNS
from sprintboard.widgets.board_grid import BoardGrid
from waiting import wait_until as wait_until  # the tests import it from here too

SIZE = (140, 45)

# The demo's active sprint (Sprint 42) as the board opens on it, selection on ECOM-4.
SPRINT_42 = {
    "backlog": ["ECOM-4"],
    "todo": ["ECOM-2", "IT-5", "MKT-2", "WH-3", "DATA-2", "CS-3"],
    "doing": ["IT-4", "MKT-3", "WH-2", "CNT-2", "IT-7"],
    "review": ["IT-6", "CNT-3", "FIN-1", "IT-8"],
    "done": ["ECOM-3", "DATA-3", "CS-2", "EXEC-1"],
}
SCREEN_KEYS = {mode: str(i) for i, (mode, _, _) in enumerate(SCREENS, start=1)}
"""The number key that switches to each screen, by mode name."""

AppFactory = Callable[..., SprintboardApp]
"""What `board_app` gives: build the app, keyword arguments going to `make_app`."""

ScreenT = TypeVar("ScreenT", bound=Screen[Any])


@pytest.fixture
def clock(demo_store: Store) -> Clock:
    """The tests' frozen clock (the one the demo organisation was dated with)."""
    return demo_store.clock


@pytest.fixture
def demo_db(demo_store: Store) -> Path:
    """The demo database's file, its loading connection closed: the app opens its own."""
    demo_store.close()
    return demo_store.path


@pytest.fixture
def board_app(demo_db: Path, clock: Clock) -> Callable[..., SprintboardApp]:
    """Build the app on the demo database; keyword arguments go to `make_app`."""

    def build(**kwargs: Any) -> SprintboardApp:
        kwargs.setdefault("settings", Settings())
        return make_app(demo_db, clock=clock, **kwargs)

    return build


class Probe:
    """What the board shows (model, drawn lines, whole screen) and what the db holds."""

    def __init__(self, db_path: Path, clock: Clock) -> None:
        self.db_path = db_path
        self.clock = clock

    # -- the screen ---------------------------------------------------------------------

    @staticmethod
    def board(app: SprintboardApp) -> BoardScreen:
        """The board screen, also while a dialog is open on top of it."""
        return next(s for s in reversed(app.screen_stack) if isinstance(s, BoardScreen))

    def shown(self, app: SprintboardApp) -> dict[str, list[str]]:
        """The keys of each column, in board order, as the board's model holds them."""
        return {s: [c["key"] for c in cards] for s, cards in self.board(app).model.columns.items()}

    def selected(self, app: SprintboardApp) -> str | None:
        return self.board(app).model.selected

    def lines(self, app: SprintboardApp) -> list[str]:
        """Every line the board grid draws, as text."""
        grid = self.board(app).query_one(BoardGrid)
        return [grid.render_line(y).text for y in range(grid.size.height)]

    def grid_text(self, app: SprintboardApp) -> str:
        return "\n".join(self.lines(app))

    def column_text(self, app: SprintboardApp, status: str) -> str:
        """The cells of one column of the grid, line by line."""
        grid = self.board(app).query_one(BoardGrid)
        col = COLUMNS.index(status)
        start = col * (grid.column_width + 1)
        out = []
        for y in range(grid.size.height):
            row = cells(grid.render_line(y).text)
            out.append("".join(row[start : start + grid.column_width]))
        return "\n".join(out)

    def header(self, app: SprintboardApp) -> str:
        return str(self.board(app).query_one("#board-header").render())

    @staticmethod
    def screen_lines(app: SprintboardApp) -> list[str]:
        """The whole terminal as text, as `export_screenshot()` sees it (modals included)."""
        width, height = app.size
        console = Console(
            width=width,
            height=height,
            file=io.StringIO(),
            force_terminal=True,
            color_system="truecolor",
            record=True,
            legacy_windows=False,
            safe_box=False,
        )
        console.print(
            app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
        )
        return console.export_text().splitlines()

    def screen_text(self, app: SprintboardApp) -> str:
        return "\n".join(self.screen_lines(app))

    # -- the database -------------------------------------------------------------------

    def store(self) -> Store:
        """A separate connection to the same file, as another process would have."""
        return Store(self.db_path, clock=self.clock)

    def stored(self, sprint: Any) -> dict[str, list[str]]:
        """The keys of each column of `sprint` (an id, or None for the backlog), in order."""
        with self.store() as store:
            return {
                s: [c["key"] for c in store.cards.query(sprint=sprint, status=s)] for s in COLUMNS
            }

    def card(self, key: str) -> dict[str, Any] | None:
        with self.store() as store:
            found = store.cards.query(keys=[key])
        return found[0] if found else None

    def existing_card(self, key: str) -> dict[str, Any]:
        """The stored card with this key; the test fails if there is none."""
        card = self.card(key)
        assert card is not None, f"no card {key} in the database"
        return card

    def active_sprint(self) -> int:
        with self.store() as store:
            active = store.sprints.active()
        assert active is not None
        return int(active["id"])


def cells(text: str) -> list[str]:
    """Text split into terminal cells: a wide character takes two (the second one empty)."""
    out: list[str] = []
    for char in text:
        out.append(char)
        if cell_len(char) == 2:
            out.append("")
    return out


@pytest.fixture
def probe(demo_db: Path, clock: Clock) -> Probe:
    return Probe(demo_db, clock)


# -- driving the app ------------------------------------------------------------------------


async def settle(app: SprintboardApp, pilot: Pilot[Any], rounds: int = 2) -> None:
    """Let queued reads and writes finish and the screen catch up, `rounds` times over.

    Work can start after a repaint (a chart worker, a screen's next read), so one wait for
    the workers is not always enough; the goals, teams and planning tests settle in 3.
    """
    for _ in range(rounds):
        await app.workers.wait_for_complete()
        await pilot.pause()


async def press_each(app: SprintboardApp, pilot: Pilot[Any], *keys: str, rounds: int = 2) -> None:
    """Press keys one at a time, settling (`rounds`) after each."""
    for key in keys:
        await pilot.press(key)
        await settle(app, pilot, rounds)


async def open_screen(
    app: SprintboardApp, pilot: Pilot[Any], mode: str, kind: type[ScreenT], rounds: int = 2
) -> ScreenT:
    """Switch to `mode` with its number key; wait until its screen has read its data."""
    await pilot.pause()
    await pilot.press(SCREEN_KEYS[mode])
    assert await wait_until(
        pilot, lambda: isinstance(app.screen, kind) and getattr(app.screen, "loaded", False)
    )
    await settle(app, pilot, rounds)
    screen = app.screen
    assert isinstance(screen, kind)
    return screen


async def type_into(app: SprintboardApp, pilot: Pilot[Any], selector: str, text: str) -> None:
    """Empty the input `selector` of the current screen, then type `text` into it."""
    box = app.screen.query_one(selector, Input)
    box.focus()
    box.value = ""
    await pilot.pause()
    if text:
        await pilot.press(*text)
    await pilot.pause()


def current_screen(app: SprintboardApp) -> Screen[Any]:
    """The screen on top now, read afresh: an earlier `isinstance(app.screen, ...)` in a
    test does not make the type checker assume the same screen after keys were pressed."""
    return app.screen


def messages(app: SprintboardApp) -> list[str]:
    """The text of the notifications the app holds (expired ones are dropped), oldest first."""
    return [n.message for n in app._notifications]
