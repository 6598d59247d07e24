"""The dependency screen never stalls on a big plan, shows hostile text literally and fits
small terminals."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from sprintboard.screens import dependencies
from sprintboard.screens.board import BoardScreen
from sprintboard.screens.dependencies import DependencyScreen
from sprintboard.screens.help import HelpScreen
from sprintboard.views.dependencies import fetch_dependencies
from sprintboard.widgets.dependency_view import DependencyView

from .conftest import SCREEN_KEYS, SIZE, AppFactory, Probe, settle, wait_until
from .dependencies_driver import (
    DEMO_IT_ECOM,
    EXTRA,
    add_links,
    header,
    line_with,
    open_dependencies,
    screen_of,
    shown_links,
    view_lines,
)

# -- never stalling ---------------------------------------------------------------------------


async def test_loading_shows_and_keys_still_work(
    board_app: AppFactory, probe: Probe, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the graph is read the screen says so, and keys are handled."""
    release = threading.Event()
    fetch = fetch_dependencies  # what the screen module calls under that name

    def slow_fetch(store: Any) -> dict[str, Any]:
        release.wait(10)
        return fetch(store)

    monkeypatch.setattr(dependencies, "fetch_dependencies", slow_fetch)
    app = board_app()
    try:
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            assert await wait_until(pilot, lambda: isinstance(app.screen, BoardScreen))
            await pilot.press(SCREEN_KEYS["dependencies"])
            assert await wait_until(pilot, lambda: isinstance(app.screen, DependencyScreen))
            await pilot.pause()
            screen = screen_of(app)
            assert view_lines(app)[0].strip() == "loading…"
            assert "loading…" in header(app)
            await pilot.press("M")
            assert screen.matrix_shown
            await pilot.press("M", "question_mark")
            assert await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
            await pilot.press("escape")
            assert not release.is_set() and screen.view.pending
            release.set()
            assert await wait_until(pilot, lambda: not screen.view.pending)
            await settle(app, pilot)
            assert shown_links(app) == DEMO_IT_ECOM
    finally:
        release.set()


# -- user text and small terminals ------------------------------------------------------------


async def test_titles_are_shown_literally(board_app: AppFactory, probe: Probe) -> None:
    with probe.store() as store:
        store.cards.edit("IT-5", {"title": "[bold]x[/] [link=file:///etc/passwd]a[/link]"})
        store.cards.edit("ECOM-2", {"title": "🛒 購物車 " + "wide " * 80})
    app = board_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await open_dependencies(app, pilot)
        detail = str(screen.query_one("#deps-detail").render())
        assert "[bold]x[/] [link=file:///etc/passwd]a[/link]" in detail
        assert "🛒 購物車 wide" in detail
        view = screen.query_one(DependencyView)
        for y in range(view.size.height):  # every line exactly as wide as the view
            assert view.render_line(y).cell_length == view.size.width
        assert "[bold]x[/]" in line_with(app, " IT-5 ", "waits on  ECOM-2 ")
        await pilot.press("v")
        assert any("[bold]x[/]" in line for line in view_lines(app))


async def test_page_keys_repaint_the_whole_list(board_app: AppFactory) -> None:
    """A page key scrolls the list: the terminal shows every line the list now draws, none
    left over from the page before."""
    app = board_app()
    async with app.run_test(size=(140, 30), notifications=True) as pilot:
        screen = await open_dependencies(app, pilot)
        await pilot.press("asterisk")
        assert await wait_until(pilot, lambda: screen.teams is None and not screen.view.pending)
        await settle(app, pilot)
        view = screen.view
        for key in ("pagedown", "pagedown", "pageup"):
            await pilot.press(key)
            await settle(app, pilot)
            box = view.region
            terminal = Probe.screen_lines(app)[box.y : box.bottom]
            assert [line[box.x : box.right].rstrip() for line in terminal] == [
                line.rstrip() for line in view_lines(app)
            ], key
        assert view.top == 0 < len(view.rows) - view.visible_rows


async def test_works_at_80x24(board_app: AppFactory, probe: Probe) -> None:
    add_links(probe, EXTRA)
    app = board_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_dependencies(app, pilot)
        assert set(shown_links(app)) == set(DEMO_IT_ECOM | EXTRA)
        for keys in (("v",), ("asterisk",), ("M",), ("down", "right"), ("M", "pagedown", "end")):
            await pilot.press(*keys)
            await settle(app, pilot)
            widget = screen.matrix if screen.matrix_shown else screen.view
            for y in range(widget.size.height):
                assert widget.render_line(y).cell_length == widget.size.width
        # The matrix falls back to one line per team and keeps every team on screen.
        await pilot.press("M")
        matrix = screen.matrix
        assert matrix.pitch == 1
        text = [matrix.render_line(y).text for y in range(matrix.size.height)]
        assert any(line.startswith(" FIN ") for line in text)
        assert not [n for n in app._notifications if n.severity == "error"]
